"""Writes a corpus of TensorBoard logdirs with every summary kind, from the real writers in the
test venv, for tfc-plot's and tfc-graph's tests against TensorBoard's own reading of the same files.

    .venv/bin/python tests/corpus/make_corpus.py OUTDIR [PART...]

PARTs (default: all, each in its own process, two at a time, since TensorFlow 1 graph mode, TF2
eager, Keras 2 and Keras 3 do not share a process well):

  tf1     OUTDIR/tf1: tf.compat.v1 graph mode, FileWriter with the graph, and summary ops for a
          scalar, a histogram, images, audio, text, a PR curve, hparams (session start), a
          one-point scalar, and run metadata (Event.tagged_run_metadata).
  tf2     OUTDIR/tf2/{train,eval}: tf.summary scalars, histograms, images, audio, Markdown and
          table text, a PR curve, hparams; the trace of a tf.function training step (name scopes,
          a while loop, a cond) with tf.summary.trace_on/trace_export; a one-point series.
  torch   OUTDIR/torch: torch.utils.tensorboard: scalars, a histogram, images, audio, text, a PR
          curve, a custom-scalars layout, hparams (its own sub-run), the graph of a module.
  keras2  OUTDIR/keras2/{train,validation}: tf_keras' TensorBoard callback (Keras 2 model config
          under graph_keras_model, the train function's graph, epoch scalars, histograms).
  keras3  OUTDIR/keras3/{train,validation}: Keras 3's TensorBoard callback (its one-point
          evaluation_*_vs_iterations series, its model config).

Tags, scopes and shapes differ from every other test's on purpose (tests written against one
writer's names hide what others write). Prints one line per part with what it wrote."""
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

PARTS = ("tf1", "tf2", "torch", "keras2", "keras3")

# Shared texts: one Markdown, one plain, one non-ASCII.
MARKDOWN = ("# Run notes\n\nA **bold** claim, an *aside*, `code` and a "
            "[link](https://example.org/x).\n\n- first item\n- second item")
PLAIN = "plain words, no markup"
UNICODE = "Größe ≥ 3 — ключ"


def part_tf1(out):
    import numpy as np
    import tensorflow as tf
    from tensorboard.plugins.hparams import summary as hp_summary
    from tensorboard.plugins.pr_curve import summary as pr_summary
    v1 = tf.compat.v1
    v1.disable_eager_execution()
    g = tf.Graph()
    with g.as_default():
        frames = v1.placeholder(tf.float32, [None, 6, 9, 1], name="frames")
        with tf.name_scope("encoder"):
            kernel = v1.get_variable("enc_kernel", [54, 5])
            codes = tf.matmul(tf.reshape(frames, [-1, 54]), kernel, name="codes")
        with tf.name_scope("heads"):
            score = tf.sigmoid(tf.reduce_mean(codes, axis=1), name="score")
        step = v1.train.get_or_create_global_step()
        train = v1.train.MomentumOptimizer(0.1, 0.9).minimize(tf.reduce_sum(codes ** 2),
                                                              global_step=step)
        labels = v1.placeholder(tf.bool, [None], name="labels")
        sums = [
            v1.summary.scalar("objective/sum_squares", tf.reduce_sum(codes ** 2)),
            v1.summary.histogram("encoder/code_values", codes),
            v1.summary.image("frames_in", frames, max_outputs=2),
            v1.summary.audio("tones/beep", tf.sin(tf.reshape(tf.range(400, dtype=tf.float32), [1, 400]) * 0.3),
                             sample_rate=4000),
            v1.summary.text("log_line", tf.constant(PLAIN)),
            pr_summary.op("classifier_pr", labels=labels, predictions=score, num_thresholds=7),
        ]
        merged = v1.summary.merge(sums)
        once = v1.summary.scalar("final/auc_estimate", tf.constant(0.875))
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            writer = v1.summary.FileWriter(str(out / "tf1"), sess.graph)
            rng = np.random.default_rng(11)
            for i in range(4):
                feed = {frames: rng.random((3, 6, 9, 1), dtype=np.float32),
                        labels: np.array([True, False, i % 2 == 0])}
                opts = v1.RunOptions(trace_level=v1.RunOptions.FULL_TRACE) if i == 2 else None
                meta = v1.RunMetadata()
                summary, _ = sess.run([merged, train], feed, options=opts, run_metadata=meta)
                writer.add_summary(summary, i * 5)
                if i == 2:
                    writer.add_run_metadata(meta, "trace_step_10", 10)
            writer.add_summary(sess.run(once), 20)
            writer.add_summary(hp_summary.session_start_pb({"momentum": 0.9, "schedule": "cosine"}), 0)
            writer.close()
    return "tf1"


