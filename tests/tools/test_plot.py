"""End-to-end tests of tfc-plot: logdirs written by real TensorFlow 2 and PyTorch writers are
plotted to PNG, SVG and PDF and the results checked by their properties (size, colours, one SVG
path per run), smoothing is compared with TensorBoard's published formula, histogram percentiles
with TensorBoard's own compressor, and every kind of bad input must give one clear line."""
import csv
import io
import math
import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from tb_smoothing import tb_smooth
from tool_errors import one_error_line

# matplotlib's tab10, which tfc-plot gives to runs in order
TAB10 = [(0x1f, 0x77, 0xb4), (0xff, 0x7f, 0x0e), (0x2c, 0xa0, 0x2c), (0xd6, 0x27, 0x28)]

LOSS = [2.5 * math.exp(-i / 15) + 0.3 * math.sin(i * 1.3) + 0.5 for i in range(60)]
LOSS_B = [v * 0.8 + 0.1 for v in LOSS]


@pytest.fixture(scope="module")
def torch_logdir(tmp_path_factory):
    """Two runs written by torch.utils.tensorboard: scalars 'loss' (with one NaN in run_a) and
    'acc', histograms 'weights' (legacy HistogramProto)."""
    tb = pytest.importorskip("torch.utils.tensorboard")
    d = tmp_path_factory.mktemp("torch") / "logs"
    rng = np.random.default_rng(7)
    for name, series in (("run_a", LOSS), ("run_b", LOSS_B)):
        w = tb.SummaryWriter(log_dir=str(d / name))
        for i, v in enumerate(series):
            w.add_scalar("loss", float("nan") if (name == "run_a" and i == 20) else v, i * 10)
            w.add_scalar("acc", 0.5 + i / 150 if name == "run_a" else 0.4 + i / 200, i * 10)
        for s in range(8):
            w.add_histogram("weights", rng.normal(0.1 * s, 1 + 0.1 * s, 2000), s * 100)
        w.close()
    return d


@pytest.fixture(scope="module")
def tf2_logdir(tmp_path_factory):
    """Runs 'train' and 'eval' written by TensorFlow 2's tf.summary (tensor-encoded scalars and
    [k,3] histograms, files ending .v2)."""
    tf = pytest.importorskip("tensorflow")
    d = tmp_path_factory.mktemp("tf2") / "logs"
    rng = np.random.default_rng(3)
    for name, series in (("train", LOSS), ("eval", LOSS_B)):
        w = tf.summary.create_file_writer(str(d / name))
        with w.as_default():
            for i, v in enumerate(series):
                tf.summary.scalar("epoch_loss", v, step=i)
            for s in range(6):
                tf.summary.histogram("dense/kernel", rng.uniform(-1 - s, 1 + s, 500), step=s)
        w.close()
    return d


def read_csv(text):
    rows = list(csv.DictReader(io.StringIO(text)))
    for r in rows:
        r["step"] = int(r["step"])
    return rows


# ---- smoothing: CSV against TensorBoard's formula ----

@pytest.mark.parametrize("weight", [0.6, 0.0, 0.95])
def test_csv_smoothing_matches_tensorboard(run_tool, torch_logdir, tmp_path, weight):
    out = tmp_path / "loss.csv"
    args = ["--logdir", torch_logdir, "--scalar", "loss", "--csv", out]
    if weight != 0.6:  # 0.6 is the default
        args += ["--smoothing", weight]
    p = run_tool("tfc-plot", *args)
    assert p.returncode == 0, p.stderr
    assert not (tmp_path / "loss.png").exists()  # --csv alone writes no picture
    rows = read_csv(out.read_text())
    assert list(rows[0].keys()) == ["run", "tag", "step", "wall_time", "value", "smoothed"]
    for run, series in (("run_a", LOSS), ("run_b", LOSS_B)):
        got = [r for r in rows if r["run"] == run]
        assert [r["step"] for r in got] == [10 * i for i in range(len(series))]
        assert all(r["tag"] == "loss" for r in got)
        # the file holds float32 values: compare with what was written, rounded the same way
        written = [float(np.float32(v)) for v in series]
        if run == "run_a":
            written[20] = float("nan")
        values = [float(r["value"]) for r in got]
        for v, w in zip(values, written):
            assert (math.isnan(v) and math.isnan(w)) or v == w
        want = tb_smooth(values, weight)
        for r, w in zip(got, want):
            s = float(r["smoothed"])
            assert (math.isnan(s) and math.isnan(w)) or abs(s - w) <= 1e-9 * max(1, abs(w)), (r, w)
        assert float(got[0]["wall_time"]) > 1.5e9


