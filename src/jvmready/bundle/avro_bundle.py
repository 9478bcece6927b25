"""Avro bundles: one record of ``schemas/bundle.avsc`` in an Avro object container file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

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
from jvmready.errors import InputFileError

NAME = "avro"
SUFFIXES = (".avro",)
MAGIC = b"Obj\x01"
SCHEMA_NAME = "io.jvmready.bundle.avro.Bundle"


@cache
def schema() -> Any:
    """The parsed bundle schema shipped in the package (the file Java reads too)."""
    import fastavro  # imported where used: only Avro bundles need it (CLI start-up time)

    text = resources.files("jvmready").joinpath("schemas/bundle.avsc").read_text("utf-8")
    return fastavro.parse_schema(json.loads(text))


def sniff(head: bytes) -> bool:
    return head.startswith(MAGIC)


def size_bound(tensors: Sequence[NamedArray], manifest: Manifest) -> int | None:
    # The one record is one container block, which Java's Avro reads into a single byte[].
    return message_size_bound(tensors, manifest.to_json())


def write(path: Path, tensors: Sequence[NamedArray], manifest: Manifest) -> None:
    record = {
        "manifest": manifest.to_dict(),
        "tensors": [
            {
                "name": t.name,
                "dtype": t.dtype_name,
                "shape": [int(d) for d in t.array.shape],
                "data": little_endian_bytes(t),
            }
            for t in tensors
        ],
    }
    import fastavro

    with path.open("wb") as f:
        fastavro.writer(f, schema(), [record], codec="null")


def read(path: Path) -> tuple[Manifest, dict[str, npt.NDArray[np.generic]]]:
    if path.stat().st_size > SINGLE_MESSAGE_LIMIT:
        raise InputFileError(path, "over 2 GiB: too large for an Avro bundle")
    import fastavro

    try:
        with path.open("rb") as f:
            found = fastavro.reader(f).writer_schema
            name = found.get("name") if isinstance(found, dict) else None
            if name != SCHEMA_NAME:
                raise InputFileError(path, f"not a jvmready Avro bundle (its schema is {name})")
            f.seek(0)
            records = list(fastavro.reader(f, reader_schema=schema()))
    except InputFileError:
        raise
    except Exception as e:  # fastavro raises ValueError, EOFError, SchemaResolutionError...
        problem = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        raise InputFileError(
            path, f"not a valid Avro bundle (truncated or corrupt: {problem})"
        ) from None
    if len(records) != 1 or not isinstance(records[0], dict):
        raise InputFileError(path, f"Avro bundle holds {len(records)} records, expected 1")
    record = records[0]
    manifest = Manifest.from_dict(record["manifest"], path)
    arrays: dict[str, npt.NDArray[np.generic]] = {}
    for t in record["tensors"]:
        if t["name"] in arrays:
            raise InputFileError(path, f"tensor name {t['name']!r} appears twice")
        arrays[t["name"]] = decode_tensor(path, t["name"], t["dtype"], t["shape"], t["data"])
    return manifest, arrays
