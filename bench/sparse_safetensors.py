"""Safetensors files of a chosen size that take almost no disk: a valid header, one big float32
tensor left as a hole (``truncate``), and a small int64 tensor ``ids`` written at the very end."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

IDS = 1024
FIRST_ID = 7  # SafeTensorsOpen.FIRST_ID in the Java benchmark


def write_sparse(path: Path, total_bytes: int) -> Path:
    """Write ``path`` of exactly about ``total_bytes``; ``ids`` holds ``7, 8, ..., 1030``."""
    ids_bytes = IDS * 8
    floats = (total_bytes - 4096 - ids_bytes) // 4
    header = {
        "__metadata__": {"written_by": "jvmready bench"},
        "weights": {"dtype": "F32", "shape": [floats], "data_offsets": [0, floats * 4]},
        "ids": {
            "dtype": "I64",
            "shape": [IDS],
            "data_offsets": [floats * 4, floats * 4 + ids_bytes],
        },
    }
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    data_start = 8 + len(text)
    with path.open("wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.truncate(data_start + floats * 4)  # the hole: no blocks on sparse-capable file systems
        f.seek(data_start + floats * 4)
        f.write((np.arange(IDS, dtype="<i8") + FIRST_ID).tobytes())
    return path
