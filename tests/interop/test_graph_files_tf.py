"""TensorFlow's other graph files in tfc-run and tfc-graph, written by TensorFlow at test time:

- a SavedModel of tf.compat.v1 (saved_model.pb, its Saver sharded as every SavedModel's is: the
  file names made by StringJoin, StaticRegexFullMatch, Select and ShardedFilename) evaluates in
  tfc-run --graph with its variables/ restored, scoring what TensorFlow scores, and trains; TensorFlow
  loads the SavedModel and restores tfc's checkpoint into it;
- those string ops compute what TensorFlow computes (a graph of them run by tfc-graph-run);
- tfc-graph draws SavedModels of TensorFlow 1 and 2 (the functions a TF2 one calls as scopes);
- a TF2 SavedModel (its graph calls tf.functions) in tfc-run, and text-format graphs (.pbtxt, a
  text MetaGraph) in both tools, are one line saying what is not supported, exit 1."""
import re
import subprocess

import numpy as np
import pytest

from test_ckpt_tfrun import mnist_test

tf = pytest.importorskip("tensorflow")
v1 = tf.compat.v1


def one_line(r, *needles):
    lines = r.stderr.strip().split("\n")
    assert r.returncode == 1 and len(lines) == 1 and all(n in lines[0] for n in needles), (r.returncode, r.stderr)


def softmax_graph():
    x = v1.placeholder(tf.float32, [None, 784], name="x")
    y = v1.placeholder(tf.float32, [None, 10], name="y")
    w = v1.get_variable("w", [784, 10], initializer=v1.truncated_normal_initializer(stddev=0.1, seed=3))
    b = v1.get_variable("b", [10], initializer=v1.zeros_initializer())
    logits = tf.matmul(x, w) + b
    tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32), name="accuracy")
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss")
    v1.train.GradientDescentOptimizer(0.5).minimize(loss, name="train")
    return x, logits


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """sm1/: a tf.compat.v1 SavedModel (tag "train"); sm2/: a TF2 one of a tf.Module; text.pbtxt
    and text.meta: the first's graph and MetaGraph in text format."""
    out = tmp_path_factory.mktemp("graph_files")
    with tf.Graph().as_default() as g:
        x, logits = softmax_graph()
        with v1.Session(graph=g) as sess:
            sess.run(v1.global_variables_initializer())
            builder = v1.saved_model.Builder(str(out / "sm1"))
            builder.add_meta_graph_and_variables(sess, ["train"], signature_def_map={
                "serving_default": v1.saved_model.predict_signature_def({"x": x}, {"logits": logits})})
            builder.save()
        tf.io.write_graph(g.as_graph_def(), str(out), "text.pbtxt", as_text=True)
        v1.train.export_meta_graph(str(out / "text.meta"), as_text=True)

    class Softmax(tf.Module):
        def __init__(self):
            self.w = tf.Variable(tf.zeros([784, 10]), name="w")

        @tf.function(input_signature=[tf.TensorSpec([None, 784], tf.float32)])
        def __call__(self, images):
            return tf.nn.softmax(tf.matmul(images, self.w))

    tf.saved_model.save(Softmax(), str(out / "sm2"))
    return out


def tf_accuracy(sm_dir, images, labels, prefix=None):
    """TensorFlow's test accuracy of the SavedModel's graph, with its own variables or those of
    the checkpoint at prefix."""
    with tf.Graph().as_default() as g, v1.Session(graph=g) as sess:
        v1.saved_model.load(sess, ["train"], str(sm_dir))
        if prefix:
            v1.train.Saver().restore(sess, str(prefix))
        return float(sess.run("accuracy:0", {"x:0": images, "y:0": np.eye(10, dtype=np.float32)[labels]}))


