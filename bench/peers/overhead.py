"""Benchmark peer: what one run of the seeds' first graph a = (b + c) * (c + 2) costs, b fed 10x1
floats, in TensorFlow 1 style (tf.compat.v1 graph mode: session.run with a feed_dict, the value
back as a NumPy array) or in PyTorch eager (the same arithmetic on a tensor made from the NumPy
array, the result back as NumPy), on one thread. The best of five rounds of --runs runs, printed
as bench/bench_overhead prints tfc's:

    <framework> <version>: a = (b + c) * (c + 2), b 10x1
    overhead: <runs> runs, <threads> threads, <us> us per run

Run by `bench/run overhead`.
"""
import argparse
import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def tensorflow(threads):
    import tensorflow as tf
    v1 = tf.compat.v1
    v1.disable_eager_execution()
    b = v1.placeholder(tf.float32, [None, 1], name="b")
    c = tf.Variable(1.0, name="c")
    a = tf.multiply(tf.add(b, c, name="d"), tf.add(c, tf.constant(2.0, name="const"), name="e"), name="a")
    config = v1.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=threads)
    sess = v1.Session(config=config)
    sess.run(v1.global_variables_initializer())
    bval = np.arange(10, dtype=np.float32)[:, None]
    return f"TensorFlow {tf.__version__}", lambda: sess.run(a, feed_dict={b: bval})


def torch(threads):
    import torch
    torch.set_num_threads(threads)
    c = torch.tensor(1.0)
    bval = np.arange(10, dtype=np.float32)[:, None]

    def run():
        b = torch.from_numpy(bval)
        return ((b + c) * (c + 2.0)).numpy()
    return f"PyTorch {torch.__version__}", run


def main():
    p = argparse.ArgumentParser(description="Time one session run (TensorFlow) or eager step (PyTorch).")
    p.add_argument("--framework", choices=["tf", "torch"], required=True)
    p.add_argument("--runs", type=int, help="runs per round (default: 2000 for tf, 20000 for torch)")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    runs = args.runs or {"tf": 2000, "torch": 20000}[args.framework]
    if runs < 1 or args.threads < 1:
        p.error("--runs and --threads must be positive")
    name, run = {"tf": tensorflow, "torch": torch}[args.framework](args.threads)
    out = run()
    assert out.shape == (10, 1) and out[9, 0] == 30.0, out
    for _ in range(min(runs, 1000)):
        run()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(runs):
            run()
        best = min(best, (time.perf_counter() - start) / runs)
    print(f"{name}: a = (b + c) * (c + 2), b 10x1")
    print(f"overhead: {runs} runs, {args.threads} threads, {best * 1e6:.3f} us per run")


if __name__ == "__main__":
    main()
