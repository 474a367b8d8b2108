"""The tools at the edges: every output checked. Results written to a full stdout, pictures, CSV,
.dot and .npy files written to a full device (a twin of /dev/full made with mknod in a temporary
folder, never the real one) or past a file size limit (RLIMIT_FSIZE) fail with one line naming
the file and the cause, exit 1, and leave no partial file; symbolic links and device nodes at an
output path are written through, never replaced or removed; usage errors exit 2 in every tool.
Inputs are read a piece at a time: event files, GraphDefs and checkpoint indexes with a 2 GiB hole
take seconds and megabytes, not the whole file."""
import os
import resource
import signal
import stat
import struct
import subprocess

import pytest
from tensorboard.compat.proto import event_pb2, graph_pb2, summary_pb2
from tensorboard.summary.writer.record_writer import RecordWriter

NO_SPACE = os.strerror(28)  # ENOSPC
TOO_LARGE = os.strerror(27)  # EFBIG

# tfc-ckpt's FORMATS.md §5 example: tensor `w`, float32 [2] = {1, 2} (see test_ckpt_tool.py).
EXAMPLE_INDEX = bytes.fromhex(
    "00 00 06 08 01 1a 02 08 01 00 01 0f 77 08 01 12"
    "04 12 02 08 02 28 08 35 59 3c e5 35 00 00 00 00"
    "01 00 00 00 00 09 21 ad c3 00 00 00 00 01 00 00"
    "00 00 c0 f2 a1 b0 00 01 02 78 00 24 00 00 00 00"
    "01 00 00 00 00 ab 30 70 7f 29 08 36 0e 00 00 00" + " 00" * 32 +
    "00 57 fb 80 8b 24 75 47 db")


@pytest.fixture
def inputs(tmp_path):
    """A logdir with a graph and a scalar, a GraphDef file and a checkpoint."""
    rundir = tmp_path / "logs" / "run"
    rundir.mkdir(parents=True)
    graph = graph_pb2.GraphDef()
    for name, op, inp in (("x", "Placeholder", []), ("w", "Const", []), ("layer/y", "MatMul", ["x", "w"])):
        n = graph.node.add(name=name, op=op)
        n.input.extend(inp)
    with open(rundir / "events.out.tfevents.1.host", "wb") as f:
        w = RecordWriter(f)
        w.write(event_pb2.Event(wall_time=1, file_version="brain.Event:2").SerializeToString())
        w.write(event_pb2.Event(wall_time=1, graph_def=graph.SerializeToString()).SerializeToString())
        for step in range(50):
            s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="loss", simple_value=1.0 / (step + 1))])
            w.write(event_pb2.Event(wall_time=2 + step, step=step, summary=s).SerializeToString())
        # a tag whose CSV (about 150 KB) is larger than any stdio buffer
        for step in range(0, 4000, 100):
            s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="long", simple_value=i / 7)
                                           for i in range(step, step + 100)])
            w.write(event_pb2.Event(wall_time=60, step=step, summary=s).SerializeToString())
    (tmp_path / "graph.pb").write_bytes(graph.SerializeToString())
    ckpt = tmp_path / "model.ckpt-5"
    (tmp_path / "model.ckpt-5.index").write_bytes(EXAMPLE_INDEX)
    (tmp_path / "model.ckpt-5.data-00000-of-00001").write_bytes(struct.pack("<ff", 1, 2))
    return {"logdir": tmp_path / "logs", "pb": tmp_path / "graph.pb", "ckpt": ckpt}


@pytest.fixture
def full(tmp_path):
    """full(name) -> a twin of /dev/full (character device 1,7) at tmp_path/out/name."""
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)

    def make(name):
        p = out / name
        try:
            os.mknod(p, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        except PermissionError:
            pytest.skip("mknod is not permitted here (needs root or CAP_MKNOD)")
        return p
    return make


def is_device(p):
    return stat.S_ISCHR(os.lstat(p).st_mode)


def one_line(r, tool, code, *needles):
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(tool + ": "), r.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])


