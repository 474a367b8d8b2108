"""tfc as its users get it: `meson install` into a staging folder (DESTDIR), then the examples built
out of tree with nothing but `pkg-config --cflags --libs tfc` and run, every public header compiled
on its own in C and in C++, and every installed command's man page rendered by `man -l` and
compared with its --help.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CC = os.environ.get("CC", "cc")
CXX = os.environ.get("CXX", "c++")


def run(cmd, **kw):
    kw.setdefault("timeout", 300)
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


class Staged:
    """An install of the build tree under a DESTDIR, with its pkg-config set up."""

    def __init__(self, root, build_dir):
        self.root = root
        p = run(["meson", "install", "-C", build_dir, "--no-rebuild", "--quiet", "--destdir", root])
        assert p.returncode == 0, p.stdout + p.stderr
        pcs = list(root.rglob("pkgconfig/tfc.pc"))
        assert len(pcs) == 1, f"tfc.pc installed {len(pcs)} times under {root}"
        self.pc = pcs[0]
        prefix = re.search(r"^prefix=(.*)$", self.pc.read_text(), re.M).group(1)
        self.prefix = root / prefix.lstrip("/")
        # The .pc names the final prefix; the staged copy stands in for it.
        self.env = dict(os.environ, PKG_CONFIG_PATH=str(self.pc.parent))
        self.define = f"--define-variable=prefix={self.prefix}"
        self.libdir = Path(self.pkg_config("--variable=libdir"))
        self.include = self.prefix / "include" / "tfc"
        self.bin = self.prefix / "bin"

    def pkg_config(self, *args):
        p = run(["pkg-config", self.define, *args, "tfc"], env=self.env)
        assert p.returncode == 0, p.stderr
        return p.stdout.strip()

    def flags(self, *args):
        return self.pkg_config(*args).split()


@pytest.fixture(scope="module")
def staged(tmp_path_factory, build_dir):
    return Staged(tmp_path_factory.mktemp("destdir"), build_dir)


def build(staged, source, out, compiler=CC, std="-std=c11", static=False):
    if static:
        # libtfc.a: its own dependencies come from tfc.pc's private fields
        link = [*staged.flags("--libs-only-L"), "-Wl,-Bstatic", "-ltfc", "-Wl,-Bdynamic",
                *staged.flags("--static", "--libs")]
    else:
        link = staged.flags("--libs")
    p = run([compiler, std, "-Wall", "-Wextra", "-Werror", source, "-o", out, *staged.flags("--cflags"), *link])
    assert p.returncode == 0, f"{compiler} {source}:\n{p.stderr}"
    return out


def run_program(staged, exe, *args, timeout=120):
    env = dict(os.environ, LD_LIBRARY_PATH=str(staged.libdir))
    return run([exe, *args], env=env, timeout=timeout)


def test_installs_library_headers_and_pc(staged):
    names = {p.name for p in staged.libdir.iterdir()}
    assert {"libtfc.a", "libtfc.so", "libtfc.so.0"} <= names
    soname = re.search(r"SONAME.*\[(.*)\]", run(["readelf", "-d", staged.libdir / "libtfc.so"]).stdout)
    assert soname and soname.group(1) == "libtfc.so.0"
    assert (staged.include / "tfc.h").is_file()
    assert f"-I{staged.prefix / 'include'}" in staged.flags("--cflags")
    assert staged.pkg_config("--modversion") == re.search(
        r'TFC_VERSION_STRING "(.*)"', (staged.include / "version.h").read_text()).group(1)


def test_examples_built_out_of_tree(staged, tmp_path, mnist_dir):
    exe = build(staged, REPO / "examples" / "graph_basics.c", tmp_path / "graph_basics")
    ldd = run(["ldd", exe], env=dict(os.environ, LD_LIBRARY_PATH=str(staged.libdir))).stdout
    assert f"{staged.libdir}/libtfc.so.0" in ldd, ldd
    p = run_program(staged, exe)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[0] == "Variable a is 9.0"
    assert [float(x) for x in re.findall(r"\[([0-9.]+)\]", p.stdout)] == [(b + 1) * 3 for b in range(10)]

    exe = build(staged, REPO / "examples" / "mnist_softmax.c", tmp_path / "mnist_softmax")
    p = run_program(staged, exe, mnist_dir)
    assert p.returncode == 0, p.stderr
    assert float(re.search(r"test accuracy: ([0-9.]+)", p.stdout).group(1)) >= 0.915


def test_summaries_and_saver_example(staged, tmp_path, events_dump):
    exe = build(staged, REPO / "examples" / "summaries_saver.c", tmp_path / "summaries_saver")
    p = run_program(staged, exe, tmp_path / "logdir")
    assert p.returncode == 0, p.stderr
    final = float(re.search(r"^final value ([0-9.]+)$", p.stdout, re.M).group(1))
    assert float(re.search(r"^restored ([0-9.]+) from .*model.ckpt-1000$", p.stdout, re.M).group(1)) == final
    dump = events_dump(tmp_path / "logdir")
    points = dump.scalars[(".", "value")]
    assert [s for s, _, _ in points] == list(range(1000))
    values = [v for _, _, v in points]
    assert values == sorted(values) and values[-1] == final and values[0] < final
    assert dump.runs["."][1] > 0  # the graph


def test_static_library(staged, tmp_path):
    exe = build(staged, REPO / "examples" / "graph_basics.c", tmp_path / "graph_basics", static=True)
    assert "libtfc" not in run(["ldd", exe]).stdout
    p = run([exe])
    assert p.returncode == 0 and p.stdout.startswith("Variable a is 9.0"), p.stderr


CXX_PROGRAM = r"""
#include <tfc/tfc.h>
#include <cstdio>
#include <cstring>

