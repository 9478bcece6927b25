"""Protobuf bundles, from ``schemas/bundle.proto`` compiled by protoc at build time (make)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt

from jvmready.bundle.codec import (
    SINGLE_MESSAGE_LIMIT,
    NamedArray,
    decode_tensor,
    little_endian_bytes,
    message_size_bound,
)
from jvmready.bundle.manifest import Manifest
from jvmready.errors import InputFileError, JvmreadyError

NAME = "protobuf"
SUFFIXES = (".pb", ".binpb", ".protobuf")
MAGIC = "jvmready.bundle"
#: Field 1 (``magic``, length-delimited) comes first in every serialized Bundle.
HEAD = b"\x0a" + bytes([len(MAGIC)]) + MAGIC.encode()


def _pb2() -> ModuleType:
    try:
        from jvmready.bundle._generated import bundle_pb2
    except ImportError:
        raise JvmreadyError(
            "protobuf bundle support is not built: run make (it compiles schemas/bundle.proto)"
        ) from None
    return bundle_pb2


def sniff(head: bytes) -> bool:
    return head.startswith(HEAD)


def size_bound(tensors: Sequence[NamedArray], manifest: Manifest) -> int | None:
    return message_size_bound(tensors, manifest.to_json())


def write(path: Path, tensors: Sequence[NamedArray], manifest: Manifest) -> None:
    pb = _pb2()
    message = pb.Bundle(magic=MAGIC)
    m = message.manifest
    m.format_version = manifest.format_version
    m.model_name = manifest.model_name
    m.roles.update(manifest.roles)
    m.class_labels.extend(manifest.class_labels)
    m.feature_names.extend(manifest.feature_names)
    m.producers.update(manifest.producers)
    for t in tensors:
        message.tensors.add(
            name=t.name,
            dtype=pb.DType.Value(t.dtype_name),
            shape=[int(d) for d in t.array.shape],
            data=little_endian_bytes(t),
        )
    path.write_bytes(message.SerializeToString())


def read(path: Path) -> tuple[Manifest, dict[str, npt.NDArray[np.generic]]]:
    pb = _pb2()
    if path.stat().st_size > SINGLE_MESSAGE_LIMIT:
        raise InputFileError(path, "over 2 GiB: too large for a protobuf bundle")
    message = pb.Bundle()
    try:
        message.ParseFromString(path.read_bytes())
    except Exception as e:  # google.protobuf.message.DecodeError and friends
        raise InputFileError(
            path, f"not a valid protobuf bundle (truncated or corrupt: {e})"
        ) from None
    if message.magic != MAGIC:
        raise InputFileError(path, "not a jvmready protobuf bundle (magic field missing)")
    m = message.manifest
    manifest = Manifest.from_dict(
        {
            "format_version": m.format_version,
            "model_name": m.model_name,
            "roles": dict(m.roles),
            "class_labels": list(m.class_labels),
            "feature_names": list(m.feature_names),
            "producers": dict(m.producers),
        },
        path,
    )
    arrays: dict[str, npt.NDArray[np.generic]] = {}
    for t in message.tensors:
        if t.name in arrays:
            raise InputFileError(path, f"tensor name {t.name!r} appears twice")
        known = t.dtype != 0 and t.dtype in pb.DType.values()  # 0 is DTYPE_UNSPECIFIED
        dtype = pb.DType.Name(t.dtype) if known else str(t.dtype)
        arrays[t.name] = decode_tensor(path, t.name, dtype, list(t.shape), t.data)
    return manifest, arrays
