"""Data-parallel training under Open MPI (`mpirun -np N tfc-run ...`), on loopback.

The ranks together must compute what one process computes with their batches put together; a rank
that fails or builds another graph must end the job at once with a line naming it; rank 0 alone
writes files. TensorFlow's checkpoint reader compares the weights.
"""
import os
import re
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest

MPIRUN = shutil.which("mpirun")
pytestmark = pytest.mark.skipif(MPIRUN is None, reason="Open MPI's mpirun is not installed (scripts/setup.sh installs it)")

# As root on loopback in a container, Open MPI wants these (see README).
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_btl_vader_single_copy_mechanism": "none"}


def env():
    e = dict(os.environ)
    e.update(MPI_ENV)
    return e


def mpirun(tfc_run, ranks, *args, timeout=300, apps=None):
    """mpirun -np RANKS tfc-run ARGS; apps: a list of argument lists, one rank each (MPMD)."""
    cmd = [MPIRUN, "--oversubscribe"]
    if apps:
        for i, a in enumerate(apps):
            cmd += ([":"] if i else []) + ["-np", "1", str(tfc_run), *map(str, a)]
    else:
        cmd += ["-np", str(ranks), str(tfc_run), *map(str, args)]
    return subprocess.run(cmd, env=env(), capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def weights(prefix):
    import tensorflow as tf
    r = tf.train.load_checkpoint(str(prefix))
    return {name: r.get_tensor(name) for name in r.get_variable_to_shape_map()}


def assert_same_weights(a, b, rel=1e-5):
    assert a.keys() == b.keys()
    for name in a:
        x, y = np.asarray(a[name]), np.asarray(b[name])
        if x.dtype.kind != "f":
            assert np.array_equal(x, y), name
            continue
        scale = max(float(np.max(np.abs(x))), 1e-30)
        d = float(np.max(np.abs(x - y))) / scale if x.size else 0.0
        assert d <= rel, f"{name}: differs by {d:.3g} relative"


COMMON = ["--threads", "1", "--keep-prob", "1", "--summary-every", "0", "--quiet"]


@pytest.mark.parametrize("model", ["mlp", "deep"])
def test_two_ranks_of_50_equal_one_process_of_100(tfc_run, run_tool, mnist_dir, logdir, model):
    one = run_tool("tfc-run", "mnist", "--model", model, "--steps", 100, "--batch-size", 100, *COMMON,
                   "--data-dir", mnist_dir, "--logdir", logdir, "--run", "one")
    assert one.returncode == 0, one.stderr
    two = mpirun(tfc_run, 2, "mnist", "--model", model, "--steps", 100, "--batch-size", 50, *COMMON,
                 "--data-dir", mnist_dir, "--logdir", logdir, "--run", "two")
    assert two.returncode == 0, two.stderr + two.stdout
    a, b = weights(logdir / "one" / "model.ckpt-100"), weights(logdir / "two" / "model.ckpt-100")
    assert_same_weights(a, b)
    # a different order of the data would not match: the check can fail
    other = run_tool("tfc-run", "mnist", "--model", model, "--steps", 100, "--batch-size", 100, *COMMON,
                     "--seed", 1, "--data-dir", mnist_dir, "--logdir", logdir, "--run", "other")
    assert other.returncode == 0, other.stderr
    with pytest.raises(AssertionError):
        assert_same_weights(a, weights(logdir / "other" / "model.ckpt-100"))


def test_three_ranks_equal_one_process(tfc_run, run_tool, mnist_dir, logdir):
    one = run_tool("tfc-run", "mnist", "--steps", 40, "--batch-size", 60, *COMMON,
                   "--data-dir", mnist_dir, "--logdir", logdir, "--run", "one")
    assert one.returncode == 0, one.stderr
    three = mpirun(tfc_run, 3, "mnist", "--steps", 40, "--batch-size", 20, *COMMON,
                   "--data-dir", mnist_dir, "--logdir", logdir, "--run", "three")
    assert three.returncode == 0, three.stderr + three.stdout
    assert_same_weights(weights(logdir / "one" / "model.ckpt-40"), weights(logdir / "three" / "model.ckpt-40"))


def test_rank_zero_alone_writes_and_the_allreduce_is_in_the_graph(tfc_run, mnist_dir, logdir, events_dump):
    p = mpirun(tfc_run, 2, "mnist", "--model", "deep", "--steps", 20, "--threads", "1", "--summary-every", 10,
               "--profile", "--data-dir", mnist_dir, "--logdir", logdir, "--run", "r")
    assert p.returncode == 0, p.stderr + p.stdout
    files = sorted(f.name for f in (logdir / "r").iterdir())
    assert len([f for f in files if "tfevents" in f]) == 1, files  # one writer
    assert sorted(d.name for d in logdir.iterdir()) == ["r"]
    assert len(re.findall(r"^test accuracy", p.stdout, re.M)) == 1  # one report
    assert re.search(r"^train: 20 steps, 4000 examples", p.stdout, re.M), p.stdout  # 2 x 100 per step
    nodes = events_dump(logdir / "r").nodes["."]
    buckets = [n for n in nodes if n[1] == "GroupedAllreduce"]
    assert buckets and all(n[0].startswith("train/allreduce/bucket") for n in buckets), buckets
    # every gradient of the four weights and biases is averaged before its update
    updates = [n for n in nodes if n[1] == "ApplyAdam"]
    assert len(updates) == 6
    assert all(any(i.split(":")[0] in {b[0] for b in buckets} for i in n[2]) for n in updates)
    assert re.search(r"GroupedAllreduce \(\d+ nodes?\)", p.stdout), p.stdout  # in --profile


def test_two_ranks_train_the_mlp_to_its_seed_accuracy(tfc_run, mnist_dir):
    p = mpirun(tfc_run, 2, "mnist", "--threads", "1", "--no-logdir", "--quiet", "--data-dir", mnist_dir, timeout=900)
    assert p.returncode == 0, p.stderr + p.stdout
    acc = float(re.search(r"test accuracy: ([0-9.]+)", p.stdout).group(1))
    assert acc >= 0.975, p.stdout


def test_restore_continues_all_ranks_from_rank_zeros_checkpoint(tfc_run, mnist_dir, logdir):
    args = ["mnist", "--model", "deep", "--threads", "1", "--summary-every", "0", "--quiet", "--data-dir", mnist_dir]
    whole = mpirun(tfc_run, 2, *args, "--steps", 40, "--logdir", logdir, "--run", "whole")
    assert whole.returncode == 0, whole.stderr
    half = mpirun(tfc_run, 2, *args, "--steps", 20, "--logdir", logdir, "--run", "part")
    assert half.returncode == 0, half.stderr
    more = mpirun(tfc_run, 2, *args, "--steps", 40, "--logdir", logdir, f"--restore={logdir / 'part'}")
    assert more.returncode == 0, more.stderr
    # dropout on: the masks too are keyed by step and rank, so the resumed run is the same run
    assert_same_weights(weights(logdir / "whole" / "model.ckpt-40"), weights(logdir / "part" / "model.ckpt-40"), rel=0)


def test_mismatched_graphs_are_refused_before_the_first_step(tfc_run, mnist_dir):
    common = ["mnist", "--no-logdir", "--steps", "5", "--data-dir", str(mnist_dir)]
    t0 = time.monotonic()
    p = mpirun(tfc_run, 2, apps=[common + ["--model", "mlp"], common + ["--model", "softmax"]], timeout=120)
    assert p.returncode != 0
    assert "the ranks built different graphs: at node" in p.stderr, p.stderr
    assert "rank 1 has" in p.stderr
    assert "train:" not in p.stdout
    assert time.monotonic() - t0 < 60


def test_a_rank_that_fails_to_start_ends_the_job_naming_it(tfc_run, mnist_dir, tmp_path):
    good = ["mnist", "--no-logdir", "--steps", "5", "--data-dir", str(mnist_dir)]
    bad = ["mnist", "--no-logdir", "--steps", "5", "--data-dir", str(tmp_path / "nothing")]
    p = mpirun(tfc_run, 2, apps=[good, bad], timeout=120)
    assert p.returncode != 0
    lines = [l for l in p.stderr.splitlines() if l.startswith("tfc-run:")]
    assert len(lines) == 1 and lines[0].startswith("tfc-run: rank 1: MNIST data not found"), p.stderr


def rank_pids(tag):
    pids = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
            environ = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
        except OSError:
            continue
        if tag.encode() not in cmd or not cmd[0].endswith(b"tfc-run"):
            continue
        for kv in environ:
            if kv.startswith(b"OMPI_COMM_WORLD_RANK="):
                pids[int(kv.split(b"=")[1])] = int(pid)
    return pids


def test_kill_of_one_rank_ends_the_job_and_the_checkpoint_stays(tfc_run, run_tool, mnist_dir, logdir):
    run = "killed-" + str(os.getpid())
    cmd = [MPIRUN, "-np", "2", str(tfc_run), "mnist", "--threads", "1", "--steps", "1000000", "--save-every", "20",
           "--data-dir", str(mnist_dir), "--logdir", str(logdir), "--run", run]
    p = subprocess.Popen(cmd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while not (logdir / run / "checkpoint").exists():
            assert p.poll() is None, p.communicate()
            assert time.monotonic() < deadline, "no checkpoint was written"
            time.sleep(0.2)
        pids = rank_pids(run)
        assert set(pids) == {0, 1}, pids
        os.kill(pids[1], signal.SIGKILL)
        t0 = time.monotonic()
        out, err = p.communicate(timeout=60)
        took = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert took < 10, f"the job took {took:.1f} s to end"
    assert p.returncode != 0
    assert re.search(r"rank 1\b.*(signal 9|Killed)", err, re.S), err
    # the newest checkpoint loads, and training goes on from it
    more = run_tool("tfc-run", "mnist", "--threads", 1, "--data-dir", mnist_dir, "--quiet", "--summary-every", 0,
                    "--steps", 10 + int(open(logdir / run / "checkpoint").read().split('"')[1].rsplit("-", 1)[1]),
                    f"--restore={logdir / run}")
    assert more.returncode == 0, more.stderr


@pytest.mark.parametrize("ranks", [2, 3])
def test_cluster_example_prints_the_seeds_value(build_dir, ranks):
    exe = build_dir / "examples" / "cluster"
    p = subprocess.run([MPIRUN, "--oversubscribe", "-np", str(ranks), str(exe)], env=env(), capture_output=True,
                       text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    assert p.stdout == f"c = 55 (b + a computed on task 1 of {ranks})\n"


def test_cluster_example_alone_says_how_to_start_it(build_dir):
    p = subprocess.run([str(build_dir / "examples" / "cluster")], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "mpirun -np 2" in p.stderr
