"""tfc-run at the edges of a run: the summaries up to a checkpoint are on disk when it is saved
(a run killed right after keeps them), a run resumed from a checkpoint writes TensorFlow's restart
marker so that what the stopped run wrote past it is not shown twice (checked with TensorBoard's
EventAccumulator), SIGINT/SIGTERM/SIGHUP stop training, write the summaries out and say where the
newest checkpoint is, and a --logdir of thousands of bytes is used as given."""
import os
import re
import signal
import subprocess
import time

import pytest


def steps_of(events_dump, run_dir, tag="Loss"):
    """The steps of a scalar tag, in file order, as tfc's reader reads the run's event files."""
    d = events_dump(run_dir)
    return [p[0] for (run, t), points in d.scalars.items() if t == tag for p in points]


def start(tfc_run, mnist_dir, logdir, *args):
    return subprocess.Popen([str(tfc_run), "mnist", "--data-dir", str(mnist_dir), "--logdir", str(logdir),
                             "--run", "r", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_summaries_are_on_disk_when_a_checkpoint_is(tfc_run, mnist_dir, logdir, events_dump):
    """Killed (SIGKILL) as soon as the step-20 checkpoint exists: every summary up to step 20 is
    in the event file (they used to wait in a buffer for up to 2 seconds)."""
    p = start(tfc_run, mnist_dir, logdir, "--model", "cnn", "--steps", "400", "--batch-size", "20",
              "--save-every", "20", "--summary-every", "5")
    index = logdir / "r" / "model.ckpt-20.index"
    deadline = time.monotonic() + 120
    while not index.exists() and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    p.kill()
    p.communicate()
    assert index.exists()
    steps = steps_of(events_dump, logdir / "r")
    assert steps[:4] == [5, 10, 15, 20], steps


def test_a_resumed_run_is_not_shown_twice(run_tool, mnist_dir, logdir):
    """A run saved at 100 and 200 went on to 250; resumed from step 200 it trains 210-300 again.
    The restart marker makes TensorBoard (and tfc-plot) show each step once, 10 to 300."""
    from tensorboard.backend.event_processing import event_accumulator
    common = ["mnist", "--data-dir", mnist_dir, "--logdir", logdir, "--model", "softmax", "--summary-every", "10",
              "--seed", "3", "--threads", "1", "--quiet"]
    r = run_tool("tfc-run", *common, "--run", "r", "--steps", "250", "--save-every", "100")
    assert r.returncode == 0, r.stderr
    time.sleep(1.1)  # event files are named by the second they were opened in
    r = run_tool("tfc-run", *common, "--restore=" + str(logdir / "r" / "model.ckpt-200"), "--steps", "300")
    assert r.returncode == 0, r.stderr
    acc = event_accumulator.EventAccumulator(str(logdir / "r"))
    acc.Reload()
    tb = [e.step for e in acc.Scalars("Loss")]
    assert tb == list(range(10, 301, 10)), tb
    p = run_tool("tfc-plot", "--logdir", logdir, "--scalar", "Loss", "--csv", "-")
    assert p.returncode == 0, p.stderr
    ours = [int(line.split(",")[2]) for line in p.stdout.splitlines()[1:]]
    assert ours == tb


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_says_where_the_checkpoint_is(tfc_run, mnist_dir, logdir, events_dump, sig):
    p = start(tfc_run, mnist_dir, logdir, "--model", "mlp", "--steps", "1000000", "--save-every", "200",
              "--summary-every", "10")
    seen = []
    for line in p.stderr:
        seen.append(line)
        if "saved" in line and "model.ckpt-400" in line:
            p.send_signal(sig)
            break
    out, err = p.communicate(timeout=120)
    lines = "".join(seen) + err
    assert p.returncode == -sig, lines
    m = re.search(rf"tfc-run: stopped by {signal.Signals(sig).name} after step (\d+); the newest checkpoint is "
                  rf"(\S+) \(continue with tfc-run mnist --model mlp --restore=(\S+)\)\n$", lines)
    assert m, lines
    step, newest = int(m.group(1)), m.group(2)
    assert re.search(r"model\.ckpt-\d+$", newest) and os.path.exists(newest + ".index")
    assert m.group(3) == str(logdir / "r")
    assert "test accuracy" not in out
    steps = steps_of(events_dump, logdir / "r")
    assert steps and steps[-1] == step - step % 10, (steps[-3:], step)


def test_a_stop_before_any_checkpoint_says_so(tfc_run, mnist_dir, logdir):
    p = start(tfc_run, mnist_dir, logdir, "--model", "mlp", "--steps", "1000000")
    for line in p.stderr:
        if line.startswith("step ") or "model mlp" in line:
            break
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == -signal.SIGINT, err
    assert "stopped by SIGINT after step" in err and "no checkpoint was saved" in err, err


def test_a_long_logdir_is_used_as_given(run_tool, mnist_dir, tmp_path):
    """A --logdir of about 2,300 bytes (a path the system takes) holds the run, nowhere else; one
    too long for a run's files is a usage error."""
    long = tmp_path.joinpath(*[f"{k:02d}" + "d" * 198 for k in range(11)])
    assert len(str(long)) > 2200
    r = run_tool("tfc-run", "mnist", "--data-dir", mnist_dir, "--model", "softmax", "--steps", "20",
                 "--summary-every", "10", "--logdir", long, "--run", "r", "--quiet")
    assert r.returncode == 0, r.stderr
    files = sorted(p.name for p in (long / "r").iterdir())
    assert "model.ckpt-20.index" in files and any("tfevents" in f for f in files), files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["00" + "d" * 198]
    too_long = tmp_path / (("x" * 200 + "/") * 20)
    r = run_tool("tfc-run", "mnist", "--data-dir", mnist_dir, "--logdir", too_long)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "--logdir" in r.stderr, r.stderr
