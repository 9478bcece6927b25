"""Static pickle scan: benign scikit-learn pickles pass, malicious ones are named, never run."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier

from jvmready.errors import InputFileError, JvmreadyError
from jvmready.formats import CheckOptions
from jvmready.targets import get_target
from jvmready.weights.pickle_scan import Global, scan
from jvmready.weights.sklearn_model import SklearnModelFormat
from tests.helpers import run_cli


class _Evil:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture(scope="module")
def forest() -> RandomForestClassifier:
    x, y = load_iris(return_X_y=True)
    return RandomForestClassifier(n_estimators=3, random_state=0).fit(x, y)


@pytest.mark.parametrize("how", ["pickle", "joblib", "joblib-zlib", "joblib-gzip", "joblib-xz"])
def test_benign_model_lists_only_ml_imports(
    tmp_path: Path, forest: RandomForestClassifier, how: str
) -> None:
    p = tmp_path / ("m.pkl" if how == "pickle" else "m.joblib")
    if how == "pickle":
        p.write_bytes(pickle.dumps(forest, protocol=5))
    else:
        compress = how.split("-")[1] if "-" in how else 0
        joblib.dump(forest, p, compress=(compress, 3) if compress else 0)
    result = scan(p)
    assert Global("sklearn.ensemble._forest", "RandomForestClassifier") in result.imports
    assert Global("sklearn.tree._classes", "DecisionTreeClassifier") in result.imports
    assert not result.unsafe and not result.unknown
    assert result.compression == (None if how in ("pickle", "joblib") else how.split("-")[1])


@pytest.mark.parametrize("container", ["pickle", "joblib", "joblib-object-array"])
def test_malicious_pickle_is_reported_not_executed(tmp_path: Path, container: str) -> None:
    marker = tmp_path / "PWNED"
    evil = _Evil(marker)
    p = tmp_path / "evil.pkl"
    if container == "pickle":
        p.write_bytes(pickle.dumps(evil))
    elif container == "joblib":
        joblib.dump({"w": np.arange(100.0), "x": evil}, p)
    else:  # hidden inside an object array, which joblib writes as a nested pickle
        joblib.dump({"w": np.arange(100.0), "o": np.array([evil, 1], dtype=object)}, p)
    result = scan(p)
    assert [str(g) for g in result.unsafe] == [f"{os.system.__module__}.system"]
    assert any(f"touch {marker}" in c for c in result.calls)

    fmt = SklearnModelFormat()
    report = fmt.check(p, get_target("ort-java"))
    assert report.findings[0].rule == "JR401"
    assert "system" in report.findings[0].message
    with pytest.raises(JvmreadyError, match="refusing to load even with --trust"):
        fmt.check(p, get_target("ort-java"), CheckOptions(trust=True))
    assert not marker.exists()


def test_cli_check_malicious(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    p = tmp_path / "evil.pkl"
    p.write_bytes(pickle.dumps(_Evil(marker)))
    r = run_cli("check", p, "--json")
    assert r.returncode == 1
    assert "JR401" in r.stdout and "system" in r.stdout
    assert not marker.exists()


def test_unknown_module_is_a_warning(tmp_path: Path) -> None:
    p = tmp_path / "x.pkl"
    # GLOBAL 'mylib.models Thing', EMPTY_TUPLE, REDUCE, STOP: hand-written, never loadable.
    p.write_bytes(b"\x80\x02cmylib.models\nThing\n)R.")
    result = scan(p)
    assert result.unknown == (Global("mylib.models", "Thing"),)
    report = SklearnModelFormat().check(p, get_target("ort-java"))
    assert [f.rule for f in report.findings] == ["JR402", "JR400"]


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "empty"),
        (b"\x80\x05\x95", "truncated"),
        (b"hello", "malformed|unknown opcode"),
        (b"\x80\x05B\xff\xff\xff\x7f", "past the end"),  # BINBYTES claiming 2 GiB
    ],
    ids=["empty", "truncated", "garbage", "lying-length"],
)
def test_bad_pickles_are_one_line(tmp_path: Path, content: bytes, problem: str) -> None:
    p = tmp_path / "bad.pkl"
    p.write_bytes(content)
    with pytest.raises(InputFileError, match=problem):
        scan(p)


_SEED = pickle.dumps({"a": [1, 2.0, "x", b"y", (1,), {3}], "n": np.arange(3)}, protocol=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_SEED) - 1), st.integers(0, 255)), max_size=4))
def test_property_mutated_pickles_scan_or_refuse(edits: list[tuple[int, int]]) -> None:
    import tempfile

    data = bytearray(_SEED)
    for pos, value in edits:
        data[pos] = value
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "m.pkl"
        p.write_bytes(bytes(data))
        try:
            result = scan(p)
        except InputFileError as e:
            assert str(e).startswith(f"{p}: ")
        else:
            assert all(isinstance(g, Global) for g in result.imports)
