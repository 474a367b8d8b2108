"""Writes the GraphDefs that stress tfc-graph's limits (binary .pb, with TensorBoard's protobuf
classes, no TensorFlow needed):

    .venv/bin/python bench/graphs/synthetic_graphs.py OUTDIR KIND[:N[:K]] [--names series|random]

KINDs:
  chain:N      N ops in a row at the top level, op i feeding op i+1 (default 40000)
  star:N       one op feeding N ops (default 200000)
  fanin:N      one AddN taking N inputs, each from its own Const (default 100000)
  dense:N:K    N ops, each taking K inputs from ops before it, drawn at random (default 5000:40)
  deep:N:K     one scope nested N levels deep ("s/s/.../s"), an op at every K-th level feeding
               the next (default 10000:10, a 20 MB GraphDef)
--names series (default) names ops like TensorFlow does (op_1, op_2, ...); random gives names
that share no pattern (so that nothing can be grouped by name). Writes OUTDIR/KIND-N.pb (or
OUTDIR/KIND-N-K.pb) and prints its path and node count."""
import random
import sys
from pathlib import Path

from tensorboard.compat.proto import graph_pb2

DEFAULTS = {"chain": [40000], "star": [200000], "fanin": [100000], "dense": [5000, 40], "deep": [10000, 10]}


def namer(style, rng):
    words = ["alpha", "bravo", "delta", "gamma", "kappa", "omega", "sigma", "theta", "zeta", "lambda"]
    if style == "series":
        return lambda base, i: f"{base}_{i}" if i else base
    seen = set()

    def name(base, i):
        while True:
            n = "".join(rng.choice(words) for _ in range(3)) + "".join(rng.choice("xyzw") for _ in range(4))
            if n not in seen:
                seen.add(n)
                return n
    return name


def add(g, name, op, inputs=()):
    n = g.node.add()
    n.name = name
    n.op = op
    n.input.extend(inputs)
    return n


def build(kind, args, style):
    rng = random.Random(7)
    name = namer(style, rng)
    g = graph_pb2.GraphDef()
    if kind == "chain":
        prev = None
        for i in range(args[0]):
            n = name("op", i)
            add(g, n, "Identity" if prev else "Const", [prev] if prev else [])
            prev = n
    elif kind == "star":
        add(g, "center", "Const")
        for i in range(args[0]):
            add(g, name("leaf", i), "Identity", ["center"])
    elif kind == "fanin":
        ins = [name("term", i) for i in range(args[0])]
        for n in ins:
            add(g, n, "Const")
        add(g, "sum", "AddN", ins)
    elif kind == "dense":
        names = []
        for i in range(args[0]):
            n = name("node", i)
            k = min(args[1], len(names))
            add(g, n, "AddN" if k else "Const", rng.sample(names, k))
            names.append(n)
    elif kind == "deep":
        path, prev = "", None
        for i in range(args[0]):
            path = f"{path}/s" if path else "s"
            if (i + 1) % args[1] == 0:
                n = f"{path}/op"
                add(g, n, "Identity" if prev else "Const", [prev] if prev else [])
                prev = n
    return g


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    style = "series"
    if "--names" in argv:
        style = argv[argv.index("--names") + 1]
        args.remove(style)
    if len(args) != 2 or style not in ("series", "random"):
        sys.exit(__doc__)
    out = Path(args[0])
    kind, *nums = args[1].split(":")
    if kind not in DEFAULTS:
        sys.exit(f"synthetic_graphs: unknown kind {kind!r}; kinds are {', '.join(DEFAULTS)}")
    nums = [int(x) for x in nums] + DEFAULTS[kind][len(nums):]
    out.mkdir(parents=True, exist_ok=True)
    g = build(kind, nums, style)
    path = out / ("-".join([kind, *map(str, nums)]) + ("" if style == "series" else "-random") + ".pb")
    path.write_bytes(g.SerializeToString())
    print(path, len(g.node))


if __name__ == "__main__":
    main(sys.argv)