def test_csv_to_stdout_and_picture_beside(run_tool, torch_logdir, tmp_path):
    png = tmp_path / "both.png"
    p = run_tool("tfc-plot", "--logdir", torch_logdir, "--scalar", "acc", "--csv", "-", "-o", png)
    assert p.returncode == 0, p.stderr
    rows = read_csv(p.stdout)
    assert len(rows) == 2 * len(LOSS) and {r["run"] for r in rows} == {"run_a", "run_b"}
    assert png.stat().st_size > 1000


# ---- pictures: PNG, SVG, PDF ----

def svg_curve_paths(svg_file):
    """(colour, opacity, number of segments) of every stroked path in a Cairo SVG."""
    out = []
    for el in ET.parse(svg_file).getroot().iter("{http://www.w3.org/2000/svg}path"):
        style = dict(kv.split(":", 1) for kv in el.get("style", "").split(";") if ":" in kv)
        m = re.fullmatch(r"rgb\(([\d.]+)%,([\d.]+)%,([\d.]+)%\)", style.get("stroke", ""))
        if not m:
            continue
        rgb = tuple(round(float(c) * 2.55) for c in m.groups())
        out.append((rgb, float(style.get("stroke-opacity", 1)), len(re.findall(r"[LC]", el.get("d", "")))))
    return out


def colour_pixels(img, rgb, tol=30):
    a = np.asarray(img.convert("RGB")).astype(int)
    return int((np.abs(a - np.array(rgb)).max(axis=2) <= tol).sum())


