"""tfc-run --graph --training and tfc-ckpt restore --graph --training: a TensorFlow graph whose batch
norm a bool placeholder switches through tf.cond (tf.compat.v1.layers.batch_normalization(
training=is_training), written by tests/tools/tf1_training_switch.py with the venv's TensorFlow)
trains with the placeholder fed true and evaluates with it false. TensorFlow restores the checkpoint
and scores what tfc scored; the moving averages moved to the data's statistics. Unfed, the
placeholder is one line naming it and the flag; a placeholder_with_default needs no feed."""
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from tool_errors import one_error_line

SCRIPT = Path(__file__).resolve().parent / "tf1_training_switch.py"
TENSORS = ["--input", "x:0", "--labels", "y_:0", "--accuracy", "accuracy:0"]


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    out = tmp_path_factory.mktemp("switch")
    r = subprocess.run([sys.executable, str(SCRIPT), "write", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return out


def train(run_tool, meta, mnist_dir, logdir, *extra):
    """200 steps from the initialisers: the test accuracy and the checkpoint."""
    r = run_tool("tfc-run", "mnist", "--graph", meta, *TENSORS, "--steps", "200", "--threads", "2", "--seed", "1",
                 "--data-dir", mnist_dir, "--logdir", logdir, "--run", "r", "--quiet", *extra)
    assert r.returncode == 0, r.stderr
    return float(re.search(r"test accuracy: ([0-9.]+) \(loss", r.stdout).group(1)), logdir / "r" / "model.ckpt-200"


@pytest.fixture(scope="module")
def trained(run_tool, graphs, mnist_dir, tmp_path_factory):
    """bn.meta trained with is_training fed: the test accuracy and the checkpoint."""
    return train(run_tool, graphs / "bn.meta", mnist_dir, tmp_path_factory.mktemp("trained"),
                 "--training", "is_training:0")


def moving(run_tool, prefix):
    r = run_tool("tfc-ckpt", "inspect", prefix, "--all", "--json")
    assert r.returncode == 0, r.stderr
    tensors = {t["name"]: np.array(t["values"]) for t in json.loads(r.stdout)["tensors"]}
    return tensors["bn/moving_mean"], tensors["bn/moving_variance"]


def test_training_switch_trains_batch_norm(run_tool, graphs, trained, mnist_dir):
    acc, prefix = trained
    assert acc > 0.9, acc
    # the moving averages (updated only in the cond's training branch) left their start, 0 and 1
    mean, var = moving(run_tool, prefix)
    assert np.abs(mean).max() > 0.1 and np.abs(var - 1).max() > 0.5, (mean, var)
    # TensorFlow restores tfc's checkpoint into the .meta beside it and, with is_training false,
    # scores what tfc scored (within 2 of the 10,000 images); the moving averages are the data's
    r = subprocess.run([sys.executable, str(SCRIPT), "eval", str(prefix), str(mnist_dir)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    tf = json.loads(r.stdout)
    assert abs(tf["accuracy"] - acc) <= 2e-4, (tf["accuracy"], acc)
    assert np.allclose(tf["moving_mean"], mean) and np.allclose(tf["moving_variance"], var)
    assert np.corrcoef(mean, tf["test_mean"])[0, 1] > 0.9
    assert np.corrcoef(var, tf["test_variance"])[0, 1] > 0.9
    # tfc-ckpt evaluates the checkpoint the same way
    c = run_tool("tfc-ckpt", "restore", prefix, "--graph", graphs / "bn.meta", *TENSORS, "--training", "is_training:0",
                 "--data-dir", mnist_dir)
    assert c.returncode == 0, c.stderr
    assert f"test accuracy {acc:.4f}, loss" in c.stdout, c.stdout


def test_unfed_switch(run_tool, graphs, trained, mnist_dir):
    """What TensorFlow refuses ('You must feed a value for placeholder tensor'), before anything runs."""
    base = ["mnist", "--graph", graphs / "bn.meta", *TENSORS, "--data-dir", mnist_dir, "--no-logdir", "--steps", "1"]
    needle = "placeholder 'is_training' (bool []), which {} reads, is not fed: name it with --training is_training:0"
    one_error_line(run_tool("tfc-run", *base), needle.format("the training step"))
    one_error_line(run_tool("tfc-run", *base, "--eval"), needle.format("the accuracy"))
    prefix = trained[1]
    r = run_tool("tfc-ckpt", "restore", prefix, "--graph", graphs / "bn.meta", *TENSORS, "--data-dir", mnist_dir)
    one_error_line(r, needle.format("the accuracy"))
    # only checking that the checkpoint fits runs nothing: no feed needed
    r = run_tool("tfc-ckpt", "restore", prefix, "--graph", graphs / "bn.meta", *TENSORS, "--no-eval")
    assert r.returncode == 0, r.stderr


def test_placeholder_with_default(run_tool, graphs, mnist_dir, tmp_path):
    """is_training = placeholder_with_default(False): unfed, it trains in inference mode (the moving
    averages stay 0 and 1, as in TensorFlow); fed by --training, it trains the batch norm."""
    meta = graphs / "bn_default.meta"
    acc, prefix = train(run_tool, meta, mnist_dir, tmp_path / "plain")
    mean, var = moving(run_tool, prefix)
    assert acc > 0.8 and not mean.any() and (var == 1).all(), (acc, mean, var)
    acc, prefix = train(run_tool, meta, mnist_dir, tmp_path / "fed", "--training", "is_training:0")
    mean, var = moving(run_tool, prefix)
    assert acc > 0.9 and np.abs(mean).max() > 0.1 and np.abs(var - 1).max() > 0.5, (acc, mean, var)


@pytest.mark.parametrize("name, needle", [
    ("x:0", "--training 'x:0' is float32 [?,784], tfc-run needs bool []"),
    ("nothere:0", "--training 'nothere:0': no such tensor in the graph"),
    ("is_training:0=true", "--training 'is_training:0=true': no such tensor in the graph"),
])
def test_bad_training_tensor(run_tool, graphs, trained, mnist_dir, name, needle):
    r = run_tool("tfc-run", "mnist", "--graph", graphs / "bn.meta", *TENSORS, "--training", name,
                 "--data-dir", mnist_dir, "--no-logdir", "--steps", "1")
    one_error_line(r, needle)
    r = run_tool("tfc-ckpt", "restore", trained[1], "--graph", graphs / "bn.meta", *TENSORS, "--training", name,
                 "--no-eval")
    one_error_line(r, needle)


def test_training_usage(run_tool):
    r = run_tool("tfc-run", "mnist", "--training", "is_training:0")
    assert r.returncode == 2 and "--training go with --graph" in r.stderr, r.stderr
    r = run_tool("tfc-ckpt", "restore", "x", "--model", "mlp", "--training", "is_training:0")
    assert r.returncode == 2 and "--training go with --graph" in r.stderr, r.stderr
    for tool in ("tfc-run", "tfc-ckpt"):
        assert "--training" in run_tool(tool, "--help").stdout