int main()
{
    if (std::strcmp(tfc_version(), TFC_VERSION_STRING) != 0) return 1;
    tfc_status *st = tfc_status_new();
    tfc_graph *g = tfc_graph_new();
    tfc_out a = tfc_mul(g, tfc_const_scalar(g, 3.0f, "x"), tfc_const_scalar(g, 4.0f, "y"), "a");
    tfc_session *s = tfc_session_new(g, NULL, st);
    tfc_tensor *out = NULL;
    bool ok = s && tfc_session_run(s, NULL, 0, &a, 1, &out, st);
    if (ok) std::printf("%s %g\n", tfc_version(), tfc_f32(out)[0]);
    tfc_tensor_free(out);
    tfc_session_free(s);
    tfc_graph_free(g);
    tfc_status_free(st);
    return ok ? 0 : 1;
}
"""


def test_cxx_program(staged, tmp_path):
    src = tmp_path / "prog.cc"
    src.write_text(CXX_PROGRAM)
    exe = build(staged, src, tmp_path / "prog", compiler=CXX, std="-std=c++11")
    p = run_program(staged, exe)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split()[1] == "12"


def public_headers(staged):
    return sorted(staged.include.glob("*.h"))


def test_umbrella_includes_every_header(staged):
    p = run([CC, "-M", *staged.flags("--cflags"), "-x", "c", "-"], input="#include <tfc/tfc.h>\n")
    assert p.returncode == 0, p.stderr
    seen = {Path(d).name for d in p.stdout.replace("\\\n", " ").split() if d.startswith(str(staged.include))}
    assert {h.name for h in public_headers(staged)} == seen


@pytest.mark.parametrize("lang", ["c", "c++"])
def test_each_header_compiles_alone(staged, lang):
    compiler, std = (CC, "-std=c11") if lang == "c" else (CXX, "-std=c++11")
    failed = []
    for h in public_headers(staged):
        p = run([compiler, std, "-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only", "-x", lang, "-",
                 *staged.flags("--cflags")], input=f"#include <tfc/{h.name}>\ntypedef int not_empty;\n")
        if p.returncode:
            failed.append(f"{h.name}:\n{p.stderr}")
    assert not failed, "\n".join(failed)


def declared_functions(staged, tmp_path):
    """{name: header} of every function the public headers declare (static inline ones aside), as
    gcc's -aux-info lists them (gcc whatever $CC is: clang has no -aux-info)."""
    aux = tmp_path / "aux.txt"
    p = run(["gcc", "-std=c11", "-fsyntax-only", "-aux-info", aux, "-x", "c", "-", *staged.flags("--cflags")],
            input="#include <tfc/tfc.h>\n")
    assert p.returncode == 0, p.stderr
    found = {}
    for line in aux.read_text().splitlines():
        m = re.match(r"/\* (\S+):\d+:NC \*/ .*?(\w+) \(", line)
        if m and Path(m.group(1)).parent == staged.include:
            found[m.group(2)] = Path(m.group(1)).name
    return found


