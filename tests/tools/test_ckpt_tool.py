"""tfc-ckpt end to end: usage, inspect (table, --tensor, --json, path resolution), diff exit codes,
dump to .npy read by NumPy, convert, restore's errors, and corrupt checkpoints (truncated index,
bad magic, wrong block or tensor CRC, offsets beyond the data file, sizes that do not fit the
shape, random bytes, missing files): one line on stderr naming the file and tensor, exit 1."""
import json
import os
import struct
import subprocess

import numpy as np
import pytest
from tool_errors import one_error_line

# FORMATS.md §5's worked example: one tensor `w`, float32 [2] = {1, 2}.
EXAMPLE_INDEX = bytes.fromhex(
    "00 00 06 08 01 1a 02 08 01 00 01 0f 77 08 01 12"
    "04 12 02 08 02 28 08 35 59 3c e5 35 00 00 00 00"
    "01 00 00 00 00 09 21 ad c3 00 00 00 00 01 00 00"
    "00 00 c0 f2 a1 b0 00 01 02 78 00 24 00 00 00 00"
    "01 00 00 00 00 ab 30 70 7f 29 08 36 0e 00 00 00" + " 00" * 32 +
    "00 57 fb 80 8b 24 75 47 db")
EXAMPLE_DATA = struct.pack("<ff", 1, 2)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def masked(c):
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def write_example(prefix, index=EXAMPLE_INDEX, data=EXAMPLE_DATA):
    prefix = str(prefix)
    with open(prefix + ".index", "wb") as f:
        f.write(index)
    with open(prefix + ".data-00000-of-00001", "wb") as f:
        f.write(data)
    return prefix


def with_block_crc(index):
    """The example index with its data block's CRC recomputed (the block is bytes 0-35)."""
    index = bytearray(index)
    index[37:41] = struct.pack("<I", masked(crc32c(bytes(index[0:37]))))
    return bytes(index)


def test_example_is_well_formed():
    assert len(EXAMPLE_INDEX) == 121
    assert masked(crc32c(EXAMPLE_DATA)) == 0x35E53C59
    assert with_block_crc(EXAMPLE_INDEX) == EXAMPLE_INDEX


def test_help_and_usage_errors(run_tool):
    r = run_tool("tfc-ckpt", "--help")
    assert r.returncode == 0 and "inspect" in r.stdout and "restore" in r.stdout and "diff" in r.stdout
    for args in ([], ["frobnicate"], ["inspect", "--bogus"], ["inspect", "a", "b"], ["diff", "a"],
                 ["dump", "x"], ["dump", "x", "--tensor", "w"], ["restore", "x"], ["restore", "x", "--model", "zz"],
                 ["inspect", "x", "--model", "mlp"], ["restore", "x", "--model", "mlp", "--threads", "-1"],
                 ["convert", "x"], ["inspect", "x", "--tensor"], ["restore", "x", "--model", "mlp", "--optimizer", "sgd"]):
        r = run_tool("tfc-ckpt", *args)
        assert r.returncode == 2, args
        assert r.stderr.startswith("tfc-ckpt: ") and r.stderr.count("\n") == 1, (args, r.stderr)