def test_scalars_png_svg_pdf(run_tool, torch_logdir, tmp_path):
    Image = pytest.importorskip("PIL.Image")
    for ext in ("png", "svg", "pdf"):
        out = tmp_path / f"loss.{ext}"
        p = run_tool("tfc-plot", "--logdir", torch_logdir, "--scalar", "loss", "--scalar", "acc",
                     "--size", "1000x420", "--title", "Two runs", "-o", out)
        assert p.returncode == 0, p.stderr
        assert f"wrote {out}" in p.stdout
    img = Image.open(tmp_path / "loss.png")
    assert img.size == (1000, 420)
    # both runs' colours are drawn (curves and legend swatches), in both panels
    for rgb in TAB10[:2]:
        assert colour_pixels(img, rgb) > 200
        left, right = img.crop((0, 0, 500, 420)), img.crop((500, 0, 1000, 420))
        assert colour_pixels(left, rgb) > 50 and colour_pixels(right, rgb) > 50
    # SVG: one strong curve path per run per panel, one faint raw path behind each
    paths = svg_curve_paths(tmp_path / "loss.svg")
    for rgb in TAB10[:2]:
        strong = [p for p in paths if p[0] == rgb and p[1] == 1 and p[2] >= 10]
        faint = [p for p in paths if p[0] == rgb and p[1] < 0.5 and p[2] >= 10]
        assert len(strong) == 2 and len(faint) == 2, paths
        swatches = [p for p in paths if p[0] == rgb and p[1] == 1 and p[2] < 3]
        assert len(swatches) == 2  # the legends
    root = ET.parse(tmp_path / "loss.svg").getroot()
    assert root.get("width") == "720pt" and root.get("height") == "302.4pt"  # 1000x420 px at 100 dpi
    pdf = (tmp_path / "loss.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and re.search(rb"/MediaBox \[ 0 0 720 302\.4", pdf)


def test_no_smoothing_draws_one_path_per_run(run_tool, torch_logdir, tmp_path):
    out = tmp_path / "raw.svg"
    p = run_tool("tfc-plot", "--logdir", torch_logdir, "--scalar", "^acc$", "--smoothing", "0", "-o", out)
    assert p.returncode == 0, p.stderr
    paths = svg_curve_paths(out)
    for rgb in TAB10[:2]:
        assert len([p for p in paths if p[0] == rgb and p[2] >= 10]) == 1


def test_default_name_and_dpi(run_tool, torch_logdir, tmp_path):
    Image = pytest.importorskip("PIL.Image")
    p = run_tool("tfc-plot", "--logdir", torch_logdir, "--scalar", "loss", "--dpi", "200", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert Image.open(tmp_path / "loss.png").size == (1280, 880)  # 6.4 x 4.4 in at 200 dpi


@pytest.mark.parametrize("xmode", ["step", "relative", "wall"])
def test_x_modes_log_and_limits(run_tool, torch_logdir, tmp_path, xmode):
    out = tmp_path / f"{xmode}.png"
    p = run_tool("tfc-plot", "--logdir", torch_logdir, "--scalar", "loss", "--x", xmode, "--log-y",
                 "--ignore-outliers", "--ylim", "0.1:", "-o", out)
    assert p.returncode == 0, p.stderr
    assert out.stat().st_size > 5000


def test_histograms_every_mode_and_format(run_tool, torch_logdir, tmp_path):
    Image = pytest.importorskip("PIL.Image")
    for mode in ("distribution", "offset"):
        for ext in ("png", "svg", "pdf"):
            out = tmp_path / f"{mode}.{ext}"
            p = run_tool("tfc-plot", "--logdir", torch_logdir, "--histogram", "weights",
                         "--histogram-mode", mode, "-o", out)
            assert p.returncode == 0, p.stderr
        img = Image.open(tmp_path / f"{mode}.png")
        assert img.size == (round(2 * 6.4 * 0.85 * 100), round(4.4 * 0.92 * 100))  # two runs, two panels
        # the newest data is drawn in the run's own colour in each panel
        assert colour_pixels(img.crop((0, 0, img.size[0] // 2, img.size[1])), TAB10[0], 40) > 100
        assert colour_pixels(img.crop((img.size[0] // 2, 0, img.size[0], img.size[1])), TAB10[1], 40) > 100
        ET.parse(tmp_path / f"{mode}.svg")


def test_histogram_percentiles_match_tensorboard_legacy(run_tool, torch_logdir, tmp_path):
    """PyTorch writes HistogramProto; TensorBoard's compressor on it is the oracle."""
    ea = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    compressor = pytest.importorskip("tensorboard.plugins.distribution.compressor")
    p = run_tool("tfc-plot", "--logdir", torch_logdir, "--histogram", "weights", "--csv", "-")
    assert p.returncode == 0, p.stderr
    rows = read_csv(p.stdout)
    cols = ["min", "p7", "p16", "p31", "p50", "p69", "p84", "p93", "max"]
    for run in ("run_a", "run_b"):
        acc = ea.EventAccumulator(str(torch_logdir / run), size_guidance={ea.HISTOGRAMS: 0})
        acc.Reload()
        events = acc.Histograms("weights")
        got = [r for r in rows if r["run"] == run]
        assert len(got) == len(events) == 8
        for r, e in zip(got, events):
            assert r["step"] == e.step
            want = [v for _, v in compressor.compress_histogram_proto(e.histogram_value)]
            for c, w in zip(cols, want):
                assert abs(float(r[c]) - w) <= 1e-9 * max(1, abs(w)), (run, e.step, c, r[c], w)


def test_tf2_logdir(run_tool, tf2_logdir, tmp_path):
    """TensorFlow 2 writes tensors: scalars, and [k,3] histograms that TensorBoard compresses."""
    Image = pytest.importorskip("PIL.Image")
    compressor = pytest.importorskip("tensorboard.plugins.distribution.compressor")
    pea = pytest.importorskip("tensorboard.backend.event_processing.plugin_event_accumulator")
    from tensorboard.util import tensor_util
    out = tmp_path / "tf2.png"
    p = run_tool("tfc-plot", "--logdir", tf2_logdir, "--scalar", "epoch_loss", "-o", out, "--csv", tmp_path / "s.csv")
    assert p.returncode == 0, p.stderr
    assert Image.open(out).size == (640, 440)
    rows = read_csv((tmp_path / "s.csv").read_text())
    assert {r["run"] for r in rows} == {"train", "eval"}
    train = [float(r["value"]) for r in rows if r["run"] == "train"]
    assert np.allclose(train, np.float32(LOSS), rtol=0, atol=0)

    p = run_tool("tfc-plot", "--logdir", tf2_logdir, "--histogram", "dense/kernel", "--csv", "-")
    assert p.returncode == 0, p.stderr
    rows = read_csv(p.stdout)
    cols = ["min", "p7", "p16", "p31", "p50", "p69", "p84", "p93", "max"]
    acc = pea.EventAccumulator(str(tf2_logdir / "train"))
    acc.Reload()
    events = acc.Tensors("dense/kernel")
    got = [r for r in rows if r["run"] == "train"]
    assert len(got) == len(events) == 6
    for r, e in zip(got, events):
        want = [v for _, v in compressor.compress_histogram(tensor_util.make_ndarray(e.tensor_proto))]
        for c, w in zip(cols, want):
            assert abs(float(r[c]) - w) <= 1e-9 * max(1, abs(w)), (e.step, c, r[c], w)
    for mode in ("distribution", "offset"):
        p = run_tool("tfc-plot", "--logdir", tf2_logdir, "--histogram", "dense/kernel",
                     "--histogram-mode", mode, "-o", tmp_path / f"h_{mode}.pdf")
        assert p.returncode == 0, p.stderr


def test_several_logdirs_name_runs_by_dir(run_tool, torch_logdir, tf2_logdir, tmp_path):
    shutil.copytree(torch_logdir, tmp_path / "torch")
    shutil.copytree(tf2_logdir, tmp_path / "tf2")
    # "loss" is a tag of the torch runs and would be taken as written; "loss$" is a pattern
    p = run_tool("tfc-plot", "--logdir", "torch", "--logdir", "tf2", "--scalar", "loss$", "--csv", "-",
                 cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    rows = read_csv(p.stdout)
    assert {r["run"] for r in rows if r["tag"] == "loss"} == {"torch/run_a", "torch/run_b"}
    assert {r["run"] for r in rows if r["tag"] == "epoch_loss"} == {"tf2/train", "tf2/eval"}


def test_list(run_tool, torch_logdir):
    p = run_tool("tfc-plot", "--logdir", torch_logdir, "--list")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "run_a" in out and "run_b" in out
    assert re.search(r"loss\s+60 points\s+steps 0\.\.590", out)
    assert re.search(r"weights\s+8 points\s+steps 0\.\.700", out)
    assert "graph: none" in out


def test_list_lines_up_names_that_are_not_ascii(run_tool, tmp_path):
    """Counts stand in one column whatever the tags' characters (columns, not bytes), and a run of
    one event says so in the singular."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.record_writer import RecordWriter
    tags = ["Größe ≥ 3/ключ", "loss (train) [x]+", "损失", "a"]
    (tmp_path / "logs" / "run").mkdir(parents=True)
    with open(tmp_path / "logs" / "run" / "events.out.tfevents.1.host", "wb") as f:
        s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=t, simple_value=1.0) for t in tags])
        RecordWriter(f).write(event_pb2.Event(wall_time=1, step=3, summary=s).SerializeToString())
    p = run_tool("tfc-plot", "--logdir", tmp_path / "logs", "--list")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"run ({tmp_path / 'logs' / 'run'}, 1 event)\n")
    rows = [line for line in p.stdout.splitlines() if line.endswith("1 point   step 3")]
    assert len(rows) == len(tags) and len({len(line) for line in rows}) == 1, rows


# ---- bad input: one line, non-zero exit ----

def test_missing_logdir(run_tool, tmp_path):
    line = one_error_line(run_tool("tfc-plot", "--logdir", tmp_path / "nope", "--scalar", "loss"))
    assert "nope" in line


def test_default_logdir_missing(run_tool, tmp_path):
    line = one_error_line(run_tool("tfc-plot", "--scalar", "loss", cwd=tmp_path))
    assert "events" in line


def test_unknown_tag_lists_known(run_tool, torch_logdir):
    line = one_error_line(run_tool("tfc-plot", "--logdir", torch_logdir, "--scalar", "Loss"))
    assert "'Loss'" in line and "acc, loss" in line
    line = one_error_line(run_tool("tfc-plot", "--logdir", torch_logdir, "--histogram", "bias"))
    assert "weights" in line


def test_bad_regex(run_tool, torch_logdir):
    """A pattern that is neither a tag nor a regular expression is a usage error (exit 2), as in
    every tool."""
    line = one_error_line(run_tool("tfc-plot", "--logdir", torch_logdir, "--scalar", "a(b"), code=2)
    assert "a(b" in line


@pytest.mark.parametrize("args", [
    ["--bogus"], ["--scalar"], ["--smoothing", "1"], ["--smoothing", "x"], ["--x", "time"],
    ["--size", "10x"], ["--xlim", "5:1"], ["--dpi", "0"], ["--histogram-mode", "ridge"],
    [],  # nothing to plot
    ["--scalar", "loss", "extra"],
    ["--log-y", "--ylim", "0:10"],  # a log axis cannot reach 0
    ["--log-y", "--ylim", ":-1"],
])
def test_bad_flags_are_usage_errors(run_tool, torch_logdir, args):
    a = args if args in ([],) or args[0] in ("--bogus", "--scalar") else ["--scalar", "loss"] + args
    one_error_line(run_tool("tfc-plot", "--logdir", torch_logdir, *a), code=2)


def test_ylim_one_end_past_the_values(run_tool, torch_logdir, tmp_path):
    """--ylim LO: above every value leaves no range: one line that says so and how to mend it."""
    line = one_error_line(run_tool("tfc-plot", "--logdir", torch_logdir, "--scalar", "loss", "--ylim", "1e9:",
                                   "-o", tmp_path / "x.png"))
    assert "'loss'" in line and "1e+09.." in line and "give both ends" in line
    assert not (tmp_path / "x.png").exists()


def test_help(run_tool):
    p = run_tool("tfc-plot", "--help")
    assert p.returncode == 0 and p.stdout.startswith("Usage: tfc-plot") and "--histogram-mode" in p.stdout


def test_bad_output(run_tool, torch_logdir, tmp_path):
    line = one_error_line(run_tool("tfc-plot", "--logdir", torch_logdir, "--scalar", "loss", "-o", tmp_path / "x.jpg"),
                          code=2)
    assert ".jpg" in line
    line = one_error_line(run_tool("tfc-plot", "--logdir", torch_logdir, "--scalar", "loss", "-o",
                                   tmp_path / "no" / "dir" / "x.png"))
    assert "no/dir/x.png" in line


def test_a_file_that_is_no_event_file(run_tool, tmp_path):
    """A file named as the logdir that is no event file (a checkpoint's index, /dev/null) is one
    line and exit 1 for tfc-plot and tfc-report (it was a warning and an empty run, exit 0); one
    named like an event file, or empty, or starting with a TFRecord whatever its name, is read."""
    (tmp_path / "model.ckpt.index").write_bytes(b"\x00\x00\x06\x08\x01" + bytes(60))
    for path, what in ((tmp_path / "model.ckpt.index", "not an event file"), ("/dev/null", "not a regular file")):
        one_error_line(run_tool("tfc-plot", "--logdir", path, "--list"), f"{path}: {what}")
        one_error_line(run_tool("tfc-report", path, "-o", tmp_path / "r.html"), f"{path}: {what}")
    (tmp_path / "empty.log").write_bytes(b"")
    (tmp_path / "events.out.tfevents.1.cut").write_bytes(b"\x05")
    for name in ("empty.log", "events.out.tfevents.1.cut"):
        p = run_tool("tfc-plot", "--logdir", tmp_path / name, "--list")
        assert p.returncode == 0 and "0 events" in p.stdout, (name, p.stderr)


def test_empty_run(run_tool, tmp_path):
    """An event file holding only its version record: nothing to plot, said plainly."""
    tb = pytest.importorskip("torch.utils.tensorboard")
    w = tb.SummaryWriter(log_dir=str(tmp_path / "empty"))
    w.close()
    line = one_error_line(run_tool("tfc-plot", "--logdir", tmp_path / "empty", "--scalar", "loss"))
    assert "known: none" in line
    p = run_tool("tfc-plot", "--logdir", tmp_path / "empty", "--list")
    assert p.returncode == 0 and "scalars: none" in p.stdout


def test_corrupt_file_warns_and_plots_what_precedes(run_tool, torch_logdir, tmp_path):
    """A damaged record ends the file, as TensorFlow's reader and TensorBoard have it: the points
    before it are plotted, one warning names the damage."""
    d = tmp_path / "corrupt"
    shutil.copytree(torch_logdir / "run_a", d)
    f = next(d.glob("*tfevents*"))
    data = bytearray(f.read_bytes())
    # flip a byte in the payload of the 10th 'loss' record (TFRecord framing: u64 length,
    # u32 CRC, payload, u32 CRC): that record fails its CRC
    offset, seen = 0, 0
    while offset < len(data):
        n = int.from_bytes(data[offset:offset + 8], "little")
        if b"\x0a\x04loss" in data[offset + 12:offset + 12 + n]:
            seen += 1
            if seen == 10:
                data[offset + 12 + n // 2] ^= 0xff
                break
        offset += 16 + n
    assert seen == 10
    f.write_bytes(bytes(data[: len(data) - 7]))  # and a truncated tail
    out = tmp_path / "c.png"
    p = run_tool("tfc-plot", "--logdir", d, "--scalar", "loss", "-o", out, "--csv", tmp_path / "c.csv")
    assert p.returncode == 0, p.stderr
    warnings = p.stderr.splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("tfc-plot: warning: ") and "checksum" in warnings[0]
    assert out.stat().st_size > 1000
    rows = read_csv((tmp_path / "c.csv").read_text())
    assert len(rows) == 9 and [r["step"] for r in rows] == [10 * i for i in range(9)]


# ---- real logdirs from the shared fixtures ----

@pytest.mark.parametrize("sub,args", [
    ("events_tf1", ["--scalar", "loss|cost"]),
    ("events_tf1", ["--histogram", "layer1/weights", "--histogram-mode", "offset"]),
    ("events_tf2", ["--scalar", "epoch_"]),
    ("events_tf2", ["--histogram", "kernel"]),
    ("events_torch", ["--scalar", ".", "--x", "relative"]),
    ("events_torch", ["--histogram", "hist"]),
])
def test_real_fixtures(run_tool, fixtures_dir, tmp_path, sub, args):
    out = tmp_path / "real.svg"
    p = run_tool("tfc-plot", "--logdir", fixtures_dir / sub, *args, "-o", out)
    assert p.returncode == 0, p.stderr
    ET.parse(out)


# ---- our own trainer's logdir ----

def test_tfc_run_logdir(run_tool, mnist_dir, tmp_path):
    """Two short tfc-run trainings of the seed's deep model (Accuracy and Loss every 50 steps,
    histograms in one) plotted side by side."""
    Image = pytest.importorskip("PIL.Image")
    logdir = tmp_path / "events"
    for run, lr, extra in (("lr1e-3", "0.001", ["--histograms"]), ("lr3e-4", "0.0003", [])):
        p = run_tool("tfc-run", "mnist", "--model", "deep", "--steps", "200", "--summary-every", "50",
                     "--lr", lr, "--run", run, "--logdir", logdir, "--data-dir", mnist_dir, "--quiet",
                     *extra)
        assert p.returncode == 0, p.stderr
    p = run_tool("tfc-plot", "--logdir", logdir, "--list")
    assert p.returncode == 0, p.stderr
    assert re.search(r"Accuracy\s+4 points\s+steps 50\.\.200", p.stdout), p.stdout
    assert re.search(r"Loss\s+4 points\s+steps 50\.\.200", p.stdout), p.stdout
    out = tmp_path / "run.png"
    p = run_tool("tfc-plot", "--logdir", logdir, "--scalar", "Accuracy", "--scalar", "Loss", "-o", out,
                 "--csv", tmp_path / "run.csv")
    assert p.returncode == 0, p.stderr
    img = Image.open(out)
    assert img.size == (round(2 * 6.4 * 0.85 * 100), round(4.4 * 0.92 * 100))
    for rgb in TAB10[:2]:
        assert colour_pixels(img, rgb) > 100
    rows = read_csv((tmp_path / "run.csv").read_text())
    assert {r["run"] for r in rows} == {"lr1e-3", "lr3e-4"}
    for run in ("lr1e-3", "lr3e-4"):
        acc = [float(r["value"]) for r in rows if r["run"] == run and r["tag"] == "Accuracy"]
        assert len(acc) == 4 and all(0 <= a <= 1 for a in acc) and acc[-1] > acc[0]
    for mode in ("distribution", "offset"):
        p = run_tool("tfc-plot", "--logdir", logdir, "--histogram", "fc1/weights", "--histogram-mode", mode,
                     "-o", tmp_path / f"h_{mode}.svg")
        assert p.returncode == 0, p.stderr
        ET.parse(tmp_path / f"h_{mode}.svg")
