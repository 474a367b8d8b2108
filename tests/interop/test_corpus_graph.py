"""tfc-graph on the graphs of the corpus (tests/corpus/logs, from tests/corpus/make_corpus.py),
against TensorBoard's own reading of them:

- the TF2 trace of a tf.function training step (tf.summary.trace_export, a RunMetadata under
  graph_run_metadata_graph) is found and drawn with its name scopes; its ops are those of
  TensorBoard's graph for the tag (graph_util.merge_graph_defs of the traced graphs) plus the
  bodies of the functions its While and If ops call, inlined as ATTR:FUNCTION scopes;
- Keras' model configs (graph_keras_model) are drawn as TensorBoard's conceptual graph
  (keras_util.keras_model_to_graph_def): the same layers, with the inbound edges (of Keras 2 too,
  which TensorBoard 2.21 leaves out);
- TF1 and PyTorch graphs draw; a bad --tag is one line naming the run's graph summaries."""
import json
import re
from pathlib import Path

import pytest

from tensorboard.backend.event_processing import plugin_event_accumulator as pea
from tensorboard.compat.proto import config_pb2, graph_pb2
from tensorboard.plugins.graph import graph_util, keras_util

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "logs"


def blob(run_dir, tag):
    acc = pea.EventAccumulator(str(run_dir), size_guidance={pea.TENSORS: 0})
    acc.Reload()
    return acc.Tensors(tag)[-1].tensor_proto.string_val[0]


def func_names(attr):
    if attr.HasField("func"):
        return [attr.func.name]
    if attr.HasField("list"):
        return [f.name for f in attr.list.func]
    return []


def inlined_ops(nodes, library, stack=()):
    """How many ops the function bodies called by nodes add, inlined as graph_nodes.h says: each
    call's body nodes plus one _Arg per input argument, nested calls too (none recursive here)."""
    fns = {f.signature.name: f for f in library.function}
    total = 0
    for n in nodes:
        called = [f for a in n.attr.values() for f in func_names(a)] + ([n.op] if n.op in fns else [])
        for name in called:
            if name in fns and name not in stack:
                f = fns[name]
                total += len(f.node_def) + len(f.signature.input_arg)
                total += inlined_ops(f.node_def, library, stack + (name,))
    return total


def dot_graph(path):
    """(node names, edges as (tail, head)) of a .dot tfc-graph wrote, edges in data-flow
    direction (dir=back undone)."""
    text = path.read_text()
    nodes = set(re.findall(r'tfc_name="((?:[^"\\]|\\.)*)"', text))
    edges = set()
    for a, b, attrs in re.findall(r'^\s*"((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)"\s*(\[[^\]]*\])?', text, re.M):
        edges.add((b, a) if "dir=back" in attrs else (a, b))
    return nodes, edges


def drawn_scopes(path):
    """The collapsed scopes a .dot tfc-graph wrote draws as nodes."""
    blocks = re.findall(r'^\t"((?:[^"\\]|\\.)*)"\t\[(.*?)\];$', path.read_text(), re.M | re.S)
    return {name.rstrip("/") for name, attrs in blocks if re.search(r"\btfc_kind=scope\b", attrs)}


def test_tf2_trace_draws_with_its_scopes(run_tool, tmp_path):
    out = tmp_path / "trace.png"
    p = run_tool("tfc-graph", CORPUS / "tf2", "-o", out)
    assert p.returncode == 0, p.stderr
    assert out.stat().st_size > 5000
    p = run_tool("tfc-graph", CORPUS / "tf2", "-o", tmp_path / "trace.dot")
    assert p.returncode == 0, p.stderr
    drawn = drawn_scopes(tmp_path / "trace.dot")
    rm = config_pb2.RunMetadata.FromString(blob(CORPUS / "tf2" / "train", "train_step_trace"))
    theirs = graph_util.merge_graph_defs([f.pre_optimization_graph for f in rm.function_graphs])
    listing = run_tool("tfc-graph", CORPUS / "tf2", "--list")
    assert listing.returncode == 0, listing.stderr
    nops = int(listing.stdout.split()[0])
    assert nops == len(theirs.node) + inlined_ops(theirs.node, theirs.library)
    top = {n.name.split("/")[0] for n in theirs.node if "/" in n.name}
    assert {"tiny", "objective", "gradient_tape", "sgd_update", "while", "cond"} <= top
    assert top <= drawn, top - drawn  # each a node of the default view (--depth 1)
    for scope in top:
        assert re.search(rf"^{re.escape(scope)}/\s+\d+", listing.stdout, re.M), scope
    # The While's cond and body and the If's branches are scopes under them.
    whiles = [n for n in theirs.node if n.op in ("While", "StatelessWhile")]
    ifs = [n for n in theirs.node if n.op in ("If", "StatelessIf")]
    assert whiles and ifs
    for n in whiles + ifs:
        for key, attr in n.attr.items():
            for fn in func_names(attr):
                assert f"{key}:{fn}/" in listing.stdout, (n.name, key, fn)


