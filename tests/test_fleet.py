"""``check DIR`` / ``fix DIR -o OUT``: whole trees, in parallel, one bad file never stopping the rest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto as T
from onnx import helper, numpy_helper
from safetensors.numpy import load_file, save_file

from jvmready import fleet, formats
from jvmready.errors import JvmreadyError
from jvmready.formats import FixOptions
from jvmready.report import CheckReport
from jvmready.targets import Target
from tests.helpers import make_model, run_cli, snapshot


def _int64_model() -> onnx.ModelProto:
    """y = x + offsets, int64 in and out: errors under ort-java, fixable to int32 inputs."""
    return make_model(
        [helper.make_node("Add", ["x", "offsets"], ["y"])],
        [helper.make_tensor_value_info("x", T.INT64, ["batch", 2])],
        [helper.make_tensor_value_info("y", T.INT64, ["batch", 2])],
        [numpy_helper.from_array(np.array([1, 2], np.int64), "offsets")],
    )


def _float_model() -> onnx.ModelProto:
    return make_model(
        [helper.make_node("Relu", ["x"], ["y"])],
        [helper.make_tensor_value_info("x", T.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("y", T.FLOAT, [None, 4])],
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Good models at several depths, a corrupt one, and files no format claims."""
    root = tmp_path / "models"
    (root / "team-a" / "v2").mkdir(parents=True)
    (root / "team-b").mkdir()
    (root / "ids.onnx").write_bytes(_int64_model().SerializeToString())
    (root / "team-a" / "relu.onnx").write_bytes(_float_model().SerializeToString())
    (root / "team-a" / "v2" / "ids.onnx").write_bytes(_int64_model().SerializeToString())
    np.save(root / "team-b" / "labels.npy", np.array([3, 1, 2], np.int64))
    save_file({"tok": np.array([[5, 2**31 + 5]], np.int64)}, str(root / "team-b" / "w.safetensors"))
    (root / "team-b" / "broken.onnx").write_bytes(b"\x08\x07\x12this is not a model")
    (root / "team-b" / "notes.txt").write_text("not a model\n")
    (root / ".hidden.onnx").write_bytes(b"temporary")
    return root


def _lines(stdout: str) -> dict[str, dict[str, Any]]:
    docs = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    return {str(d["path"]): d for d in docs}


MODELS = (
    "ids.onnx",
    "team-a/relu.onnx",
    "team-a/v2/ids.onnx",
    "team-b/broken.onnx",
    "team-b/labels.npy",
    "team-b/w.safetensors",
)


def test_discover_finds_claimed_files_at_every_depth_and_skips_the_rest(tree: Path) -> None:
    found = fleet.discover(tree)
    assert found.models == MODELS
    assert found.skipped == ("team-b/notes.txt",)


def test_check_tree_reports_each_file_and_a_bad_one_does_not_stop_the_others(tree: Path) -> None:
    results = {r.path: r for r in fleet.check_tree(tree, jobs=1)}
    assert set(results) == set(MODELS)
    broken = results["team-b/broken.onnx"]
    assert broken.status == fleet.UNREADABLE and broken.exit_code == 2
    assert str(tree / "team-b" / "broken.onnx") in broken.error
    assert "\n" not in broken.error
    assert results["ids.onnx"].status == fleet.FINDINGS
    assert results["ids.onnx"].worst == "error"
    assert results["team-a/relu.onnx"].status == fleet.OK
    inputs = results["ids.onnx"].document["report"]["inputs"]
    assert [(i["name"], i["type"]) for i in inputs] == [("x", "tensor(int64)")]
    st = results["team-b/w.safetensors"].document["report"]["tensors"]
    assert [(t["name"], t["max"], t["fits_int32"]) for t in st] == [("tok", 2**31 + 5, False)]
    assert fleet.worst_exit(results.values()) == 2


def test_two_workers_give_the_same_results_as_one(tree: Path) -> None:
    one = sorted((r.to_dict() for r in fleet.check_tree(tree, jobs=1)), key=lambda d: d["path"])
    two = sorted((r.to_dict() for r in fleet.check_tree(tree, jobs=2)), key=lambda d: d["path"])
    assert one == two
    assert len(one) == len(MODELS)


def test_cli_check_tree_json_lines_and_worst_exit_code(tree: Path) -> None:
    proc = run_cli("check", tree, "--json", "--jobs", "2")
    assert proc.returncode == 2, proc.stderr  # the corrupt file is the worst
    docs = _lines(proc.stdout)
    assert list(docs) == list(MODELS)  # sorted by path, one line each, nothing else on stdout
    assert docs["team-b/broken.onnx"]["status"] == "error"
    assert docs["team-b/broken.onnx"]["exit_code"] == 2
    assert docs["ids.onnx"]["status"] == "findings"
    assert docs["ids.onnx"]["exit_code"] == 1
    assert docs["team-a/relu.onnx"]["report"]["outputs"][0]["type"] == "tensor(float)"
    bad_lines = [line for line in proc.stderr.splitlines() if "broken.onnx" in line]
    assert len(bad_lines) == 1 and bad_lines[0].startswith("jvmready: error: ")
    assert "6 model(s)" in proc.stderr and "1 file(s) skipped" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_check_tree_exit_codes_follow_the_worst_file(tree: Path) -> None:
    (tree / "team-b" / "broken.onnx").unlink()
    assert run_cli("check", tree, "--jobs", "1").returncode == 1  # int64 findings at error
    assert run_cli("check", tree, "--jobs", "1", "--fail-on", "never").returncode == 0
    clean = tree / "team-a"
    (clean / "v2" / "ids.onnx").unlink()
    proc = run_cli("check", clean)
    assert proc.returncode == 0, proc.stderr
    assert "relu.onnx" in proc.stdout and "ok" in proc.stdout


