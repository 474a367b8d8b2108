"""tfc-graph's benchmark on real TensorFlow training graphs of 1,000 to 20,000 nodes (Keras
applications built in tf.compat.v1 by keras_graphs.py, cached in $TFC_BUILD_DIR/bench-graphs):
each drawn to PNG at the default view, --depth 2 and --depth all, timed, with the peak memory of
tfc-graph and its Graphviz child together.

    .venv/bin/python bench/graphs/run.py [MODEL...] [--repeat N] [--time-limit S] [--out DIR]

Prints, per graph, its GraphDef nodes and the ops drawn from them (function bodies inlined), then
per view the nodes and edges drawn, the medians over the repeats (default 3) of wall seconds, CPU
seconds and peak resident MB, the 1-minute load average (as uptime gives it) when the view's runs
ended, and what was simplified. On a shared machine, compare CPU seconds."""
import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

MEASURE = r"""
import json, resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr, "wall": time.monotonic() - t,
                  "cpu": u.ru_utime + u.ru_stime, "maxrss_kb": u.ru_maxrss}))
"""


def measure(cmd):
    p = subprocess.run([sys.executable, "-c", MEASURE, *map(str, cmd)], capture_output=True, text=True)
    if p.returncode:
        sys.exit(f"bench: measuring {cmd[0]} failed: {p.stderr}")
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--time-limit", default="600")
    ap.add_argument("--out", help="keep the pictures here (default: a folder in the build directory)")
    a = ap.parse_args()
    build = Path(os.environ.get("TFC_BUILD_DIR", "build"))
    if not build.is_absolute():
        build = REPO / build
    tool = build / "tools" / "tfc-graph"
    if not os.access(tool, os.X_OK):
        sys.exit(f"bench: {tool} is not built")
    cache = build / "bench-graphs"
    out = Path(a.out) if a.out else cache / "pictures"
    out.mkdir(parents=True, exist_ok=True)
    made = subprocess.run([sys.executable, HERE / "keras_graphs.py", cache, *a.models], capture_output=True,
                          text=True)
    if made.returncode:
        sys.exit(f"bench: building the graphs failed:\n{made.stderr[-2000:]}")
    print(f"tfc-graph on Keras applications' training graphs (1-minute load {os.getloadavg()[0]:.1f}, "
          f"{os.cpu_count()} CPUs)")
    print(f"{'graph':<14} {'nodes':>6} {'ops':>6}  {'view':<11} {'drawn':>12}  {'wall s':>7} {'CPU s':>6} "
          f"{'peak MB':>7} {'load':>5}  simplified")
    for line in made.stdout.split("\n"):
        if not line.strip():
            continue
        name, nodes = line.split()
        pb = cache / f"{name}.pb"
        listing = subprocess.run([tool, pb, "--list"], capture_output=True, text=True)
        ops = listing.stdout.split()[0] if listing.returncode == 0 else "?"
        for view, flags in (("default", []), ("--depth 2", ["--depth", "2"]), ("--depth all", ["--depth", "all"])):
            png = out / f"{name}-{view.replace('--depth ', 'depth-').replace(' ', '')}.png"
            runs = [measure([tool, pb, *flags, "--time-limit", a.time_limit, "-o", png]) for _ in range(a.repeat)]
            load = os.getloadavg()[0]
            last = runs[-1]
            if any(r["rc"] for r in runs):
                failed = next(r for r in runs if r["rc"])
                drawn, simplified = "failed", failed["stderr"].strip().removeprefix("tfc-graph: ")
            else:
                first = last["stdout"].split(": ", 1)[1]
                drawn = "{}n {}e".format(*first.split()[0:4:3])
                note = [l for l in last["stderr"].splitlines() if "note: simplified" in l]
                simplified = note[0].split("): ", 1)[1] if note else "-"
            med = {k: statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "maxrss_kb")}
            print(f"{name:<14} {nodes:>6} {ops:>6}  {view:<11} {drawn:>12}  {med['wall']:7.1f} {med['cpu']:6.1f} "
                  f"{med['maxrss_kb'] / 1024:7.0f} {load:5.1f}  {simplified}", flush=True)
    print(f"pictures in {out}; 1-minute load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