def part_tf2(out):
    import numpy as np
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hp
    from tensorboard.plugins.pr_curve import summary as pr_summary
    rng = np.random.default_rng(5)
    train = tf.summary.create_file_writer(str(out / "tf2" / "train"))
    with train.as_default():
        for s in range(5):
            tf.summary.scalar("optim/grad_norm", 1.0 / (s + 2), step=s * 3)
            tf.summary.histogram("tower_0/activations", rng.normal(s, 1, 300), step=s * 3)
        tf.summary.image("batch/thumbnails", rng.random((3, 4, 11, 3), dtype=np.float32), step=2,
                         max_outputs=3)
        tf.summary.audio("speech/clip", rng.random((2, 640, 2), dtype=np.float32) * 2 - 1, 16000,
                         step=2)
        tf.summary.text("notes/markdown", MARKDOWN, step=1)
        tf.summary.text("notes/unicode", UNICODE, step=1)
        tf.summary.text("notes/grid", [["lr", "0.01"], ["batch", "32"]], step=2)
        tf.summary.experimental.write_raw_pb(pr_summary.pb(
            "detector/pr", labels=rng.random(40) > 0.5,
            predictions=rng.random(40).astype(np.float32), num_thresholds=9).SerializeToString(),
            step=4)
        hp.hparams({"dropout": 0.25, "width": 96})

        model = TinyModel(tf)

        @tf.function
        def train_step(x, y):
            with tf.GradientTape() as tape:
                pred = model(x)
                with tf.name_scope("objective"):
                    loss = tf.reduce_mean(tf.square(pred - y))
            grads = tape.gradient(loss, model.trainable_variables)
            with tf.name_scope("sgd_update"):
                for v, gr in zip(model.trainable_variables, grads):
                    v.assign_sub(0.05 * gr)
            # A while loop and a cond: functional control flow with bodies in the function library.
            scaled = tf.while_loop(lambda i, l: i < 3, lambda i, l: (i + 1, l * 0.5), [0, loss])[1]
            return tf.cond(scaled > 1.0, lambda: scaled - 1.0, lambda: scaled)

        tf.summary.trace_on(graph=True)
        train_step(tf.constant(rng.random((4, 7), dtype=np.float32)),
                   tf.constant(rng.random((4, 2), dtype=np.float32)))
        tf.summary.trace_export("train_step_trace", step=0)
    train.close()
    evalw = tf.summary.create_file_writer(str(out / "tf2" / "eval"))
    with evalw.as_default():
        tf.summary.scalar("final_score", 0.6125, step=9)
    evalw.close()
    return "tf2"


def TinyModel(tf):
    class Tiny(tf.Module):
        def __init__(self):
            super().__init__(name="tiny")
            with self.name_scope:
                self.w1 = tf.Variable(tf.random.stateless_normal([7, 5], [1, 2]), name="w1")
                self.w2 = tf.Variable(tf.random.stateless_normal([5, 2], [3, 4]), name="w2")

        @tf.Module.with_name_scope
        def __call__(self, x):
            with tf.name_scope("hidden"):
                h = tf.nn.elu(tf.matmul(x, self.w1))
            with tf.name_scope("readout"):
                return tf.matmul(h, self.w2)
    return Tiny()


def part_torch(out):
    import numpy as np
    import torch
    from torch.utils.tensorboard import SummaryWriter
    rng = np.random.default_rng(9)
    w = SummaryWriter(log_dir=str(out / "torch"))
    for s in range(6):
        w.add_scalar("metrics/top5", 0.5 + s * 0.07, s * 2)
    w.add_histogram("conv1/filters", rng.normal(0, 0.2, 500), 4)
    w.add_image("inputs/sample", rng.random((3, 8, 12)), 1)
    w.add_images("inputs/grid", rng.random((2, 3, 6, 6)), 1)
    w.add_audio("waves/noise", torch.tensor(rng.random(1200) * 2 - 1, dtype=torch.float32), 3,
                sample_rate=8000)
    w.add_text("descr", MARKDOWN, 0)
    w.add_text("descr_unicode", UNICODE, 0)
    w.add_pr_curve("pr/positives", rng.random(50) > 0.4, rng.random(50), 5, num_thresholds=13)
    w.add_custom_scalars({"Training": {"top5 only": ["Multiline", ["metrics/top5"]]}})
    w.add_scalar("single/point", 3.25, 7)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = torch.nn.Conv2d(1, 4, 3)
            self.head = torch.nn.Linear(4 * 6 * 6, 3)

        def forward(self, x):
            return self.head(torch.relu(self.stem(x)).flatten(1))
    w.add_graph(Net(), torch.zeros(2, 1, 8, 8))
    w.add_hparams({"lr": 0.125, "arch": "stem-head"}, {"hparam/final_top5": 0.85},
                  run_name="hp_run")
    w.close()
    return "torch"


def keras_model(keras):
    layers = keras.layers
    inp = keras.Input((10,), name="features")
    a = layers.Dense(6, activation="tanh", name="branch_a")(inp)
    b = layers.Dense(6, activation="relu", name="branch_b")(inp)
    merged = layers.Concatenate(name="join")([a, b])
    outp = layers.Dense(3, activation="softmax", name="classes")(layers.Dropout(0.1, name="drop")(merged))
    model = keras.Model(inp, outp, name="two_branch")
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


def fit_keras(keras, out, name):
    import numpy as np
    rng = np.random.default_rng(2)
    x, y = rng.random((64, 10), dtype=np.float32), rng.integers(0, 3, 64)
    model = keras_model(keras)
    cb = keras.callbacks.TensorBoard(str(out / name), histogram_freq=1, write_graph=True)
    model.fit(x, y, epochs=2, batch_size=16, validation_data=(x[:16], y[:16]), callbacks=[cb],
              verbose=0)
    return name


def part_keras2(out):
    import tf_keras
    return fit_keras(tf_keras, out, "keras2")


def part_keras3(out):
    import keras
    return fit_keras(keras, out, "keras3")


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out = Path(argv[1])
    parts = argv[2:] or list(PARTS)
    for p in parts:
        if p not in PARTS:
            sys.exit(f"make_corpus: unknown part {p!r}; parts are {', '.join(PARTS)}")
    out.mkdir(parents=True, exist_ok=True)
    if len(parts) == 1:
        print("wrote", globals()["part_" + parts[0]](out))
        return

    def one(p):
        return subprocess.run([sys.executable, __file__, str(out), p], capture_output=True,
                              text=True, timeout=600)
    failed = False
    with ThreadPoolExecutor(2) as pool:
        for p, r in zip(parts, pool.map(one, parts)):
            if r.returncode:
                failed = True
                sys.stderr.write(f"make_corpus: part {p} failed:\n{r.stderr[-3000:]}\n")
            else:
                sys.stdout.write(r.stdout)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv)
