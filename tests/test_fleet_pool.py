"""Fleets in worker processes: chunks, a crashed worker reported for its own file only, and
small fleets kept in this process."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pytest
from onnx import TensorProto as T
from onnx import helper, numpy_helper

from jvmready import fleet, formats, workpool
from jvmready.formats import FileFixReport, FixOptions
from jvmready.report import CheckReport
from jvmready.targets import Target
from tests.helpers import make_model, snapshot

CRASH_EXIT = 70


def _ids_model(offset: int) -> bytes:
    """int64 in and out (findings under ort-java, fixable); ``offset`` makes each file differ."""
    model = make_model(
        [helper.make_node("Add", ["x", "offsets"], ["y"])],
        [helper.make_tensor_value_info("x", T.INT64, ["batch", 2])],
        [helper.make_tensor_value_info("y", T.INT64, ["batch", 2])],
        [numpy_helper.from_array(np.array([offset, 2**31 + offset], np.int64), "offsets")],
    )
    data: bytes = model.SerializeToString()
    return data


def _float_model() -> bytes:
    model = make_model(
        [helper.make_node("Relu", ["x"], ["y"])],
        [helper.make_tensor_value_info("x", T.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("y", T.FLOAT, [None, 4])],
    )
    data: bytes = model.SerializeToString()
    return data


class _CrashingFormat:
    """Claims ``*.crash``; checking or fixing one kills the worker process, as a segfault in
    native code or the OOM killer would."""

    name = "crashing"

    def claims(self, path: Path) -> bool:
        return path.suffix == ".crash"

    def check(self, path: Path, target: Target, options: object = None) -> CheckReport:
        _die()

    def fix_file(self, path: Path, out: Path, options: FixOptions) -> FileFixReport:
        _die()


def _die() -> NoReturn:
    if multiprocessing.parent_process() is None:  # never take the test process down
        raise RuntimeError("a crashing model was handled outside a worker process")
    os._exit(CRASH_EXIT)


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fleet in these tests goes to worker processes, however small."""
    monkeypatch.setattr(fleet, "POOL_MIN_MODELS", 0)


@pytest.fixture
def crashing(monkeypatch: pytest.MonkeyPatch) -> None:
    formats.registered()  # load the built-ins first, so the patched list keeps them
    monkeypatch.setattr(formats, "_REGISTRY", [_CrashingFormat(), *formats._REGISTRY])


@pytest.fixture
def fleet_dir(tmp_path: Path) -> Path:
    """40 ONNX models in two directories, a corrupt one and an .npy, so that with 2 workers
    the chunks hold several files each."""
    root = tmp_path / "fleet"
    for i in range(40):
        path = root / f"team{i % 2}" / f"m{i:02d}.onnx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_ids_model(i) if i % 3 else _float_model())
    (root / "team0" / "broken.onnx").write_bytes(b"\x08\x07\x12this is not a model")
    np.save(root / "team1" / "labels.npy", np.array([3, 2**31 + 5], np.int64))
    return root


def _by_path(results: Iterable[fleet.FleetResult]) -> dict[str, dict[str, Any]]:
    docs = [r.to_dict() for r in results]
    by_path = {str(d["path"]): d for d in docs}
    assert len(by_path) == len(docs), "a file was reported twice"
    return by_path