def test_cli_fix_tree_mirrors_the_tree_and_never_writes_into_the_input(
    tree: Path, tmp_path: Path
) -> None:
    before = snapshot(tree)
    out = tmp_path / "fixed"
    proc = run_cli("fix", tree, "-o", out, "--json", "--jobs", "2")
    assert snapshot(tree) == before
    assert proc.returncode == 2, proc.stderr  # broken.onnx; every other file still fixed
    docs = _lines(proc.stdout)
    assert docs["team-b/broken.onnx"]["status"] == "error"
    assert not (out / "team-b" / "broken.onnx").exists()
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    refused = docs["team-b/w.safetensors"]
    assert refused["status"] == "refused" and refused["exit_code"] == 1
    assert "'tok'" in str(refused["error"]) and "2147483653 at flat index 1" in str(
        refused["error"]
    )
    assert written == [m for m in MODELS if m not in ("team-b/broken.onnx", "team-b/w.safetensors")]
    fixed = onnx.load(str(out / "team-a" / "v2" / "ids.onnx"))
    assert fixed.graph.input[0].type.tensor_type.elem_type == T.INT32
    assert docs["team-a/v2/ids.onnx"]["output"] == str(out / "team-a" / "v2" / "ids.onnx")
    assert any(c["kind"] == "input-narrowed" for c in docs["team-a/v2/ids.onnx"]["changes"])
    assert np.load(out / "team-b" / "labels.npy").dtype == np.int32
    np.testing.assert_array_equal(np.load(out / "team-b" / "labels.npy"), [3, 1, 2])
    # with the big value kept as int64 the same file is fixed, its values intact
    again = run_cli("fix", tree / "team-b", "-o", tmp_path / "kept", "--keep", "tok")
    assert again.returncode == 2  # broken.onnx is still there
    tok = load_file(str(tmp_path / "kept" / "w.safetensors"))["tok"]
    assert tok.dtype == np.int64 and tok.tolist() == [[5, 2**31 + 5]]
    assert snapshot(tree) == before


def test_bad_jobs_and_a_missing_tree_are_one_line_usage_errors(tree: Path, tmp_path: Path) -> None:
    with pytest.raises(JvmreadyError, match="--jobs must be at least 1, not 0"):
        fleet.check_tree(tree, jobs=0)  # eager: before any work, not on first iteration
    proc = run_cli("check", tree, "--jobs", "0")
    assert proc.returncode == 2 and "--jobs must be at least 1" in proc.stderr
    with pytest.raises(JvmreadyError, match="not a directory"):
        fleet.fix_tree(tmp_path / "nope", tmp_path / "out")


def test_fix_tree_refuses_an_output_inside_or_equal_to_the_input(tree: Path) -> None:
    before = snapshot(tree)
    for out in (tree, tree / "fixed", tree / "team-a" / "out"):
        proc = run_cli("fix", tree, "-o", out)
        assert proc.returncode == 2
        assert "input tree" in proc.stderr and "Traceback" not in proc.stderr
    with pytest.raises(JvmreadyError, match="contains the input tree"):
        list(fleet.fix_tree(tree, tree.parent, FixOptions()))
    assert snapshot(tree) == before


def test_fix_tree_api_refusal_of_a_value_is_one_result(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "ok.onnx").write_bytes(_float_model().SerializeToString())
    np.save(root / "big.npy", np.array([1, 2**31 + 5], np.int64))
    results = {r.path: r for r in fleet.fix_tree(root, tmp_path / "out", FixOptions())}
    assert results["ok.onnx"].status == fleet.OK
    refused = results["big.npy"]
    assert refused.status == fleet.REFUSED and refused.exit_code == 1
    assert "2147483653 at flat index 1" in refused.error and "big.npy" in refused.error
    assert not (tmp_path / "out" / "big.npy").exists()
    assert (tmp_path / "out" / "ok.onnx").is_file()


class _MarkerDirFormat:
    """A directory model (like a SavedModel): a directory holding ``model.marker``."""

    name = "marker-dir"

    def claims(self, path: Path) -> bool:
        return path.is_dir() and (path / "model.marker").is_file()

    def check(self, path: Path, target: Target, options: object = None) -> CheckReport:
        return CheckReport(path=str(path), format=self.name, target=target.name)

    def fix_file(self, path: Path, out: Path, options: FixOptions) -> formats.FileFixReport:
        raise NotImplementedError


def test_a_claimed_directory_is_one_model_not_a_tree(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    formats.registered()  # load the built-ins first, so the patched list keeps them
    monkeypatch.setattr(formats, "_REGISTRY", [_MarkerDirFormat(), *formats._REGISTRY])
    saved = tree / "team-c" / "saved"
    (saved / "variables").mkdir(parents=True)
    (saved / "model.marker").write_text("")
    (saved / "variables" / "inner.onnx").write_bytes(_float_model().SerializeToString())
    assert not fleet.is_tree(saved)
    assert fleet.is_tree(tree)
    found = fleet.discover(tree)
    assert "team-c/saved" in found.models
    assert not any(m.startswith("team-c/saved/") for m in found.models)
    result = next(r for r in fleet.check_tree(tree, jobs=1) if r.path == "team-c/saved")
    assert result.format == "marker-dir" and result.status == fleet.OK
