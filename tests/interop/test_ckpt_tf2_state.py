"""Checkpoints of TensorFlow programs beyond plain variables: a TF2 tf.train.Checkpoint holding a
tf.data iterator (its state is a DT_VARIANT tensor, which tfc does not decode) is compared by its
stored bytes in `tfc-ckpt diff` (an iterator moved on is a difference, not "identical") and kept
as it is by `convert` (TensorFlow restores the iterator from the converted checkpoint and goes on
where it was; `inspect` checks its bytes too); `diff` measures complex and 64-bit integer
differences exactly; a tf.compat.v1 Saver's `.meta` file and a SavedModel's folder name their
checkpoints; the table lines up names that are not ASCII."""
import subprocess

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")


def ckpt(tfc_ckpt, *args):
    return subprocess.run([str(tfc_ckpt), *map(str, args)], capture_output=True, text=True, timeout=120)


def one_line(r, *needles):
    assert r.returncode == 1 and r.stdout == "", (r.returncode, r.stdout)
    assert r.stderr.startswith("tfc-ckpt: ") and r.stderr.count("\n") == 1, r.stderr
    for n in needles:
        assert n in r.stderr, r.stderr


def plain_range(n):
    """tf.data.Dataset.range without the prefetch tf.data may add, whose background thread makes the
    number of states saved vary from run to run (2 or 3 elements)."""
    options = tf.data.Options()
    options.autotune.enabled = False
    options.experimental_optimization.inject_prefetch = False
    return tf.data.Dataset.range(n).with_options(options)


@pytest.fixture(scope="module")
def iterator_ckpts(tmp_path_factory):
    d = tmp_path_factory.mktemp("iter")
    it = iter(plain_range(10))
    ck = tf.train.Checkpoint(it=it, v=tf.Variable([1.5, -2.0]))
    next(it)
    ck.write(str(d / "at1"))
    next(it)
    ck.write(str(d / "at2"))
    return d


def test_diff_compares_an_iterators_state(tfc_ckpt, iterator_ckpts):
    d = iterator_ckpts
    assert tf.train.load_checkpoint(str(d / "at1")).get_variable_to_dtype_map()[
        "it/.ATTRIBUTES/ITERATOR_STATE"] == tf.variant
    r = ckpt(tfc_ckpt, "diff", d / "at1", d / "at2")
    assert r.returncode == 1, r.stdout + r.stderr
    assert ("values:    it/.ATTRIBUTES/ITERATOR_STATE: the stored bytes differ (tfc does not decode dtype variant)"
            in r.stdout.splitlines()), r.stdout
    assert "2 identical, 1 with different values" in r.stdout
    r = ckpt(tfc_ckpt, "diff", d / "at2", d / "at2")
    assert r.returncode == 0 and "3 identical, 0 with different values" in r.stdout, r.stdout + r.stderr