def exported(staged):
    p = run(["nm", "-D", "--defined-only", staged.libdir / "libtfc.so"])
    assert p.returncode == 0, p.stderr
    return {f[2] for f in (line.split() for line in p.stdout.splitlines()) if len(f) == 3}


def test_exports_only_prefixed_symbols(staged):
    unprefixed = sorted(s for s in exported(staged) if not s.startswith("tfc_"))
    assert not unprefixed, f"libtfc.so exports symbols without the tfc_ prefix: {unprefixed[:20]}"


def test_exports_exactly_the_public_functions(staged, tmp_path):
    declared = declared_functions(staged, tmp_path)
    assert len(declared) > 100, declared
    symbols = exported(staged)
    hidden = sorted(f"{name} ({h})" for name, h in declared.items() if name not in symbols)
    assert not hidden, ("declared in a public header but not exported from libtfc.so (mark the declaration "
                        f"TFC_API, see base/api.h, and define it in libtfc): {hidden}")
    # variables (tfc_model_names) are declared too, but -aux-info lists functions only
    text = "".join(h.read_text() for h in public_headers(staged))
    stray = sorted(s for s in symbols if s not in declared and not re.search(rf"\b{s}\b", text))
    assert not stray, f"exported from libtfc.so but declared in no public header: {stray}"


def test_every_function_links_from_cxx(staged, tmp_path):
    """A C++ program taking every public function's address links: each has C linkage."""
    names = sorted(declared_functions(staged, tmp_path))
    src = tmp_path / "all.cc"
    src.write_text("#include <tfc/tfc.h>\n#include <cstdio>\nstatic void (*const fns[])() = {\n" +
                   "".join(f"    reinterpret_cast<void (*)()>(&{n}),\n" for n in names) +
                   "};\nint main() { std::printf(\"%zu\\n\", sizeof fns / sizeof *fns); return 0; }\n")
    exe = build(staged, src, tmp_path / "all", compiler=CXX, std="-std=c++11")
    p = run_program(staged, exe)
    assert p.returncode == 0 and p.stdout.strip() == str(len(names)), p.stderr


# Functions the NULL test does not call: they end the process by design.
ENDS_PROCESS = {"tfc_mpi_abort"}


def declared_prototypes(staged, tmp_path):
    """[(name, [parameter types])] of every public function, from gcc's -aux-info."""
    aux = tmp_path / "aux-protos.txt"
    p = run(["gcc", "-std=c11", "-fsyntax-only", "-aux-info", aux, "-x", "c", "-", *staged.flags("--cflags")],
            input="#include <tfc/tfc.h>\n")
    assert p.returncode == 0, p.stderr
    protos = []
    for line in aux.read_text().splitlines():
        m = re.match(r"/\* (\S+):\d+:NC \*/ extern .*?(\w+) \((.*)\);$", line)
        if m and Path(m.group(1)).parent == staged.include:
            params = m.group(3).strip()
            protos.append((m.group(2), [] if params == "void" else
                           [t.strip() for t in re.split(r",(?![^(]*\))", params) if t.strip() != "..."]))
    return protos


LIVE = {"tfc_graph*": "g", "tfc_session*": "s", "tfc_status*": "st", "tfc_tensor*": "t"}


# Integer types, given 0 in one pass and 2 in another: a NULL array with a count above 0.
COUNTS = {"int", "int32_t", "int64_t", "size_t"}


def null_argument(t, live, count):
    """A call's argument of C type t: NULL, count for an integer, zero for the rest, or one of the
    live objects for its type."""
    bare = t.replace("const ", "").replace(" ", "")
    if live and bare in LIVE:
        return f"({t}){LIVE[bare]}"
    if bare in COUNTS:
        return f"({t}){count}"
    return f"({t})0" if "*" in t or "(" in t else f"({t}){{0}}"


