"""The SavedModel format plug-in: a directory holding ``saved_model.pb``.

Claiming is a directory test, so jvmready without tensorflow still names the format; check and
fix import tensorflow (and say how to install it when it is missing).
"""

from __future__ import annotations

from pathlib import Path

from jvmready.formats import CheckOptions, FileFixReport, FixOptions, register
from jvmready.report import CheckReport
from jvmready.targets import Target
from jvmready.tensorflow.savedmodel import is_savedmodel


class SavedModelFormat:
    """TensorFlow SavedModels, as written by ``tf.saved_model.save`` and Keras ``export``."""

    name = "tensorflow-savedmodel"

    def claims(self, path: Path) -> bool:
        return is_savedmodel(path)

    def check(
        self, path: Path, target: Target, options: CheckOptions = CheckOptions()
    ) -> CheckReport:
        from jvmready.tensorflow.check import check_savedmodel

        return check_savedmodel(path, target)

    def fix_file(self, path: Path, out: Path, options: FixOptions) -> FileFixReport:
        from jvmready.tensorflow.fix import fix_savedmodel

        return fix_savedmodel(path, out, options)


SAVEDMODEL = register(SavedModelFormat())