def run(tool_path, tool, *args, stdout=subprocess.PIPE, fsize=None, cwd=None):
    def limit():
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return subprocess.run([str(tool_path(tool)), *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=120, preexec_fn=limit, cwd=cwd, stdin=subprocess.DEVNULL)


def stdout_cases(i, tmp_path):
    """(tool, args, exit status on lost output) for each command whose result goes to stdout."""
    return [
        ("tfc-ckpt", ["inspect", i["ckpt"]], 1),
        ("tfc-ckpt", ["inspect", i["ckpt"], "--tensor", "w"], 1),
        ("tfc-ckpt", ["inspect", i["ckpt"], "--json"], 1),
        ("tfc-ckpt", ["diff", i["ckpt"], i["ckpt"]], 2),
        ("tfc-ckpt", ["--help"], 1),
        ("tfc-plot", ["--logdir", i["logdir"], "--list"], 1),
        ("tfc-plot", ["--logdir", i["logdir"], "--scalar", "loss", "--csv", "-"], 1),
        ("tfc-plot", ["--logdir", i["logdir"], "--scalar", "long", "--csv", "-"], 1),
        ("tfc-plot", ["--logdir", i["logdir"], "--scalar", "loss", "-o", tmp_path / "l.png"], 1),
        ("tfc-plot", ["--help"], 1),
        ("tfc-graph", [i["logdir"], "--list"], 1),
        ("tfc-graph", [i["pb"], "-o", tmp_path / "g.dot"], 1),
        ("tfc-graph", ["--help"], 1),
        ("tfc-run", ["--help"], 1),
        ("tfc-report", [i["logdir"], "-o", tmp_path / "r.html"], 1),
        ("tfc-report", ["--help"], 1),
    ]


def test_results_to_a_full_stdout_are_a_failure(tool_path, inputs, full, tmp_path):
    """The cause is the failed write's (ENOSPC), also for results larger than stdio's buffer (a
    150 KB CSV). (A last write that fails inside stdio, which keeps only a flag, leaving nothing to
    flush: tests/base/test_out_file.c's test_full_stdout.)"""
    dev = full("stdout")
    sizes = []
    for tool, args, code in stdout_cases(inputs, tmp_path):
        with open(dev, "w") as out:
            r = run(tool_path, tool, *args, stdout=out)
        one_line(r, tool, code, "stdout", NO_SPACE)
        # the same command to a working stdout succeeds and prints something
        r = run(tool_path, tool, *args)
        assert r.returncode == 0 and r.stdout, (tool, args, r.stderr)
        sizes.append(len(r.stdout))
    assert max(sizes) > 128 * 1024 and sorted(sizes)[-2] > 4096, sizes


def test_tfc_run_results_to_a_full_stdout(tool_path, mnist_dir, full):
    with open(full("stdout"), "w") as out:
        r = subprocess.run([str(tool_path("tfc-run")), "mnist", "--model", "softmax", "--steps", "20",
                            "--no-logdir", "--quiet", "--data-dir", str(mnist_dir)],
                           stdout=out, stderr=subprocess.PIPE, text=True, timeout=120)
    one_line(r, "tfc-run", 1, "stdout", NO_SPACE)


def file_cases(i):
    """(tool, args before the output path, the output's extension) for each file a tool writes."""
    return [
        ("tfc-plot", ["--logdir", i["logdir"], "--scalar", "loss", "-o"], ".png"),
        ("tfc-plot", ["--logdir", i["logdir"], "--scalar", "loss", "-o"], ".svg"),
        ("tfc-plot", ["--logdir", i["logdir"], "--scalar", "loss", "-o"], ".pdf"),
        ("tfc-plot", ["--logdir", i["logdir"], "--scalar", "loss", "--csv"], ".csv"),
        ("tfc-graph", [i["pb"], "-o"], ".png"),
        ("tfc-graph", [i["pb"], "-o"], ".svg"),
        ("tfc-graph", [i["pb"], "-o"], ".pdf"),
        ("tfc-graph", [i["pb"], "-o"], ".dot"),
        ("tfc-ckpt", ["dump", i["ckpt"], "--tensor", "w", "-o"], ".npy"),
        ("tfc-report", [i["logdir"], "-o"], ".html"),
    ]


def test_files_on_a_full_device_fail_and_the_device_stays(tool_path, inputs, full):
    for k, (tool, args, ext) in enumerate(file_cases(inputs)):
        dev = full(f"full{k}{ext}")
        link = dev.parent / f"link{k}{ext}"
        link.symlink_to(dev.name)
        for target in (dev, link):
            r = run(tool_path, tool, *args, target)
            one_line(r, tool, 1, str(target), NO_SPACE)
            assert "wrote" not in r.stdout
            assert is_device(dev) and link.is_symlink(), (tool, ext)
        assert not [p for p in os.listdir(dev.parent) if "tempstate" in p]


def test_files_past_a_size_limit_leave_the_old_file(tool_path, inputs, tmp_path):
    """A full disk: the old file is kept whole (no 0-byte CSV, no partial .dot), no temporary is
    left, and a symbolic link to it stays a link."""
    out = tmp_path / "limited"
    out.mkdir()
    for k, (tool, args, ext) in enumerate(file_cases(inputs)):
        old = out / f"old{k}{ext}"
        old.write_bytes(b"old")
        link = out / f"link{k}{ext}"
        link.symlink_to(old.name)
        for target in (old, link):
            r = run(tool_path, tool, *args, target, fsize=100)
            one_line(r, tool, 1, str(target), TOO_LARGE)
            assert old.read_bytes() == b"old" and link.is_symlink(), (tool, ext)
        fresh = out / f"new{k}{ext}"
        one_line(run(tool_path, tool, *args, fresh, fsize=100), tool, 1, TOO_LARGE)
        assert not fresh.exists()
    assert not [p for p in os.listdir(out) if "tempstate" in p]


def test_outputs_through_symbolic_links_keep_the_link(tool_path, inputs, tmp_path):
    for k, (tool, args, ext) in enumerate(file_cases(inputs)):
        real = tmp_path / f"real{k}{ext}"
        real.write_bytes(b"old")
        link = tmp_path / f"link{k}{ext}"
        link.symlink_to(real.name)
        r = run(tool_path, tool, *args, link)
        assert r.returncode == 0, (tool, ext, r.stderr)
        assert link.is_symlink() and os.readlink(link) == real.name
        assert real.stat().st_size > 3, (tool, ext)


@pytest.mark.parametrize("tool,args", [
    ("tfc-run", ["mnist", "--bogus"]),
    ("tfc-run", ["mnist", "--steps", "x"]),
    ("tfc-graph", ["--depth", "0"]),
    ("tfc-graph", ["-o", "x.jpg"]),
    ("tfc-plot", ["--scalar", "loss", "-o", "x.jpg"]),
    ("tfc-plot", ["--scalar", "a(b"]),
    ("tfc-plot", ["--smoothing", "2", "--scalar", "loss"]),
    ("tfc-ckpt", ["inspect", "--bogus"]),
    ("tfc-ckpt", ["dump", "x"]),
    ("tfc-ckpt", ["convert", "x", "dir/"]),
    ("tfc-report", ["--smoothing", "2"]),
    ("tfc-report", ["--bogus"]),
])
def test_usage_errors_exit_2_everywhere(tool_path, inputs, tool, args, tmp_path):
    """(convert's `dir/` is an existing folder: it used to get hidden `.index` and `.data` files.)"""
    if tool == "tfc-plot":
        args = ["--logdir", inputs["logdir"], *args]
    if tool == "tfc-ckpt" and args[0] == "convert":
        args = ["convert", inputs["ckpt"], args[2]]
    (tmp_path / "dir").mkdir()
    one_line(run(tool_path, tool, *args, cwd=tmp_path), tool, 2)
    assert not list((tmp_path / "dir").iterdir())


@pytest.mark.parametrize("tool,args,victim", [
    ("tfc-report", ["LOGDIR", "-o", "EVENTS"], "EVENTS"),
    ("tfc-plot", ["--logdir", "LOGDIR", "--scalar", "loss", "--csv", "EVENTS"], "EVENTS"),
    ("tfc-plot", ["--logdir", "LOGDIR", "--scalar", "loss", "-o", "LOGDIR/run/x.tfevents.png"], None),
    ("tfc-ckpt", ["dump", "CKPT", "--tensor", "w", "-o", "CKPT.index"], "CKPT.index"),
    ("tfc-ckpt", ["dump", "CKPT", "--tensor", "w", "-o", "CKPT.data-00000-of-00001"], "CKPT.data-00000-of-00001"),
])
def test_output_over_an_input_is_refused(tool_path, inputs, tool, args, victim):
    """An output path naming a file the tool reads (an event file, a checkpoint's index or data), or
    that would be read as an event file later, is a usage error, and the input stays whole (the
    page, the CSV or the .npy replaced it)."""
    events, = (inputs["logdir"] / "run").glob("events.out.tfevents.*")

    def real(a):
        return a.replace("LOGDIR", str(inputs["logdir"])).replace("EVENTS", str(events)).replace("CKPT", str(inputs["ckpt"]))
    before = open(real(victim), "rb").read() if victim else None
    one_line(run(tool_path, tool, *map(real, args)), tool, 2)
    if victim:
        assert open(real(victim), "rb").read() == before
    assert not (inputs["logdir"] / "run" / "x.tfevents.png").exists()


def measured(tool_path, tool, *args):
    """Runs a tool under GNU time: (exit status, stdout, stderr, seconds, peak resident KiB). (The
    peak of a child forked from this big Python process would count the parent's pages.)"""
    import tempfile
    with tempfile.NamedTemporaryFile("r") as t:
        p = subprocess.run(["/usr/bin/time", "-q", "-f", "%e %M", "-o", t.name, str(tool_path(tool)),
                            *map(str, args)], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        seconds, kib = t.read().split()
    return p.returncode, p.stdout, p.stderr, float(seconds), int(kib)


def crc32c_of_zeros(n):
    """The CRC32C of n zero bytes without them: the register times x^(8n) modulo the polynomial
    (reflected), as a hole in a sparse file is checked."""
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import crc32c
    poly = 0x82F63B78

    def mul(a, b):
        p = 0
        for i in range(32):
            if a & (1 << (31 - i)):
                p ^= b
            b = (b >> 1) ^ (poly if b & 1 else 0)
        return p
    x, power, k = 1 << 31, 1 << 23, n
    while k:
        if k & 1:
            x = mul(x, power)
        power, k = mul(power, power), k >> 1
    crc = ~mul(x, 0xFFFFFFFF) & 0xFFFFFFFF
    assert n > 1000 or crc == crc32c(b"\0" * n)
    return crc


@pytest.mark.parametrize("giant", ["none", "damaged", "sound"])
def test_a_2_gib_sparse_event_file_is_read_in_bounded_time_and_memory(tool_path, inputs, tmp_path, giant):
    """Valid records, then a 2 GiB hole (a writer that died with the disk full); or in front of the
    hole a record header claiming the rest of the file, its payload checksum wrong (computed over
    the hole without reading it: read, it took 14 s on a loaded machine) or right (2 GiB of zeros
    cannot be an Event, seen at its first byte: it was read whole, 2 GB): the valid prefix is read,
    the damage is one warning naming the offset, within 10 s and 200 MB."""
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
    assert crc32c_of_zeros(1000)
    rundir = tmp_path / "sparse" / "run"
    rundir.mkdir(parents=True)
    src = next((inputs["logdir"] / "run").iterdir())
    path = rundir / src.name
    path.write_bytes(src.read_bytes())
    prefix = path.stat().st_size
    size = 2 << 30
    if giant != "none":
        n = size - prefix - 16
        header = struct.pack("<Q", n)
        with open(path, "ab") as f:
            f.write(header + struct.pack("<I", masked_crc32c(header)))
            if giant == "sound":
                c = crc32c_of_zeros(n)
                f.truncate(size - 4)
                f.seek(size - 4)
                f.write(struct.pack("<I", (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF))
    os.truncate(path, size)
    damage = {"none": "corrupted record: length checksum mismatch",
              "damaged": "corrupted record: payload checksum mismatch",
              "sound": f"record of {size - prefix - 16} bytes is not a valid Event protobuf; skipped"}[giant]
    for tool, args in (("tfc-plot", ["--logdir", tmp_path / "sparse", "--scalar", "loss", "--csv", "-"]),
                       ("tfc-graph", [tmp_path / "sparse", "--list"])):
        code, out, err, seconds, kib = measured(tool_path, tool, *args)
        assert code == 0, (tool, err)
        assert seconds < 10 and kib < 200 * 1024, (tool, seconds, kib)
        if tool == "tfc-plot":
            assert len(out.splitlines()) == 51  # the header and the 50 steps
            assert err.count("\n") == 1 and f"offset {prefix}: {damage}" in err, err
        else:
            assert "layer" in out


def test_sparse_graphs_and_checkpoint_indexes_are_refused_at_once(tool_path, inputs, tmp_path):
    """A GraphDef or a checkpoint index followed by a hole up to 2 GiB, or a GraphDef whose last
    node claims the hole: refused with one line after reading a few bytes, not after reading 2 GiB."""
    pb = tmp_path / "sparse.pb"
    pb.write_bytes(inputs["pb"].read_bytes())
    os.truncate(pb, (2 << 30) - 1)
    code, _, err, seconds, kib = measured(tool_path, "tfc-graph", pb, "-o", tmp_path / "g.png")
    assert code == 1 and err.count("\n") == 1 and "not a valid GraphDef" in err, err
    assert seconds < 10 and kib < 200 * 1024, (seconds, kib)
    # a node claiming the hole: its first byte cannot start a field of a NodeDef (it was read
    # whole: 2 GB and 12 s in tfc-graph, 20 s in the graph import)
    graph = inputs["pb"].read_bytes()
    n = (2 << 30) - 1 - len(graph) - 6
    pb.write_bytes(graph + b"\x0a" + bytes([n & 0x7F | 0x80, n >> 7 & 0x7F | 0x80, n >> 14 & 0x7F | 0x80,
                                              n >> 21 & 0x7F | 0x80, n >> 28]))
    os.truncate(pb, (2 << 30) - 1)
    for tool, args, want in (("tfc-graph", [pb, "-o", tmp_path / "g.png"], "not a valid GraphDef"),
                             ("tfc-ckpt", ["restore", inputs["ckpt"], "--graph", pb, "--input", "x:0", "--labels",
                                           "y:0", "--accuracy", "a:0"], "not a GraphDef")):
        code, _, err, seconds, kib = measured(tool_path, tool, *args)
        assert code == 1 and err.count("\n") == 1 and want in err and f"offset {len(graph) + 6}" in err, err
        assert seconds < 10 and kib < 200 * 1024, (tool, seconds, kib)
    index = tmp_path / "sparse.ckpt.index"
    index.write_bytes(EXAMPLE_INDEX)
    (tmp_path / "sparse.ckpt.data-00000-of-00001").write_bytes(struct.pack("<ff", 1, 2))
    os.truncate(index, 2 << 30)
    code, _, err, seconds, kib = measured(tool_path, "tfc-ckpt", "inspect", tmp_path / "sparse.ckpt")
    assert code == 1 and err.count("\n") == 1 and "bad magic number" in err, err
    assert seconds < 10 and kib < 200 * 1024, (seconds, kib)


def test_100000_tags_are_picked_by_hashing(tool_path, tmp_path):
    """100,000 scalar tags and --scalar '.*': the CSV in seconds (a linear tag list took 104 s);
    a picture of them all is one line naming the limit, not minutes of work."""
    rundir = tmp_path / "many" / "run"
    rundir.mkdir(parents=True)
    n = 100_000
    with open(rundir / "events.out.tfevents.1.host", "wb") as f:
        w = RecordWriter(f)
        w.write(event_pb2.Event(wall_time=1, file_version="brain.Event:2").SerializeToString())
        for k in range(0, n, 100):
            s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=f"t{i:06d}", simple_value=i)
                                           for i in range(k, k + 100)])
            w.write(event_pb2.Event(wall_time=2, step=1, summary=s).SerializeToString())
    import time
    t0 = time.monotonic()
    r = run(tool_path, "tfc-plot", "--logdir", tmp_path / "many", "--scalar", ".*", "--csv", tmp_path / "all.csv")
    seconds = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert seconds < 20, seconds
    lines = (tmp_path / "all.csv").read_text().splitlines()
    assert len(lines) == n + 1 and lines[-1].startswith("run,t099999,1,")
    t0 = time.monotonic()
    r = run(tool_path, "tfc-plot", "--logdir", tmp_path / "many", "--scalar", "t0.*", "-o", tmp_path / "all.png")
    one_line(r, "tfc-plot", 1, "100000 panels", "limit of 20000")
    assert time.monotonic() - t0 < 20


