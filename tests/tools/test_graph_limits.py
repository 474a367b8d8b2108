"""tfc-graph on the graphs that broke it (issue 21): generated 40,000-op flat chains, a 200,000-op
star, one node with 100,000 inputs, a dense 2,000 x 40 graph and a scope nested 10,000 levels
deep each end well within 60 s with a picture or one line on stderr, in less than 1 GB at peak
(tfc-graph and its Graphviz child together); Graphviz crashing on a view too big for it, or
taking longer than --time-limit, is one line and no file. The graphs come from
bench/graphs/synthetic_graphs.py."""
import json
import subprocess
import sys
import time

import pytest

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2] / "bench" / "graphs"))
import synthetic_graphs  # noqa: E402

GB = 1 << 20  # ru_maxrss is in KiB

# Runs a command and prints its exit status, stderr, wall time and the peak resident size of it and
# its descendants (ru_maxrss of the waited-for children), as JSON.
MEASURE = r"""
import json, resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=300)
print(json.dumps({"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr, "secs": time.monotonic() - t,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def graph(tmp_path, spec, names="series"):
    kind, *nums = spec.split(":")
    nums = [int(x) for x in nums] + synthetic_graphs.DEFAULTS[kind][len(nums):]
    path = tmp_path / f"{kind}-{names}.pb"
    path.write_bytes(synthetic_graphs.build(kind, nums, names).SerializeToString())
    return path


def measure(tfc_graph, *args):
    p = subprocess.run([sys.executable, "-c", MEASURE, str(tfc_graph), *map(str, args)], capture_output=True,
                       text=True, timeout=400)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def drawn(r, out):
    assert r["rc"] == 0, r["stderr"]
    assert out.stat().st_size > 1000
    assert r["secs"] < 60, r["secs"]
    assert r["maxrss_kb"] < GB, r["maxrss_kb"]
    return r["stderr"]


@pytest.mark.parametrize("spec,series", [("chain:40000", "op_[1-39999]"), ("star:200000", "leaf_[1-199999]"),
                                         ("fanin:100000", "term_[1-99999]")])
def test_flat_views_draw_as_series(tfc_graph, tmp_path, spec, series):
    out = tmp_path / "g.png"
    err = drawn(measure(tfc_graph, graph(tmp_path, spec), "-o", out), out)
    assert err.startswith("tfc-graph: note: simplified") and f"drawn as 1 series ({series})" in err
    assert len(err.splitlines()) == 1


def test_flat_view_without_names_alike_is_one_line(tfc_graph, tmp_path):
    out = tmp_path / "g.png"
    r = measure(tfc_graph, graph(tmp_path, "chain:40000", "random"), "-o", out)
    assert r["rc"] == 1 and r["stdout"] == "" and r["secs"] < 60 and r["maxrss_kb"] < GB
    lines = r["stderr"].splitlines()
    assert len(lines) == 1 and "40000 nodes" in lines[0] and "--max-nodes" in lines[0], lines
    assert not out.exists()


def test_dense_graph_leaves_long_edges_out(tfc_graph, tmp_path):
    out = tmp_path / "g.svg"
    err = drawn(measure(tfc_graph, graph(tmp_path, "dense:2000:40"), "-o", out), out)
    assert "edges crossing" in err and "left out" in err


def test_deep_scope(tfc_graph, tmp_path):
    """A 20 MB GraphDef whose ops sit 10,000 scopes deep: listing and drawing it fully open take
    memory in proportion to the file (not to depth times name length)."""
    pb = graph(tmp_path, "deep:10000:10")
    r = measure(tfc_graph, pb, "--list")
    assert r["rc"] == 0 and r["stdout"].startswith("1000 ops in 10000 name scopes"), r["stderr"]
    assert r["maxrss_kb"] < GB / 4, r["maxrss_kb"]
    out = tmp_path / "deep.png"
    err = drawn(measure(tfc_graph, pb, "--depth", "all", "-o", out), out)
    assert "scopes deeper than 32 levels drawn without their boxes" in err


def test_graphviz_crash_or_timeout_is_one_line(tfc_graph, tmp_path):
    """40,000 ops in a row handed to Graphviz whole: it runs out of memory in its child (a crash
    there, before) or out of time; either way one line, exit 1, no file."""
    out = tmp_path / "g.png"
    r = measure(tfc_graph, graph(tmp_path, "chain:40000", "random"), "--no-simplify", "--max-nodes", "100000",
                "--time-limit", "25", "-o", out)
    assert r["rc"] == 1 and r["stdout"] == "" and r["maxrss_kb"] < GB, r
    lines = r["stderr"].splitlines()
    assert len(lines) == 1 and lines[0].startswith("tfc-graph: "), lines
    assert ("Graphviz failed on" in lines[0] and "killed by signal" in lines[0]) or "took longer than 25 s" in lines[0]
    assert "40000 nodes" in lines[0]
    assert not out.exists() and not list(tmp_path.glob("g.png*"))


def test_time_limit(tfc_graph, tmp_path):
    out = tmp_path / "g.pdf"
    t = time.monotonic()
    r = subprocess.run([str(tfc_graph), graph(tmp_path, "chain:3000", "random"), "--no-simplify", "--time-limit",
                        "0.05", "-o", out], capture_output=True, text=True, timeout=60)
    assert time.monotonic() - t < 20
    assert r.returncode == 1 and r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and "took longer than 0.05 s" in lines[0] and "--time-limit" in lines[0], lines
    assert not out.exists()


@pytest.mark.parametrize("flag,value", [("--time-limit", "0"), ("--time-limit", "x"), ("--max-nodes", "0")])
def test_bad_limits_are_usage_errors(tfc_graph, tmp_path, flag, value):
    r = subprocess.run([str(tfc_graph), tmp_path, flag, value], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and flag in r.stderr and len(r.stderr.splitlines()) == 1
