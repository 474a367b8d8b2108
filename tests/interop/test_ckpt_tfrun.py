"""TensorFlow uses what `tfc-run` saves: the checkpoint of a `tfc-run mnist --model deep` run loads
with tf.train.load_checkpoint, every variable bit-identical to what tfc reads back; a
tf.compat.v1 graph of the same network, with variables of the same names restored by
tf.compat.v1.train.Saver, has the test accuracy that `tfc-ckpt restore` reports."""
import gzip
import re
import subprocess

import numpy as np
import pytest
import tensorflow as tf

from test_ckpt_read import assert_same_value, ours


def idx(path):
    """An IDX file (plain or .gz) as a numpy array."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def mnist_test(mnist_dir):
    def find(name):
        p = mnist_dir / name
        return p if p.is_file() else mnist_dir / (name + ".gz")
    images = idx(find("t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0
    labels = idx(find("t10k-labels-idx1-ubyte"))
    return images, labels


def tf1_deep_accuracy(prefix, images, labels):
    """The seed's deep network as a tf.compat.v1 graph; every variable of the checkpoint is a
    variable of the graph, restored by a plain tf.compat.v1.train.Saver."""
    g = tf.Graph()
    with g.as_default():
        reader = tf.train.load_checkpoint(str(prefix))
        dtypes = reader.get_variable_to_dtype_map()
        v = {name: tf.compat.v1.get_variable(name, shape=shape, dtype=dtypes[name])
             for name, shape in tf.train.list_variables(str(prefix))}
        x = tf.compat.v1.placeholder(tf.float32, [None, 784])
        h1 = tf.nn.softmax(tf.matmul(x, v["model/fc1/weights"]) + v["model/fc1/biases"])
        h2 = tf.nn.relu(tf.matmul(h1, v["model/fc2/weights"]) + v["model/fc2/biases"])
        logits = tf.matmul(h2, v["model/fc3/weights"]) + v["model/fc3/biases"]
        predicted = tf.argmax(logits, 1)
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session(graph=g) as sess:
            saver.restore(sess, str(prefix))
            step = sess.run(v["global_step"])
            pred = sess.run(predicted, {x: images})
    return float(np.mean(pred == labels)), int(step)


def test_tensorflow_uses_a_tfc_run_checkpoint(tfc_run, tfc_ckpt, mnist_dir, logdir):
    r = subprocess.run([str(tfc_run), "mnist", "--model", "deep", "--steps", "300", "--save-every", "150",
                        "--seed", "3", "--logdir", str(logdir), "--run", "r", "--quiet", "--data-dir", str(mnist_dir)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    prefix = logdir / "r" / "model.ckpt-300"
    assert tf.train.latest_checkpoint(str(logdir / "r")) == str(prefix)

    # Every variable, bit for bit.
    _, mine = ours(tfc_ckpt, prefix)
    reader = tf.train.load_checkpoint(str(prefix))
    names = dict(tf.train.list_variables(str(prefix)))
    assert sorted(names) == sorted(mine)
    assert {"global_step", "train/beta1_power", "train/beta2_power", "model/fc1/weights/Adam",
            "model/fc3/biases/Adam_1"} <= set(names)
    for name, shape in names.items():
        dtype = reader.get_variable_to_dtype_map()[name].name
        assert mine[name][:2] == (dtype, list(shape)), name
        assert_same_value(name, dtype, mine[name][2], reader.get_tensor(name))

    # The same test accuracy through TensorFlow's graph and Saver as through tfc.
    r = subprocess.run([str(tfc_ckpt), "restore", str(logdir / "r"), "--model", "deep", "--data-dir", str(mnist_dir)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    m = re.search(r"test accuracy ([0-9.]+)", r.stdout)
    assert m and "global_step 300" in r.stdout, r.stdout
    ours_accuracy = float(m.group(1))
    theirs_accuracy, step = tf1_deep_accuracy(prefix, *mnist_test(mnist_dir))
    assert step == 300
    assert theirs_accuracy > 0.5
    # Summation order may flip a near-tie or two among 10,000 images.
    assert theirs_accuracy == pytest.approx(ours_accuracy, abs=3e-4)
