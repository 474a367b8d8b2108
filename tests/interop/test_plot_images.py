"""tfc-plot --image on image summaries written by real writers: TensorFlow 1 (tf.compat.v1
summary.image through a FileWriter: Summary.Image, one tag per sample), TensorFlow 2
(tf.summary.image: string tensors under plugin "images") and PyTorch (torch.utils.tensorboard's
add_image and add_images), made here since no real TF1 fixture holds images, and the real
fixtures that do (TF 2.13 Keras, the PyTorch writer's 300x300 RGB). Each image TensorBoard reads
from the files must appear, pixel for pixel and enlarged by its whole factor, in the picture;
bad PNG bytes are one warning naming tag and step."""
import re

import numpy as np
import pytest
from PIL import Image  # noqa: F401  (imported by torch's writer; fails early if missing)

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util


def read_pngs(run_dir):
    """{tag: [(step, [png bytes])]} as TensorBoard's EventAccumulator reads them."""
    acc = event_accumulator.EventAccumulator(str(run_dir), size_guidance={"images": 0, "tensors": 0})
    acc.Reload()
    out = {}
    for tag in acc.Tags()["images"]:
        out[tag] = [(e.step, [e.encoded_image_string]) for e in acc.Images(tag)]
    for tag in acc.Tags()["tensors"]:
        if acc.summary_metadata[tag].plugin_data.plugin_name == "images":
            out[tag] = [(e.step, list(tensor_util.make_ndarray(e.tensor_proto)[2:])) for e in acc.Tensors(tag)]
    return out


def decode(png, channels=3):
    import tensorflow as tf
    return tf.io.decode_png(png, channels=channels).numpy()


