"""TensorFlow's graphs in tfc, with TensorFlow as the oracle. tests/interop/tf1_corpus.py writes
tf.compat.v1 programs' MetaGraphs, initial checkpoints, feeds and TensorFlow's results (the four seed
networks, a convnet with batch norm and average pooling, an autoencoder on resource variables, a
statically unrolled LSTM, an MLP of Keras layers, an MLP whose batch norm a placeholder switches by
tf.cond, evaluated with it false and trained with it true); tfc imports each
(tests/graphdef/graph_run.c):

- the forward outputs on the same feeds equal TensorFlow's within 1e-5 relative;
- after 20 training steps on the same batches (dropout off), every variable equals TensorFlow's
  within 1e-4 relative, or within three times the spread between TensorFlow's own two CPU kernel sets
  (its own and oneDNN's, tf1_corpus.py --onednn) where they end further apart than that: in the
  convnet with batch norm, Adam's steps on near-zero gradients leave even TensorFlow's two runs up to
  5e-3 apart on a bias after 20 steps;
- TensorFlow restores tfc's checkpoint into its graph and computes the outputs tfc computed, and
  imports the graph as tfc writes it back (.meta);

and the other way: TensorFlow imports the MetaGraph tfc-run writes beside its checkpoint, restores
it and scores the test accuracy tfc reports; a frozen graph (convert_variables_to_constants)
evaluates in tfc-run without a checkpoint, as in TensorFlow.

"Within r relative" is max|tfc - tf| <= r * max|tf|: the largest difference against the tensor's
largest value. (Elementwise it cannot be: a logit is a sum of thousands of products that cancel,
and any other order of adding them, TensorFlow's with oneDNN or without, moves it by more than
1e-5 of itself.)"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from test_ckpt_tfrun import mnist_test

HERE = Path(__file__).resolve().parent
PROGRAMS = ["softmax", "mlp", "deep", "cnn", "convbn", "autoencoder", "lstm", "keras_mlp", "cond_bn", "keras_bn_cond",
            "schedule", "activations"]
v1 = tf.compat.v1


def spread(a, b):
    """max|a - b| / max|b|."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / np.abs(b).max()) if b.size and np.abs(b).max() > 0 else 0.0


def close(ours, theirs, rel, what):
    """max|tfc - tf| <= rel * max|tf|."""
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    assert ours.shape == theirs.shape, (what, ours.shape, theirs.shape)
    if not theirs.size:
        return
    diff, scale = np.abs(ours - theirs), np.abs(theirs).max()
    assert diff.max() <= rel * scale, (f"{what}: off by {diff.max():.3g} where the largest value is {scale:.3g} "
                                       f"(allowed {rel:.3g} of it); "
                                       f"at {np.unravel_index(diff.argmax(), diff.shape)}: tf "
                                       f"{theirs.flat[diff.argmax()]}, tfc {ours.flat[diff.argmax()]}")


def bundle(prefix):
    reader = tf.train.load_checkpoint(str(prefix))
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("tf1_corpus")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    for extra in ([], ["--onednn"]):
        r = subprocess.run([sys.executable, str(HERE / "tf1_corpus.py"), *extra, str(out)], capture_output=True, text=True,
                           timeout=900, env=env)
        assert r.returncode == 0, r.stderr[-3000:]
    return out


def graph_run(build_dir):
    exe = build_dir / "tests" / "graphdef" / "tfc-graph-run"
    if not os.access(exe, os.X_OK):
        pytest.fail(f"{exe} is not built: run 'ninja -C {build_dir}'")
    return exe