def hostile_logdir(tmp_path):
    """A run whose tag and op names hold terminal escapes, a bell, DEL, a C1 control, a quote after a
    backslash and a trailing backslash."""
    rundir = tmp_path / "hostile" / "run"
    rundir.mkdir(parents=True)
    names = ["clear\x1b[2J\x1b]0;title\x07", "del\x7fc1\u0085", 'quote\\"q', "trailing\\"]
    graph = graph_pb2.GraphDef()
    for i, name in enumerate(names):
        graph.node.add(name=f"{name}/c{i}", op="Const")
    graph.node.add(name="sum", op="AddN").input.extend(f"{name}/c{i}" for i, name in enumerate(names))
    with open(rundir / "events.out.tfevents.1.host", "wb") as f:
        w = RecordWriter(f)
        w.write(event_pb2.Event(wall_time=1, file_version="brain.Event:2").SerializeToString())
        w.write(event_pb2.Event(wall_time=1, graph_def=graph.SerializeToString()).SerializeToString())
        s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=n, simple_value=1.0) for n in names])
        w.write(event_pb2.Event(wall_time=2, step=1, summary=s).SerializeToString())
    return tmp_path / "hostile"


def on_a_terminal(cmd):
    """Runs cmd with stdout and stderr on a pseudo-terminal: (exit status, bytes shown)."""
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen([str(c) for c in cmd], stdout=slave, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return p.wait(timeout=60), shown


def test_control_characters_never_reach_a_terminal_raw(tool_path, tmp_path):
    logdir = hostile_logdir(tmp_path)
    for tool, args in (("tfc-plot", ["--logdir", logdir, "--list"]),
                       ("tfc-graph", [logdir, "--list", "--depth", "2"]),
                       ("tfc-plot", ["--logdir", logdir, "--scalar", "nope"])):
        code, shown = on_a_terminal([tool_path(tool), *args])
        raw = subprocess.run([str(tool_path(tool)), *map(str, args)], capture_output=True)
        assert code == raw.returncode, (tool, args)
        for c in (b"\x1b", b"\x07", b"\x7f", "\u0085".encode()):
            assert c not in shown, (tool, args, c, shown)
        assert b"\\x1b[2J" in shown, shown
        # into a pipe, the bytes are the names' own, for scripts
        assert b"\x1b[2J" in raw.stdout + raw.stderr


def test_hostile_names_make_valid_svg_and_dot(tool_path, tmp_path):
    import xml.etree.ElementTree as ET
    logdir = hostile_logdir(tmp_path)
    svg, dot = tmp_path / "g.svg", tmp_path / "g.dot"
    for out in (svg, dot):
        r = run(tool_path, "tfc-graph", logdir, "--depth", "all", "-o", out)
        assert r.returncode == 0, r.stderr
    root = ET.parse(svg).getroot()
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any("clear\\\\x1b[2J" in t for t in titles), titles
    # Graphviz reads the .dot back, every node with its name, whatever quotes and backslashes it holds
    p = subprocess.run(["dot", "-Tcanon", str(dot)], capture_output=True, text=True)
    assert p.returncode == 0 and not p.stderr, p.stderr
    assert p.stdout.count("tfc_name=") == 5
    assert 'tfc_name="quote\\\\\\"q/c2"' in p.stdout and 'tfc_name="trailing\\\\/c3"' in p.stdout
