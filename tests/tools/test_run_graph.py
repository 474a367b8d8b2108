"""tfc-run --graph and tfc-ckpt restore --graph on graphs tfc wrote itself (the .meta beside each
checkpoint): training continues from the checkpoint with the same numbers as the seed model, the
summaries collection is written, checkpoints come with their .meta; and the errors of graph import
as the tools report them: one line naming the file and the cause, exit 1 (usage errors exit 2).
Graphs TensorFlow wrote are tests/interop/test_graph_import_tf.py's."""
import re
import shutil
import subprocess

import pytest
from tool_errors import one_error_line


DEEP = ["--input", "input/x:0", "--labels", "input/label:0", "--accuracy", "evaluation/Mean:0"]


@pytest.fixture(scope="module")
def deep_run(tmp_path_factory, tool_path, mnist_dir):
    """A short run of the seed deep model: model.ckpt-50 and its .meta."""
    logdir = tmp_path_factory.mktemp("deep")
    r = subprocess.run([str(tool_path("tfc-run")), "mnist", "--model", "deep", "--steps", "50", "--seed", "1",
                        "--threads", "2", "--logdir", str(logdir), "--run", "r", "--quiet", "--data-dir", str(mnist_dir)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return logdir / "r"


def test_graph_trains_on_as_the_model_does(run_tool, deep_run, mnist_dir, tmp_path):
    """The deep model's own graph, imported from its .meta and restored from its checkpoint, trains
    to the same weights and test accuracy as the seed model continued from that checkpoint."""
    assert (deep_run / "model.ckpt-50.meta").is_file()
    # --restore continues in the checkpoint's folder: each run gets a copy of it
    model_dir, graph_dir = tmp_path / "m", tmp_path / "g"
    shutil.copytree(deep_run, model_dir)
    shutil.copytree(deep_run, graph_dir)
    common = ["mnist", "--steps", "80", "--threads", "2", "--seed", "1", "--data-dir", mnist_dir, "--quiet"]
    a = run_tool("tfc-run", *common, "--model", "deep", f"--restore={model_dir / 'model.ckpt-50'}")
    b = run_tool("tfc-run", *common, "--graph", graph_dir / "model.ckpt-50.meta", *DEEP,
                 "--keep-prob", "input/keep_prob:0=0.2", f"--restore={graph_dir / 'model.ckpt-50'}")
    assert a.returncode == 0, a.stderr
    assert b.returncode == 0, b.stderr
    acc_a = re.search(r"test accuracy: ([0-9.]+)", a.stdout).group(1)
    acc_b = re.search(r"test accuracy: ([0-9.]+) \(loss", b.stdout).group(1)  # the losses collection names the loss
    assert acc_a == acc_b
    # the same weights, bit for bit, and a .meta beside the new checkpoint
    d = run_tool("tfc-ckpt", "diff", model_dir / "model.ckpt-80", graph_dir / "model.ckpt-80")
    assert d.returncode == 0, d.stdout + d.stderr
    assert (graph_dir / "model.ckpt-80.meta").is_file()


def test_graph_writes_its_summaries(run_tool, deep_run, mnist_dir, logdir, events_dump):
    r = run_tool("tfc-run", "mnist", "--graph", deep_run / "model.ckpt-50.meta", *DEEP, "--steps", "20",
                 "--keep-prob", "input/keep_prob:0=0.5",
                 "--summary-every", "10", "--data-dir", mnist_dir, "--logdir", logdir, "--run", "g", "--quiet")
    assert r.returncode == 0, r.stderr
    dump = events_dump(logdir / "g")
    assert sorted(tag for (_, tag) in dump.scalars) == ["Accuracy", "Loss"]
    assert [s for (s, _, _) in dump.scalars[(".", "Loss")]] == [10, 20]
    assert (logdir / "g" / "model.ckpt-20.meta").is_file()


def test_ckpt_restore_graph(run_tool, deep_run, mnist_dir):
    g = run_tool("tfc-ckpt", "restore", deep_run / "model.ckpt-50", "--graph", deep_run / "model.ckpt-50.meta", *DEEP,
                 "--keep-prob", "input/keep_prob:0", "--data-dir", mnist_dir)
    m = run_tool("tfc-ckpt", "restore", deep_run / "model.ckpt-50", "--model", "deep", "--data-dir", mnist_dir)
    assert g.returncode == 0 and m.returncode == 0, g.stderr + m.stderr
    assert "restored 21 variables of graph" in g.stdout and "(global_step 50)" in g.stdout
    assert re.search(r"test accuracy [0-9.]+, loss [0-9.]+", g.stdout).group(0) == \
        re.search(r"test accuracy [0-9.]+, loss [0-9.]+", m.stdout).group(0)


@pytest.mark.parametrize("args, needle", [
    (["--graph", "g.meta", "--input", "x:0"], "--graph needs --input, --labels and --accuracy"),
    (["--graph", "g.meta", *DEEP, "--model", "cnn"], "--model does not go with --graph"),
    (["--graph", "g.meta", *DEEP, "--lr", "0.1"], "--lr does not go with --graph"),
    (["--graph", "g.meta", *DEEP, "--keep-prob", "0.5"], "--keep-prob is NAME=P"),
    (["--input", "x:0"], "go with --graph"),
    (["--graph", "g.meta", *DEEP, "--dropout-rate", "rate:0=1"], "--dropout-rate: 'rate:0=1' is not NAME=R"),
    (["--graph", "g.meta", *DEEP, "--dropout-rate", "0.5"], "is not NAME=R with R in [0, 1)"),
    (["--graph", "g.meta", *DEEP, "--dropout-rate", "r:0=0.5", "--keep-prob", "k:0=0.5"], "give the one the graph's"),
    (["--dropout-rate", "r:0=0.5"], "go with --graph"),
])
def test_usage_errors(run_tool, args, needle):
    r = run_tool("tfc-run", "mnist", *args)
    assert r.returncode == 2 and needle in r.stderr, r.stderr
    r = run_tool("tfc-ckpt", "restore", "x", "--graph", "g.meta", "--input", "x:0")
    assert r.returncode == 2 and "--graph needs --input, --labels and --accuracy" in r.stderr, r.stderr


def test_bad_tensor_names(run_tool, deep_run, mnist_dir):
    meta = deep_run / "model.ckpt-50.meta"
    base = ["mnist", "--graph", meta, "--data-dir", mnist_dir, "--no-logdir", "--steps", "1"]
    r = run_tool("tfc-run", *base, "--input", "nothere:0", "--labels", "input/label:0", "--accuracy", "evaluation/Mean:0")
    one_error_line(r, "--input 'nothere:0': no such tensor in the graph")
    r = run_tool("tfc-run", *base, "--input", "input/x:0", "--labels", "input/x:0", "--accuracy", "evaluation/Mean:0")
    one_error_line(r, "--labels 'input/x:0' is float32 [?,784], tfc-run needs float32 [?,10]")
    r = run_tool("tfc-run", *base, "--input", "input/label:0", "--labels", "input/label:0", "--accuracy", "evaluation/Mean:0")
    one_error_line(r, "--input 'input/label:0' has shape [?,10]")


def test_file_errors(run_tool, deep_run, mnist_dir, tmp_path):
    """Truncated, corrupt, text-format, missing and unsupported graphs: one line naming the file."""
    meta = (deep_run / "model.ckpt-50.meta").read_bytes()
    cases = {
        "truncated.meta": (meta[:len(meta) // 3], "not a MetaGraphDef"),
        "garbage.pb": (b"\x0a\xff\xff\xff\xff\x0f" + b"x" * 40, "not a GraphDef"),
        "text.pbtxt": (b'node {\n  name: "x"\n  op: "Placeholder"\n}\n', "a text-format GraphDef"),
        # a GraphDef whose ops tfc lacks: NodeDef{name "a", op "Foo"} twice with another name, and "Bar"
        "unknown.pb": (b"".join(b"\x0a" + bytes([len(nd)]) + nd for nd in (
            b"\x0a\x01a\x12\x03Foo", b"\x0a\x01b\x12\x03Foo", b"\x0a\x01c\x12\x03Bar")),
            "2 op types are not supported by tfc: Bar (1 node), Foo (2 nodes)"),
    }
    for name, (data, needle) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        r = run_tool("tfc-run", "mnist", "--graph", path, *DEEP, "--data-dir", mnist_dir, "--no-logdir")
        one_error_line(r, str(path), needle)
        r = run_tool("tfc-ckpt", "restore", deep_run / "model.ckpt-50", "--graph", path, *DEEP, "--no-eval")
        one_error_line(r, str(path), needle)
    r = run_tool("tfc-run", "mnist", "--graph", tmp_path / "none.meta", *DEEP, "--data-dir", mnist_dir, "--no-logdir")
    one_error_line(r, "none.meta: cannot open")