def test_inspect_the_worked_example(run_tool, tmp_path):
    prefix = write_example(tmp_path / "model.ckpt-5")
    r = run_tool("tfc-ckpt", "inspect", prefix)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"{prefix}: V2 checkpoint, 1 tensors, 8 bytes"
    assert lines[1].split() == ["name", "dtype", "shape", "bytes", "min", "max", "mean", "std"]
    assert lines[2].split() == ["w", "float32", "[2]", "8", "1", "2", "1.5", "0.5"]
    r = run_tool("tfc-ckpt", "inspect", prefix, "--tensor", "w")
    assert r.stdout == "w float32 [2]\n[1. 2.]\n"
    doc = json.loads(run_tool("tfc-ckpt", "inspect", prefix, "--json", "--all").stdout)
    assert doc == {"path": prefix, "version": 2, "tensors": [
        {"name": "w", "dtype": "float32", "shape": [2], "bytes": 8, "slices": 0, "min": 1.0, "max": 2.0,
         "mean": 1.5, "std": 0.5, "values": [1.0, 2.0]}]}
    # A file of the checkpoint, the folder through its `checkpoint` file, the default `events`
    # searched for its newest `checkpoint` file.
    assert run_tool("tfc-ckpt", "inspect", prefix + ".index").stdout == r_table(run_tool, prefix)
    assert run_tool("tfc-ckpt", "inspect", prefix + ".data-00000-of-00001").returncode == 0
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-5"\n')
    assert run_tool("tfc-ckpt", "inspect", tmp_path).stdout == r_table(run_tool, prefix)
    events = tmp_path / "events"
    for run, step in (("run1", 1), ("run2", 2)):
        (events / run).mkdir(parents=True)
        write_example(events / run / f"m-{step}")
        (events / run / "checkpoint").write_text(f'model_checkpoint_path: "m-{step}"\n')
        os.utime(events / run / "checkpoint", (1e9 + step, 1e9 + step))
    r = run_tool("tfc-ckpt", "inspect", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("events/run2/m-2:"), r.stdout + r.stderr
    one_error_line(run_tool("tfc-ckpt", "inspect", prefix, "--tensor", "v"), "no tensor 'v'")
    one_error_line(run_tool("tfc-ckpt", "inspect", tmp_path / "nothing"), "nothing", "no checkpoint")
    (tmp_path / "empty").mkdir()
    one_error_line(run_tool("tfc-ckpt", "inspect", tmp_path / "empty"), "empty", "no checkpoint found")


def r_table(run_tool, prefix):
    return run_tool("tfc-ckpt", "inspect", prefix).stdout


def test_dump_and_convert(run_tool, tmp_path):
    prefix = write_example(tmp_path / "m")
    r = run_tool("tfc-ckpt", "dump", prefix, "--tensor", "w", "-o", tmp_path / "w.npy")
    assert r.returncode == 0, r.stderr
    a = np.load(tmp_path / "w.npy")
    assert a.dtype == np.float32 and a.tolist() == [1.0, 2.0]
    r = subprocess.run([str(r.args[0]), "dump", str(prefix), "--tensor", "w", "-o", "-"], capture_output=True, timeout=60)
    assert r.returncode == 0 and not r.stderr and r.stdout == (tmp_path / "w.npy").read_bytes()  # '-': stdout
    assert run_tool("tfc-ckpt", "convert", prefix, tmp_path / "copy").returncode == 0
    assert (tmp_path / "copy.index").read_bytes() == EXAMPLE_INDEX
    assert (tmp_path / "copy.data-00000-of-00001").read_bytes() == EXAMPLE_DATA


def test_diff_exit_codes(run_tool, tmp_path):
    a = write_example(tmp_path / "a")
    b = write_example(tmp_path / "b")
    r = run_tool("tfc-ckpt", "diff", a, b)
    assert r.returncode == 0 and "1 identical, 0 with different values" in r.stdout, r.stdout
    # Different values: data {1, 3} with the entry's CRC (and the block's) made to match.
    data = struct.pack("<ff", 1, 3)
    index = bytearray(EXAMPLE_INDEX)
    index[24:28] = struct.pack("<I", masked(crc32c(data)))
    c = write_example(tmp_path / "c", with_block_crc(index), data)
    r = run_tool("tfc-ckpt", "diff", a, c)
    assert r.returncode == 1 and "values:    w: 1 of 2 differ, max abs difference 1" in r.stdout, r.stdout
    # 0 against -0: equal numbers in other bits, said so rather than 'max abs difference 0'.
    signed = []
    for name, zero in (("pos", 0.0), ("neg", -0.0)):
        data = struct.pack("<ff", zero, 2)
        index[24:28] = struct.pack("<I", masked(crc32c(data)))
        signed.append(write_example(tmp_path / name, with_block_crc(index), data))
    r = run_tool("tfc-ckpt", "diff", *signed)
    assert r.returncode == 1 and "values:    w: 1 of 2 differ in their bits only (0 and -0, or NaNs)" in r.stdout, r.stdout
    r = run_tool("tfc-ckpt", "diff", a, tmp_path / "missing")
    assert r.returncode == 2 and r.stderr.startswith("tfc-ckpt: ")


def test_corrupt_checkpoints(run_tool, tmp_path):
    def check(name, index, data, *needles, tensor=None):
        prefix = write_example(tmp_path / name, index, data)
        args = ["inspect", prefix] + (["--tensor", tensor] if tensor else [])
        r = run_tool("tfc-ckpt", *args)
        one_error_line(r, *needles)

    check("trunc", EXAMPLE_INDEX[:-7], EXAMPLE_DATA, "trunc.index", "bad magic")
    check("short", EXAMPLE_INDEX[:30], EXAMPLE_DATA, "short.index", "shorter than")
    check("magic", EXAMPLE_INDEX[:-1] + b"\x00", EXAMPLE_DATA, "magic.index", "bad magic")
    flipped = bytearray(EXAMPLE_INDEX)
    flipped[12] ^= 0x01  # the key "w" becomes "v": the block CRC no longer holds
    check("block", bytes(flipped), EXAMPLE_DATA, "block.index", "checksum mismatch")
    check("crc", EXAMPLE_INDEX, struct.pack("<ff", 1, 2.5), "crc.data-00000-of-00001", "tensor 'w'",
          "checksum mismatch")
    check("beyond", EXAMPLE_INDEX, EXAMPLE_DATA[:5], "tensor 'w'", "beyond the end of data file")
    absurd = bytearray(EXAMPLE_INDEX)
    absurd[20] = 0x7F  # dim 2 -> 127: 8 bytes cannot hold 127 floats
    check("size", with_block_crc(absurd), EXAMPLE_DATA, "size.index", "tensor 'w'", "does not match its shape")
    rng = np.random.default_rng(1)
    for i in range(20):
        junk = rng.integers(0, 256, int(rng.integers(0, 4000)), dtype=np.uint8).tobytes()
        if i % 2:
            junk += EXAMPLE_INDEX[-8:]
        check(f"junk{i}", junk, junk, f"junk{i}")
    prefix = write_example(tmp_path / "nodata")
    os.remove(prefix + ".data-00000-of-00001")
    one_error_line(run_tool("tfc-ckpt", "inspect", prefix), "nodata.data-00000-of-00001")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "checkpoint").write_text("this is not a checkpoint state\n")
    one_error_line(run_tool("tfc-ckpt", "inspect", tmp_path / "bad"), "bad/checkpoint:1")


