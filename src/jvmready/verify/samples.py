"""Verification samples that travel inside the model, as PMML's ModelVerification does.

Stored in ``metadata_props``:

- ``jvmready.samples``: base64 of an uncompressed ``.npz`` with ``in/<input>`` (in the types
  the model declares) and ``out/<output>`` (the reference outputs), all stacked along a leading
  sample axis; a seq(map) output is stored as ``out/<name>.keys`` and ``out/<name>.values``,
  both ``[samples, n, k]``.
- ``jvmready.samples.tolerance``: JSON ``{"rtol": ..., "atol": ...}`` for float outputs.

Java's ``ModelRunner.selfCheck()`` replays them at load; :func:`self_check` does the same here.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import os
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx

from jvmready.errors import JvmreadyError
from jvmready.fileio import atomic_output
from jvmready.formats import for_path
from jvmready.onnx.graphs import iter_all_tensors
from jvmready.verify import DEFAULT_ATOL, DEFAULT_RTOL, VerifyReport, verify
from jvmready.verify.compare import OutputComparison, compare
from jvmready.verify.inputs import SampleSet
from jvmready.verify.runners import ModelSource, OrtPythonRunner, maps_from_arrays, maps_to_arrays

#: The only format whose files carry samples (the name :mod:`jvmready.formats` registers).
ONNX_FORMAT = "onnx"
SAMPLES_KEY = "jvmready.samples"
TOLERANCE_KEY = "jvmready.samples.tolerance"


@dataclass(frozen=True)
class EmbeddedSamples:
    """Samples read back from a model: inputs, expected outputs, tolerances."""

    inputs: SampleSet
    expected: dict[str, Sequence[Any]]
    rtol: float
    atol: float


def encode(inputs: SampleSet, expected: Mapping[str, Sequence[Any]]) -> bytes:
    """The ``.npz`` bytes for ``inputs`` and ``expected`` (see the module docstring)."""
    arrays: dict[str, npt.NDArray[Any]] = {}
    for name, a in inputs.arrays.items():
        arrays[f"in/{name}"] = np.ascontiguousarray(a)
    for name, values in expected.items():
        if values is not None and len(values) and isinstance(values[0], list):
            keys, vals = maps_to_arrays(values)
            arrays[f"out/{name}.keys"], arrays[f"out/{name}.values"] = keys, vals
            continue
        shapes = {np.shape(v) for v in values}
        if len(shapes) != 1:
            raise JvmreadyError(
                f"output {name!r} changes shape between samples; such samples cannot be embedded"
            )
        arrays[f"out/{name}"] = np.stack([np.asarray(v) for v in values])
    for key, a in arrays.items():
        if a.dtype.kind in "OUS":
            raise JvmreadyError(f"{key}: string tensors cannot be embedded as samples")
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]  # uncompressed: the Java reader maps entries without inflating
    return buf.getvalue()


def embed(
    model: onnx.ModelProto,
    inputs: SampleSet,
    expected: Mapping[str, Sequence[Any]],
    *,
    rtol: float,
    atol: float,
) -> onnx.ModelProto:
    """A copy of ``model`` carrying the samples (replacing any it had)."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    kept = [p for p in out.metadata_props if p.key not in (SAMPLES_KEY, TOLERANCE_KEY)]
    del out.metadata_props[:]
    out.metadata_props.extend(kept)
    for key, value in (
        (SAMPLES_KEY, base64.b64encode(encode(inputs, expected)).decode("ascii")),
        (TOLERANCE_KEY, json.dumps({"rtol": rtol, "atol": atol})),
    ):
        prop = out.metadata_props.add()
        prop.key, prop.value = key, value
    return out


