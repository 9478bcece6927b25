"""jvmready: make models trained in Python load and run correctly in Java.

The public API. The CLI wraps exactly these functions.
"""

from __future__ import annotations

from jvmready.errors import InputFileError, JvmreadyError, NarrowingError
from jvmready.findings import Finding, Location, Severity
from jvmready.narrowing import IntRange, int_range, narrow_checked
from jvmready.report import Change, CheckReport, IOSpec, JavaType, TensorSummary

__version__ = "0.1.0"

__all__ = [
    "Change",
    "CheckReport",
    "Finding",
    "IOSpec",
    "InputFileError",
    "IntRange",
    "JavaType",
    "JvmreadyError",
    "Location",
    "NarrowingError",
    "Severity",
    "TensorSummary",
    "__version__",
    "int_range",
    "narrow_checked",
]