def test_no_public_function_crashes_on_null(staged, tmp_path):
    """Every public function called with NULL for each pointer and zero for everything else (what a
    program holds after a constructor failed), then again with a live graph, session, status and
    tensor and NULL for the other pointers, returns instead of crashing; and both again with counts
    of 2 beside the NULL arrays (tfc_concat(g, NULL, 2, ...) is a build error, not a crash). Each
    call runs in a child process of its own."""
    protos = [(n, ps) for n, ps in declared_prototypes(staged, tmp_path) if n not in ENDS_PROCESS]
    calls, labels = [], []
    for count in (0, 2):
        for live in (False, True):
            for name, params in protos:
                args = ", ".join(null_argument(t, live, count) for t in params)
                calls.append(f"    case {len(calls)}: (void){name}({args}); break;")
                labels.append(f"{name}({'live objects, ' if live else ''}NULL{', counts 2' if count else ''})")
    src = tmp_path / "null_calls.c"
    src.write_text("\n".join([
        "#define _GNU_SOURCE",
        "#include <tfc/tfc.h>", "#include <stdio.h>", "#include <string.h>", "#include <sys/wait.h>",
        "#include <unistd.h>",
        "static void call(int i)", "{",
        "    tfc_graph *g = tfc_graph_new();",
        "    tfc_status *st = tfc_status_new();",
        "    tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(2), \"x\");",
        "    tfc_session *s = tfc_session_new(g, NULL, st);",
        "    tfc_tensor *t = tfc_tensor_scalar_f32(1.0f);",
        "    switch (i) {", *calls, "    }", "}",
        "static const char *const names[] = {" + ", ".join(f'"{n}"' for n in labels) + "};",
        "int main(void)", "{",
        f"    for (int i = 0; i < {len(calls)}; i++) {{",
        "        fflush(stdout);",
        "        pid_t pid = fork();",
        "        if (pid == 0) {", "            alarm(20);", "            call(i);", "            _exit(0);", "        }",
        "        int ws;", "        waitpid(pid, &ws, 0);",
        "        if (WIFSIGNALED(ws)) printf(\"%s: %s\\n\", names[i], strsignal(WTERMSIG(ws)));",
        "        else if (WEXITSTATUS(ws)) printf(\"%s: exit status %d\\n\", names[i], WEXITSTATUS(ws));",
        "    }", "    return 0;", "}", ""]))
    exe = tmp_path / "null_calls"
    p = run([CC, "-std=c11", src, "-o", exe, *staged.flags("--cflags"), *staged.flags("--libs")])
    assert p.returncode == 0, p.stderr
    p = run_program(staged, exe, timeout=600)
    assert p.returncode == 0, p.stderr
    crashed = p.stdout.splitlines()
    assert not crashed, f"{len(crashed)} of {len(calls)} calls of public functions crash:\n" + "\n".join(crashed)


def man_text(page):
    """The page as man shows it, wide enough that no line is broken or hyphenated."""
    env = dict(os.environ, MANWIDTH="1000", LC_ALL="C", MAN_KEEP_FORMATTING="")
    p = run(["man", "--warnings", "-l", page], env=env)
    assert p.returncode == 0 and not p.stderr, f"man -l {page}: {p.stderr}"
    return re.sub(r".\x08", "", p.stdout)


def words(text):
    return re.findall(r"[A-Za-z0-9_.$/=\[\]|-]+", text)


def test_commands_and_man_pages(staged, build_dir):
    built = sorted(p.name for p in (build_dir / "tools").glob("tfc-*") if os.access(p, os.X_OK) and p.is_file())
    assert sorted(p.name for p in staged.bin.glob("tfc-*")) == built
    man1 = staged.prefix / "share" / "man" / "man1"
    assert sorted(p.stem for p in man1.glob("tfc-*.1")) == built
    for name in built:
        # the installed command runs as it is, without the build tree's paths (Graphviz's plugins
        # live in a folder of their own, which tfc-graph and tfc-report find through their rpath)
        p = run([staged.bin / name, "--help"])
        assert p.returncode == 0 and not p.stderr, f"installed {name} --help: {p.returncode} {p.stderr}"
        help_text = p.stdout
        page = man_text(man1 / f"{name}.1")
        # `man NAME` finds it where it was installed
        by_name = run(["man", "-w", name], env=dict(os.environ, MANPATH=str(man1.parent)))
        assert by_name.returncode == 0 and by_name.stdout.strip() == str(man1 / f"{name}.1"), by_name.stderr
        assert re.search(rf"^NAME\n +{re.escape(name)} - \S", page, re.M), page[:300]
        # every word of --help, in its order (help2man drops "Usage:" and "or:" around the synopsis)
        want = [w for w in words(help_text) if w not in ("Usage", "or")]
        have = iter(words(page))
        missing = [w for w in want if not any(w == h for h in have)]
        assert not missing, f"{name}: the man page lacks --help's {missing[:5]}"
