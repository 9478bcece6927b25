"""Load an ONNX model's structure without its external data, validating what it points to."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import onnx
from google.protobuf.message import DecodeError

from jvmready.errors import InputFileError
from jvmready.onnx.graphs import iter_all_tensors


@dataclass(frozen=True)
class LoadedModel:
    """A model proto whose external tensors stay on disk, and where they live.

    ``base_dir`` is the directory external-data locations are relative to (``None`` for models
    built in memory, which then must not use external data).
    """

    model: onnx.ModelProto
    path: Path | None
    base_dir: Path | None

    @property
    def label(self) -> str:
        return str(self.path) if self.path is not None else "<model>"


def external_location(tensor: onnx.TensorProto) -> tuple[str, int, int | None]:
    """(location, offset, length) of an external tensor; length ``None`` when not recorded."""
    info = {e.key: e.value for e in tensor.external_data}
    try:
        offset = int(info.get("offset", "0"))
        length = int(info["length"]) if "length" in info else None
    except ValueError as e:
        raise ValueError(f"tensor {tensor.name!r}: bad external data offset/length: {e}") from None
    return info.get("location", ""), offset, length


def load_model(path: str | os.PathLike[str]) -> LoadedModel:
    """Parse ``path`` as ONNX, leaving external data on disk; raise one-line errors on bad input."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(p, "no such file")
    if p.is_dir():
        raise InputFileError(p, "is a directory, not an ONNX model file")
    if p.stat().st_size == 0:
        raise InputFileError(p, "empty file, not an ONNX model")
    try:
        model = onnx.load(str(p), load_external_data=False)
    except (DecodeError, ValueError, RuntimeError) as e:
        raise InputFileError(p, f"not a valid ONNX model (protobuf parse failed: {e})") from None
    except OSError as e:
        raise InputFileError(p, f"cannot read: {e.strerror or e}") from None
    if model.ir_version <= 0 or not model.HasField("graph"):
        raise InputFileError(p, "not an ONNX model (no IR version or no graph)")
    loaded = LoadedModel(model=model, path=p, base_dir=p.resolve().parent)
    validate_external_data(loaded)
    return loaded


def from_proto(
    model: onnx.ModelProto, base_dir: str | os.PathLike[str] | None = None
) -> LoadedModel:
    """Wrap an in-memory model (API callers); ``base_dir`` resolves any external data."""
    loaded = LoadedModel(model=model, path=None, base_dir=Path(base_dir) if base_dir else None)
    validate_external_data(loaded)
    return loaded


def resolve_external(loaded: LoadedModel, tensor: onnx.TensorProto) -> tuple[Path, int, int | None]:
    """The file, offset and length holding an external tensor, confined to ``base_dir``."""
    location, offset, length = external_location(tensor)
    if loaded.base_dir is None:
        raise InputFileError(
            loaded.label,
            f"tensor {tensor.name!r} uses external data but no base directory is known",
        )
    base = loaded.base_dir.resolve()
    file = (base / location).resolve()
    if not location or (base != file and base not in file.parents):
        raise InputFileError(
            loaded.label,
            f"tensor {tensor.name!r}: external data location {location!r} escapes the model directory",
        )
    return file, offset, length


def validate_external_data(loaded: LoadedModel) -> None:
    """Every external tensor's file exists and is long enough; cheap (stat only)."""
    for _where, tensor in iter_all_tensors(loaded.model.graph):
        if tensor.data_location != onnx.TensorProto.EXTERNAL:
            continue
        try:
            file, offset, length = resolve_external(loaded, tensor)
        except ValueError as e:
            raise InputFileError(loaded.label, str(e)) from None
        if not file.is_file():
            raise InputFileError(
                loaded.label,
                f"external data file {file.name!r} for tensor {tensor.name!r} is missing",
            )
        size = file.stat().st_size
        end = offset + (length or 0)
        if offset < 0 or end > size:
            raise InputFileError(
                loaded.label,
                f"external data file {file.name!r} is truncated: tensor {tensor.name!r} needs bytes "
                f"{offset}..{end} but the file has {size}",
            )
