"""`tfc-ckpt inspect --json` is valid UTF-8 that Python's json module reads back exactly: tensor
names, string values and the checkpoint's path in any script come out as the text they are (not
one \\u00XX escape per UTF-8 byte), and bytes that are not UTF-8 as PEP 383's lone surrogates, so
that .encode("utf-8", "surrogateescape") restores them. The checkpoint is written by TensorFlow's
SaveV2 op and compared with tf.train.load_checkpoint's reading of it."""
import json
import subprocess

import numpy as np
import pytest
import tensorflow as tf

NAMES = {
    "Ünïcödé/ключ": np.arange(6, dtype=np.float32).reshape(2, 3),
    "emoji_😀/w": np.array([1, -2, 3, -4], np.int32),
    "日本語/重み": np.float64(2.5),
    'quote"and\\backslash/\ttab': np.array([7], np.int64),
    "strings/mixed": np.array([b"caf\xc3\xa9", b"\xff\xfe raw bytes", b"ctl\x01\x1f\x7f", b"\xed\xa0\x80 surrogate",
                               b"\xf0\x9f\x98", "日本".encode()], dtype=object),
}


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    d = tmp_path_factory.mktemp("ckpt") / "prüfung_檢查"
    d.mkdir()
    prefix = d / "modèle.ckpt"
    names = sorted(NAMES)
    tf.raw_ops.SaveV2(prefix=str(prefix), tensor_names=names, shape_and_slices=[""] * len(names),
                      tensors=[tf.constant(NAMES[n]) for n in names])
    return prefix


def inspect(tfc_ckpt, prefix, *args):
    r = subprocess.run([str(tfc_ckpt), "inspect", str(prefix), "--json", *args], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    text = r.stdout.decode("utf-8")  # strict: the output is valid UTF-8
    return text, json.loads(text)


def test_names_and_path_round_trip(tfc_ckpt, ckpt):
    text, doc = inspect(tfc_ckpt, ckpt)
    assert "\\u00" not in text.replace("\\u0009", "")  # no byte-per-code-point escapes; a tab is a control
    assert doc["path"] == str(ckpt)
    reader = tf.train.load_checkpoint(str(ckpt))
    theirs = dict(tf.train.list_variables(str(ckpt)))
    assert {t["name"]: t["shape"] for t in doc["tensors"]} == {n: list(s) for n, s in theirs.items()}
    assert set(theirs) == set(NAMES)
    dtypes = reader.get_variable_to_dtype_map()
    for t in doc["tensors"]:
        assert t["dtype"] == dtypes[t["name"]].name


def test_values_round_trip(tfc_ckpt, ckpt):
    _, doc = inspect(tfc_ckpt, ckpt, "--all")
    reader = tf.train.load_checkpoint(str(ckpt))
    by_name = {t["name"]: t for t in doc["tensors"]}
    strings = [s.encode("utf-8", "surrogateescape") for s in by_name["strings/mixed"]["values"]]
    assert strings == list(reader.get_tensor("strings/mixed"))
    assert by_name["strings/mixed"]["values"][0] == "café"
    assert by_name["strings/mixed"]["values"][5] == "日本"
    for name in ("Ünïcödé/ключ", "emoji_😀/w", "日本語/重み", 'quote"and\\backslash/\ttab'):
        np.testing.assert_array_equal(np.array(by_name[name]["values"]), reader.get_tensor(name))


def test_single_tensor(tfc_ckpt, ckpt):
    _, doc = inspect(tfc_ckpt, ckpt, "--tensor", "emoji_😀/w")
    assert [t["name"] for t in doc["tensors"]] == ["emoji_😀/w"]
    assert doc["tensors"][0]["values"] == [1, -2, 3, -4]
