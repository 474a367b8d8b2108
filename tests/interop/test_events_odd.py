"""tfc-plot --csv on logdirs that real writers make in ways the other tests do not: PyTorch's
SummaryWriter with tags of any characters (unicode, spaces, regular-expression metacharacters),
NaN and infinities, steps past 2^31 and below 0, add_scalars' sub-run folders, runs nested four
folders deep, a run of one event, a restart with purge_step (TensorBoard's SessionLog.START
purge) and two event files in one folder; and scalars stored as tensors of every numeric dtype
and shape TensorBoard's scalar plugin reads (float16/32/64, int32/64, uint8, bool, [1], [1, 1],
packed tensor_content). Every run, tag, step and value must be what TensorBoard's own
EventMultiplexer reads."""
import csv
import io
import math

import numpy as np
import pytest

ODD_TAGS = ["Größe ≥ 3/ключ", "loss (train) [x]+", "a.b*c?", "spaces in tag", "^$|\\"]


def write_torch(root):
    from torch.utils.tensorboard import SummaryWriter
    w = SummaryWriter(str(root / "odd"))
    for s, v in enumerate([float("nan"), float("inf"), -float("inf"), 1.0, 2.0]):
        for k, tag in enumerate(ODD_TAGS):
            w.add_scalar(tag, s * 0.5 + k, s)
        w.add_scalar("nan_inf", v, s)
    for i, s in enumerate([-7, 2 ** 31 - 1, 2 ** 31, 2 ** 40 + 5]):
        w.add_scalar("big_steps", float(i), s)
    w.close()
    w = SummaryWriter(str(root / "multi"))
    for s in range(4):
        w.add_scalars("curves", {"sin": math.sin(s), "cos": math.cos(s)}, s)
    w.close()
    for path in ("deep/a/b/c", "deep/a/d", "single"):
        w = SummaryWriter(str(root / path))
        w.add_scalar("one", len(path), 7)
        w.close()
    w = SummaryWriter(str(root / "restart"))
    for s in range(10):
        w.add_scalar("loss", 10.0 - s, s)
    w.close()
    w = SummaryWriter(str(root / "restart"), purge_step=5)
    for s in range(5, 8):
        w.add_scalar("loss", 100.0 + s, s)
    w.close()


def write_dtypes(root):
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, types_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    from tensorboard.util import tensor_util
    md = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))
    w = EventFileWriter(str(root / "dtypes"))
    for step in range(3):
        v = 1.25 + step
        tensors = {
            "f16": tensor_util.make_tensor_proto(np.float16(v)),
            "f32": tensor_util.make_tensor_proto(np.float32(v)),
            "f64": tensor_util.make_tensor_proto(np.float64(v)),
            "i32": tensor_util.make_tensor_proto(np.int32(step - 1)),
            "i64": tensor_util.make_tensor_proto(np.int64(2 ** 40 + step)),
            "u8": tensor_util.make_tensor_proto(np.uint8(200 + step)),
            "bool": tensor_util.make_tensor_proto(np.bool_(step % 2)),
            "shape1": tensor_util.make_tensor_proto(np.array([v], np.float32)),
            "shape11": tensor_util.make_tensor_proto(np.array([[v]], np.float64)),
            "packed": tensor_pb2.TensorProto(dtype=types_pb2.DT_DOUBLE, tensor_content=np.float64(v).tobytes()),
        }
        w.add_event(event_pb2.Event(step=step, summary=summary_pb2.Summary(value=[
            summary_pb2.Summary.Value(tag=tag, tensor=t, metadata=md) for tag, t in tensors.items()])))
    w.close()


def tensorboard_scalars(root):
    from tensorboard.backend.event_processing import event_accumulator as ea
    from tensorboard.backend.event_processing import event_multiplexer as em
    from tensorboard.util import tensor_util
    m = em.EventMultiplexer(size_guidance={ea.SCALARS: 0, ea.TENSORS: 0})
    m.AddRunsFromDirectory(str(root))
    m.Reload()
    out = {}
    for run, tags in m.Runs().items():
        for tag in tags["scalars"]:
            out[(run, tag)] = [(e.step, e.value) for e in m.Scalars(run, tag)]
        acc = m.GetAccumulator(run)
        for tag in tags["tensors"]:
            if acc.SummaryMetadata(tag).plugin_data.plugin_name == "scalars":
                out[(run, tag)] = [(e.step, tensor_util.make_ndarray(e.tensor_proto).item()) for e in acc.Tensors(tag)]
    return out


@pytest.fixture(scope="module")
def logdir_read(tmp_path_factory):
    pytest.importorskip("torch.utils.tensorboard")
    root = tmp_path_factory.mktemp("odd") / "logs"
    write_torch(root)
    write_dtypes(root)
    return root, tensorboard_scalars(root)


def same(a, b):
    return a == b or (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-6 * abs(b)


def test_scalars_read_as_tensorboard_reads_them(run_tool, logdir_read):
    root, tb = logdir_read
    p = run_tool("tfc-plot", "--logdir", root, "--scalar", ".*", "--csv", "-", "--smoothing", "0")
    assert p.returncode == 0 and p.stderr == "", p.stderr
    ours = {}
    for r in csv.DictReader(io.StringIO(p.stdout)):
        ours.setdefault((r["run"], r["tag"]), []).append((int(r["step"]), float(r["value"])))
    assert sorted(ours) == sorted(tb)
    for key, points in tb.items():
        assert [s for s, _ in ours[key]] == [s for s, _ in points], key
        assert all(same(a, float(b)) for (_, a), (_, b) in zip(ours[key], points)), (key, ours[key], points)
    # what the cases are there for
    assert [s for s, _ in tb[("restart", "loss")]] == list(range(8))
    assert {("multi/curves_sin", "curves"), ("deep/a/b/c", "one")} <= set(tb)
    assert [s for s, _ in tb[("odd", "big_steps")]] == [-7, 2 ** 31 - 1, 2 ** 31, 2 ** 40 + 5]


def test_odd_tags_by_name_and_in_the_listing(run_tool, logdir_read):
    root, _ = logdir_read
    for tag in ODD_TAGS:  # an exact name wins over its reading as a regular expression
        p = run_tool("tfc-plot", "--logdir", root / "odd", "--scalar", tag, "--csv", "-")
        assert p.returncode == 0, p.stderr
        assert {r["tag"] for r in csv.DictReader(io.StringIO(p.stdout))} == {tag}
    p = run_tool("tfc-plot", "--logdir", root / "odd", "--list")
    rows = [line for line in p.stdout.splitlines() if line.startswith("    ")]
    assert len(rows) == len(ODD_TAGS) + 2 and len({line.index(" points") for line in rows}) == 1, rows
