"""tfc-run --optimizer: every optimizer it offers trains the softmax model well past chance in 100
steps, with the update ops and slots of that optimizer in the graph it writes; nesterov and
centered-rmsprop differ from their plain forms; a bad name is a usage error naming it."""
import re
import subprocess

import pytest

# name -> (update op, a slot of W the checkpoint holds)
OPTIMIZERS = {
    "gd": ("ApplyGradientDescent", None),
    "momentum": ("ApplyMomentum", "W/Momentum"),
    "nesterov": ("ApplyMomentum", "W/Momentum"),
    "adagrad": ("ApplyAdagrad", "W/Adagrad"),
    "rmsprop": ("ApplyRMSProp", "W/RMSProp_1"),
    "centered-rmsprop": ("ApplyCenteredRMSProp", "W/RMSProp_2"),
    "adam": ("ApplyAdam", "W/Adam_1"),
}


def train(tfc_run, mnist_dir, logdir, name):
    p = subprocess.run([str(tfc_run), "mnist", "--model", "softmax", "--optimizer", name, "--steps", "100",
                        "--threads", "1", "--quiet", "--data-dir", str(mnist_dir), "--logdir", str(logdir),
                        "--run", name, "--profile"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_optimizer_trains(tfc_run, tfc_ckpt, mnist_dir, logdir, name):
    out = train(tfc_run, mnist_dir, logdir, name)
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", out).group(1))
    assert accuracy > 0.7, out
    update, slot = OPTIMIZERS[name]
    assert re.search(rf"^\s+[0-9.]+\s+[0-9.]+%\s+{update} \(", out, re.M), out  # --profile's per-op rows
    p = subprocess.run([str(tfc_ckpt), "inspect", str(logdir / name)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    names = {line.split()[0] for line in p.stdout.splitlines() if line.strip()}
    assert "W" in names and "global_step" in names
    if slot:
        assert slot in names, p.stdout


def test_variants_differ(tfc_run, mnist_dir, logdir):
    def loss(name):
        return re.search(r"\(loss ([0-9.]+)", train(tfc_run, mnist_dir, logdir, name)).group(1)
    assert loss("momentum") != loss("nesterov")
    assert loss("rmsprop") != loss("centered-rmsprop")


def test_unknown_optimizer(run_tool):
    p = run_tool("tfc-run", "mnist", "--optimizer", "adadelta")
    assert p.returncode == 2 and "--optimizer: 'adadelta'" in p.stderr and "adagrad" in p.stderr
