"""``jvmready score``: real pyspark, the JVM transformer, outputs compared with Python
onnxruntime's (tests/vectors/make_spark.py writes them). In-process through the API (one shared
session), and as a user runs the CLI for the refusal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jvmready.spark.score import ScoreOptions, score
from tests.helpers import run_cli


def test_score_iris_matches_python_onnxruntime(vectors: Path, tmp_path: Path, spark: Any) -> None:
    out = tmp_path / "scored.parquet"
    summary = score(vectors / "iris.onnx", vectors / "iris.jsonl", out, ScoreOptions(batch_size=16))
    assert summary.rows == 150 and summary.format == "parquet"
    assert summary.columns == ("output_label", "output_probability")
    df = spark.read.parquet(str(out))
    types = dict(df.dtypes)
    assert types["output_label"] == "bigint"
    assert types["output_probability"] == "map<bigint,float>"
    rows = df.collect()
    assert len(rows) == 150
    for r in rows:
        assert r["output_label"] == r["label"]
        probs = r["output_probability"]
        assert sorted(probs) == [0, 1, 2]
        for k, expected in enumerate(r["probabilities"]):
            assert probs[k] == pytest.approx(expected, abs=1e-6)


def test_score_writes_json_lines_with_int_and_array_columns(
    vectors: Path, tmp_path: Path, spark: Any
) -> None:
    expected = [json.loads(line) for line in (vectors / "ids.jsonl").read_text().splitlines()]
    data = tmp_path / "ids.jsonl"
    data.write_text("".join(json.dumps({"user": e["ids"]}) + "\n" for e in expected))
    out = tmp_path / "scored.jsonl"
    options = ScoreOptions(
        input_columns={"ids": "user"}, output_columns={"pair": "p", "doubled": "d"}, batch_size=3
    )
    summary = score(vectors / "ids.onnx", data, out, options)
    assert summary.columns == ("p", "d") and summary.format == "json"
    types = dict(spark.read.json(str(out)).dtypes)
    assert types["p"] == "array<bigint>"
    got = [
        json.loads(line)
        for f in sorted(out.glob("part-*.json"))
        for line in f.read_text().splitlines()
    ]
    assert sorted((g["user"], g["d"], g["p"]) for g in got) == sorted(
        (e["ids"], e["doubled"], e["pair"]) for e in expected
    )


def test_a_value_that_does_not_fit_int32_is_refused_in_one_line(
    vectors: Path, tmp_path: Path
) -> None:
    data = tmp_path / "big.jsonl"
    data.write_text("".join(json.dumps({"ids": i}) + "\n" for i in (1, 2, 2**31 + 5, 3)))
    out = tmp_path / "out.parquet"
    proc = run_cli("score", vectors / "ids.onnx", "-i", data, "-o", out, "--master", "local[1]")
    assert proc.returncode == 1, proc.stderr
    refusals = [line for line in proc.stderr.splitlines() if line.startswith("jvmready: refused:")]
    assert len(refusals) == 1, proc.stderr
    assert "column 'ids'" in refusals[0] and "row 2" in refusals[0]
    assert "value 2147483653" in refusals[0] and "does not fit int32" in refusals[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()
    assert list(tmp_path.glob(".out.parquet*")) == []  # no half-written output left behind


def test_a_null_is_refused_unless_passed(vectors: Path, tmp_path: Path, spark: Any) -> None:
    data = tmp_path / "nulls.jsonl"
    data.write_text('{"ids": 4}\n{"ids": null}\n{"ids": 5}\n')
    from jvmready.spark.score import ScoringRefused

    with pytest.raises(ScoringRefused, match="column 'ids', partition 0, row 1: null"):
        score(vectors / "ids.onnx", data, tmp_path / "refused.parquet")
    assert not (tmp_path / "refused.parquet").exists()
    out = tmp_path / "passed.parquet"
    score(vectors / "ids.onnx", data, out, ScoreOptions(pass_nulls=True))
    rows = sorted(spark.read.parquet(str(out)).collect(), key=lambda r: r["ids"] or -1)
    assert [(r["ids"], r["wide"]) for r in rows] == [(None, None), (4, 12), (5, 15)]


def test_an_existing_output_is_never_overwritten(vectors: Path, tmp_path: Path) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    proc = run_cli("score", vectors / "ids.onnx", "-i", vectors / "ids.jsonl", "-o", out)
    assert proc.returncode == 2
    assert "already exists" in proc.stderr
    assert (out / "mine.txt").read_text() == "keep me"
