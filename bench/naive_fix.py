"""The naive path users write today, as the baseline: ``onnx.load`` (external data pulled into
memory), NumPy over every int64 initializer, ``onnx.save`` with external data.

    naive_fix.py check MODEL          # range of every int64 initializer: fits int32?
    naive_fix.py fix MODEL OUT        # astype(int32) every int64 initializer and int64 input
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

INT32 = np.iinfo(np.int32)


def naive_check(model_path: Path) -> int:
    """Print one line per int64 initializer; return how many do not fit int32."""
    model = onnx.load(model_path)
    misfits = 0
    for t in model.graph.initializer:
        if t.data_type != TensorProto.INT64:
            continue
        values = numpy_helper.to_array(t)
        fits = values.size == 0 or (values.min() >= INT32.min and values.max() <= INT32.max)
        misfits += 0 if fits else 1
        print(f"{t.name}: int64 {list(t.dims)} {'fits' if fits else 'does NOT fit'} int32")
    return misfits


def naive_fix(model_path: Path, out: Path) -> None:
    """The folk fix: ``astype(np.int32)`` (no range check) and a full re-save."""
    model = onnx.load(model_path)
    for i, t in enumerate(model.graph.initializer):
        if t.data_type == TensorProto.INT64:
            narrowed = numpy_helper.to_array(t).astype(np.int32)
            model.graph.initializer[i].CopyFrom(numpy_helper.from_array(narrowed, t.name))
    for vi in model.graph.input:
        if vi.type.tensor_type.elem_type == TensorProto.INT64:
            vi.type.tensor_type.elem_type = TensorProto.INT32
    onnx.save_model(
        model,
        out,
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=out.name + ".data",
    )
    print(f"wrote {out}")


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "check":
        return 1 if naive_check(Path(argv[1])) else 0
    if len(argv) == 3 and argv[0] == "fix":
        naive_fix(Path(argv[1]), Path(argv[2]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
