"""TensorFlow SavedModels: their signatures as TF Java sees them, checked, fixed to int32, and
verified (``jvmready.verify`` with :mod:`jvmready.tensorflow.subject`) in Python TF and TF Java.

Needs ``tensorflow`` (``pip install 'jvmready[tensorflow]'``), imported only when a SavedModel is
actually read, so the rest of jvmready never pays for it.
"""

from __future__ import annotations

from jvmready.tensorflow.check import check_savedmodel
from jvmready.tensorflow.fix import fix_savedmodel
from jvmready.tensorflow.savedmodel import SavedModelInfo, SignatureSpec, read_savedmodel

__all__ = [
    "SavedModelInfo",
    "SignatureSpec",
    "check_savedmodel",
    "fix_savedmodel",
    "read_savedmodel",
]
