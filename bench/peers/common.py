"""What the benchmark peers share: flags, the MNIST training set, the batch order, and the timed loop.

A peer (tf_mnist.py, torch_mnist.py) builds the seed network in its framework and hands main() a
function that runs one training step. Each peer's loop is its framework's fastest idiomatic one:
the batches' rows are gathered per step from data held in the framework's own form (no copy of the
whole training set per epoch), and the loss is fetched only when it is printed (the first step's
and the last one's), so no step waits on a value it does not need. main() reads the same data that
tfc reads, draws every batch's indices up front (the seeds' next_batch order: a fresh permutation
of the 55,000 images at each epoch, sliced into batches), runs a short untimed warm-up, then times
the requested steps, and prints

    <framework> <version>: <model>, batch <n>, <threads> threads
    loss: <first warm-up step> -> <last step>
    train: <steps> steps, <examples> examples in <secs> s, <rate> examples/s

the last line in the same form as `tfc-run mnist --quiet`'s, so bench/run parses all three alike.
"""
import argparse
import gzip
import os
import time
from pathlib import Path

import numpy as np

# The seeds' hyper-parameters (SPEC.md section 2 and Appendix A).
BATCH = {"mlp": 100, "cnn": 50}
DEFAULT_STEPS = {"mlp": 2000, "cnn": 100}
TRAIN_SIZE = 55000  # the seeds' split: the first 55,000 training images train, the rest validate


def find_data_dir(explicit):
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tfc" / "mnist"
    candidates = [explicit, os.environ.get("TFC_DATA_DIR"), "MNIST_data", str(cache)]
    for d in filter(None, candidates):
        if any(Path(d, "train-images-idx3-ubyte" + ext).is_file() for ext in ("", ".gz")):
            return Path(d)
    raise SystemExit(f"MNIST data not found (tried --data-dir, $TFC_DATA_DIR, ./MNIST_data, {cache}); "
                     "bash scripts/setup.sh fetches it")


def read_idx(path):
    """An IDX file (plain or .gz) as a numpy uint8 array of the shape its header gives."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise SystemExit(f"{path}: not an IDX file of unsigned bytes")
    ndim = data[3]
    dims = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise SystemExit(f"{path}: {body.size} bytes of data, header says {dims}")
    return body.reshape(dims)


class TrainSet:
    """The seeds' training set and the order of its batches.

    images  float32 [55000, 784] in [0, 1]
    labels  int64 [55000], the digits
    one_hot float32 [55000, 10]
    batches int64 [steps, batch]: the rows of each step's batch, all drawn before training
    """

    def __init__(self, data_dir, batch, steps, seed):
        def file(name):
            plain = data_dir / name
            return plain if plain.is_file() else data_dir / (name + ".gz")
        images = read_idx(file("train-images-idx3-ubyte"))[:TRAIN_SIZE]
        self.images = images.reshape(len(images), 784).astype(np.float32) / 255.0
        self.labels = read_idx(file("train-labels-idx1-ubyte"))[:TRAIN_SIZE].astype(np.int64)
        self.one_hot = np.eye(10, dtype=np.float32)[self.labels]
        rng = np.random.RandomState(seed)
        per_epoch = TRAIN_SIZE // batch
        epochs = -(-steps // per_epoch)
        order = [rng.permutation(TRAIN_SIZE)[:per_epoch * batch] for _ in range(epochs)]
        self.batches = np.concatenate(order).reshape(-1, batch)[:steps]


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--model", choices=sorted(BATCH), default="mlp")
    p.add_argument("--steps", type=int, help="timed steps (default: 2000 for mlp, 100 for cnn)")
    p.add_argument("--warmup", type=int, default=20, help="untimed steps first (default 20)")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="threads (default: all cores)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-dir", help="folder with the MNIST IDX files")
    args = p.parse_args()
    if args.steps is None:
        args.steps = DEFAULT_STEPS[args.model]
    if args.steps < 1 or args.warmup < 0 or args.threads < 1:
        p.error("--steps and --threads must be positive, --warmup not negative")
    return args


def main(args, framework, build_step):
    """build_step(model, threads, seed, train) -> step(i, want_loss): trains on batch i of
    train.batches and returns the loss as a float when want_loss, else None."""
    batch = BATCH[args.model]
    total = args.warmup + args.steps
    train = TrainSet(find_data_dir(args.data_dir), batch, total, args.seed)
    step = build_step(args.model, args.threads, args.seed, train)
    print(f"{framework}: {args.model}, batch {batch}, {args.threads} threads", flush=True)
    first = step(0, True) if args.warmup else None
    for i in range(1, args.warmup):
        step(i, False)
    start = time.perf_counter()
    for i in range(args.warmup, total):
        loss = step(i, i == total - 1 or first is None)
        first = loss if first is None else first
    secs = time.perf_counter() - start
    examples = args.steps * batch
    print(f"loss: {first:.4f} -> {loss:.4f}")
    print(f"train: {args.steps} steps, {examples} examples in {secs:.3f} s, {examples / secs:.1f} examples/s")
