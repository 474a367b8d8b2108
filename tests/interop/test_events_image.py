"""Our ImageSummary op against TensorFlow's (tf.compat.v1.summary.image): the same tags, sizes and
colorspaces and, decoded, the same pixels for uint8 images and for float32 and float64 images
through TensorFlow's scaling (all positive, with negatives, constant, with NaN and infinities),
through tests/summary/tfc-summary-dump image; and TensorBoard's EventAccumulator reading the image
summaries tfc-run writes."""
import subprocess

import numpy as np
import pytest


def tf_image_summary(images, max_images):
    import tensorflow as tf
    from tensorboard.compat.proto import summary_pb2
    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        s = v1.summary.image("img", tf.constant(images), max_outputs=max_images)
        with v1.Session(graph=graph) as sess:
            return summary_pb2.Summary.FromString(sess.run(s))


def our_image_summary(build_dir, images, max_images):
    from tensorboard.compat.proto import summary_pb2
    exe = build_dir / "tests" / "summary" / "tfc-summary-dump"
    header = "%s %d %d %d %d %d\n" % ((images.dtype.name,) + images.shape + (max_images,))
    p = subprocess.run([str(exe), "image"], input=header.encode() + images.astype(images.dtype.newbyteorder("<")).tobytes(),
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr.decode()
    return summary_pb2.Summary.FromString(p.stdout)


def decode(png):
    import tensorflow as tf
    return tf.io.decode_png(png).numpy()


rng = np.random.default_rng(5)
noisy = rng.normal(0, 1, (3, 7, 5, 3)).astype(np.float32)
noisy[0, 1, 2, 1] = np.nan
noisy[2, 3, 3, 0] = np.inf
CASES = {
    "uint8_gray": (rng.integers(0, 256, (4, 28, 28, 1), dtype=np.uint8), 3),
    "uint8_rgba": (rng.integers(0, 256, (2, 6, 9, 4), dtype=np.uint8), 2),
    "float_positive": (rng.uniform(0, 3, (3, 10, 12, 1)).astype(np.float32), 3),
    "float_signed_rgb_nan": (noisy, 3),
    "float_one_image_tag": (rng.normal(0, 1, (5, 4, 4, 3)).astype(np.float32), 1),
    "float_constant_zero": (np.zeros((1, 3, 3, 1), np.float32), 3),
    "float_tiny": (np.full((1, 2, 2, 1), 1e-7, np.float32), 3),
    "double_signed": (rng.normal(0, 10, (2, 5, 5, 1)), 4),
    "filters": (rng.normal(0, 0.1, (32, 5, 5, 1)).astype(np.float32), 32),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_image_summary_matches_tensorflow(build_dir, name):
    images, max_images = CASES[name]
    theirs = tf_image_summary(images, max_images)
    ours = our_image_summary(build_dir, images, max_images)
    assert [v.tag for v in ours.value] == [v.tag for v in theirs.value]
    for o, t in zip(ours.value, theirs.value):
        assert o.WhichOneof("value") == "image"
        assert (o.image.height, o.image.width, o.image.colorspace) == \
            (t.image.height, t.image.width, t.image.colorspace)
        np.testing.assert_array_equal(decode(o.image.encoded_image_string), decode(t.image.encoded_image_string),
                                      err_msg=o.tag)


def read_idx_images(path):
    import gzip
    data = path.read_bytes() if path.is_file() else gzip.decompress(path.with_name(path.name + ".gz").read_bytes())
    n, h, w = np.frombuffer(data[4:16], ">u4")
    return np.frombuffer(data[16:], np.uint8).reshape(n, h, w)


def test_tensorboard_reads_tfc_run_images(run_tool, logdir, mnist_dir):
    """tfc-run --images 3: TensorBoard's EventAccumulator finds three image tags as TensorFlow
    names them, each a 28x28 grayscale PNG of a training digit at every summary step."""
    from tensorboard.backend.event_processing import event_accumulator
    import tensorflow as tf
    p = run_tool("tfc-run", "mnist", "--model", "softmax", "--steps", "200", "--images", "3",
                 "--logdir", str(logdir), "--run", "r", "--quiet", "--data-dir", str(mnist_dir), timeout=300)
    assert p.returncode == 0, p.stderr
    acc = event_accumulator.EventAccumulator(str(logdir / "r"), size_guidance={"images": 0})
    acc.Reload()
    tags = acc.Tags()["images"]
    assert sorted(tags) == [f"input_reshape/input/image/{i}" for i in range(3)]
    train = read_idx_images(mnist_dir / "train-images-idx3-ubyte").astype(np.int16)
    for tag in tags:
        events = acc.Images(tag)
        assert [e.step for e in events] == [100, 200]
        for e in events:
            assert (e.width, e.height) == (28, 28)
            img = tf.io.decode_png(e.encoded_image_string).numpy()
            assert img.shape == (28, 28, 1)
            # the digit scaled back to 0..255 (a pixel may come out one lower, as in TensorFlow)
            diff = np.abs(train - img[:, :, 0].astype(np.int16)).max(axis=(1, 2))
            assert diff.min() <= 1, tag


def test_cnn_filters_as_one_grid(run_tool, logdir, mnist_dir):
    """tfc-run --model cnn --images 1: the first layer's 32 filters as one 24x48 picture, 4 rows of
    8 each with a line above and to its left, pixel for pixel what TensorFlow's image summary makes
    of the checkpoint's weights laid out that way (the last summary and the checkpoint share a step)."""
    from tensorboard.backend.event_processing import event_accumulator
    import tensorflow as tf
    p = run_tool("tfc-run", "mnist", "--model", "cnn", "--steps", "20", "--summary-every", "10", "--images", "1",
                 "--logdir", str(logdir), "--run", "c", "--quiet", "--data-dir", str(mnist_dir), timeout=600)
    assert p.returncode == 0, p.stderr
    acc = event_accumulator.EventAccumulator(str(logdir / "c"), size_guidance={"images": 0})
    acc.Reload()
    assert sorted(acc.Tags()["images"]) == ["input_reshape/input/image", "model/conv1/filters/image"]
    events = acc.Images("model/conv1/filters/image")
    assert [e.step for e in events] == [10, 20] and (events[-1].width, events[-1].height) == (48, 24)
    w = tf.train.load_checkpoint(str(logdir / "c")).get_tensor("model/conv1/weights")  # [5, 5, 1, 32]
    grid = np.pad(w, ((1, 0), (1, 0), (0, 0), (0, 0))).reshape(6, 6, 4, 8).transpose(2, 0, 3, 1)
    want = tf_image_summary(grid.reshape(1, 24, 48, 1), 1).value[0].image.encoded_image_string
    np.testing.assert_array_equal(decode(events[-1].encoded_image_string), decode(want))
