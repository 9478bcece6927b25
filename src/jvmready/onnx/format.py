"""The ONNX format plug-in: recognises ``.onnx`` files and routes check/fix to this package."""

from __future__ import annotations

from pathlib import Path

from jvmready.formats import CheckOptions, FileFixReport, FixOptions, register
from jvmready.report import CheckReport
from jvmready.targets import Target

#: A serialized ModelProto starts with field 1 (ir_version, varint: tag 0x08, a small value),
#: then another ModelProto field: producer_name..graph, opset_import (tags 0x12..0x42).
_IR_VERSION_TAG = 0x08
_NEXT_FIELD_TAGS = frozenset((0x12, 0x1A, 0x22, 0x28, 0x32, 0x3A, 0x42))


class OnnxFormat:
    """ONNX models (``.onnx``), with or without external data."""

    name = "onnx"

    def claims(self, path: Path) -> bool:
        if path.suffix.lower() == ".onnx":
            return True
        if not path.is_file():
            return False
        try:
            with path.open("rb") as f:
                head = f.read(3)
        except OSError:
            return False
        # A cheap parse of the first fields; load_model does the real validation.
        return (
            len(head) == 3
            and head[0] == _IR_VERSION_TAG
            and 0 < head[1] < 0x80
            and head[2] in _NEXT_FIELD_TAGS
        )

    def check(
        self, path: Path, target: Target, options: CheckOptions = CheckOptions()
    ) -> CheckReport:
        from jvmready.onnx.check import check_model
        from jvmready.onnx.load import load_model

        return check_model(load_model(path), target)

    def fix_file(self, path: Path, out: Path, options: FixOptions) -> FileFixReport:
        from jvmready.onnx.fix import fix_file  # written alongside; imported when needed

        return fix_file(path, out, options)


ONNX = register(OnnxFormat())
