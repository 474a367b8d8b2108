"""Shared pytest fixtures for tfc's Python tests (tests/tools/, tests/interop/).

The build directory comes from $TFC_BUILD_DIR (relative paths are taken from the repository root;
default <repo>/build) and the tools from <build>/tools/tfc-*. A missing build or tool is an error,
not a skip: a test that needs it cannot pass without it. Data that may legitimately be absent (the
shared real-world fixtures, the MNIST files) makes the tests that need it skip instead.

Fixtures:
  repo_root      Path of the repository root.
  build_dir      Path of the meson build directory.
  tool_path      tool_path("tfc-run") -> Path of a built tool.
  tfc_run, tfc_graph, tfc_plot, tfc_ckpt   Paths of the four tools.
  run_tool       run_tool("tfc-run", "mnist", "--help", timeout=60, cwd=None, env=None)
                 -> subprocess.CompletedProcess with text stdout/stderr (never raises on exit status).
  fixtures_dir   Path of <repo>/../shared/fixtures/real (skips when absent).
  mnist_dir      Path of a folder with the four MNIST IDX files, plain or .gz, looked for like
                 tfc does: $TFC_DATA_DIR, ./MNIST_data, <repo>/MNIST_data, the user cache dir
                 (${XDG_CACHE_HOME:-~/.cache}/tfc/mnist); skips when none has them.
  logdir         Path of an empty, existing temporary folder for event files and checkpoints.
  events_dump    events_dump(path) -> what tfc's event reader reads from a logdir or event file
                 (through <build>/tests/summary/tfc-events-dump), as an EventsDump.
"""
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TOOLS = ("tfc-run", "tfc-graph", "tfc-plot", "tfc-ckpt", "tfc-report")
MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

# TensorFlow's C++ start-up chatter buries pytest's output; errors still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def repo_root():
    return REPO


@pytest.fixture(scope="session")
def build_dir():
    d = Path(os.environ.get("TFC_BUILD_DIR", "build"))
    if not d.is_absolute():
        d = REPO / d
    if not (d / "build.ninja").is_file():
        pytest.fail(f"no meson build in {d}: run 'bash scripts/setup.sh' or set TFC_BUILD_DIR")
    return d


@pytest.fixture(scope="session")
def tool_path(build_dir):
    def find(name):
        if name not in TOOLS:
            raise ValueError(f"unknown tool {name!r}; tools are {', '.join(TOOLS)}")
        path = build_dir / "tools" / name
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is not built: run 'ninja -C {build_dir}'")
        return path
    return find


@pytest.fixture(scope="session")
def tfc_run(tool_path):
    return tool_path("tfc-run")


@pytest.fixture(scope="session")
def tfc_graph(tool_path):
    return tool_path("tfc-graph")


@pytest.fixture(scope="session")
def tfc_plot(tool_path):
    return tool_path("tfc-plot")


@pytest.fixture(scope="session")
def tfc_ckpt(tool_path):
    return tool_path("tfc-ckpt")


@pytest.fixture(scope="session")
def run_tool(tool_path):
    def run(name, *args, timeout=300, cwd=None, env=None):
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        return subprocess.run([str(tool_path(name)), *map(str, args)], cwd=cwd, env=full_env,
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return run


@pytest.fixture(scope="session")
def fixtures_dir():
    d = REPO.parent / "shared" / "fixtures" / "real"
    if not d.is_dir():
        pytest.skip(f"real-world fixtures not present ({d})")
    return d


def _has_mnist(d):
    return all((d / f).is_file() or (d / (f + ".gz")).is_file() for f in MNIST_FILES)


@pytest.fixture(scope="session")
def mnist_dir():
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tfc" / "mnist"
    candidates = [Path(p) for p in [os.environ.get("TFC_DATA_DIR")] if p]
    candidates += [Path.cwd() / "MNIST_data", REPO / "MNIST_data", cache]
    for d in candidates:
        if _has_mnist(d):
            return d
    pytest.skip("MNIST data not found (bash scripts/setup.sh puts it in " + str(cache) + ")")


@pytest.fixture
def logdir(tmp_path):
    d = tmp_path / "events"
    d.mkdir()
    return d


class EventsDump:
    """tfc-events-dump's output, parsed: runs {name: (nevents, graph_bytes)}, scalars
    {(run, tag): [(step, wall_time, value)]}, histograms {(run, tag): [dict]}, images
    {(run, tag): [(step, wall_time, [(width, height, colorspace, bytes)])]}, nodes
    {run: [(name, op, [inputs], device)]}, warnings [str]."""

    def __init__(self, text):
        self.runs, self.scalars, self.histograms, self.nodes, self.warnings = {}, {}, {}, {}, []
        self.images = {}
        for line in text.splitlines():
            kind, *f = line.split("\t")
            if kind == "run":
                self.runs[f[0]] = (int(f[1]), int(f[2]))
            elif kind == "scalar":
                self.scalars.setdefault((f[0], f[1]), []).append((int(f[2]), float(f[3]), float(f[4])))
            elif kind == "histo":
                nums = [float(x) for x in f[4:9]]
                self.histograms.setdefault((f[0], f[1]), []).append(dict(
                    step=int(f[2]), wall_time=float(f[3]), min=nums[0], max=nums[1], num=nums[2],
                    sum=nums[3], sum_squares=nums[4],
                    limits=[float(x) for x in f[9].split(",") if x],
                    counts=[float(x) for x in f[10].split(",") if x]))
            elif kind == "image":
                points = self.images.setdefault((f[0], f[1]), [])
                if int(f[4]) == 0:
                    points.append((int(f[2]), float(f[3]), []))
                points[-1][2].append((int(f[5]), int(f[6]), int(f[7]), bytes.fromhex(f[8])))
            elif kind == "node":
                self.nodes.setdefault(f[0], []).append((f[1], f[2], [x for x in f[3].split(",") if x], f[4]))
            elif kind == "warning":
                self.warnings.append(f[0])


@pytest.fixture(scope="session")
def events_dump(build_dir):
    exe = build_dir / "tests" / "summary" / "tfc-events-dump"
    if not os.access(exe, os.X_OK):
        pytest.fail(f"{exe} is not built: run 'ninja -C {build_dir}'")

    def dump(path):
        p = subprocess.run([str(exe), str(path)], capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, f"tfc-events-dump {path} failed: {p.stderr}"
        return EventsDump(p.stdout)
    return dump
