"""examples/mnist_convnet.c, the C example written with the ops beyond the seeds (FusedBatchNormV3,
AvgPool, exponential_decay, Momentum, control dependencies): trained a few hundred steps, its loss
falls, its learning rate follows the schedule, and its test accuracy, taken through batch norm in
inference on the moving averages that the control dependencies keep, is far above chance; the
checkpoint it saves (a plain prefix) holds those moving averages, moved from their initial values,
and the Momentum slots, as TensorFlow reads it."""
import re
import subprocess

import numpy as np


def test_mnist_convnet_learns(build_dir, mnist_dir, tmp_path):
    prefix = tmp_path / "convnet.ckpt"
    p = subprocess.run([str(build_dir / "examples" / "mnist_convnet"), str(mnist_dir), "300", str(prefix)],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    steps = {int(s): (float(loss), float(lr))
             for s, loss, lr in re.findall(r"^step (\d+): loss ([0-9.]+), learning rate ([0-9.e-]+)$", p.stdout, re.M)}
    assert sorted(steps) == [1] + list(range(50, 301, 50)), p.stdout
    first = steps[1][0]
    last = sum(steps[s][0] for s in (250, 300)) / 2
    assert first > 1.5 and last < first / 5, p.stdout
    # exponential_decay(0.05, global_step, 100, 0.7, staircase): 0.05 until step 100, then 0.035, ...
    assert steps[50][1] == 0.05 and abs(steps[150][1] - 0.035) < 1e-6 and abs(steps[300][1] - 0.0245) < 1e-6
    accuracy = float(re.search(r"^test accuracy: ([0-9.]+)$", p.stdout, re.M).group(1))
    assert accuracy > 0.9, p.stdout

    import tensorflow as tf
    reader = tf.train.load_checkpoint(str(prefix))
    names = set(reader.get_variable_to_shape_map())
    for layer, channels in (("batch_normalization", 16), ("batch_normalization_1", 32)):
        assert {f"{layer}/{v}" for v in ("gamma", "beta", "moving_mean", "moving_variance")} <= names
        mean = reader.get_tensor(f"{layer}/moving_mean")
        variance = reader.get_tensor(f"{layer}/moving_variance")
        assert mean.shape == (channels,) and np.abs(mean).max() > 1e-3          # updated from 0
        assert np.abs(variance - 1).max() > 1e-3 and (variance > 0).all()    # updated from 1
    assert {"block1/filter/Momentum", "dense/kernel/Momentum", "global_step"} <= names
    assert "batch_normalization/moving_mean/Momentum" not in names          # not trained
    assert reader.get_tensor("global_step") == 300


def test_mnist_convnet_bad_arguments(build_dir, tmp_path):
    exe = str(build_dir / "examples" / "mnist_convnet")
    p = subprocess.run([exe, str(tmp_path), "100"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "MNIST" in p.stderr and str(tmp_path) in p.stderr
    p = subprocess.run([exe, str(tmp_path), "zero"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "STEPS" in p.stderr
