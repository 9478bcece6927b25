"""jvmready: make models trained in Python load and run correctly in Java.

The public API. The CLI wraps exactly these functions.
"""

from __future__ import annotations

from jvmready.bundle import BundleReport, bundle, read_bundle
from jvmready.check import check
from jvmready.errors import InputFileError, JvmreadyError, NarrowingError
from jvmready.findings import Finding, Location, Severity
from jvmready.fix import FixResult, fix
from jvmready.javagen import javagen
from jvmready.narrowing import IntRange, int_range, narrow_checked
from jvmready.report import Change, CheckReport, IOSpec, JavaType, TensorSummary
from jvmready.verify import VerifyReport, verify

__version__ = "0.1.0"

__all__ = [
    "BundleReport",
    "Change",
    "CheckReport",
    "Finding",
    "FixResult",
    "IOSpec",
    "InputFileError",
    "IntRange",
    "JavaType",
    "JvmreadyError",
    "Location",
    "NarrowingError",
    "Severity",
    "TensorSummary",
    "VerifyReport",
    "__version__",
    "bundle",
    "check",
    "fix",
    "int_range",
    "javagen",
    "narrow_checked",
    "read_bundle",
    "verify",
]