def test_small_fleets_stay_in_this_process_and_big_ones_get_workers(tmp_path: Path) -> None:
    (tmp_path / "a.onnx").write_bytes(_float_model())
    few = tuple(f"m{i}.onnx" for i in range(fleet.POOL_MIN_MODELS - 1))
    many = tuple(f"m{i}.onnx" for i in range(fleet.POOL_MIN_MODELS))
    assert fleet.workers_for(4, tmp_path, few) == 1  # missing files weigh nothing
    assert fleet.workers_for(4, tmp_path, many) == 4
    assert fleet.workers_for(1, tmp_path, many) == 1
    assert fleet.workers_for(8, tmp_path, ("a.onnx",)) == 1  # never more workers than models
    big = tmp_path / "big.npy"
    np.save(big, np.zeros(fleet.POOL_MIN_BYTES // 8, np.int64))
    assert fleet.workers_for(2, tmp_path, ("a.onnx", "big.npy")) == 2
    (tmp_path / "saved").mkdir()  # a model directory (a SavedModel) is assumed to be heavy
    assert fleet.workers_for(2, tmp_path, ("a.onnx", "saved")) == 2


def test_chunks_keep_every_worker_busy_and_results_flowing() -> None:
    assert workpool.chunk_size(7, 2) == 1
    assert workpool.chunk_size(1000, 2) == workpool.MAX_CHUNK
    assert workpool.chunk_size(80, 2) == 10  # 8 chunks: 4 per worker


@pytest.mark.usefixtures("pooled")
def test_workers_give_the_same_results_as_this_process(fleet_dir: Path) -> None:
    alone = _by_path(fleet.check_tree(fleet_dir, jobs=1))
    pooled = _by_path(fleet.check_tree(fleet_dir, jobs=2))
    assert pooled == alone
    assert len(alone) == 42
    assert alone["team0/broken.onnx"]["status"] == fleet.UNREADABLE
    assert alone["team1/m01.onnx"]["status"] == fleet.FINDINGS
    assert alone["team0/m00.onnx"]["status"] == fleet.OK


@pytest.mark.usefixtures("pooled", "crashing")
def test_a_crashed_worker_is_reported_for_its_file_and_every_other_file_finishes(
    fleet_dir: Path,
) -> None:
    (fleet_dir / "team0" / "m05.crash").write_bytes(b"boom")  # sorted among the ONNX files
    (fleet_dir / "team1" / "m20.crash").write_bytes(b"boom")
    expected = _by_path(fleet.check_tree(fleet_dir, jobs=1, models=_models(fleet_dir)))
    results = _by_path(fleet.check_tree(fleet_dir, jobs=2))
    assert set(results) == set(expected) | {"team0/m05.crash", "team1/m20.crash"}
    for rel in ("team0/m05.crash", "team1/m20.crash"):
        crashed = results[rel]
        assert crashed["status"] == fleet.INTERNAL and crashed["exit_code"] == 3
        assert crashed["error"] == (
            f"{fleet_dir / rel}: internal error: RuntimeError: "
            "the worker process died while working on it"
        )
    assert {k: v for k, v in results.items() if not k.endswith(".crash")} == expected
    assert max(d["exit_code"] for d in results.values()) == 3


@pytest.mark.usefixtures("pooled", "crashing")
def test_fix_in_workers_survives_a_crash_and_never_writes_into_the_input(
    fleet_dir: Path, tmp_path: Path
) -> None:
    (fleet_dir / "team1" / "m07.crash").write_bytes(b"boom")
    before = snapshot(fleet_dir)
    out, alone_out = tmp_path / "out", tmp_path / "alone"
    alone = _by_path(fleet.fix_tree(fleet_dir, alone_out, jobs=1, models=_models(fleet_dir)))
    results = _by_path(fleet.fix_tree(fleet_dir, out, FixOptions(), jobs=2))
    assert snapshot(fleet_dir) == before
    assert results["team1/m07.crash"]["status"] == fleet.INTERNAL
    assert not (out / "team1" / "m07.crash").exists()
    refused = results["team1/labels.npy"]
    assert refused["status"] == fleet.REFUSED and "2147483653" in str(refused["error"])
    fixed = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.onnx"))
    assert fixed == sorted(f"team{i % 2}/m{i:02d}.onnx" for i in range(40))
    assert snapshot(out) == snapshot(alone_out)  # the same bytes as fixed in this process
    for rel, doc in alone.items():
        assert results[rel]["changes"] == doc["changes"] and results[rel]["status"] == doc["status"]
    assert any(doc["changes"] for doc in alone.values())


def _models(root: Path) -> tuple[str, ...]:
    return tuple(m for m in fleet.discover(root).models if not m.endswith(".crash"))


# --- the pool itself, on plain functions ----------------------------------------------------


def _double_or_die(item: int) -> int:
    if item in (13, 14):
        os._exit(CRASH_EXIT)
    return item * 2


def _never_starts() -> None:
    os._exit(CRASH_EXIT)


def _died(item: int, why: str) -> int:
    assert why
    return -item


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_run_chunked_isolates_the_items_that_kill_their_worker(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} on this platform")
    monkeypatch.setattr(workpool, "start_method", lambda: method)
    results = sorted(workpool.run_chunked(_double_or_die, range(50), 2, _died))
    assert results == sorted([-13, -14] + [i * 2 for i in range(50) if i not in (13, 14)])


def test_run_chunked_reports_every_item_when_no_worker_can_start() -> None:
    setup = workpool.Setup(initializer=_never_starts)
    results = sorted(workpool.run_chunked(_double_or_die, range(6), 2, _died, setup))
    assert results == [-5, -4, -3, -2, -1, 0]
