"""`tfc-ckpt restore --graph` restores what TensorFlow's Saver restores: a tf.compat.v1 training
graph's checkpoint (the weights and Adam's slots) into the evaluation graph exported without the
optimizer, leaving the slots as tf.compat.v1.train.Saver.restore does (it refused them as
'unexpected'), and still names every tensor when the graph does not fit; a partitioned variable's
parts (W/part_0, W/part_1, ... of a tf.compat.v1 partitioner) each take their slice of the whole
(they were 'mismatched'), and a V1 Saver's graph (SaveSlices) imports (it did not), each scoring
TensorFlow's test accuracy."""
import re
import subprocess

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
tf1 = tf.compat.v1


def softmax_graph(train, partitions=0, resource=True):
    x = tf1.placeholder(tf.float32, [None, 784], name="x")
    y = tf1.placeholder(tf.float32, [None, 10], name="y")
    w = tf1.get_variable("W", [784, 10], initializer=tf1.zeros_initializer(), use_resource=resource,
                         partitioner=tf1.fixed_size_partitioner(partitions) if partitions else None)
    b = tf1.get_variable("b", [10], initializer=tf1.zeros_initializer())
    logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss")
    tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32), name="accuracy")
    optimizer = tf1.train.GradientDescentOptimizer(0.5) if partitions else tf1.train.AdamOptimizer(0.01)
    return x, y, optimizer.minimize(loss) if train else None


def test_an_evaluation_graph_restores_a_training_checkpoint(tfc_ckpt, tmp_path):
    rng = np.random.default_rng(0)
    with tf.Graph().as_default():
        x, y, step = softmax_graph(True)
        with tf1.Session() as s:
            s.run(tf1.global_variables_initializer())
            xs = rng.random((50, 784)).astype(np.float32)
            s.run(step, {x: xs, y: np.eye(10, dtype=np.float32)[np.argmax(xs[:, :10], 1)]})
            tf1.train.Saver().save(s, str(tmp_path / "train.ckpt"))
    with tf.Graph().as_default():
        softmax_graph(False)
        tf1.train.Saver()
        tf1.train.export_meta_graph(str(tmp_path / "eval.meta"))
        with tf1.Session() as s:
            tf1.train.Saver().restore(s, str(tmp_path / "train.ckpt"))  # TensorFlow leaves the slots
    assert len(tf.train.list_variables(str(tmp_path / "train.ckpt"))) == 8
    args = [str(tfc_ckpt), "restore", str(tmp_path / "train.ckpt"), "--graph", str(tmp_path / "eval.meta"),
            "--input", "x:0", "--labels", "y:0", "--accuracy", "accuracy:0", "--no-eval"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        f"restored 2 variables of graph {tmp_path / 'eval.meta'} from {tmp_path / 'train.ckpt'} (global_step 0)",
        "left 6 tensors of the checkpoint that no variable of the graph takes, as TensorFlow's Saver does: W/Adam, "
        "W/Adam_1, b/Adam, b/Adam_1, beta1_power, beta2_power"]

    # A checkpoint that lacks one of the graph's variables is refused, naming the extras too.
    reader = tf.train.load_checkpoint(str(tmp_path / "train.ckpt"))
    names = [n for n, _ in tf.train.list_variables(str(tmp_path / "train.ckpt")) if n != "b"]
    tf.raw_ops.SaveV2(prefix=str(tmp_path / "partial"), tensor_names=names, shape_and_slices=[""] * len(names),
                      tensors=[reader.get_tensor(n) for n in names])
    args[2] = str(tmp_path / "partial")
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert ("the checkpoint does not fit the graph: 1 missing (b); 6 unexpected (W/Adam, W/Adam_1, b/Adam, b/Adam_1, "
            "beta1_power, beta2_power)") in r.stderr, r.stderr


@pytest.mark.parametrize("kind", ["partitioned", "partitioned-ref", "v1"])
def test_graphs_of_other_savers_restore(tfc_ckpt, mnist_dir, tmp_path, kind):
    """A partitioned W's parts take their slices (resource variables: the Saver's DisableCopyOnRead
    imports; ref variables, VariableV2); a V1 Saver's graph (SaveSlices) imports."""
    from test_ckpt_tfrun import mnist_test
    images, labels = mnist_test(mnist_dir)
    onehot = np.eye(10, dtype=np.float32)[labels]
    with tf.Graph().as_default():
        x, y, step = softmax_graph(True, partitions=3 if kind.startswith("partitioned") else 0,
                                   resource=kind != "partitioned-ref")
        with tf1.Session() as s:
            s.run(tf1.global_variables_initializer())
            for i in range(20):
                s.run(step, {x: images[i * 100:(i + 1) * 100], y: onehot[i * 100:(i + 1) * 100]})
            theirs = s.run("accuracy:0", {x: images, y: onehot})
            saver = tf1.train.Saver(write_version=tf1.train.SaverDef.V1 if kind == "v1" else tf1.train.SaverDef.V2)
            saver.save(s, str(tmp_path / "m.ckpt"))
            saver.export_meta_graph(str(tmp_path / "m.meta"))
    assert {"W", "b"} <= {n for n, _ in tf.train.list_variables(str(tmp_path / "m.ckpt"))}
    r = subprocess.run([str(tfc_ckpt), "restore", str(tmp_path / "m.ckpt"), "--graph", str(tmp_path / "m.meta"),
                        "--input", "x:0", "--labels", "y:0", "--accuracy", "accuracy:0", "--data-dir", str(mnist_dir)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    m = re.search(r"test accuracy ([0-9.]+)", r.stdout)
    assert theirs > 0.5 and float(m.group(1)) == pytest.approx(theirs, abs=2e-4), (r.stdout, theirs)
    if kind == "v1":
        return
    assert r.stdout.startswith("restored 4 variables of graph"), r.stdout
    # Saving one is refused in one line (TensorFlow's sliced entries are not written).
    r = subprocess.run([str(tfc_ckpt.parent / "tfc-run"), "mnist", "--graph", str(tmp_path / "m.meta"), "--input",
                        "x:0", "--labels", "y:0", "--accuracy", "accuracy:0", "--steps", "2", "--threads", "1",
                        "--logdir", str(tmp_path / "runs"), "--run", "r", "--quiet", "--data-dir", str(mnist_dir)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert ("variable 'W/part_0' is slice '784 10 0,262:0,10' of the partitioned variable 'W': tfc restores "
            "partitioned variables but saves whole ones only") in r.stderr, r.stderr