def test_trace_body_opens_with_expand(run_tool, tmp_path):
    rm = config_pb2.RunMetadata.FromString(blob(CORPUS / "tf2" / "train", "train_step_trace"))
    g = graph_util.merge_graph_defs([f.pre_optimization_graph for f in rm.function_graphs])
    loop = next(n for n in g.node if n.op in ("While", "StatelessWhile"))
    body = loop.attr["body"].func.name
    fd = next(f for f in g.library.function if f.signature.name == body)
    out = tmp_path / "body.dot"
    p = run_tool("tfc-graph", CORPUS / "tf2", "--expand", f"{loop.name}/body:{body}", "--depth", "all", "--all",
                 "-o", out)
    assert p.returncode == 0, p.stderr
    nodes, edges = dot_graph(out)
    prefix = f"{loop.name}/body:{body}/"
    drawn = {n[len(prefix):] for n in nodes if n.startswith(prefix)}
    assert {a.name for a in fd.signature.input_arg} <= drawn  # the _Arg nodes
    assert {n.name for n in fd.node_def} <= drawn
    # The body's edges are the function's own: "node:out:i" and argument inputs.
    for n in fd.node_def:
        for i in n.input:
            if i.startswith("^"):
                continue
            src = i.split(":")[0]
            assert (prefix + src, prefix + n.name) in edges, (src, n.name)


@pytest.mark.parametrize("part", ["keras2", "keras3"])
def test_keras_model_config(run_tool, tmp_path, part):
    config = json.loads(blob(CORPUS / part / "train", "keras"))
    theirs = keras_util.keras_model_to_graph_def(config)
    out = tmp_path / "keras.dot"
    p = run_tool("tfc-graph", CORPUS / part, "--tag", "keras", "--depth", "all", "-o", out)
    assert p.returncode == 0, p.stderr
    assert "(run 'train', tag 'keras')" in out.read_text()
    nodes, edges = dot_graph(out)
    assert nodes == {n.name for n in theirs.node}
    want = {("two_branch/features", "two_branch/branch_a"), ("two_branch/features", "two_branch/branch_b"),
            ("two_branch/branch_a", "two_branch/join"), ("two_branch/branch_b", "two_branch/join"),
            ("two_branch/join", "two_branch/drop"), ("two_branch/drop", "two_branch/classes")}
    assert edges == want
    tb_edges = {(i, n.name) for n in theirs.node for i in n.input}
    assert tb_edges <= want  # TensorBoard 2.21 reads Keras 3's inbound nodes; Keras 2's it skips
    if part == "keras3":
        assert tb_edges == want
    classes = {n.name: n.attr["keras_class"].s.decode() for n in theirs.node}
    text = out.read_text()
    for name, cls in classes.items():
        assert re.search(rf'tfc_name="{re.escape(name)}".*?tfc_op={cls}\b|tfc_op={cls}\b[^;]*?tfc_name="{re.escape(name)}"',
                         text, re.S), (name, cls)


@pytest.mark.parametrize("part", ["tf1", "torch"])
def test_run_graphs_draw(run_tool, tmp_path, part):
    out = tmp_path / f"{part}.svg"
    p = run_tool("tfc-graph", CORPUS / part, "-o", out)
    assert p.returncode == 0, p.stderr
    assert re.match(rf"{re.escape(str(out))}: \d+ nodes and \d+ edges drawn for \d+ ops", p.stdout)


def test_bad_tag(run_tool, tmp_path):
    p = run_tool("tfc-graph", CORPUS / "tf2", "--tag", "epoch_loss", "-o", tmp_path / "x.png")
    assert p.returncode == 1 and p.stdout == ""
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and "'epoch_loss'" in lines[0] and "'train_step_trace'" in lines[0], lines
    p = run_tool("tfc-graph", CORPUS / "tf2" / "train" / next((CORPUS / "tf2" / "train").iterdir()).name,
                 "--tag", "train_step_trace", "-o", tmp_path / "y.png")
    assert p.returncode == 0, p.stderr
    g = graph_pb2.GraphDef()
    g.node.add(name="a", op="Const")
    (tmp_path / "x.pb").write_bytes(g.SerializeToString())
    p = run_tool("tfc-graph", tmp_path / "x.pb", "--tag", "t", "-o", tmp_path / "z.png")
    assert p.returncode == 1 and p.stdout == "" and "--tag applies to a logdir or an event file" in p.stderr


def test_real_tf2_fixtures(run_tool, fixtures_dir, tmp_path):
    """TF 2.1's trace_export of an autograph function and of a tf.Module (graph_run_metadata,
    once "no graph"), and its Keras callback's model config."""
    for name in ("eat_tf2_autograph_20200301-110136", "eat_tf2_demomodule_20200301-110602"):
        run_dir = fixtures_dir / "events_tf2" / name
        tag = "autograph" if "autograph" in name else "demomodule"
        rm = config_pb2.RunMetadata.FromString(blob(run_dir, tag))
        theirs = graph_util.merge_graph_defs([f.pre_optimization_graph for f in rm.function_graphs])
        p = run_tool("tfc-graph", run_dir, "--list")
        assert p.returncode == 0, p.stderr
        assert int(p.stdout.split()[0]) == len(theirs.node) + inlined_ops(theirs.node, theirs.library)
        p = run_tool("tfc-graph", run_dir, "-o", tmp_path / f"{tag}.png")
        assert p.returncode == 0 and " drawn for " in p.stdout, p.stderr
    run_dir = fixtures_dir / "events_tf2" / "eat_tf2_keras_20200216-184712"
    config = json.loads(blob(run_dir / "train", "keras"))
    theirs = keras_util.keras_model_to_graph_def(config)
    out = tmp_path / "keras21.dot"
    p = run_tool("tfc-graph", run_dir, "--run", "train", "--tag", "keras", "--depth", "all", "-o", out)
    assert p.returncode == 0, p.stderr
    nodes, edges = dot_graph(out)
    assert nodes == {n.name for n in theirs.node}
    assert {(i, n.name) for n in theirs.node for i in n.input} <= edges
