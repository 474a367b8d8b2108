"""Our event reader (through tfc-events-dump) on event files written in the test by real
TensorFlow 1-style code (tf.compat.v1.summary.FileWriter with a graph, scalar and histogram
summaries), TensorFlow 2 (tf.summary.create_file_writer: tensor-encoded scalars and histograms,
.v2 files) and PyTorch (torch.utils.tensorboard.SummaryWriter): the same runs, tags, steps and
values those programs logged."""
import numpy as np
import pytest

STEPS = [0, 1, 5, 10, 99]


def values(seed, n=200):
    return np.random.default_rng(seed).normal(0.5, 2.0, size=n).astype(np.float32)


def write_tf1(logdir):
    import tensorflow as tf
    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None], name="x")
        with tf.name_scope("layer1"):
            tf.Variable(tf.zeros([3]), name="weights")
            loss = tf.reduce_mean(x * 2.0, name="loss_value")
        v1.summary.scalar("loss", loss)
        v1.summary.histogram("activations", x)
        merged = v1.summary.merge_all()
        init = v1.global_variables_initializer()
        with v1.Session(graph=graph) as sess:
            sess.run(init)
            writer = v1.summary.FileWriter(str(logdir), sess.graph)
            for step in STEPS:
                writer.add_summary(sess.run(merged, {x: values(step)}), step)
            writer.close()
    return [n.name for n in graph.as_graph_def().node]


def write_tf2(logdir):
    import tensorflow as tf
    writer = tf.summary.create_file_writer(str(logdir))
    with writer.as_default():
        for step in STEPS:
            tf.summary.scalar("accuracy", 0.01 * step + 0.25, step=step)
            tf.summary.histogram("weights/hist", values(step), step=step)
    writer.close()


def write_torch(logdir):
    from torch.utils.tensorboard import SummaryWriter
    writer = SummaryWriter(log_dir=str(logdir))
    for step in STEPS:
        writer.add_scalar("Loss/train", 1.0 / (step + 1), step)
        writer.add_histogram("fc/weight", values(step), step)
    writer.close()


@pytest.fixture(scope="module")
def written(tmp_path_factory, events_dump):
    root = tmp_path_factory.mktemp("events_read")
    tf1_nodes = write_tf1(root / "tf1")
    write_tf2(root / "tf2")
    write_torch(root / "torch")
    return events_dump(root), tf1_nodes


def f32(v):
    return float(np.float32(v))


def check_histogram(h, data):
    data64 = data.astype(np.float64)
    assert h["num"] == len(data)
    assert h["min"] == pytest.approx(data64.min(), rel=1e-6)
    assert h["max"] == pytest.approx(data64.max(), rel=1e-6)
    assert sum(h["counts"]) == len(data)
    assert len(h["limits"]) == len(h["counts"]) > 0
    assert all(a <= b for a, b in zip(h["limits"], h["limits"][1:]))


def test_runs(written):
    dump, _ = written
    assert sorted(dump.runs) == ["tf1", "tf2", "torch"]
    assert dump.warnings == []


def test_tf1_file_writer(written):
    dump, tf1_nodes = written
    points = dump.scalars[("tf1", "loss")]
    assert [p[0] for p in points] == STEPS
    for (step, _, value) in points:
        assert value == pytest.approx(2.0 * float(np.mean(values(step).astype(np.float64))), rel=1e-5, abs=1e-6)
        assert value == f32(value)  # a float32 simple_value, read exactly
    hist = dump.histograms[("tf1", "activations")]
    assert [h["step"] for h in hist] == STEPS
    for h in hist:
        check_histogram(h, values(h["step"]))
        # TF1's HistogramSummary keeps exact sums (in double) and TF's default bucket limits.
        assert h["sum"] == pytest.approx(float(values(h["step"]).astype(np.float64).sum()), rel=1e-9)
        assert h["sum_squares"] == pytest.approx(float((values(h["step"]).astype(np.float64) ** 2).sum()), rel=1e-9)
    # The graph FileWriter wrote is the session's graph, name scopes included.
    names = [n[0] for n in dump.nodes["tf1"]]
    assert names == tf1_nodes
    assert "layer1/weights" in names and "loss" in names
    ops = {n[0]: n[1] for n in dump.nodes["tf1"]}
    assert ops["loss"] == "ScalarSummary" and ops["activations"] == "HistogramSummary"
    assert ops["Merge/MergeSummary"] == "MergeSummary"


