"""Write weight files produced by ``jvmready fix`` for the Java core library to read back.

Usage: ``python tests/vectors/make_fixed_weights.py OUTDIR`` writes ``OUTDIR/fixed-weights/``:
int64 sources written by numpy and safetensors, the int32 files our ``fix`` made of them (npy in C
and Fortran order, npz stored and deflated, safetensors with metadata, one array kept 64-bit
with ``--keep``), and ``manifest.json`` listing, per fixed file, every array's dtype, shape and
C-order values as decimal text. ``FixedWeightsTest`` (Java) asserts them exactly, so the proof
that Python's narrowing and Java's reading agree runs in a real JVM.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load_file, save_file

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from jvmready.formats import FixOptions, for_path  # noqa: E402

KEPT = "offsets"


def _arrays() -> dict[str, np.ndarray]:
    return {
        "ids": np.array([[0, -1, 7], [2**31 - 1, -(2**31), 42]], dtype=np.int64),
        "fortran": np.asfortranarray(np.arange(-3, 9, dtype=np.int64).reshape(3, 4)),
        "scalar": np.array(-5, dtype=np.int64),
        "empty": np.zeros((0, 2), dtype=np.int64),
        KEPT: np.array([0, 2**31 + 5, -(2**40)], dtype=np.int64),
    }


def _entry(name: str, a: np.ndarray) -> dict[str, Any]:
    dtype = {"i4": "INT32", "i8": "INT64"}[f"{a.dtype.kind}{a.dtype.itemsize}"]
    return {
        "name": name,
        "dtype": dtype,
        "shape": list(a.shape),
        "values": [str(int(v)) for v in a.reshape(-1, order="C")],
    }


def main(out: Path) -> None:
    root = out / "fixed-weights"
    shutil.rmtree(root, ignore_errors=True)
    src = root / "source"
    src.mkdir(parents=True)
    arrays = _arrays()
    keep = FixOptions(keep=frozenset({KEPT}))
    files: list[dict[str, Any]] = []

    def fix(source: Path, fixed: str, kind: str, options: FixOptions) -> None:
        target = root / fixed
        for_path(source).fix_file(source, target, options)
        # Expected values come from the source as the reference library reads it back.
        expected = _read_reference(kind, source)
        tensors = [
            _entry(k, v if k in options.keep else v.astype(np.int32)) for k, v in expected.items()
        ]
        files.append({"file": fixed, "kind": kind, "tensors": tensors})

    for name in ("ids", "fortran", "scalar", "empty"):
        np.save(src / f"{name}.npy", arrays[name])
        fix(src / f"{name}.npy", f"{name}.npy", "npy", FixOptions())
    np.savez(src / "stored.npz", **arrays)
    fix(src / "stored.npz", "stored.npz", "npz", keep)
    np.savez_compressed(src / "deflated.npz", **arrays)
    fix(src / "deflated.npz", "deflated.npz", "npz", keep)
    save_file(
        {k: np.ascontiguousarray(v) for k, v in arrays.items()},
        str(src / "model.safetensors"),
        metadata={"format": "np", "source": "make_fixed_weights"},
    )
    fix(src / "model.safetensors", "model.safetensors", "safetensors", keep)
    manifest = {"kept": KEPT, "files": files}
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def _read_reference(kind: str, source: Path) -> dict[str, np.ndarray]:
    if kind == "npy":
        return {source.stem: np.load(source)}
    if kind == "npz":
        with np.load(source) as z:
            return {k: z[k] for k in z.files}
    return dict(load_file(str(source)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_fixed_weights.py OUTDIR")
    main(Path(sys.argv[1]))