def find_block(picture, block):
    """Top-left corners where block (h, w, 3) lies in picture, found row by row with bytes.find."""
    first = block[0].tobytes()
    hits = []
    for y in range(picture.shape[0] - block.shape[0] + 1):
        row = picture[y].tobytes()
        i = row.find(first)
        while i != -1:
            if i % 3 == 0 and np.array_equal(picture[y:y + block.shape[0], i // 3:i // 3 + block.shape[1]], block):
                hits.append((y, i // 3))
            i = row.find(first, i + 1)
    return hits


def enlarge(img, target=96):
    """An image as tfc-plot draws it at 72 dpi: enlarged by the whole factor that brings it
    nearest 96 points (small images only)."""
    k = max(1, target // max(img.shape[:2]))
    return np.repeat(np.repeat(img, k, axis=0), k, axis=1)


def plot(run_tool, tmp_path, logdir, *args):
    out = tmp_path / "grid.png"
    p = run_tool("tfc-plot", "--logdir", str(logdir), *args, "--dpi", "72", "-o", str(out))
    assert p.returncode == 0, p.stderr
    return decode(out.read_bytes()), p


def assert_all_drawn(picture, pngs, tags):
    for tag in tags:
        for step, images in pngs[tag]:
            for png in images:
                assert find_block(picture, enlarge(decode(png))), (tag, step)


rng = np.random.default_rng(3)
DIGITS = rng.integers(0, 256, (2, 3, 12, 10, 1), dtype=np.uint8)  # 2 steps of 3 gray images
COLOUR = rng.integers(0, 256, (2, 2, 7, 9, 3), dtype=np.uint8)    # 2 steps of 2 RGB images


def test_tf1_images(run_tool, tmp_path):
    import tensorflow as tf
    v1 = tf.compat.v1
    logdir = tmp_path / "tf1"
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.uint8, DIGITS.shape[1:])
        c = v1.placeholder(tf.float32, COLOUR.shape[1:])
        merged = v1.summary.merge([v1.summary.image("digits", x, max_outputs=3),
                                   v1.summary.image("colour", c, max_outputs=1)])
        with v1.Session(graph=graph) as sess:
            writer = v1.summary.FileWriter(str(logdir))
            for i, step in enumerate((100, 200)):
                writer.add_summary(sess.run(merged, {x: DIGITS[i], c: COLOUR[i] / 255.0}), step)
            writer.close()
    pngs = read_pngs(logdir)
    assert sorted(pngs) == ["colour/image", "digits/image/0", "digits/image/1", "digits/image/2"]
    picture, p = plot(run_tool, tmp_path, logdir, "--image", "digits|colour")
    assert "warning" not in p.stderr
    assert_all_drawn(picture, pngs, pngs)
    # the samples of one step side by side: digits 0, 1, 2 on one row, in that order
    (y0, x0), = find_block(picture, enlarge(decode(pngs["digits/image/0"][0][1][0])))
    (y1, x1), = find_block(picture, enlarge(decode(pngs["digits/image/1"][0][1][0])))
    (y2, x2), = find_block(picture, enlarge(decode(pngs["digits/image/2"][0][1][0])))
    assert y0 == y1 == y2 and x0 < x1 < x2
    (y3, _), = find_block(picture, enlarge(decode(pngs["digits/image/0"][1][1][0])))
    assert y3 > y0  # the next step below

    listing = run_tool("tfc-plot", "--logdir", str(logdir), "--list")
    assert listing.returncode == 0, listing.stderr
    assert re.search(r"images:\n(\s+\S+\s+2 points\s+steps 100\.\.200\n){4}", listing.stdout), listing.stdout
    assert "digits/image/2" in listing.stdout

    # bad input: one line naming the flag or tag, exit 1 (failure) or 2 (usage)
    p = run_tool("tfc-plot", "--logdir", str(logdir), "--image", "nope")
    assert p.returncode == 1 and p.stderr.count("\n") == 1 and "no image tag 'nope'" in p.stderr
    assert "colour/image, digits/image/0" in p.stderr
    for args in (["--image", "x", "--scalar", "y"], ["--image", "x", "--csv", "-"], ["--image", "x", "--max-steps", "-1"]):
        p = run_tool("tfc-plot", "--logdir", str(logdir), *args)
        assert p.returncode == 2 and p.stderr.count("\n") == 1, p.stderr


def test_tf2_images(run_tool, tmp_path):
    import tensorflow as tf
    logdir = tmp_path / "tf2"
    writer = tf.summary.create_file_writer(str(logdir))
    with writer.as_default():
        for i, step in enumerate((5, 6)):
            tf.summary.image("digits", DIGITS[i], step=step, max_outputs=3)
            tf.summary.image("colour", COLOUR[i], step=step)
    writer.close()
    pngs = read_pngs(logdir)
    assert sorted(pngs) == ["colour", "digits"] and len(pngs["digits"][0][1]) == 3
    picture, p = plot(run_tool, tmp_path, logdir, "--image", "digits", "--image", "colour")
    assert "warning" not in p.stderr
    assert_all_drawn(picture, pngs, pngs)


def test_pytorch_images(run_tool, tmp_path):
    from torch.utils.tensorboard import SummaryWriter
    import torch
    logdir = tmp_path / "torch"
    w = SummaryWriter(str(logdir))
    for i, step in enumerate((1, 2)):
        w.add_image("one", torch.from_numpy(COLOUR[i, 0]), step, dataformats="HWC")
        w.add_images("batch", torch.from_numpy(DIGITS[i]), step, dataformats="NHWC")  # one grid image
    w.close()
    pngs = read_pngs(logdir)
    assert sorted(pngs) == ["batch", "one"]
    picture, p = plot(run_tool, tmp_path, logdir, "--image", ".")
    assert "warning" not in p.stderr
    assert_all_drawn(picture, pngs, pngs)


def test_real_fixtures(run_tool, tmp_path, fixtures_dir):
    tf213 = fixtures_dir / "events_tf2" / "codeheadmt_tf213_mnist_extra_metrics" / "train"
    pngs = read_pngs(tf213)
    picture, p = plot(run_tool, tmp_path, tf213, "--image", "image", "--max-steps", "0")
    assert "warning" not in p.stderr
    # the small ones are drawn pixel for pixel (the 784x512 kernel and 1x512 bias are shrunk to fit)
    small = [t for t in pngs if max(decode(pngs[t][0][1][0]).shape[:2]) <= 96]
    assert small == ["dense_1/bias_0/image"]
    assert_all_drawn(picture, pngs, small)

    rerun = fixtures_dir / "events_torch" / "rerun_tfrecord_example"
    out = tmp_path / "rerun.png"
    p = run_tool("tfc-plot", "--logdir", str(rerun), "--image", "images", "--max-steps", "3", "-o", str(out))
    assert p.returncode == 0 and "warning" not in p.stderr, p.stderr
    picture = decode(out.read_bytes())
    # three 300x300 noise images shrunk to 192 points at 100 dpi: three big many-coloured squares
    side = round(192 * 100 / 72)
    assert picture.shape[0] > 3 * side and picture.shape[1] > side
    assert len(np.unique(picture.reshape(-1, 3), axis=0)) > 10000


def test_bad_png_is_one_warning(run_tool, tmp_path):
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    import tensorflow as tf
    good = tf.io.encode_png(DIGITS[0, 0]).numpy()
    logdir = tmp_path / "bad"
    w = EventFileWriter(str(logdir))
    for step, data in ((1, good), (2, b"\x89PNG\r\n\x1a\n" + b"\0" * 40), (3, good[: len(good) // 2]), (4, good)):
        img = summary_pb2.Summary.Image(height=12, width=10, colorspace=1, encoded_image_string=data)
        w.add_event(event_pb2.Event(step=step, summary=summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag="x/image", image=img)])))
    w.close()
    picture, p = plot(run_tool, tmp_path, logdir, "--image", "x/image")
    warnings = [line for line in p.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 2, p.stderr
    assert "'x/image' step 2" in warnings[0] and "'x/image' step 3" in warnings[1]
    assert len(find_block(picture, enlarge(decode(good)))) == 2  # steps 1 and 4