def test_tf2_create_file_writer(written):
    dump, _ = written
    points = dump.scalars[("tf2", "accuracy")]
    assert [p[0] for p in points] == STEPS
    assert [p[2] for p in points] == [f32(0.01 * s + 0.25) for s in STEPS]
    hist = dump.histograms[("tf2", "weights/hist")]
    assert [h["step"] for h in hist] == STEPS
    for h in hist:
        check_histogram(h, values(h["step"]))
        assert len(h["counts"]) == 30  # TF2's default bucket count


def test_torch_summary_writer(written):
    dump, _ = written
    points = dump.scalars[("torch", "Loss/train")]
    assert [p[0] for p in points] == STEPS
    assert [p[2] for p in points] == [f32(1.0 / (s + 1)) for s in STEPS]
    hist = dump.histograms[("torch", "fc/weight")]
    assert [h["step"] for h in hist] == STEPS
    for h in hist:
        check_histogram(h, values(h["step"]))
        assert h["sum"] == pytest.approx(float(values(h["step"]).astype(np.float64).sum()), rel=1e-5)


def test_damaged_files_read_as_tensorboard_reads_them(tmp_path, events_dump):
    """A flipped bit in a record's length or payload, a cut record, a run of zero bytes after the
    records (a file whose writer died with the disk full), garbage appended, the file gzip'd: we
    read exactly the events TensorBoard's loader yields, and say where the damage is (a cut
    record too, which TensorBoard passes over in silence)."""
    import gzip
    from tensorboard.backend.event_processing import event_file_loader
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.record_writer import RecordWriter

    good = tmp_path / "good"
    starts = []
    with open(good, "wb") as f:
        w = RecordWriter(f)
        w.write(event_pb2.Event(wall_time=1, file_version="brain.Event:2").SerializeToString())
        for step in range(10):
            starts.append(f.tell())
            s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="x", simple_value=step * 0.5)])
            w.write(event_pb2.Event(wall_time=2 + step, step=step, summary=s).SerializeToString())
    data = good.read_bytes()

    def flipped(at):
        b = bytearray(data)
        b[at] ^= 0x10
        return bytes(b)

    cases = {
        "length": (flipped(starts[5] + 2), "length checksum mismatch"),
        "payload": (flipped(starts[5] + 20), "payload checksum mismatch"),
        "cut": (data[:starts[7] + 9], f"offset {starts[7]}: incomplete record header (9 of 12 bytes)"),
        "zeros": (data + bytes(1 << 20), "length checksum mismatch"),
        "garbage": (data + b"appended text, not a record\n", f"offset {len(data)}: corrupted record"),
        "gzip": (gzip.compress(data), "offset 0: gzip-compressed"),
    }
    for name, (content, warning) in cases.items():
        run = tmp_path / name
        run.mkdir()
        path = run / "events.out.tfevents.1.host"
        path.write_bytes(content)
        tb = [e.step for e in event_file_loader.LegacyEventFileLoader(str(path)).Load() if e.HasField("summary")]
        ours = [p[0] for p in events_dump(path).scalars.get((run.name, "x"), [])]
        assert ours == tb, name
        dump = events_dump(path)
        if warning:
            assert len(dump.warnings) == 1 and warning in dump.warnings[0], (name, dump.warnings)
        else:
            assert not dump.warnings, (name, dump.warnings)
