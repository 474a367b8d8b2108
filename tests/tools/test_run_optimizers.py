"""tfc-run --optimizer: every optimizer it offers trains the softmax model well past chance (10%) in
100 steps (RMSProp, whose mean squares start at 1 and decay by 0.99 a step, the slowest: 68%), with
the update ops and slots of that optimizer in the graph it writes, which tfc-ckpt restore loads
with the same --optimizer; nesterov and centered-rmsprop
differ from their plain forms; Adagrad's warmup and RMSProp's decay are the ones --help names; a
bad name is a usage error naming it."""
import re
import subprocess

import numpy as np
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
    assert accuracy > 0.6, out
    update, slot = OPTIMIZERS[name]
    assert re.search(rf"^\s+[0-9.]+\s+[0-9.]+%\s+{update} \(", out, re.M), out  # --profile's per-op rows
    p = subprocess.run([str(tfc_ckpt), "inspect", str(logdir / name)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    names = {line.split()[0] for line in p.stdout.splitlines() if line.strip()}
    assert "W" in names and "global_step" in names
    if slot:
        assert slot in names, p.stdout
    # tfc-ckpt restore takes the same optimizers, so the checkpoint loads with its slots and scores the same
    p = subprocess.run([str(tfc_ckpt), "restore", str(logdir / name), "--model", "softmax", "--optimizer", name,
                        "--data-dir", str(mnist_dir), "--threads", "1"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert re.search(r"test accuracy ([0-9.]+)", p.stdout).group(1) == f"{accuracy:.4f}", (out, p.stdout)
    # with another optimizer's slots the error says which --optimizer fits (nesterov's are momentum's)
    wrong = "rmsprop" if name == "adam" else "adam"
    p = subprocess.run([str(tfc_ckpt), "restore", str(logdir / name), "--model", "softmax", "--optimizer", wrong,
                        "--no-eval"], capture_output=True, text=True, timeout=60)
    fits = "momentum" if name == "nesterov" else name
    assert p.returncode == 1 and p.stderr.count("\n") == 1, p.stderr
    assert p.stderr.rstrip().endswith(f"restore with --optimizer {fits})"), p.stderr


def test_variants_differ(tfc_run, mnist_dir, logdir):
    def loss(name):
        return re.search(r"\(loss ([0-9.]+)", train(tfc_run, mnist_dir, logdir, name)).group(1)
    assert loss("momentum") != loss("nesterov")
    assert loss("rmsprop") != loss("centered-rmsprop")


def variables(tfc_ckpt, prefix, names, tmp_path):
    out = {}
    for name in names:
        npy = tmp_path / (name.replace("/", "_") + ".npy")
        p = subprocess.run([str(tfc_ckpt), "dump", str(prefix), "--tensor", name, "-o", str(npy)],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        out[name] = np.load(npy).astype(np.float64)
    return out


def test_adagrad_warmup(tfc_run, tfc_ckpt, mnist_dir, logdir, tmp_path):
    """--optimizer adagrad --lr 0.05: steps 1 to 1,000 at 0.01, then 0.05 from step 1,001 on. A step's learning rate,
    read off two checkpoints, is |change of W| x sqrt(accumulator after) / |gradient|, the
    gradient's square being the accumulator's growth (taken where it grew most)."""
    def run(steps, *more):
        p = subprocess.run([str(tfc_run), "mnist", "--model", "softmax", "--optimizer", "adagrad", "--lr", "0.05",
                            "--steps", str(steps), "--threads", "1", "--quiet", "--data-dir", str(mnist_dir),
                            "--logdir", str(logdir), *more], capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr
        run_dir = "first" if steps == 1 else "warm"  # a restored run goes on in its folder
        return variables(tfc_ckpt, logdir / run_dir / f"model.ckpt-{steps}", ["W", "W/Adagrad"], tmp_path)

    def step_lr(before, after):
        grown = after["W/Adagrad"] - before["W/Adagrad"]
        i = np.unravel_index(np.argmax(grown), grown.shape)
        return abs(after["W"][i] - before["W"][i]) * np.sqrt(after["W/Adagrad"][i]) / np.sqrt(grown[i])

    start = {"W": np.zeros((784, 10)), "W/Adagrad": np.full((784, 10), 1e-10)}
    assert step_lr(start, run(1, "--run", "first")) == pytest.approx(0.01, rel=1e-3)
    at_1000 = run(1000, "--run", "warm")
    assert step_lr(at_1000, run(1001, "--restore=" + str(logdir / "warm"))) == pytest.approx(0.05, rel=1e-3)


def test_rmsprop_decay(tfc_run, tfc_ckpt, mnist_dir, logdir, tmp_path):
    """RMSProp's decay is 0.99: after one step, the mean square of a weight that had no gradient
    (a corner pixel's, always 0) is 0.99 x its starting 1."""
    p = subprocess.run([str(tfc_run), "mnist", "--model", "softmax", "--optimizer", "rmsprop", "--steps", "1",
                        "--threads", "1", "--quiet", "--data-dir", str(mnist_dir), "--logdir", str(logdir),
                        "--run", "r"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    ms = variables(tfc_ckpt, logdir / "r" / "model.ckpt-1", ["W/RMSProp"], tmp_path)["W/RMSProp"]
    assert ms[0].tolist() == [np.float32(0.99)] * 10


def test_unknown_optimizer(run_tool):
    p = run_tool("tfc-run", "mnist", "--optimizer", "adadelta")
    assert p.returncode == 2 and "--optimizer: 'adadelta'" in p.stderr and "adagrad" in p.stderr
