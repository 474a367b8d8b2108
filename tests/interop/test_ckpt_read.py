"""We read TensorFlow's checkpoints: every real checkpoint in ../shared/fixtures/real (TF 0.7-2.13,
V1 and V2, Saver and object-based) and checkpoints TensorFlow writes here (SaveV2 with many dtypes,
scalars, empty tensors, strings, > 1,000 long-named tensors so the index has several blocks,
partitioned variables; V1 Save and SaveSlices) are listed by `tfc-ckpt inspect --json --all` with
the names, dtypes, shapes and bit-identical values of tf.train.list_variables / load_checkpoint.
A TF1-style bundle rewritten by `tfc-ckpt convert` is byte-identical to TensorFlow's."""
import json
import os
import subprocess

import numpy as np
import pytest
import tensorflow as tf

# The tensor zoo: every dtype TensorFlow saves that tfc holds, scalars, empty tensors, strings.
RNG = np.random.default_rng(7)
ZOO = {
    "f32": RNG.standard_normal((3, 4)).astype(np.float32),
    "f64": RNG.standard_normal(5),
    "f16": RNG.standard_normal(6).astype(np.float16),
    "i8": np.array([-128, 0, 127], np.int8),
    "i16": np.array([-32768, 5, 32767], np.int16),
    "i32": np.arange(-3, 9, dtype=np.int32).reshape(2, 2, 3),
    "i64": np.array([-(2 ** 62), 1, 2 ** 62 + 5], np.int64),
    "u8": np.arange(256, dtype=np.uint8).reshape(16, 16),
    "u16": np.array([0, 65535], np.uint16),
    "u32": np.array([0, 2 ** 32 - 1], np.uint32),
    "u64": np.array([0, 2 ** 64 - 1], np.uint64),
    "bool": np.array([[True, False], [False, True]]),
    "c64": np.array([1 + 2j, -3.5j], np.complex64),
    "c128": np.array([1e-300 + 2j], np.complex128),
    "scalar_f32": np.float32(3.25),
    "scalar_i64": np.int64(-7),
    "scalar_str": np.array(b"hello", dtype=object),
    "empty": np.zeros((0, 3), np.float32),
    "empty_str": np.array([], dtype=object),
    "special": np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4028235e38], np.float32),
    "strings": np.array([[b"", b"a\x00b"], [bytes(range(256)), b"x" * 300]], dtype=object),
    "scope/with space/and-dash": np.float32([1, 2]),
}


