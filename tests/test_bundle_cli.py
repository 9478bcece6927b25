"""``jvmready bundle`` as a user runs it: output, exit codes, one-line errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jvmready import read_bundle
from tests.helpers import run_cli


def test_bundle_writes_and_reports(tmp_path: Path) -> None:
    src = tmp_path / "m.npz"
    np.savez(src, ids=np.array([1, 2]), w=np.ones(3, np.float32))
    out = tmp_path / "m.pb"
    r = run_cli(
        "bundle", src, "-o", out, "--format", "protobuf", "--name", "demo", "--labels", "a",
        "--labels", "b", "--features", "f1", "--role", "w=weights", "--narrow",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert f"wrote {out} (protobuf, 2 tensors" in r.stdout
    assert "ids: INT32 [2]  (narrowed from INT64)" in r.stdout
    loaded = read_bundle(out)
    assert loaded.manifest.model_name == "demo"
    assert loaded.manifest.class_labels == ("a", "b")
    assert loaded.manifest.feature_names == ("f1",)
    assert loaded.manifest.roles == {"w": "weights"}
    assert loaded.tensors["ids"].tolist() == [1, 2]


def test_exit_codes_and_one_line_errors(tmp_path: Path) -> None:
    src = tmp_path / "ids.npy"
    np.save(src, np.array([5, 2**31 + 5]))
    out = tmp_path / "o.avro"

    refused = run_cli("bundle", src, "-o", out, "-f", "avro", "--narrow")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "jvmready: refused: tensor 'ids': value 2147483653 at flat index 1 does not fit "
        "int32; keep it int64 (--keep ids)"
    )
    assert not out.exists()

    kept = run_cli("bundle", src, "-o", out, "-f", "avro", "--narrow", "--keep", "ids")
    assert kept.returncode == 0, kept.stderr
    assert read_bundle(out).tensors["ids"].tolist() == [5, 2**31 + 5]

    for args, text in [
        (("-f", "xml"), "unknown bundle format 'xml'; choose one of safetensors, protobuf, avro"),
        (("--role", "ids"), "--role 'ids': expected TENSOR=ROLE"),
    ]:
        r = run_cli("bundle", src, "-o", tmp_path / "x", *args)
        assert r.returncode == 2 and text in r.stderr and "Traceback" not in r.stderr
    missing = run_cli("bundle", tmp_path / "nope.npz", "-o", tmp_path / "x")
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"jvmready: error: {tmp_path / 'nope.npz'}: no such file"
    same = run_cli("bundle", src, "-o", src)
    assert same.returncode == 2 and "refusing to overwrite the input" in same.stderr