@pytest.mark.parametrize("name", PROGRAMS)
def test_program(name, corpus, build_dir, tmp_path):
    spec = json.loads((corpus / f"{name}.json").read_text())
    out, save, meta = tmp_path / "out", tmp_path / "tfc", tmp_path / "again.meta"
    args = [str(graph_run(build_dir)), str(corpus / f"{name}.meta"), "--restore", str(corpus / f"{name}-0"),
            "--feeds", str(corpus / f"{name}.feeds"), "--out", str(out), "--train", spec["train_op"],
            "--steps", str(spec["steps"]), "--save", str(save), "--meta", str(meta)]
    for t in spec["outputs"]:
        args += ["--fetch", t]
    if spec["keep_prob"]:
        args += ["--feed", spec["keep_prob"] + "=1"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    ours, expect = bundle(out), bundle(corpus / f"{name}.expect")

    # forward, from TensorFlow's initial weights
    for t in spec["outputs"]:
        close(ours["out/" + t], expect["out/" + t], 1e-5, f"{name}: {t}")
    # every variable after the training steps (weights and the optimizers' slots): within 1e-4, or
    # within three times TensorFlow's own spread where its two kernel sets (its own and oneDNN's) end
    # further apart than that (tfc lands 1-2.4 times that spread from TensorFlow's own kernels, as
    # the third of three implementations)
    onednn = bundle(corpus / f"{name}.onednn")
    variables = sorted(k for k in expect if k.startswith("var/"))
    assert variables == sorted(k for k in ours if k.startswith("var/"))
    for k in variables:
        tf_spread = spread(onednn[k], expect[k])
        close(ours[k], expect[k], max(1e-4, 3 * tf_spread), f"{name}: {k} after {spec['steps']} steps "
              f"(TensorFlow with and without oneDNN: {tf_spread:.2g})")

    # TensorFlow restores tfc's checkpoint into its own graph and computes what tfc did
    feeds = bundle(corpus / f"{name}.feeds")
    with tf.Graph().as_default() as g:
        saver = v1.train.import_meta_graph(str(corpus / f"{name}.meta"))
        with v1.Session(graph=g) as sess:
            saver.restore(sess, str(save) + f"-{spec['steps']}")
            feed = {g.get_tensor_by_name(t): feeds[t] for t in spec["inputs"]}
            if spec["keep_prob"]:
                feed[g.get_tensor_by_name(spec["keep_prob"])] = 1.0
            got = sess.run([g.get_tensor_by_name(t) for t in spec["outputs"]], feed)
    for t, value in zip(spec["outputs"], got):
        close(ours["after/" + t], value, 1e-5, f"{name}: {t} from tfc's checkpoint")

    # and the graph as tfc writes it back imports into TensorFlow, restoring that checkpoint
    with tf.Graph().as_default() as g:
        saver = v1.train.import_meta_graph(str(meta))
        assert saver is not None
        with v1.Session(graph=g) as sess:
            saver.restore(sess, str(save) + f"-{spec['steps']}")
            got = sess.run(g.get_tensor_by_name(spec["outputs"][0]),
                           {g.get_tensor_by_name(t): feeds[t] for t in spec["inputs"]} |
                           ({g.get_tensor_by_name(spec["keep_prob"]): 1.0} if spec["keep_prob"] else {}))
    close(ours["after/" + spec["outputs"][0]], got, 1e-5, f"{name}: tfc's MetaGraph in TensorFlow")


def test_tensorflow_imports_the_meta_tfc_run_writes(tfc_run, tfc_ckpt, mnist_dir, logdir):
    """A graph built in C: TensorFlow imports it with import_meta_graph (its collections too),
    restores the checkpoint beside it and scores tfc's test accuracy."""
    r = subprocess.run([str(tfc_run), "mnist", "--model", "deep", "--steps", "200", "--seed", "2", "--logdir",
                        str(logdir), "--run", "r", "--quiet", "--data-dir", str(mnist_dir)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    ours = float(re.search(r"test accuracy: ([0-9.]+)", r.stdout).group(1))
    prefix = logdir / "r" / "model.ckpt-200"
    images, labels = mnist_test(mnist_dir)
    with tf.Graph().as_default() as g:
        saver = v1.train.import_meta_graph(str(prefix) + ".meta")
        assert [op.name for op in v1.get_collection("train_op")] == ["train/Adam"]
        assert [t.name for t in v1.get_collection("summaries")] == ["Loss:0", "Accuracy:0"]
        assert [t.name for t in v1.get_collection("losses")] == ["train/loss/loss:0"]
        assert len(v1.trainable_variables()) == 6 and len(v1.global_variables()) == 21
        assert v1.train.get_global_step().op.name == "global_step"
        with v1.Session(graph=g) as sess:
            saver.restore(sess, str(prefix))
            acc = sess.run(g.get_tensor_by_name("evaluation/Mean:0"),
                           {g.get_tensor_by_name("input/x:0"): images, g.get_tensor_by_name("input/keep_prob:0"): 1.0,
                            g.get_tensor_by_name("input/label:0"): np.eye(10, dtype=np.float32)[labels]})
            assert sess.run(v1.train.get_global_step()) == 200
    assert abs(float(acc) - ours) < 1e-4, (acc, ours)


def test_frozen_graph_evaluates_without_a_checkpoint(corpus, tfc_run, mnist_dir, tmp_path):
    """The mlp program's graph frozen by TensorFlow (variables as constants): tfc-run --graph --eval
    scores what TensorFlow scores on the test set."""
    spec = json.loads((corpus / "mlp.json").read_text())
    accuracy = spec["outputs"][2]
    images, labels = mnist_test(mnist_dir)
    with tf.Graph().as_default() as g:
        saver = v1.train.import_meta_graph(str(corpus / "mlp.meta"))
        with v1.Session(graph=g) as sess:
            saver.restore(sess, str(corpus / "mlp-0"))
            frozen = v1.graph_util.convert_variables_to_constants(sess, g.as_graph_def(), [accuracy.split(":")[0]])
            theirs = sess.run(accuracy, {"x:0": images, "y_:0": np.eye(10, dtype=np.float32)[labels]})
    pb = tmp_path / "frozen.pb"
    pb.write_bytes(frozen.SerializeToString())
    assert not any(n.op in ("VariableV2", "VarHandleOp") for n in frozen.node)
    r = subprocess.run([str(tfc_run), "mnist", "--graph", str(pb), "--input", "x:0", "--labels", "y_:0", "--accuracy",
                        accuracy, "--eval", "--quiet", "--data-dir", str(mnist_dir)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert abs(float(re.search(r"test accuracy: ([0-9.]+)", r.stdout).group(1)) - float(theirs)) < 1e-4


def placed_program(device, prefix):
    """A softmax regression built by tf.compat.v1 under g.device(device), its initial weights saved
    by TensorFlow's Saver (prefix, prefix.meta) in a session that allows soft placement, as on a
    machine without that device."""
    with tf.Graph().as_default() as g:
        v1.set_random_seed(1)
        with g.device(device):
            x = v1.placeholder(tf.float32, [None, 784], name="x")
            y = v1.placeholder(tf.float32, [None, 10], name="y_")
            w = v1.Variable(v1.truncated_normal([784, 10], stddev=0.1), name="W")
            b = v1.Variable(tf.zeros([10]), name="b")
            logits = tf.matmul(x, w) + b
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss")
            v1.train.GradientDescentOptimizer(0.5).minimize(loss)
            tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32), name="accuracy")
        saver = v1.train.Saver()
        with v1.Session(graph=g, config=v1.ConfigProto(allow_soft_placement=True)) as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, str(prefix))
        return {n.device for n in g.as_graph_def().node}


def test_graphs_placed_on_a_gpu_or_named_in_full(tfc_run, tfc_ckpt, mnist_dir, tmp_path):
    """A graph written on a GPU machine ('/device:GPU:0' on its nodes) trains and restores in tfc-run
    and tfc-ckpt on this CPU with one note; one placed on TensorFlow's full name of the CPU runs
    without any; both give the same numbers, and the .meta tfc writes keeps the devices. (The graph
    has no losses collection: the progress shows no loss.)"""
    gpu, cpu = "/device:GPU:0", "/job:localhost/replica:0/task:0/device:CPU:0"
    results = {}
    for device in (gpu, cpu):
        prefix = tmp_path / device.replace("/", "_").replace(":", "_") / "model"
        prefix.parent.mkdir()
        assert device in placed_program(device, prefix)
        common = ["--graph", f"{prefix}.meta", "--input", "x:0", "--labels", "y_:0", "--accuracy", "accuracy:0"]
        r = subprocess.run([str(tfc_run), "mnist", *common, f"--restore={prefix}", "--steps", "30", "--threads", "2",
                            "--data-dir", str(mnist_dir)], capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        notes = [line for line in r.stderr.splitlines() if "soft placement" in line]
        c = subprocess.run([str(tfc_ckpt), "restore", str(prefix.parent), *common, "--data-dir", str(mnist_dir)],
                           capture_output=True, text=True, timeout=300)
        assert c.returncode == 0, c.stderr
        if device == gpu:
            assert len(notes) == 1 and re.match(r"tfc: soft placement: \d+ nodes of the graph run on the CPU of task 0 "
                                                r"instead of where placed \(the first: 'x' on '/device:GPU:0'\)$",
                                                notes[0]), r.stderr
            assert c.stderr.count("soft placement") == 1, c.stderr
        else:
            assert not notes and "soft placement" not in c.stderr, r.stderr + c.stderr
        progress = [line for line in r.stderr.splitlines() if line.startswith("step ")]
        assert progress and not any("loss" in line for line in progress), r.stderr
        acc = re.search(r"test accuracy: ([0-9.]+)", r.stdout).group(1)
        assert re.search(r"test accuracy ([0-9.]+)", c.stdout).group(1) == acc, c.stdout
        results[device] = acc
        written = v1.MetaGraphDef()
        written.ParseFromString((prefix.parent / "model.ckpt-30.meta").read_bytes())
        assert device in {n.device for n in written.graph_def.node}
    assert results[gpu] == results[cpu] and float(results[gpu]) > 0.8, results


WHILE_LOOP = """
import sys
import tensorflow as tf
v1 = tf.compat.v1
v1.disable_v2_behavior()  # TensorFlow 1's control flow: Enter, Merge, Switch, LoopCond, NextIteration, Exit
with tf.Graph().as_default() as g:
    x = v1.placeholder(tf.float32, [None, 784], name="x")
    y = v1.placeholder(tf.float32, [None, 10], name="y_")
    w = v1.Variable(tf.zeros([784, 10]), name="W")
    _, h = v1.while_loop(lambda i, h: i < 3, lambda i, h: (i + 1, h * 0.5), [tf.constant(0), tf.matmul(x, w)])
    tf.reduce_mean(tf.cast(tf.equal(tf.argmax(h, 1), tf.argmax(y, 1)), tf.float32), name="accuracy")
    open(sys.argv[1], "wb").write(g.as_graph_def().SerializeToString())
"""


def test_a_while_loop_is_one_line_naming_its_ops(tfc_run, mnist_dir, tmp_path):
    """tf.while_loop (TensorFlow 1's frames) is not supported: its GraphDef is one line listing the
    loop's op types with their counts (its Switch and Merge, which tf.cond uses too, are not among
    them) and saying they are a loop's, exit 1."""
    pb = tmp_path / "loop.pb"
    r = subprocess.run([sys.executable, "-c", WHILE_LOOP, str(pb)], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    assert r.returncode == 0, r.stderr[-3000:]
    r = subprocess.run([str(tfc_run), "mnist", "--graph", str(pb), "--input", "x:0", "--labels", "y_:0", "--accuracy",
                        "accuracy:0", "--eval", "--data-dir", str(mnist_dir)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, (r.returncode, r.stderr)
    lines = r.stderr.strip().split("\n")
    assert len(lines) == 1 and re.fullmatch(
        rf"tfc-run: {re.escape(str(pb))}: 4 op types are not supported by tfc: Enter \(2 nodes\), Exit \(2 nodes\), "
        r"LoopCond \(1 node\), NextIteration \(2 nodes\) \(a tf\.while_loop's, or dynamic_rnn's: tfc runs tf\.cond but not "
        r"loops\)", lines[0]), r.stderr


ASSERTED = """
import sys
import tensorflow as tf
v1 = tf.compat.v1
v1.disable_v2_behavior()
g = tf.Graph()
with g.as_default():
    x = v1.placeholder(tf.float32, [None, 784], name="x")
    y = v1.placeholder(tf.float32, [None, 10], name="y_")
    limit = float(sys.argv[2])
    with tf.control_dependencies([v1.debugging.assert_less_equal(tf.reduce_max(x), limit, message="pixels over")]):
        logits = tf.matmul(x, tf.ones([784, 10]))
    tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32), name="accuracy")
    open(sys.argv[1], "wb").write(g.as_graph_def().SerializeToString())
"""


@pytest.mark.parametrize("limit", [1.0, 0.5])
def test_an_assert_holds_or_fails_the_run_in_one_line(tfc_run, mnist_dir, tmp_path, limit):
    """tf.debugging's checks are Assert ops (in a tf.cond that runs them only when the check fails):
    a check that holds lets the graph evaluate; one that fails ends the run in one line naming the
    Assert node with its message and values, exit 1, as TensorFlow's InvalidArgumentError."""
    pb = tmp_path / "asserted.pb"
    r = subprocess.run([sys.executable, "-c", ASSERTED, str(pb), str(limit)], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    assert r.returncode == 0, r.stderr[-3000:]
    r = subprocess.run([str(tfc_run), "mnist", "--graph", str(pb), "--input", "x:0", "--labels", "y_:0", "--accuracy",
                        "accuracy:0", "--eval", "--quiet", "--data-dir", str(mnist_dir)], capture_output=True, text=True,
                       timeout=300)
    if limit >= 1:
        assert r.returncode == 0 and "test accuracy" in r.stdout, r.stderr
        return
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().split("\n")
    assert len(lines) == 1 and re.search(r"node 'assert_less_equal/Assert/AssertGuard/Assert' \(Assert\): assertion "
                                         r"failed: \[pixels over\] .*\[1\]", lines[0]), r.stderr


EMA = """
import sys
import tensorflow as tf
v1 = tf.compat.v1
if sys.argv[2] == "v1":
    v1.disable_v2_behavior()
else:
    v1.disable_eager_execution()  # and no more: tf.cond is TensorFlow 2's (If, with functions)
with tf.Graph().as_default() as g:
    x = v1.placeholder(tf.float32, [None, 784], name="x")
    y = v1.placeholder(tf.float32, [None, 10], name="y")
    logits = tf.matmul(x, v1.Variable(tf.zeros([784, 10]), name="W")) + v1.Variable(tf.zeros([10]), name="b")
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    step = v1.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.control_dependencies([step]):
        v1.add_to_collection("train_op", v1.train.ExponentialMovingAverage(0.99).apply(v1.trainable_variables()))
    tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32), name="accuracy")
    v1.train.export_meta_graph(sys.argv[1])
"""


@pytest.mark.parametrize("flow", ["v1", "v2"])
def test_a_train_op_collection_of_several_ops_asks_for_one(tfc_run, mnist_dir, tmp_path, flow):
    """A program whose train_op collection holds two ops (minimize's, and the moving average it
    added after it): one line naming both, exit 1; --train-op picks one and it trains. Built with
    TensorFlow 2's control flow (eager execution off, nothing else), its tf.cond is an If calling
    functions: one line saying how to build it as TensorFlow 1 did."""
    meta = tmp_path / "ema.meta"
    r = subprocess.run([sys.executable, "-c", EMA, str(meta), flow], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    assert r.returncode == 0, r.stderr[-3000:]
    args = [str(tfc_run), "mnist", "--graph", str(meta), "--input", "x:0", "--labels", "y:0", "--accuracy", "accuracy:0",
            "--steps", "50", "--no-logdir", "--quiet", "--data-dir", str(mnist_dir)]
    r = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if flow == "v2":
        assert r.returncode == 1 and re.fullmatch(
            rf"tfc-run: {re.escape(str(meta))}: 1 op type is not supported by tfc: If \(\d nodes?\) \(TensorFlow 2's "
            r"control flow: .*disable_control_flow_v2\(\) or disable_v2_behavior\(\) gives\)\n", r.stderr), r.stderr
        return
    assert r.returncode == 1 and r.stderr == (
        f"tfc-run: {meta}: the train_op collection holds 2 ops ('GradientDescent', "
        "'ExponentialMovingAverage'): name the one to run with --train-op\n"), r.stderr
    r = subprocess.run(args + ["--train-op", "ExponentialMovingAverage"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and float(re.search(r"test accuracy: ([0-9.]+)", r.stdout).group(1)) > 0.8, r.stderr


@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_labels_as_class_indices(tfc_run, mnist_dir, tmp_path, dtype):
    """A graph whose labels are class indices (int64 or int32 [?], sparse_softmax_cross_entropy_with_logits',
    scored by tf.compat.v1.nn.in_top_k for int32):
    tfc-run feeds the batch's indices, evaluates TensorFlow's initial weights to TensorFlow's accuracy,
    trains (to what TensorFlow scores from tfc's checkpoint), and a labels placeholder of another
    shape is one line saying what tfc-run feeds."""
    images, labels = mnist_test(mnist_dir)
    with tf.Graph().as_default() as g:
        v1.set_random_seed(5)
        x = v1.placeholder(tf.float32, [None, 28, 28, 1], name="images")
        y = v1.placeholder(dtype, [None], name="labels")
        w = v1.Variable(v1.truncated_normal([784, 10], stddev=0.1), name="W")
        logits = tf.matmul(tf.reshape(x, [-1, 784]), w) + v1.Variable(tf.zeros([10]), name="b")
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss")
        v1.train.GradientDescentOptimizer(0.5).minimize(loss)
        # (the int32 graph scores with in_top_k, as TensorFlow's own MNIST tutorial did)
        correct = v1.nn.in_top_k(logits, y, 1) if dtype == "int32" else tf.equal(tf.argmax(logits, 1, output_type=dtype), y)
        tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
        feed = {x: images.reshape(-1, 28, 28, 1), y: labels.astype(dtype)}
        saver = v1.train.Saver()
        with v1.Session(graph=g) as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, str(tmp_path / "init"))
            initial = sess.run("accuracy:0", feed)
    args = [str(tfc_run), "mnist", "--graph", str(tmp_path / "init.meta"), "--input", "images:0", "--labels", "labels:0",
            "--accuracy", "accuracy:0", "--loss", "loss:0", "--quiet", "--data-dir", str(mnist_dir)]
    r = subprocess.run(args + ["--restore=" + str(tmp_path / "init"), "--eval"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert abs(float(re.search(r"test accuracy: ([0-9.]+)", r.stdout).group(1)) - initial) < 1e-4
    r = subprocess.run(args + ["--steps", "100", "--logdir", str(tmp_path), "--run", "r"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    ours = float(re.search(r"test accuracy: ([0-9.]+)", r.stdout).group(1))
    assert ours > 0.8, r.stdout
    with tf.Graph().as_default() as g, v1.Session(graph=g) as sess:
        v1.train.import_meta_graph(str(tmp_path / "r" / "model.ckpt-100.meta")).restore(sess, str(tmp_path / "r" / "model.ckpt-100"))
        assert abs(sess.run("accuracy:0", {"images:0": feed[x], "labels:0": feed[y]}) - ours) < 1e-4
    r = subprocess.run(args[:7] + ["images:0", "--accuracy", "accuracy:0", "--eval"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 1 and r.stderr == ("tfc-run: --labels 'images:0' is float32 [?,28,28,1], tfc-run needs float32 "
                                              "[?,10] (one-hot) or int32 or int64 [?] (class indices)\n"), r.stderr


def test_a_dropout_rate_placeholder(tfc_run, mnist_dir, tmp_path):
    """tf.nn.dropout(rate=) fed by a placeholder: --dropout-rate NAME=R feeds R in training and 0 when
    evaluating (TensorFlow scores tfc's checkpoint with rate 0 as tfc does)."""
    images, labels = mnist_test(mnist_dir)
    with tf.Graph().as_default() as g:
        v1.set_random_seed(7)
        x = v1.placeholder(tf.float32, [None, 784], name="x")
        y = v1.placeholder(tf.float32, [None, 10], name="y")
        rate = v1.placeholder(tf.float32, [], name="rate")
        h = tf.nn.relu(tf.matmul(x, v1.Variable(v1.truncated_normal([784, 64], stddev=0.05), name="W1")))
        logits = tf.matmul(tf.nn.dropout(h, rate=rate), v1.Variable(v1.truncated_normal([64, 10], stddev=0.05), name="W2"))
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
        v1.train.GradientDescentOptimizer(0.3).minimize(loss)
        tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32), name="accuracy")
        v1.train.export_meta_graph(str(tmp_path / "rate.meta"))
    r = subprocess.run([str(tfc_run), "mnist", "--graph", str(tmp_path / "rate.meta"), "--input", "x:0", "--labels", "y:0",
                        "--accuracy", "accuracy:0", "--dropout-rate", "rate:0=0.5", "--steps", "200", "--logdir",
                        str(tmp_path), "--run", "r", "--quiet", "--data-dir", str(mnist_dir)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    ours = float(re.search(r"test accuracy: ([0-9.]+)", r.stdout).group(1))
    assert ours > 0.85, r.stdout
    with tf.Graph().as_default() as g, v1.Session(graph=g) as sess:
        v1.train.import_meta_graph(str(tmp_path / "r" / "model.ckpt-200.meta")).restore(sess, str(tmp_path / "r" / "model.ckpt-200"))
        theirs = sess.run("accuracy:0", {"x:0": images, "y:0": np.eye(10, dtype=np.float32)[labels], "rate:0": 0.0})
    assert abs(theirs - ours) < 1e-4