def ours(tfc_ckpt, path):
    """`tfc-ckpt inspect --json --all` as {name: (dtype, shape, values as numpy)}."""
    r = subprocess.run([str(tfc_ckpt), "inspect", str(path), "--json", "--all"], capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr.decode()
    doc = json.loads(r.stdout)
    out = {}
    for t in doc["tensors"]:
        out[t["name"]] = (t["dtype"], t["shape"], to_numpy(t["dtype"], t["shape"], t.get("values")))
    return doc, out


def to_numpy(dtype, shape, values):
    if values is None:
        return None
    if dtype == "string":
        flat = np.array(values, dtype=object).reshape(-1) if shape else [values]
        a = np.array([s.encode("utf-8", "surrogateescape") for s in flat], dtype=object)
        return a.reshape(shape) if shape else a[0]
    if dtype.startswith("complex"):
        a = np.array(values, dtype=np.float64).reshape(list(shape) + [2])
        return (a[..., 0] + 1j * a[..., 1]).astype(dtype)
    if dtype == "bfloat16":
        return np.array(values, dtype=np.float32).reshape(shape)
    return np.array(values, dtype=np.float64 if dtype.startswith("float") else object).astype(dtype).reshape(shape)


def theirs(prefix):
    """TensorFlow's view: {name: (dtype name, shape, value)} for every tensor it lists."""
    reader = tf.train.load_checkpoint(str(prefix))
    shapes = dict(tf.train.list_variables(str(prefix)))
    dtypes = reader.get_variable_to_dtype_map()
    def value(n):
        try:
            return reader.get_tensor(n)
        except tf.errors.UnimplementedError:
            return None
    return {n: (dtypes[n].name, list(shapes[n]), value(n)) for n in shapes}


def assert_same_value(name, dtype, mine, tfv):
    if dtype == "string":
        a = np.asarray(tfv, dtype=object)
        b = np.asarray(mine, dtype=object)
        assert a.shape == b.shape and all(x == y for x, y in zip(a.reshape(-1), b.reshape(-1))), name
        return
    tfv = np.asarray(tfv)
    if dtype == "bfloat16":
        tfv = tfv.astype(np.float32)
    mine = np.asarray(mine, dtype=tfv.dtype)
    assert mine.shape == tfv.shape, name
    assert mine.tobytes() == tfv.tobytes(), f"{name}: {mine} != {tfv}"


def assert_matches_tensorflow(tfc_ckpt, prefix, skip_values=()):
    _, mine = ours(tfc_ckpt, prefix)
    tfs = theirs(prefix)
    assert sorted(mine) == sorted(tfs)
    for name, (dtype, shape, value) in tfs.items():
        m_dtype, m_shape, m_value = mine[name]
        assert (m_dtype, m_shape) == (dtype, shape), name
        if name not in skip_values:
            assert value is not None, name
            assert_same_value(name, dtype, m_value, value)
    return mine


def fixture_prefixes(fixtures_dir):
    v2 = sorted(str(p)[:-len(".index")] for p in (fixtures_dir / "ckpt_v2").rglob("*.index"))
    v1 = sorted(str(p) for p in (fixtures_dir / "ckpt_v1").rglob("*.ckpt"))
    return v2 + v1


def test_every_real_checkpoint_reads_like_tensorflow(tfc_ckpt, fixtures_dir):
    prefixes = fixture_prefixes(fixtures_dir)
    assert len(prefixes) >= 10
    for prefix in prefixes:
        assert_matches_tensorflow(tfc_ckpt, prefix)


def save_v2(prefix, tensors, slices=None):
    names = list(tensors)
    tf.raw_ops.SaveV2(prefix=str(prefix), tensor_names=names,
                      shape_and_slices=slices or [""] * len(names),
                      tensors=[tf.constant(v) for v in tensors.values()])


def many_long_names(n=1200):
    # Names that differ early, so prefix compression cannot shrink them: ~230 bytes an entry.
    return {f"layer{i:04d}/" + "w" * 200: np.float32([i, -i]) for i in range(n)}


def varint(b, i):
    v = shift = 0
    while True:
        v |= (b[i] & 0x7F) << shift
        shift += 7
        i += 1
        if b[i - 1] < 0x80:
            return v, i


def index_data_blocks(index_path):
    """The number of data blocks of an SSTable: its index block has one restart per entry."""
    b = open(index_path, "rb").read()
    footer = len(b) - 48
    _, i = varint(b, footer)
    _, i = varint(b, i)
    off, i = varint(b, i)
    size, i = varint(b, i)
    return int.from_bytes(b[off + size - 4:off + size], "little")


def test_tensorflow_written_zoo_reads_the_same(tfc_ckpt, tmp_path):
    prefix = tmp_path / "zoo"
    save_v2(prefix, {**ZOO, **many_long_names()})
    assert index_data_blocks(str(prefix) + ".index") >= 2
    mine = assert_matches_tensorflow(tfc_ckpt, prefix)
    assert len(mine) == len(ZOO) + 1200
    assert mine["strings"][2][1, 0] == bytes(range(256))


def test_partitioned_variable(tfc_ckpt, tmp_path):
    prefix = tmp_path / "part"
    full = np.arange(40, dtype=np.float32).reshape(10, 4)
    names = ["p", "p", "p", "q"]
    specs = ["10 4 0,3:0,4", "10 4 3,5:0,4", "10 4 8,2:0,4", ""]
    tf.raw_ops.SaveV2(prefix=str(prefix), tensor_names=names, shape_and_slices=specs,
                      tensors=[full[0:3], full[3:8], full[8:10], np.int32(1)])
    mine = assert_matches_tensorflow(tfc_ckpt, prefix)
    assert mine["p"][2].tobytes() == full.tobytes()
    r = subprocess.run([str(tfc_ckpt), "inspect", str(prefix)], capture_output=True, text=True)
    assert "(3 slices)" in r.stdout


def test_overlapping_slices_are_a_data_loss(tfc_ckpt, tmp_path):
    """Slices 0-4 and 3-7 of ten rows: rows 8-9 are stored nowhere. TensorFlow refuses to read it;
    inspect, dump and convert each fail naming the variable instead of filling in zeros."""
    prefix = tmp_path / "overlap"
    full = np.arange(40, dtype=np.float32).reshape(10, 4)
    tf.raw_ops.SaveV2(prefix=str(prefix), tensor_names=["p", "p", "q"],
                      shape_and_slices=["10 4 0,5:0,4", "10 4 3,5:0,4", ""],
                      tensors=[full[0:5], full[3:8], np.int32(1)])
    with pytest.raises(Exception, match="Overlapping slices"):
        tf.train.load_checkpoint(str(prefix)).get_tensor("p")
    runs = {"inspect": ["inspect", str(prefix)],
            "dump": ["dump", str(prefix), "--tensor", "p", "-o", str(tmp_path / "p.npy")],
            "convert": ["convert", str(prefix), str(tmp_path / "converted")]}
    for what, args in runs.items():
        r = subprocess.run([str(tfc_ckpt), *args], capture_output=True, text=True)
        assert r.returncode == 1, what
        assert "tensor 'p': its slices 0,5:0,4 and 3,5:0,4 overlap" in r.stderr, what
        assert len(r.stderr.splitlines()) == 1, what
    assert sorted(os.listdir(tmp_path)) == ["overlap.data-00000-of-00001", "overlap.index"]


def test_v1_checkpoints_written_by_tensorflow(tfc_ckpt, tmp_path):
    whole = {"a": np.float32([1.5, -2]), "b": np.int64(5), "c": np.array([b"q", b""], dtype=object),
             "d": np.float64([[1, 2], [3, 4]]), "e": np.array([True, False]), "f": np.int32([7, 8, 9]),
             "g": np.uint8([1, 255]), "h": np.float16([0.5, 65504, -0.0])}
    path = tmp_path / "v1.ckpt"
    tf.raw_ops.Save(filename=str(path), tensor_names=list(whole), data=[tf.constant(v) for v in whole.values()])
    # TensorFlow's reader has no float16 for V1 ("Data type not supported"): that one is checked
    # against the values saved.
    mine = assert_matches_tensorflow(tfc_ckpt, path, skip_values={"h"})
    assert mine["h"][2].tobytes() == whole["h"].tobytes()
    assert mine["d"][2].tolist() == [[1, 2], [3, 4]]

    # Slices: TensorFlow's own reader refuses these ("Sliced checkpoints are not supported").
    p = np.arange(8, dtype=np.float32).reshape(4, 2)
    sliced = tmp_path / "v1s.ckpt"
    tf.raw_ops.SaveSlices(filename=str(sliced), tensor_names=["p", "p", "q"],
                          shapes_and_slices=["4 2 0,1:-", "4 2 1,3:-", "3 -"],
                          data=[p[0:1], p[1:4], np.int32([9, 8, 7])])
    _, got = ours(tfc_ckpt, sliced)
    assert got["p"][:2] == ("float32", [4, 2]) and got["p"][2].tobytes() == p.tobytes()
    assert got["q"][2].tolist() == [9, 8, 7]


def test_convert_rewrites_a_tf1_bundle_byte_for_byte(tfc_ckpt, tmp_path):
    # TF1's Saver adds tensors in name order; so does `convert`; everything else follows the format.
    tensors = dict(sorted({**ZOO, **many_long_names(1500)}.items()))
    save_v2(tmp_path / "tf", tensors)
    r = subprocess.run([str(tfc_ckpt), "convert", str(tmp_path / "tf"), str(tmp_path / "ours")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for suffix in (".index", ".data-00000-of-00001"):
        a = (tmp_path / ("tf" + suffix)).read_bytes()
        b = (tmp_path / ("ours" + suffix)).read_bytes()
        assert a == b, suffix
    assert index_data_blocks(tmp_path / "ours.index") >= 2
    assert not [f for f in os.listdir(tmp_path) if "tempstate" in f]


def test_values_print_like_numpy(tfc_ckpt, tmp_path):
    """`inspect --tensor` lays out every dtype as NumPy's print() does: integers, booleans, bytes,
    NaN and infinities, scientific notation, summaries of large arrays, 0-d values."""
    printable = {k: v for k, v in ZOO.items() if not k.startswith("c")}  # complex: not NumPy's layout
    printable.update({
        "big_f32": np.linspace(-1, 1, 3000, dtype=np.float32).reshape(30, 100),
        "big_i64": np.arange(5000, dtype=np.int64).reshape(10, 5, 100) * 1000,
        "sci": np.float32([1e-5, 2.5e10, -3]),
        "tiny": np.float64([1e-300, 5e-324]),
        "halves": np.float16([0.1, 1000, -2.5]),
        "mixed": np.float32([0.1, 100.25, -7]),
        "deep": np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5) / 7,
        "bools": np.arange(1200) % 3 == 0,
        "scalar_f64": np.float64(1e16),
        "scalar_small": np.float32(1.5e-5),
        "scalar_round": np.float64(123456789.0),
    })
    save_v2(tmp_path / "p", printable)
    for name, value in printable.items():
        r = subprocess.run([str(tfc_ckpt), "inspect", str(tmp_path / "p"), "--tensor", name], capture_output=True,
                           text=True, errors="replace")
        assert r.returncode == 0, r.stderr
        a = np.asarray(value)
        if a.dtype == object:  # bytes: NumPy 2 writes a 0-d one as np.bytes_(b'...'); we as Python does
            want = repr(a.item()) if a.ndim == 0 else str(a.astype("S"))
        else:
            want = str(a)
        assert r.stdout.split("\n", 1)[1] == want + "\n", name


def test_sharded_bundle(tfc_ckpt, tmp_path):
    """Bundles merged by TensorFlow keep one data file per shard (PREFIX.data-0000N-of-00002)."""
    save_v2(tmp_path / "s0", {"a": np.float32([1, 2, 3]), "c": np.int64(7)})
    save_v2(tmp_path / "s1", {"b": np.array([b"x", b"yz"], dtype=object), "d": np.float64([[0.5]])})
    tf.raw_ops.MergeV2Checkpoints(checkpoint_prefixes=[str(tmp_path / "s0"), str(tmp_path / "s1")],
                                  destination_prefix=str(tmp_path / "merged"))
    assert sorted(p.name for p in tmp_path.glob("merged.data-*")) == ["merged.data-00000-of-00002",
                                                                      "merged.data-00001-of-00002"]
    mine = assert_matches_tensorflow(tfc_ckpt, tmp_path / "merged")
    assert sorted(mine) == ["a", "b", "c", "d"]
    os.remove(tmp_path / "merged.data-00001-of-00002")
    r = subprocess.run([str(tfc_ckpt), "inspect", str(tmp_path / "merged")], capture_output=True, text=True)
    assert r.returncode == 1 and "merged.data-00001-of-00002" in r.stderr
