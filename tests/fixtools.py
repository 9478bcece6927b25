"""Test helpers for ``fix``: run a model and its fixed copy in onnxruntime and compare exactly."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

from jvmready.narrowing import narrow_checked


def session(model: onnx.ModelProto | Path) -> ort.InferenceSession:
    src = str(model) if isinstance(model, Path) else model.SerializeToString()
    return ort.InferenceSession(src, providers=["CPUExecutionProvider"])


def feeds_for(sess: ort.InferenceSession, feeds: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The same values typed as ``sess`` wants them; int64 -> int32 only through narrow_checked."""
    typed = {}
    for i in sess.get_inputs():
        value = feeds[i.name]
        if i.type == "tensor(int32)" and value.dtype == np.int64:
            value = narrow_checked(value, i.name)
        typed[i.name] = value
    return typed


def run(model: onnx.ModelProto | Path, feeds: Mapping[str, np.ndarray]) -> dict[str, object]:
    sess = session(model)
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, feeds_for(sess, feeds)), strict=True))


def assert_same_outputs(
    original: onnx.ModelProto | Path,
    fixed: onnx.ModelProto | Path,
    feeds: Mapping[str, np.ndarray],
) -> dict[str, object]:
    """Both models give identical outputs (integers compared by value, same names)."""
    a, b = run(original, feeds), run(fixed, feeds)
    assert list(a) == list(b)
    labels = zipmap_labels(fixed)
    for name, va in a.items():
        vb = b[name]
        if name in labels:  # a dropped ZipMap: column j holds the probability of labels[j]
            assert isinstance(va, list) and isinstance(vb, np.ndarray)
            assert [[m[k] for k in labels[name]] for m in va] == vb.tolist(), name
        elif isinstance(va, np.ndarray):
            assert isinstance(vb, np.ndarray)
            assert va.shape == vb.shape, name
            if va.dtype.kind in "iu":
                assert vb.dtype.kind in "iu", name
                assert va.astype(object).tolist() == vb.astype(object).tolist(), name
            else:
                assert va.dtype == vb.dtype and np.array_equal(va, vb), name
        else:
            assert va == vb, name
    return b


def zipmap_labels(model: onnx.ModelProto | Path) -> dict[str, list[object]]:
    """Class labels ``fix --drop-zipmap`` recorded in the metadata, per output."""
    from jvmready.onnx.fix import ZIPMAP_METADATA_PREFIX

    proto = (
        model
        if isinstance(model, onnx.ModelProto)
        else onnx.load(str(model), load_external_data=False)
    )
    return {
        p.key[len(ZIPMAP_METADATA_PREFIX) :]: json.loads(p.value)["labels"]
        for p in proto.metadata_props
        if p.key.startswith(ZIPMAP_METADATA_PREFIX)
    }
