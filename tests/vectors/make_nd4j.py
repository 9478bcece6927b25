"""Write ``.npy`` files through ``jvmready fix`` for the ND4J test (``jvmready-nd4j``) to load.

Usage: ``python tests/vectors/make_nd4j.py OUTDIR`` writes ``OUTDIR/nd4j/``: int64 and float32
arrays saved by numpy (``source/``), the files ``fix`` made of them (int64 narrowed to int32
where it fits, ``offsets`` kept int64 with ``--keep`` because it does not fit, float32 copied),
one ``.npz`` fixed the same way, and ``manifest.tsv`` (sources included): one line per array with the file, the
array name, the dtype numpy reads back, the shape and the C-order values as decimal text.
``Nd4jLoadTest`` (Java) asserts that ``Nd4j.createFromNpyFile`` gives INT, LONG and FLOAT with
exactly these values.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from jvmready.formats import FixOptions, for_path  # noqa: E402

KEPT = "offsets"


def _arrays() -> dict[str, np.ndarray]:
    return {
        # Token ids and labels as numpy writes them (int64), all within int32.
        "ids": np.array([[0, -1, 7], [2**31 - 1, -(2**31), 42]], dtype=np.int64),
        "labels": np.arange(-3, 9, dtype=np.int64).reshape(3, 4),
        # Byte offsets beyond int32: must stay int64 (fix --keep offsets).
        KEPT: np.array([0, 2**31 + 5, -(2**40), 2**62], dtype=np.int64),
        "weights": np.array([[0.5, -1.25], [3.0e-8, 65504.0]], dtype=np.float32),
    }


def _line(file: str, name: str, a: np.ndarray) -> str:
    shape = ",".join(str(d) for d in a.shape)
    if a.dtype.kind == "f":
        # repr of a Python float round-trips exactly; Java's Float.parseFloat gives the same float.
        values = ",".join(repr(float(v)) for v in a.reshape(-1))
    else:
        values = ",".join(str(int(v)) for v in a.reshape(-1))
    return "\t".join((file, name, a.dtype.name, shape, values))


def main(out: Path) -> None:
    root = out / "nd4j"
    shutil.rmtree(root, ignore_errors=True)
    src = root / "source"
    src.mkdir(parents=True)
    arrays = _arrays()
    lines: list[str] = []
    for name, a in arrays.items():
        np.save(src / f"{name}.npy", a)
        options = FixOptions(keep=frozenset({KEPT}))
        for_path(src / f"{name}.npy").fix_file(src / f"{name}.npy", root / f"{name}.npy", options)
        # Expected values are what numpy reads back from the fixed file, checked against the source.
        fixed = np.load(root / f"{name}.npy")
        if not np.array_equal(fixed, a):
            raise SystemExit(f"fix changed the values of {name}")
        lines.append(_line(f"{name}.npy", name, fixed))
        # The unfixed source too: numpy's int64 is what Java code meets without fix.
        lines.append(_line(f"source/{name}.npy", name, np.load(src / f"{name}.npy")))
    np.savez(src / "arrays.npz", **arrays)
    for_path(src / "arrays.npz").fix_file(
        src / "arrays.npz", root / "arrays.npz", FixOptions(keep=frozenset({KEPT}))
    )
    with np.load(root / "arrays.npz") as z:
        for name in z.files:
            if not np.array_equal(z[name], arrays[name]):
                raise SystemExit(f"fix changed the values of {name} in arrays.npz")
            lines.append(_line("arrays.npz", name, z[name]))
    (root / "manifest.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_nd4j.py OUTDIR")
    main(Path(sys.argv[1]))