def test_convert_keeps_an_iterators_state(tfc_ckpt, iterator_ckpts, tmp_path):
    d = iterator_ckpts
    r = ckpt(tfc_ckpt, "convert", d / "at2", tmp_path / "conv")
    assert r.returncode == 0, r.stderr
    assert ckpt(tfc_ckpt, "diff", d / "at2", tmp_path / "conv").returncode == 0
    it = iter(plain_range(10))
    v = tf.Variable([0.0, 0.0])
    tf.train.Checkpoint(it=it, v=v).read(str(tmp_path / "conv")).assert_consumed()
    assert int(next(it)) == 2 and v.numpy().tolist() == [1.5, -2.0]

    # The variant's bytes are checked as TensorFlow checks them: a flipped byte names the tensor.
    data = (d / "at2.data-00000-of-00001").read_bytes()
    reader = tf.train.load_checkpoint(str(d / "at2"))
    v_at = data.index(reader.get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE").tobytes())
    bad = tmp_path / "bad"
    (tmp_path / "bad.index").write_bytes((d / "at2.index").read_bytes())
    flipped = bytearray(data)
    flipped[v_at // 2] ^= 0x04  # the iterator's bytes lie before v's
    (tmp_path / "bad.data-00000-of-00001").write_bytes(bytes(flipped))
    for args in (("convert", bad, tmp_path / "out"), ("diff", bad, d / "at2"), ("inspect", bad)):
        r = ckpt(tfc_ckpt, *args)
        assert r.returncode == (2 if args[0] == "diff" else 1), r.stderr
        assert r.stderr.count("\n") == 1 and "tensor 'it/.ATTRIBUTES/ITERATOR_STATE'" in r.stderr, r.stderr
    assert not list(tmp_path.glob("out*"))


def test_diff_measures_complex_and_64_bit_integers(tfc_ckpt, tmp_path):
    a = {"c64": np.complex64([1 + 1j, 2]), "c128": np.complex128([3 + 4j]), "i64": np.int64([2 ** 62, -5]),
         "u64": np.uint64([0, 7])}
    b = {"c64": np.complex64([1 + 1j, 2 + 1e-3j]), "c128": np.complex128([0]), "i64": np.int64([2 ** 62 + 1, -5]),
         "u64": np.uint64([2 ** 64 - 1, 7])}
    for name, tensors in (("a", a), ("b", b)):
        tf.raw_ops.SaveV2(prefix=str(tmp_path / name), tensor_names=list(tensors),
                          shape_and_slices=[""] * len(tensors), tensors=[tf.constant(v) for v in tensors.values()])
    r = ckpt(tfc_ckpt, "diff", tmp_path / "a", tmp_path / "b")
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert "values:    c64: 1 of 2 differ, max abs difference %.9g" % np.float32(1e-3) in lines, r.stdout
    assert "values:    c128: 1 of 1 differ, max abs difference 5" in lines
    assert "values:    i64: 1 of 2 differ, max abs difference 1" in lines
    assert "values:    u64: 1 of 2 differ, max abs difference %.9g" % float(2 ** 64 - 1) in lines


def test_a_savers_meta_file_names_its_checkpoint(tfc_ckpt, tmp_path):
    tf1 = tf.compat.v1
    g = tf.Graph()
    with g.as_default():
        tf1.get_variable("w", initializer=np.arange(6, dtype=np.float32).reshape(2, 3))
        tf1.get_variable("p", shape=[7, 2], initializer=tf1.ones_initializer(),
                         partitioner=tf1.fixed_size_partitioner(2))
        saver = tf1.train.Saver(sharded=True)
        with tf1.Session() as s:
            s.run(tf1.global_variables_initializer())
            prefix = saver.save(s, str(tmp_path / "model.ckpt"), global_step=3)
    assert sorted(p.name for p in tmp_path.glob("model.ckpt-3.*")) == [
        "model.ckpt-3.data-00000-of-00001", "model.ckpt-3.index", "model.ckpt-3.meta"]
    r = ckpt(tfc_ckpt, "inspect", prefix + ".meta")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ckpt(tfc_ckpt, "inspect", prefix).stdout
    assert r.stdout.startswith(f"{prefix}: V2 checkpoint, 2 tensors")
    assert "[7,2] (2 slices)" in r.stdout


def test_table_lines_up_names_that_are_not_ascii(tfc_ckpt, tmp_path):
    names = ["x", "ünïcödé/wéight", "ключ"]
    tf.raw_ops.SaveV2(prefix=str(tmp_path / "u"), tensor_names=names, shape_and_slices=[""] * 3,
                      tensors=[tf.constant([1.0, 2.0])] * 3)
    r = ckpt(tfc_ckpt, "inspect", tmp_path / "u")
    assert r.returncode == 0, r.stderr
    rows = r.stdout.splitlines()[1:]
    assert len(rows) == 4
    assert len({row.index("float32" if i else "dtype") for i, row in enumerate(rows)}) == 1, r.stdout
    assert len({len(row) for row in rows}) == 1, r.stdout


def test_a_saved_model_folder_names_its_variables(tfc_ckpt, tmp_path):
    m = tf.Module()
    m.v = tf.Variable([1.0, 2.0])
    m.f = tf.function(lambda x: x * m.v, input_signature=[tf.TensorSpec([2], tf.float32)])
    tf.saved_model.save(m, str(tmp_path / "sm"))
    prefix = tmp_path / "sm" / "variables" / "variables"
    want = ckpt(tfc_ckpt, "inspect", prefix)
    assert want.returncode == 0 and want.stdout.startswith(f"{prefix}: V2 checkpoint"), want.stderr
    assert "v/.ATTRIBUTES/VARIABLE_VALUE" in dict(tf.train.list_variables(str(prefix)))
    assert "v/.ATTRIBUTES/VARIABLE_VALUE  float32" in want.stdout
    for folder in (tmp_path / "sm", tmp_path / "sm" / "variables", tmp_path / "sm" / "saved_model.pb"):
        r = ckpt(tfc_ckpt, "inspect", folder)
        assert (r.returncode, r.stdout) == (0, want.stdout), r.stderr
    # its graph file without the variables beside it: said so
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "saved_model.pb").write_bytes((tmp_path / "sm" / "saved_model.pb").read_bytes())
    one_line(ckpt(tfc_ckpt, "inspect", tmp_path / "bare" / "saved_model.pb"),
             f"{tmp_path}/bare/saved_model.pb: a SavedModel's graph, whose variables are not there "
             f"(no {tmp_path}/bare/variables/variables.index)")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras's own, about NumPy 2's copy keyword
def test_other_frameworks_weights_are_named_as_such(tfc_ckpt, tmp_path):
    """PyTorch's torch.save (a zip archive; a pickle in its older form) and Keras's weights (HDF5)
    are one line saying what the file is, not 'bad magic number'."""
    torch = pytest.importorskip("torch")
    torch.save({"w": torch.ones(2)}, tmp_path / "m.pt")
    torch.save({"w": torch.ones(2)}, tmp_path / "old.pt", _use_new_zipfile_serialization=False)
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    model.save_weights(str(tmp_path / "k.weights.h5"))
    for name, what in (("m.pt", "a zip archive"), ("old.pt", "a Python pickle"), ("k.weights.h5", "an HDF5 file")):
        r = ckpt(tfc_ckpt, "inspect", tmp_path / name)
        one_line(r, f"{tmp_path / name}: {what} (", "), not a TensorFlow checkpoint")
