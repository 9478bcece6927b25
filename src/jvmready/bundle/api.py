"""``bundle``: named tensors plus a manifest in one portable file, every width explicit."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from jvmready.bundle.codec import NamedArray, check_single_message_size
from jvmready.bundle.formats import detect_format, get_format
from jvmready.bundle.manifest import Manifest, default_producers
from jvmready.bundle.sources import open_source
from jvmready.errors import JvmreadyError
from jvmready.fileio import atomic_output, refuse_same_file


@dataclass(frozen=True)
class BundledTensor:
    """One tensor as written: dtype as the schema names it, and whether it was narrowed."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    narrowed: bool


@dataclass(frozen=True)
class BundleReport:
    """What :func:`bundle` wrote."""

    src: Path
    out: Path
    format: str
    manifest: Manifest
    tensors: tuple[BundledTensor, ...]
    size: int


@dataclass(frozen=True)
class LoadedBundle:
    """A bundle read back: its encoding, manifest and arrays (in file order)."""

    format: str
    manifest: Manifest
    tensors: Mapping[str, npt.NDArray[np.generic]]


def bundle(
    src: str | Path,
    out: str | Path,
    *,
    format: str = "safetensors",
    model_name: str | None = None,
    class_labels: Sequence[str] = (),
    feature_names: Sequence[str] = (),
    roles: Mapping[str, str] | None = None,
    narrow: bool = False,
    keep: Collection[str] = (),
) -> BundleReport:
    """Write the tensors of ``src`` (npy, npz, safetensors, ONNX initializers) to ``out``.

    With ``narrow``, every int64 tensor not in ``keep`` becomes int32 through
    :func:`~jvmready.narrowing.narrow_checked`: a value that does not fit is refused (tensor,
    flat index, value), never wrapped. Single-message encodings (protobuf, Avro) over 2 GiB are
    refused before anything is written. ``out`` is written atomically and never replaces ``src``.
    """
    src_path, out_path = Path(src), Path(out)
    fmt = get_format(format)
    refuse_same_file(src_path, out_path)
    with open_source(src_path) as arrays:
        names = {a.name for a in arrays}
        _refuse_unknown(src_path, "--keep", keep, names)
        _refuse_unknown(src_path, "--role", (roles or {}).keys(), names)
        planned = [_plan(a, narrow=narrow and a.name not in keep) for a in arrays]
        manifest = Manifest(
            model_name=model_name if model_name is not None else src_path.stem,
            roles=dict(roles or {}),
            class_labels=tuple(class_labels),
            feature_names=tuple(feature_names),
            producers=default_producers(),
        )
        # Sizes come from shapes, so an oversized bundle is refused before any data is read.
        bound = fmt.size_bound(planned, manifest)
        if bound is not None:
            check_single_message_size(bound, out_path, fmt.NAME)
        # Narrowing happens while writing; a refusal leaves no output (atomic_output).
        with atomic_output(out_path) as tmp:
            fmt.write(tmp, planned, manifest)
    return BundleReport(
        src=src_path,
        out=out_path,
        format=fmt.NAME,
        manifest=manifest,
        tensors=tuple(
            BundledTensor(t.name, t.dtype_name, tuple(int(d) for d in t.array.shape), t.narrow)
            for t in planned
        ),
        size=out_path.stat().st_size,
    )


def read_bundle(path: str | Path) -> LoadedBundle:
    """Read a bundle in any of the three encodings, validating every tensor's byte count."""
    p = Path(path)
    fmt = detect_format(p)
    manifest, tensors = fmt.read(p)
    return LoadedBundle(fmt.NAME, manifest, tensors)


def _plan(array: NamedArray, *, narrow: bool) -> NamedArray:
    """Refuse unsupported dtypes before anything is written; mark int64 tensors to narrow."""
    array.dtype_name  # noqa: B018  (raises on a dtype no bundle can carry)
    dtype = array.array.dtype
    return NamedArray(array.name, array.array, narrow and dtype.kind == "i" and dtype.itemsize == 8)


def _refuse_unknown(src: Path, option: str, given: Collection[str], names: set[str]) -> None:
    unknown = sorted(set(given) - names)
    if unknown:
        raise JvmreadyError(
            f"{src}: {option} names {', '.join(map(repr, unknown))}, not a tensor in the file "
            f"(tensors: {', '.join(sorted(names))})"
        )
