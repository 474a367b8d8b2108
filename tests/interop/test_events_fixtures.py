"""Our event reader against TensorBoard's own (EventAccumulator) on every real event file in
../shared/fixtures/real: TF 1.0-1.4, TF 2.1 and 2.13 (.v2, tensor-encoded scalars and histograms,
the profile-empty file), tensorboardX (one file without a file_version record) and the PyTorch
writer (a file named events.tfevents.example). Same runs, tags, steps, wall times and values,
same histogram buckets, same images (Summary.Image and TF2's string tensors), same graph nodes."""
import math
import os

import numpy as np
import pytest

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util

ALL = {k: 0 for k in (event_accumulator.SCALARS, event_accumulator.HISTOGRAMS, event_accumulator.TENSORS,
                      event_accumulator.COMPRESSED_HISTOGRAMS, event_accumulator.IMAGES,
                      event_accumulator.AUDIO)}


def tensorboard_view(run_dir):
    """What TensorBoard reads from one run folder: scalars, histograms (as ours: limits, counts,
    min, max, num, and sum / sum_squares where the format has them), images (step, wall_time,
    [(width, height, bytes)]: TensorBoard's ImageEvent keeps no colorspace) and graph nodes."""
    acc = event_accumulator.EventAccumulator(str(run_dir), size_guidance=ALL)
    acc.Reload()
    tags = acc.Tags()
    scalars, histograms, images = {}, {}, {}
    for tag in tags[event_accumulator.IMAGES]:
        images[tag] = [(e.step, e.wall_time, [(e.width, e.height, e.encoded_image_string)])
                       for e in acc.Images(tag)]
    for tag in tags[event_accumulator.SCALARS]:
        scalars[tag] = [(e.step, e.wall_time, e.value) for e in acc.Scalars(tag)]
    for tag in tags[event_accumulator.HISTOGRAMS]:
        histograms[tag] = [dict(step=e.step, wall_time=e.wall_time, min=e.histogram_value.min,
                                max=e.histogram_value.max, num=e.histogram_value.num,
                                sum=e.histogram_value.sum, sum_squares=e.histogram_value.sum_squares,
                                limits=list(e.histogram_value.bucket_limit),
                                counts=list(e.histogram_value.bucket)) for e in acc.Histograms(tag)]
    for tag in tags[event_accumulator.TENSORS]:
        plugin = acc.summary_metadata[tag].plugin_data.plugin_name
        events = acc.Tensors(tag)
        if plugin == "scalars":
            scalars[tag] = [(e.step, e.wall_time, tensor_util.make_ndarray(e.tensor_proto).item()) for e in events]
        elif plugin == "images":
            images[tag] = []
            for e in events:
                a = tensor_util.make_ndarray(e.tensor_proto)
                images[tag].append((e.step, e.wall_time, [(int(a[0]), int(a[1]), png) for png in a[2:]]))
        elif plugin == "histograms":
            rows = []
            for e in events:
                a = tensor_util.make_ndarray(e.tensor_proto).astype(np.float64)
                rows.append(dict(step=e.step, wall_time=e.wall_time,
                                 min=a[0, 0] if len(a) else 0.0, max=a[-1, 1] if len(a) else 0.0,
                                 num=a[:, 2].sum(), limits=list(a[:, 1]), counts=list(a[:, 2])))
            histograms[tag] = rows
    nodes = None
    if tags[event_accumulator.GRAPH]:
        nodes = [(n.name, n.op, list(n.input), n.device) for n in acc.Graph().node]
    return scalars, histograms, images, nodes


def fixture_runs(fixtures_dir):
    return sorted({os.path.relpath(os.path.dirname(p), fixtures_dir)
                   for p in map(str, fixtures_dir.rglob("*")) if "tfevents" in os.path.basename(p)})


def test_every_fixture_run_reads_like_tensorboard(fixtures_dir, events_dump):
    ours = events_dump(fixtures_dir)
    assert ours.warnings == []
    expected_runs = fixture_runs(fixtures_dir)
    assert sorted(ours.runs) == expected_runs
    # Every kind of file is in there, and each gave something.
    assert "events_torch/miaoshuyu_tbx2018_graph_net1" in expected_runs  # no file_version record
    assert "events_torch/rerun_tfrecord_example" in expected_runs  # events.tfevents.example
    for run in expected_runs:
        scalars, histograms, images, nodes = tensorboard_view(fixtures_dir / run)
        our_scalars = {t: v for (r, t), v in ours.scalars.items() if r == run}
        our_histograms = {t: v for (r, t), v in ours.histograms.items() if r == run}
        assert our_scalars == scalars, run
        our_images = {t: v for (r, t), v in ours.images.items() if r == run}
        assert sorted(our_images) == sorted(images), run
        for tag, points in images.items():
            assert [(s, w, [i[:2] + i[3:] for i in imgs]) for s, w, imgs in our_images[tag]] == points, (run, tag)
        assert sorted(our_histograms) == sorted(histograms), run
        for tag, points in histograms.items():
            mine = our_histograms[tag]
            assert len(mine) == len(points), (run, tag)
            for a, b in zip(mine, points):
                for key, value in b.items():
                    if key in ("sum", "sum_squares") or key not in b:
                        continue
                    assert a[key] == pytest.approx(value, rel=1e-6, abs=0), (run, tag, key)
                if "sum" in b:
                    assert a["sum"] == b["sum"] and a["sum_squares"] == b["sum_squares"], (run, tag)
                else:  # tensor histograms do not store these
                    assert math.isnan(a["sum"]) and math.isnan(a["sum_squares"]), (run, tag)
        assert ours.nodes.get(run) == nodes, run


def test_fixture_contents_cover_what_the_formats_hold(fixtures_dir, events_dump):
    """Counts from PROVENANCE.md, so the comparison above cannot pass on empty reads."""
    ours = events_dump(fixtures_dir)
    assert len(ours.scalars[("events_tf1/alexfeng_log_test1", "loss")]) == 200
    assert len(ours.histograms[("events_tf1/alexfeng_log_test1", "W")]) == 200
    assert len(ours.nodes["events_tf1/golbin_10_chatbot"]) == 2747
    assert len(ours.nodes["events_torch/miaoshuyu_tbx2018_graph_net1"]) == 31
    tf213 = "events_tf2/codeheadmt_tf213_mnist_extra_metrics/train"
    assert len(ours.scalars[(tf213, "epoch_loss")]) == 10
    assert len(ours.histograms[(tf213, "dense/kernel_0/histogram")]) == 10
    assert len(ours.scalars[("events_torch/rerun_tfrecord_example", "Loss/train")]) == 10
    assert ours.runs["events_tf2/eat_tf2_autograph_20200301-110136"][0] == 3  # incl. profile-empty
    rerun = ours.images[("events_torch/rerun_tfrecord_example", "images")]
    assert len(rerun) == 10 and all(imgs[0][:3] == (300, 300, 3) for _, _, imgs in rerun)
    tf213_images = [t for (r, t) in ours.images if r == tf213]
    assert tf213_images and all(t.endswith("/image") for t in tf213_images)
