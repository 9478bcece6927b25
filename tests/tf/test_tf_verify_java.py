"""verify_java: the SavedModel in Python TensorFlow and in TF Java (a real JVM), compared.

Needs the TF Java adapter built (``make test-tf`` builds it before running these tests).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jvmready.errors import NarrowingError
from jvmready.formats import FixOptions
from jvmready.tensorflow import fix_savedmodel, verify_java
from jvmready.tensorflow.verify import TfJavaRunError

pytestmark = pytest.mark.java

IDS = np.array([[1, 2, 3], [9, 0, 4], [5, 5, 5]], dtype=np.int32)


@pytest.fixture(scope="module")
def fixed(classifier: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("verify") / "fixed"
    fix_savedmodel(classifier, out, FixOptions())
    return out


def test_fixed_model_matches_in_java(fixed: Path) -> None:
    result = verify_java(fixed, {"token_ids": IDS})
    assert result.passed, [c.to_dict() for c in result.comparisons]
    assert {c.name for c in result.comparisons} == {"label", "logits", "id_sum"}


def test_original_int64_model_takes_int_arrays_through_the_adapter(classifier: Path) -> None:
    result = verify_java(classifier, {"token_ids": IDS})
    assert result.passed, [c.to_dict() for c in result.comparisons]


def test_values_beyond_int32_are_refused_not_wrapped(fixed: Path) -> None:
    wide = IDS.astype(np.int64)
    wide[1, 2] = 2**31 + 1
    with pytest.raises(NarrowingError, match=r"'token_ids'.*2147483649.*flat index 5"):
        verify_java(fixed, {"token_ids": wide})


def test_java_errors_are_one_line_naming_the_input(fixed: Path) -> None:
    with pytest.raises(TfJavaRunError, match=r"input 'token_ids' has shape \[2\]"):
        verify_java_with_bad_shape(fixed)


def verify_java_with_bad_shape(fixed: Path) -> None:
    from jvmready.tensorflow.verify import _run_java

    _run_java(fixed, "serving_default", {"token_ids": np.array([1, 2], np.int32)}, 300)
