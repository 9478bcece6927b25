"""TensorFlow SavedModels: their signatures as TF Java sees them, checked, and fixed to int32.

Needs ``tensorflow`` (``pip install 'jvmready[tensorflow]'``), imported only when a SavedModel is
actually read, so the rest of jvmready never pays for it.
"""

from __future__ import annotations

from jvmready.tensorflow.check import check_savedmodel
from jvmready.tensorflow.fix import fix_savedmodel
from jvmready.tensorflow.savedmodel import SavedModelInfo, SignatureSpec, read_savedmodel
from jvmready.tensorflow.verify import JavaVerification, verify_java

__all__ = [
    "JavaVerification",
    "SavedModelInfo",
    "SignatureSpec",
    "check_savedmodel",
    "fix_savedmodel",
    "read_savedmodel",
    "verify_java",
]
