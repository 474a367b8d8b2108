"""bench/run and its peers: each peer trains the seed network it claims to (the loss falls), and one
bench/run prints examples/s for tfc, TensorFlow and PyTorch and the two ratios that follow from them;
bench/run overhead prints each one's time per run of the seeds' first graph. Short runs only: these
check the harness, not the speed.
"""
import os
import re
import subprocess
import sys

import pytest

TRAIN_LINE = re.compile(r"^train: (\d+) steps, (\d+) examples in ([0-9.]+) s, ([0-9.]+) examples/s$")


def run(cmd, cwd, timeout=300, **env):
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **env}, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("peer", ["tf", "torch"])
def test_peer_mlp_learns_and_reports(peer, repo_root, mnist_dir):
    r = run([sys.executable, repo_root / "bench" / "peers" / f"{peer}_mnist.py", "--model", "mlp",
             "--steps", "60", "--warmup", "0", "--threads", "1", "--data-dir", mnist_dir], repo_root)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    m = TRAIN_LINE.match(lines[-1])
    assert m, lines
    steps, examples, secs, rate = int(m[1]), int(m[2]), float(m[3]), float(m[4])
    assert (steps, examples) == (60, 6000)
    assert rate == pytest.approx(examples / secs, rel=0.01)
    first, last = map(float, re.match(r"^loss: ([0-9.]+) -> ([0-9.]+)$", lines[-2]).groups())
    # The seed's clipped cross entropy starts near 10 * -log(0.9) + -log(0.1) = 3.3 with a near
    # uniform softmax; GD 0.5 takes it near 1 within 60 steps of 100 (about 0.45 after 200).
    assert 2.5 < first < 4.0
    assert last < first / 2


@pytest.mark.parametrize("peer", ["tf", "torch"])
def test_peer_cnn_runs(peer, repo_root, mnist_dir):
    r = run([sys.executable, repo_root / "bench" / "peers" / f"{peer}_mnist.py", "--model", "cnn",
             "--steps", "2", "--warmup", "1", "--data-dir", mnist_dir], repo_root)
    assert r.returncode == 0, r.stderr
    m = TRAIN_LINE.match(r.stdout.strip().splitlines()[-1])
    assert m and (int(m[1]), int(m[2])) == (2, 100), r.stdout


def test_peer_rejects_bad_flags(repo_root):
    r = run([sys.executable, repo_root / "bench" / "peers" / "torch_mnist.py", "--steps", "0"], repo_root)
    assert r.returncode == 2 and "--steps" in r.stderr


def test_bench_run_prints_three_rates_and_ratios(repo_root, build_dir, tfc_run, mnist_dir):
    r = run([repo_root / "bench" / "run", "mlp", "--steps", "40", "--warmup", "2", "--threads", "1",
             "--data-dir", mnist_dir], repo_root, TFC_BUILD_DIR=str(build_dir))
    assert r.returncode == 0, r.stdout + r.stderr
    rates = dict(re.findall(r"^  (tfc|TensorFlow|PyTorch) +([0-9.]+) examples/s", r.stdout, re.M))
    assert set(rates) == {"tfc", "TensorFlow", "PyTorch"}, r.stdout
    ratios = dict(re.findall(r"^  tfc/(TensorFlow|PyTorch) +([0-9.]+)x$", r.stdout, re.M))
    for peer in ("TensorFlow", "PyTorch"):
        assert float(ratios[peer]) == pytest.approx(float(rates["tfc"]) / float(rates[peer]), rel=0.01)


def test_bench_run_rejects_unknown_model(repo_root):
    r = run([repo_root / "bench" / "run", "resnet"], repo_root)
    assert r.returncode == 2 and "resnet" in r.stderr


def test_bench_run_overhead(repo_root, build_dir):
    """The per-run overhead of a = (b + c) * (c + 2): microseconds per run for each, and the ratios as
    how many times faster tfc is (the peer's time over tfc's)."""
    r = run([repo_root / "bench" / "run", "overhead"], repo_root, TFC_BUILD_DIR=str(build_dir))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("bench overhead: 1 threads,"), r.stdout
    times = dict(re.findall(r"^  (tfc|TensorFlow|PyTorch) +([0-9.]+) us per run", r.stdout, re.M))
    assert set(times) == {"tfc", "TensorFlow", "PyTorch"}, r.stdout
    assert all(float(t) > 0 for t in times.values())
    ratios = dict(re.findall(r"^  tfc/(TensorFlow|PyTorch) +([0-9.]+)x$", r.stdout, re.M))
    for peer in ("TensorFlow", "PyTorch"):
        assert float(ratios[peer]) == pytest.approx(float(times[peer]) / float(times["tfc"]), rel=0.01)
