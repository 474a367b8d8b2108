"""The layers' arrows point one way (tools -> report -> viz -> summary, models -> graphdef,
checkpoint -> engine -> base).

Every quoted #include of a library folder's C file is resolved to the folder that holds the header,
and that folder must be one the including folder may stand on. A header generated from base/proto
counts as base. The Saver is the one part of checkpoint/ that stands on the engine (and on graphdef/,
for the .meta it writes beside a checkpoint): the rest of the format is read and written with base
alone, so a tool that only reads checkpoints needs no graph runtime.
"""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# folder -> the folders its files may include from (besides its own)
ALLOWED = {
    "base": set(),
    "engine": {"base"},
    "checkpoint": {"base"},
    "data": {"base"},
    "graphdef": {"base", "engine"},
    "summary": {"base", "engine", "graphdef"},
    "models": {"base", "engine", "graphdef", "checkpoint", "data"},
    "dist": {"base", "engine"},
    "viz": {"base", "summary"},
    "report": {"base", "summary", "checkpoint", "viz"},
    "tools": {"base", "engine", "graphdef", "checkpoint", "data", "models", "dist", "summary", "viz", "report"},
}
# single files with a wider reach than their folder, and why
EXCEPTIONS = {
    "checkpoint/saver.c": {"engine", "graphdef"},  # saves and restores a session's variables, writes .meta
    "checkpoint/saver.h": {"engine"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def header_homes():
    homes = {}
    for folder in ALLOWED:
        for h in (REPO / folder).rglob("*.h"):
            rel = h.relative_to(REPO / folder).as_posix()
            homes.setdefault(rel, set()).add(folder)
            homes.setdefault(h.name, set()).add(folder)
    for proto in (REPO / "base" / "proto").glob("*.proto"):
        homes.setdefault(proto.stem + ".pb-c.h", set()).add("base")
    return homes


def test_no_arrow_points_up():
    homes = header_homes()
    wrong = []
    for folder, allowed in ALLOWED.items():
        for src in sorted((REPO / folder).rglob("*.[ch]")):
            rel = src.relative_to(REPO).as_posix()
            may = allowed | {folder} | EXCEPTIONS.get(rel, set())
            for inc in INCLUDE.findall(src.read_text(errors="replace")):
                where = homes.get(inc) or homes.get(Path(inc).name)
                if where is None:
                    wrong.append(f"{rel}: includes \"{inc}\", which no library folder holds")
                elif not where & may:
                    wrong.append(f"{rel}: includes \"{inc}\" from {'/'.join(sorted(where))}/")
    assert not wrong, "layer arrows pointing the wrong way:\n" + "\n".join(wrong)


def test_every_folder_is_checked():
    """A new top-level folder of C code must be given its place in ALLOWED."""
    outside = {"tests", "examples", "bench", "fuzz", "build", ".venv"}
    folders = {p.parent.relative_to(REPO).parts[0] for p in REPO.glob("*/**/*.c")}
    folders = {f for f in folders if not f.startswith(("build", ".")) and f not in outside}
    assert folders <= set(ALLOWED), f"folders without a layer: {sorted(folders - set(ALLOWED))}"