def test_restore_names_the_mismatches(run_tool, tmp_path):
    prefix = write_example(tmp_path / "m")
    r = run_tool("tfc-ckpt", "restore", prefix, "--model", "softmax", "--no-eval")
    one_error_line(r, prefix, "missing (", "unexpected (w)")


def test_real_checkpoints_print_like_numpy(run_tool, fixtures_dir, tmp_path):
    """`inspect --tensor` lays values out as NumPy's print(array) does (the values via dump)."""
    for rel in ("ckpt_v2/golbin_05_dnn/dnn.ckpt-100", "ckpt_v2/alexfeng_nn2classify/model.ckpt",
                "ckpt_v2/murrayc7_mnist/model.ckpt", "ckpt_v1/gknoblau_nxt/video_weights.ckpt",
                "ckpt_v2/aucookson97_golf_tf2/ckpt-2"):
        prefix = fixtures_dir / rel
        doc = json.loads(run_tool("tfc-ckpt", "inspect", prefix, "--json").stdout)
        for t in doc["tensors"]:
            if t["dtype"] == "string":
                continue
            npy = tmp_path / "t.npy"
            assert run_tool("tfc-ckpt", "dump", prefix, "--tensor", t["name"], "-o", npy).returncode == 0
            a = np.load(npy)
            assert list(a.shape) == t["shape"] and a.dtype.name == t["dtype"]
            if a.size:
                assert (t["min"], t["max"]) == (float(a.min()), float(a.max()))
                assert t["mean"] == pytest.approx(float(a.astype(np.float64).mean()), rel=1e-9, abs=1e-300)
            out = run_tool("tfc-ckpt", "inspect", prefix, "--tensor", t["name"]).stdout
            assert out.split("\n", 1)[1] == str(a) + "\n", t["name"]


def test_diff_real_checkpoints(run_tool, fixtures_dir):
    d = fixtures_dir / "ckpt_v2" / "aucookson97_golf_tf2"
    r = run_tool("tfc-ckpt", "diff", d / "ckpt-1", d / "ckpt-2")
    assert r.returncode == 1 and "max abs difference" in r.stdout
    r = run_tool("tfc-ckpt", "diff", d / "ckpt-2", d)
    assert r.returncode == 0 and "26 identical" in r.stdout
    r = run_tool("tfc-ckpt", "diff", d / "ckpt-2", d / "savedmodel_variables" / "variables")
    assert r.returncode == 1 and "only in A: net/optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE int64 []" in r.stdout