def test_tf1_saved_model_evaluates_and_trains(files, tfc_run, mnist_dir, tmp_path):
    sm = files / "sm1"
    images, labels = mnist_test(mnist_dir)
    base = [str(tfc_run), "mnist", "--graph", str(sm / "saved_model.pb"), "--input", "x:0", "--labels", "y:0",
            "--accuracy", "accuracy:0", "--restore=" + str(sm / "variables" / "variables"), "--quiet",
            "--data-dir", str(mnist_dir)]
    r = subprocess.run(base + ["--eval"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    ours = float(re.search(r"test accuracy: ([0-9.]+)", r.stdout).group(1))
    assert abs(ours - tf_accuracy(sm, images, labels)) < 1e-4

    r = subprocess.run(base + ["--steps", "30", "--logdir", str(tmp_path), "--run", "r"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    trained = float(re.search(r"test accuracy: ([0-9.]+)", r.stdout).group(1))
    assert trained > 0.6
    assert abs(trained - tf_accuracy(sm, images, labels, tmp_path / "r" / "model.ckpt-30")) < 1e-4


STRING_GRAPH = dict(words=np.array([b"s3://bucket/model", b"/tmp/model", b"gs://x"]), base=np.array(b"/runs/ckpt"))


def test_string_ops_compute_what_tensorflow_does(build_dir, tmp_path):
    """StringJoin (a scalar broadcast, a separator), StaticRegexFullMatch, Select and Pack of
    strings and ShardedFilename, as a sharded Saver chains them, fed and fetched by tfc-graph-run."""
    with tf.Graph().as_default() as g:
        words = v1.placeholder(tf.string, [None], name="words")
        base = v1.placeholder(tf.string, [], name="base")
        remote = tf.strings.regex_full_match(words, "^[a-z0-9]+://.*", name="remote")
        suffix = v1.where(remote, words, tf.strings.join([words, "_temp/part"]), name="suffix")
        joined = tf.strings.join([words, suffix, "end"], separator="|", name="joined")
        shard = tf.raw_ops.ShardedFilename(basename=tf.strings.join([base, "_temp/part"]), shard=3, num_shards=12,
                                           name="shard")
        stacked = tf.stack([shard, base, shard], name="stacked")
        fetches = ["remote:0", "suffix:0", "joined:0", "shard:0", "stacked:0"]
        assert {op.type for op in g.get_operations()} >= {"StaticRegexFullMatch", "Select", "StringJoin",
                                                          "ShardedFilename", "Pack"}
        with v1.Session(graph=g) as sess:
            want = sess.run(fetches, {words: STRING_GRAPH["words"], base: STRING_GRAPH["base"]})
        (tmp_path / "strings.pb").write_bytes(g.as_graph_def().SerializeToString())
    with tf.Graph().as_default(), v1.Session() as sess:
        sess.run(tf.raw_ops.SaveV2(prefix=str(tmp_path / "feeds"), tensor_names=["base:0", "words:0"],
                                   shape_and_slices=["", ""],
                                   tensors=[tf.constant(STRING_GRAPH["base"]), tf.constant(STRING_GRAPH["words"])]))
    args = [str(build_dir / "tests" / "graphdef" / "tfc-graph-run"), str(tmp_path / "strings.pb"),
            "--feeds", str(tmp_path / "feeds"), "--out", str(tmp_path / "out")]
    for t in fetches:
        args += ["--fetch", t]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    reader = tf.train.load_checkpoint(str(tmp_path / "out"))
    for t, value in zip(fetches, want):
        got = reader.get_tensor("out/" + t)
        assert np.shape(got) == np.shape(value) and np.all(got == value), (t, got, value)
    assert list(want[0]) == [True, False, True] and want[3] == b"/runs/ckpt_temp/part-00003-of-00012"


def test_saved_models_draw(files, tfc_graph):
    r = subprocess.run([str(tfc_graph), str(files / "sm1" / "saved_model.pb"), "--list"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert re.search(r"^w/\s+\d+", r.stdout, re.M) and re.search(r"^save/\s+\d+\s+\d+", r.stdout, re.M), r.stdout
    r = subprocess.run([str(tfc_graph), str(files / "sm2" / "saved_model.pb"), "--list"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert re.search(r"^\s+f:__inference___call___\d+/", r.stdout, re.M), r.stdout


def test_tf2_saved_model_and_text_graphs_are_one_line(files, tfc_run, tfc_graph, mnist_dir):
    graph = ["--input", "x:0", "--labels", "y:0", "--accuracy", "accuracy:0", "--eval", "--data-dir", str(mnist_dir)]
    sm2 = str(files / "sm2" / "saved_model.pb")
    one_line(subprocess.run([str(tfc_run), "mnist", "--graph", sm2, *graph], capture_output=True, text=True,
                            timeout=120), sm2, "StatefulPartitionedCall", "TensorFlow 2 functions")
    for name in ("text.pbtxt", "text.meta"):
        path = str(files / name)
        one_line(subprocess.run([str(tfc_run), "mnist", "--graph", path, *graph], capture_output=True, text=True,
                                timeout=120), path, "a text-format GraphDef or MetaGraph")
        one_line(subprocess.run([str(tfc_graph), path, "-o", str(files / "x.svg")], capture_output=True, text=True,
                                timeout=120), path, "a text-format GraphDef or MetaGraph")
