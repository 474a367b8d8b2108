"""A tf.compat.v1 MNIST graph whose batch norm a bool placeholder switches through tf.cond, as
TensorFlow 1 programs trained and evaluated one graph, for tests/tools/test_run_graph_training.py.

  tf1_training_switch.py write DIR       DIR/bn.meta: is_training a tf.compat.v1.placeholder;
                                         DIR/bn_default.meta: a placeholder_with_default(False)
  tf1_training_switch.py eval PREFIX MNIST_DIR
                                         TensorFlow restores the checkpoint PREFIX into its .meta
                                         and prints JSON: the test accuracy with is_training false,
                                         the moving mean and variance, and the test images' own
                                         mean and variance of the batch norm's input

The network: x [?, 784] -> dense 64 (no bias) -> tf.compat.v1.layers.batch_normalization(training=
is_training) -> relu -> dense 10 (logits); softmax cross entropy in the losses collection; Adam 0.01
after the UPDATE_OPS (the moving averages' updates, inside the cond) in the train_op collection;
accuracy:0. No checkpoint: the variables start from their initialisers.
"""
import gzip
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["TF_USE_LEGACY_KERAS"] = "1"  # tf.compat.v1.layers (tf_keras)

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

v1 = tf.compat.v1
v1.disable_v2_behavior()  # TensorFlow 1's tf.cond (Switch, Merge), not TensorFlow 2's If


def build(with_default):
    x = v1.placeholder(tf.float32, [None, 784], name="x")
    y = v1.placeholder(tf.float32, [None, 10], name="y_")
    if with_default:
        is_training = v1.placeholder_with_default(False, [], name="is_training")
    else:
        is_training = v1.placeholder(tf.bool, [], name="is_training")
    h = v1.layers.dense(x, 64, use_bias=False, name="hidden")
    h = tf.nn.relu(v1.layers.batch_normalization(h, training=is_training, momentum=0.9, name="bn"))
    logits = v1.layers.dense(h, 10, name="logits")
    loss = v1.losses.softmax_cross_entropy(y, logits)
    step = v1.train.get_or_create_global_step()
    with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
        train = v1.train.AdamOptimizer(1e-2).minimize(loss, global_step=step, name="train")
    v1.add_to_collection("train_op", train)
    tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32), name="accuracy")


def write(out_dir):
    for name, with_default in (("bn", False), ("bn_default", True)):
        g = tf.Graph()
        with g.as_default():
            v1.set_random_seed(0)
            build(with_default)
            v1.train.Saver().export_meta_graph(os.path.join(out_dir, name + ".meta"))


def idx(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = np.frombuffer(data, ">u4", ndim, 4)
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def evaluate(prefix, mnist_dir):
    def find(name):
        p = os.path.join(mnist_dir, name)
        return p if os.path.isfile(p) else p + ".gz"
    images = idx(find("t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0
    labels = np.eye(10, dtype=np.float32)[idx(find("t10k-labels-idx1-ubyte"))]
    g = tf.Graph()
    with g.as_default(), v1.Session(graph=g) as sess:
        saver = v1.train.import_meta_graph(prefix + ".meta")
        saver.restore(sess, prefix)
        acc = sess.run("accuracy:0", {"x:0": images, "y_:0": labels, "is_training:0": False})
        mean, var, h = sess.run(["bn/moving_mean:0", "bn/moving_variance:0", "hidden/MatMul:0"], {"x:0": images})
    print(json.dumps(dict(accuracy=float(acc), moving_mean=mean.tolist(), moving_variance=var.tolist(),
                          test_mean=h.mean(0).tolist(), test_variance=h.var(0).tolist())))


if __name__ == "__main__":
    if sys.argv[1:2] == ["write"] and len(sys.argv) == 3:
        write(sys.argv[2])
    elif sys.argv[1:2] == ["eval"] and len(sys.argv) == 4:
        evaluate(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