def test_missing_pieces_are_named(run_tool, tmp_path):
    """A `checkpoint` file whose newest checkpoint was deleted (a CheckpointManager's folder cleaned
    by hand) names the state file and the prefix, for every command; a data file that is a folder
    is said to be one (it read as a 4096-byte file with the tensors 'beyond its end')."""
    write_example(tmp_path / "ckpt-1")
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "ckpt-2"\nall_model_checkpoint_paths: "ckpt-1"\n'
                                         'all_model_checkpoint_paths: "ckpt-2"\n')
    want = (f"{tmp_path}/checkpoint: its newest checkpoint {tmp_path}/ckpt-2 is not there "
            f"(no {tmp_path}/ckpt-2.index, no V1 checkpoint file)")
    for args, code in ((["inspect", tmp_path], 1), (["diff", tmp_path, tmp_path / "ckpt-1"], 2),
                       (["dump", tmp_path, "--tensor", "w", "-o", tmp_path / "w.npy"], 1),
                       (["convert", tmp_path, tmp_path / "c"], 1), (["restore", tmp_path, "--model", "mlp",
                                                                     "--no-eval"], 1)):
        assert one_error_line(run_tool("tfc-ckpt", *args), code=code) == "tfc-ckpt: " + want, args
    prefix = write_example(tmp_path / "folder")
    os.remove(prefix + ".data-00000-of-00001")
    os.mkdir(prefix + ".data-00000-of-00001")
    one_error_line(run_tool("tfc-ckpt", "inspect", prefix), "folder.data-00000-of-00001: is a folder, not a file")
    # A data file or a Saver's graph whose index is gone (it was read as a V1 file: 'bad magic number').
    prefix = write_example(tmp_path / "noindex")
    os.remove(prefix + ".index")
    (tmp_path / "noindex.meta").write_bytes(b"\x0a\x00")
    for f in (prefix + ".data-00000-of-00001", prefix + ".meta"):
        one_error_line(run_tool("tfc-ckpt", "inspect", f),
                       f"{f}: a file of checkpoint {prefix}, which is not there (no {prefix}.index)")


def test_an_event_file_is_named_as_such(run_tool, tmp_path):
    """An event file (any TFRecord file) given to tfc-ckpt says what it is, whatever its name, not
    'bad magic number'; a file that only begins like one is still 'not an SSTable'."""
    payload = b"\x09" + bytes(8) + b"\x1a\x0dbrain.Event:2"
    length = struct.pack("<Q", len(payload))
    record = length + struct.pack("<I", masked(crc32c(length))) + payload + struct.pack("<I", masked(crc32c(payload)))
    (tmp_path / "run.log").write_bytes(record)
    for args, code in ((["inspect", tmp_path / "run.log"], 1), (["diff", tmp_path / "run.log", tmp_path / "run.log"], 2)):
        one_error_line(run_tool("tfc-ckpt", *args), f"{tmp_path}/run.log: a TFRecord file (a TensorBoard event file?",
                       "not a TensorFlow checkpoint", code=code)
    (tmp_path / "bad.log").write_bytes(length + b"\0\0\0\0" + payload)
    one_error_line(run_tool("tfc-ckpt", "inspect", tmp_path / "bad.log"), "not an SSTable")


def test_restore_leaves_another_optimizers_slots(run_tool, mnist_dir, tmp_path):
    """A checkpoint of an Adam run restores into the model built for plain gradient descent, as
    TensorFlow's Saver restores it: Adam's slots are left and counted."""
    r = run_tool("tfc-run", "mnist", "--model", "softmax", "--optimizer", "adam", "--steps", "3", "--threads", "1",
                 "--logdir", tmp_path, "--run", "r", "--quiet", "--data-dir", mnist_dir)
    assert r.returncode == 0, r.stderr
    doc = json.loads(run_tool("tfc-ckpt", "inspect", tmp_path / "r", "--json").stdout)
    assert len(doc["tensors"]) == 9  # W, b, global_step, 2 slots each and the betas' powers
    r = run_tool("tfc-ckpt", "restore", tmp_path / "r", "--model", "softmax", "--optimizer", "gd", "--no-eval")
    assert r.returncode == 0, r.stderr
    left = ("left 6 tensors of the checkpoint that no variable of the graph takes, as TensorFlow's Saver does: "
            "W/Adam, W/Adam_1, b/Adam, b/Adam_1, beta1_power, beta2_power")
    assert r.stdout.splitlines()[1] == left, r.stdout
    # tfc-run --restore with another optimizer goes on too, and says what it left (it said nothing)
    r = run_tool("tfc-run", "mnist", "--model", "softmax", "--optimizer", "gd", "--steps", "4", "--threads", "1",
                 "--logdir", tmp_path, "--run", "r2", "--restore=" + str(tmp_path / "r"), "--data-dir", mnist_dir)
    assert r.returncode == 0, r.stderr
    assert f"tfc-run: restored {tmp_path}/r/model.ckpt-3 at step 3\ntfc-run: {left}\n" in r.stderr, r.stderr
