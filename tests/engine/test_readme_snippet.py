"""The README's C snippet (section "The C API"), compiled against the built libtfc and run: as
written it computes a = (b + c) * (c + 2); with a shape mistake made while building the graph (so
tfc_session_new returns NULL and every later call gets that NULL) or while feeding, it prints the
first error, naming the node, and exits cleanly instead of crashing.
"""
import os
import re
import subprocess

import pytest

FOLDERS = ("include", "base", "engine", "graphdef", "checkpoint", "data", "models", "summary", "dist")


def snippet(repo_root):
    text = (repo_root / "README.md").read_text()
    section = text[text.index("## The C API"):]
    return re.search(r"```c\n(.*?)```", section, re.S).group(1)


def build_and_run(repo_root, build_dir, tmp_path, code):
    includes = [line for line in code.splitlines() if line.startswith("#include")]
    body = ["    " + line for line in code.splitlines() if not line.startswith("#include")]
    src = tmp_path / "snippet.c"
    src.write_text("\n".join(["#include <stdio.h>", *includes, "", "int main(void)", "{", *body,
                              '    if (aval) printf("a[9] = %g\\n", tfc_f32(aval)[9]);',
                              "    tfc_tensor_free(aval);", "    tfc_tensor_free(bval);", "    tfc_session_free(s);",
                              "    tfc_status_free(st);", "    tfc_graph_free(g);", "    return 0;", "}", ""]))
    exe = tmp_path / "snippet"
    flags = [f"-I{repo_root / f}" for f in FOLDERS] + [f"-I{build_dir / 'base'}"]
    cc = subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-Wall", "-Wextra", "-Werror", *flags, str(src), "-o",
                         str(exe), f"-L{build_dir}", "-ltfc", f"-Wl,-rpath,{build_dir}"],
                        capture_output=True, text=True, timeout=120)
    assert cc.returncode == 0, cc.stderr
    return subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)


def test_as_written(repo_root, build_dir, tmp_path):
    r = build_and_run(repo_root, build_dir, tmp_path, snippet(repo_root))
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout == "a[9] = 30\n"  # (9 + 1) * (1 + 2)


@pytest.mark.parametrize("mistake, wanted", [
    # a product of two scalars, found while building: the graph keeps the error, the session is NULL
    (('tfc_add(g, c, cst, "e")', 'tfc_matmul(g, c, cst, false, false, "e")'), ["node 'e' (MatMul)", "[]"]),
    # b declared [?, 2] and fed 10x1, found when running
    (("TFC_SHAPE(-1, 1)", "TFC_SHAPE(-1, 2)"), ["feed for 'b:0'", "[10,1]", "[?,2]"]),
])
def test_shape_mistake_prints_the_error(repo_root, build_dir, tmp_path, mistake, wanted):
    code = snippet(repo_root)
    assert mistake[0] in code, "the README's snippet changed: update this test's mistake"
    r = build_and_run(repo_root, build_dir, tmp_path, code.replace(mistake[0], mistake[1], 1))
    assert r.returncode == 0, f"exit status {r.returncode}: {r.stderr}"
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and all(w in lines[0] for w in wanted), r.stderr
    assert r.stdout == ""
