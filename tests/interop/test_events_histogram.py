"""Our HistogramSummary op against TensorFlow's, byte for byte: the same serialized Summary
(TF's default 1551 exponential buckets, the collapsing of empty runs, min/max/num/sum/sum_squares)
for float32 data of several shapes, through tests/summary/tfc-summary-dump histogram."""
import subprocess

import numpy as np
import pytest


def tf_histogram_bytes(values):
    import tensorflow as tf
    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(values, dtype=tf.float32)
        h = v1.summary.histogram("h", x)
        with v1.Session(graph=graph) as sess:
            return sess.run(h)


def our_histogram_bytes(build_dir, values):
    exe = build_dir / "tests" / "summary" / "tfc-summary-dump"
    text = "\n".join(repr(float(v)) for v in values)
    p = subprocess.run([str(exe), "histogram"], input=text.encode(), capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr.decode()
    return p.stdout


rng = np.random.default_rng(11)
CASES = {
    "worked_example": np.array([0, 1, 1, -2.5], np.float32),
    "normal": rng.normal(0.0, 1.0, 1000).astype(np.float32),
    "weights": rng.normal(0.0, 0.1, 784 * 5).astype(np.float32),
    "wide": (rng.standard_cauchy(500) * 1e6).astype(np.float32),
    "tiny_and_zero": np.concatenate([np.zeros(10), rng.normal(0, 1e-11, 50)]).astype(np.float32),
    "relu_like": np.maximum(rng.normal(0, 1, 300), 0).astype(np.float32),
    "one": np.array([3.25], np.float32),
    # Values on and next to the bucket limits (as float32) across the whole range, both signs.
    "at_limits": np.concatenate([
        s * np.nextafter(np.float32(1e-12 * 1.1 ** np.arange(0, 774)), np.float32(d))
        for s in (1, -1) for d in (0, 1, np.inf)] + [np.float32([0.0, -0.0, 3.4e38, -3.4e38, 1e-45, -1e-45])]),
    "empty": np.zeros(0, np.float32),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_histogram_bytes_match_tensorflow(build_dir, name):
    values = CASES[name]
    assert our_histogram_bytes(build_dir, values) == tf_histogram_bytes(values)