def extract(model: onnx.ModelProto, label: str = "<model>") -> EmbeddedSamples | None:
    """The samples stored in ``model``, or ``None`` when it has none."""
    props = {p.key: p.value for p in model.metadata_props}
    if SAMPLES_KEY not in props:
        return None
    try:
        raw = base64.b64decode(props[SAMPLES_KEY], validate=True)
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        tol = json.loads(props.get(TOLERANCE_KEY, "{}"))
        rtol, atol = float(tol.get("rtol", 0.0)), float(tol.get("atol", 0.0))
    except (binascii.Error, ValueError, OSError, zipfile.BadZipFile, AttributeError) as e:
        raise JvmreadyError(
            f"{label}: metadata {SAMPLES_KEY!r} is not a valid sample set ({e})"
        ) from None
    ins = {k[3:]: v for k, v in arrays.items() if k.startswith("in/")}
    expected: dict[str, Sequence[Any]] = {}
    for k, v in arrays.items():
        if not k.startswith("out/"):
            continue
        name = k[4:]
        if name.endswith(".keys") and f"{k[:-5]}.values" in arrays:
            expected[name[:-5]] = maps_from_arrays(v, arrays[f"{k[:-5]}.values"])
        elif not name.endswith(".values") or f"{k[:-7]}.keys" not in arrays:
            expected[name] = v
    counts = {len(a) for a in ins.values()} | {len(v) for v in expected.values()}
    if not ins or len(counts) != 1:
        raise JvmreadyError(f"{label}: metadata {SAMPLES_KEY!r} has no inputs or uneven samples")
    return EmbeddedSamples(
        SampleSet(ins, counts.pop(), f"{label} (embedded)"), expected, rtol, atol
    )


def self_check(model: onnx.ModelProto, label: str = "<model>") -> tuple[OutputComparison, ...]:
    """Replay the embedded samples in onnxruntime (Python): the mirror of Java's selfCheck()."""
    found = extract(model, label)
    if found is None:
        raise JvmreadyError(f"{label}: the model carries no {SAMPLES_KEY!r} metadata")
    result = OrtPythonRunner(ModelSource(model, None, label)).run(found.inputs)
    return compare(
        found.expected, result.outputs, rtol=found.rtol, atol=found.atol, backend="python"
    )


def require_embeddable(path: Path) -> None:
    """Refuse ``--embed`` before anything runs when ``path`` is a model that cannot carry
    samples: they live in ONNX ``metadata_props``, which no other format has."""
    fmt = for_path(path).name
    if fmt != ONNX_FORMAT:
        raise JvmreadyError(
            f"{path}: --embed stores samples in ONNX metadata; a {fmt} model cannot carry them "
            "(drop --embed)"
        )


def save_with_samples(src: Path, report: VerifyReport, dst: Path) -> int:
    """Write ``src`` (the candidate that ``report`` verified) to ``dst`` with the report's inputs
    and reference outputs embedded; returns the number of samples. ``dst`` may be ``src`` (``fix``
    embeds into the file it just wrote); the write is atomic either way.
    """
    require_embeddable(src)
    if not report.passed or report.evidence is None:
        raise JvmreadyError(f"{src}: not embedding samples: the model does not match the original")
    model = onnx.load(str(src), load_external_data=False)
    external = any(
        t.data_location == onnx.TensorProto.EXTERNAL for _, t in iter_all_tensors(model.graph)
    )
    if external and src.resolve().parent != dst.resolve().parent:
        raise JvmreadyError(
            f"{src}: the model keeps its weights in external data files; write the copy with "
            "samples into the same directory"
        )
    carried = embed(
        model,
        report.evidence.inputs,
        report.evidence.expected,
        rtol=report.rtol,
        atol=report.atol,
    )
    with atomic_output(dst) as tmp:
        onnx.save(carried, str(tmp))
    return report.samples


def embed_verified(
    original: str | os.PathLike[str] | onnx.ModelProto,
    candidate: str | os.PathLike[str],
    count: int,
    *,
    seed: int = 0,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> VerifyReport:
    """Verify ``candidate`` against ``original`` on ``count`` generated samples and, on parity,
    embed them into ``candidate`` in place (what ``fix --embed-samples N`` does). The report says
    whether it matched; nothing is written when it did not."""
    report = verify(original, candidate, samples=count, seed=seed, rtol=rtol, atol=atol)
    if report.passed:
        save_with_samples(Path(candidate), report, Path(candidate))
    return report
