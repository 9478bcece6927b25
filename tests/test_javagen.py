"""``jvmready javagen``: generated facades compile warning-free against the built jars, run on ONNX
Runtime Java, and agree with onnxruntime in Python; bad models are refused in one line."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from hypothesis import given
from hypothesis import strategies as st
from onnx import TensorProto, helper

from jvmready import JvmreadyError, __version__, javagen
from jvmready.javagen.identifiers import (
    assign_identifiers,
    comment_text,
    is_java_identifier,
    java_string_literal,
    sanitize,
)
from jvmready.javagen.literals import java_array_literal
from jvmready.javagen.model import describe_model
from tests.helpers import make_model, run_cli

PACKAGE = "com.acme.models"

# --------------------------------------------------------------------------------------------
# Example models


def _save(model: onnx.ModelProto, path: Path) -> Path:
    onnx.save(model, str(path))
    return path


def _iris() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_iris

    x, y = load_iris(return_X_y=True)
    return x.astype(np.float32), y


def _sklearn(path: Path, estimator: Any, *, zipmap: bool) -> Path:
    from skl2onnx import to_onnx

    x, y = _iris()
    estimator.fit(x, y)
    options = {id(estimator): {"zipmap": zipmap}}
    model = to_onnx(estimator, x[:1], options=options, target_opset={"": 17, "ai.onnx.ml": 3})
    model.ir_version = 10
    return _save(model, path)


def logistic_regression(path: Path) -> Path:
    """skl2onnx classifier without ZipMap: label int64 [N], probabilities float [N, 3]."""
    from sklearn.linear_model import LogisticRegression

    return _sklearn(path, LogisticRegression(max_iter=500), zipmap=False)


def random_forest_zipmap(path: Path) -> Path:
    """skl2onnx classifier with ZipMap: probabilities as seq(map(int64, tensor(float)))."""
    from sklearn.ensemble import RandomForestClassifier

    return _sklearn(
        path, RandomForestClassifier(n_estimators=4, max_depth=3, random_state=0), zipmap=True
    )


def embedding_fixed(path: Path) -> Path:
    """Token ids (int64) into an embedding, then ``jvmready fix``: the input becomes int32."""
    from jvmready.fix import fix

    table = np.arange(40, dtype=np.float32).reshape(10, 4) / 7.0
    model = make_model(
        [
            helper.make_node("Gather", ["table", "ids"], ["emb"], axis=0),
            helper.make_node("ReduceSum", ["emb", "axis2"], ["score"], keepdims=0),
            helper.make_node("ArgMax", ["score"], ["best"], axis=1, keepdims=0),
        ],
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "seq"])],
        [
            helper.make_tensor_value_info("emb", TensorProto.FLOAT, ["batch", "seq", 4]),
            helper.make_tensor_value_info("best", TensorProto.INT64, ["batch"]),
        ],
        [
            onnx.numpy_helper.from_array(table, "table"),
            onnx.numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
        ],
    )
    fixed = fix(model, io="int32").model
    assert fixed.graph.input[0].type.tensor_type.elem_type == TensorProto.INT32
    return _save(fixed, path)


def several_inputs(path: Path) -> Path:
    """Several inputs of every supported type, dynamic dims, names that are not Java names,
    a rank-0 output, a string-keyed ZipMap."""
    f, i64, dbl, b = TensorProto.FLOAT, TensorProto.INT64, TensorProto.DOUBLE, TensorProto.BOOL
    model = make_model(
        [
            helper.make_node("ReduceSum", ["3d-points", "axis2"], ["sum"], keepdims=0),
            helper.make_node("Add", ["class", "one"], ["out.class"]),
            helper.make_node("Mul", ["gr\u00f6\u00dfe", "two"], ["hashCode"]),
            helper.make_node("Not", ["flag"], ["mask"]),
            helper.make_node("Identity", ["scores"], ["scores_copy"]),
            helper.make_node(
                "ZipMap",
                ["scores"],
                ["per class"],
                domain="ai.onnx.ml",
                classlabels_strings=["setosa", "versi\u00e9", 'q"uote\\'],
            ),
        ],
        [
            helper.make_tensor_value_info("3d-points", f, ["batch", "n", 3]),
            helper.make_tensor_value_info("class", i64, ["batch"]),
            helper.make_tensor_value_info("gr\u00f6\u00dfe", dbl, []),
            helper.make_tensor_value_info("flag", b, ["batch", None]),
            helper.make_tensor_value_info("scores", f, ["batch", 3]),
        ],
        [
            helper.make_tensor_value_info("sum", f, ["batch", "n"]),
            helper.make_tensor_value_info("out.class", i64, ["batch"]),
            helper.make_tensor_value_info("hashCode", dbl, []),
            helper.make_tensor_value_info("mask", b, ["batch", None]),
            helper.make_tensor_value_info("scores_copy", f, ["batch", 3]),
            helper.make_value_info(
                "per class",
                helper.make_sequence_type_proto(
                    helper.make_map_type_proto(
                        TensorProto.STRING, helper.make_tensor_type_proto(f, None)
                    )
                ),
            ),
        ],
        [
            onnx.numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
            onnx.numpy_helper.from_array(np.array(1, dtype=np.int64), "one"),
            onnx.numpy_helper.from_array(np.array(2.0, dtype=np.float64), "two"),
        ],
        ml_opset=3,
        name="several */ inputs",
    )
    return _save(model, path)


# --------------------------------------------------------------------------------------------
# Writing a Java Main that feeds literal inputs and prints every output as JSON


_JSON_HELPER = """
  private static String json(Object o) throws ReflectiveOperationException {
    if (o == null) {
      return "null";
    }
    if (o instanceof Float f) {
      return Double.toString(f.doubleValue());
    }
    if (o instanceof Number || o instanceof Boolean) {
      return o.toString();
    }
    if (o instanceof String s) {
      return quote(s);
    }
    StringBuilder sb = new StringBuilder();
    if (o instanceof Record r) {
      sb.append('{');
      String sep = "";
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        sb.append(sep).append(quote(c.getName())).append(": ");
        sb.append(json(c.getAccessor().invoke(r)));
        sep = ", ";
      }
      return sb.append('}').toString();
    }
    sb.append('[');
    String sep = "";
    if (o.getClass().isArray()) {
      for (int i = 0; i < Array.getLength(o); i++) {
        sb.append(sep).append(json(Array.get(o, i)));
        sep = ", ";
      }
    } else if (o instanceof List<?> l) {
      for (Object e : l) {
        sb.append(sep).append(json(e));
        sep = ", ";
      }
    } else if (o instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append(sep).append('[').append(json(e.getKey())).append(", ");
        sb.append(json(e.getValue())).append(']');
        sep = ", ";
      }
    } else {
      throw new IllegalStateException("unexpected " + o.getClass());
    }
    return sb.append(']').toString();
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\\"");
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\\\' || ch < 0x20 || ch > 0x7e) {
        sb.append(String.format("\\\\u%04x", (int) ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.append('"').toString();
  }
"""


def write_main(
    directory: Path,
    class_name: str,
    calls: Sequence[Sequence[np.ndarray]],
    *,
    from_bytes: bool = False,
    wrong_model: bool = False,
    self_check: bool = False,
) -> Path:
    """A ``Main`` that opens args[0], prints one JSON line per ``predict`` call, then (if
    ``wrong_model``) opens args[1] and prints the refusal's message."""
    fqcn = f"{PACKAGE}.{class_name}"
    opener = "Files.readAllBytes(Path.of(args[0]))" if from_bytes else "Path.of(args[0])"
    lines = [f"    try ({fqcn} model = {fqcn}.open({opener})) {{"]
    if self_check:
        lines.append("      System.out.println(json(model.selfCheck()));")
    for args in calls:
        lines.append(
            f"      System.out.println(json(model.predict({', '.join(map(java_array_literal, args))})));"
        )
    lines.append("    }")
    if wrong_model:
        lines += [
            f"    try ({fqcn} other = {fqcn}.open(Path.of(args[1]))) {{",
            '      throw new AssertionError("opened " + other);',
            "    } catch (java.io.IOException e) {",
            "      System.out.println(json(e.getMessage()));",
            "    }",
        ]
    source = "\n".join(
        [
            "import java.lang.reflect.Array;",
            "import java.lang.reflect.RecordComponent;",
            "import java.nio.file.Files;",
            "import java.nio.file.Path;",
            "import java.util.List;",
            "import java.util.Map;",
            "",
            "/** Feeds literal inputs to a generated facade and prints its outputs as JSON. */",
            "public final class Main {",
            "  private Main() {}",
            "",
            "  /** Entry point. */",
            "  public static void main(String[] args) throws Exception {",
            *lines,
            "  }",
            _JSON_HELPER,
            "}",
            "",
        ]
    )
    path = directory / "Main.java"
    path.write_text(source, encoding="ascii")
    return path


@dataclass(frozen=True)
class JavaRun:
    source: str  # the generated facade
    lines: list[Any]  # one parsed JSON value per printed line


def _classpath() -> str:
    from jvmready.java import classpath

    return classpath()


def generate_compile_run(
    tmp_path: Path,
    model: Path,
    class_name: str,
    calls: Sequence[Sequence[np.ndarray]],
    *,
    from_bytes: bool = False,
    wrong_model: Path | None = None,
    self_check: bool = False,
) -> JavaRun:
    """Generate the facade, compile it and a Main with ``javac -Xlint:all -Werror``, run it."""
    src = tmp_path / "src"
    generated = javagen(model, PACKAGE, class_name, src)
    main = write_main(
        src,
        class_name,
        calls,
        from_bytes=from_bytes,
        wrong_model=wrong_model is not None,
        self_check=self_check,
    )
    classes = tmp_path / "classes"
    cp = _classpath()
    _javac(classes, cp, [generated, main])
    args = [str(model)] + ([] if wrong_model is None else [str(wrong_model)])
    ran = subprocess.run(
        ["java", "-cp", f"{classes}:{cp}", "Main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return JavaRun(
        generated.read_text(encoding="ascii"),
        [json.loads(line) for line in ran.stdout.splitlines() if line.strip()],
    )


def _javac(classes: Path, cp: str, sources: Sequence[Path], *extra: str) -> None:
    compiled = subprocess.run(
        ["javac", "-Xlint:all", "-Werror", *extra, "-d", str(classes), "-cp", cp]
        + [str(s) for s in sources],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


def python_outputs(model: Path, feeds: Sequence[np.ndarray]) -> dict[str, Any]:
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    values = session.run(None, dict(zip(names, feeds, strict=True)))
    return {o.name: v for o, v in zip(session.get_outputs(), values, strict=True)}


def assert_same(java: Any, expected: Any, name: str) -> None:
    """Ints and bools exactly, floats to 1e-5, shapes (the Java nesting) exactly."""
    if isinstance(expected, list):  # ZipMap: one dict per row; Java prints [[key, value], ...]
        assert len(java) == len(expected), name
        for row_java, row_py in zip(java, expected, strict=True):
            assert [k for k, _ in row_java] == sorted(row_py), name
            for k, v in row_java:
                assert v == pytest.approx(row_py[k], abs=1e-5), (name, k)
        return
    expected = np.asarray(expected)
    got = np.array(java, dtype=expected.dtype)
    assert got.shape == expected.shape, (name, got.shape, expected.shape)
    if expected.dtype.kind in "iub":
        np.testing.assert_array_equal(got, expected, err_msg=name)
    else:
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5, err_msg=name)


def check_against_python(
    run: JavaRun, model: Path, calls: Sequence[Sequence[np.ndarray]], class_name: str
) -> None:
    facade = describe_model(model, PACKAGE, class_name)
    java_names = {o.name: o.java_name for o in facade.outputs}
    assert len(run.lines) >= len(calls)
    for printed, feeds in zip(run.lines[: len(calls)], calls, strict=True):
        expected = python_outputs(model, feeds)
        assert set(printed) == set(java_names.values())
        for onnx_name, value in expected.items():
            assert_same(printed[java_names[onnx_name]], value, onnx_name)


# --------------------------------------------------------------------------------------------
# Generated, compiled, run, compared with onnxruntime in Python


@pytest.mark.java
def test_classifier_without_zipmap(tmp_path: Path) -> None:
    model = logistic_regression(tmp_path / "iris.onnx")
    other = random_forest_zipmap(tmp_path / "forest.onnx")
    x, _ = _iris()
    calls = [[x[:7]], [x[100:103]]]
    run = generate_compile_run(tmp_path, model, "IrisClassifier", calls, wrong_model=other)
    assert "public Prediction predict(float[][] X)" in run.source
    assert "public record Prediction(long[] label, float[][] probabilities)" in run.source
    assert "selfCheck" not in run.source  # no embedded samples, no selfCheck()
    check_against_python(run, model, calls, "IrisClassifier")
    # A model that does not declare what the class was generated for is refused at open.
    refusal = run.lines[-1]
    assert refusal == (
        f"{other}: not the model IrisClassifier was generated for: output 'label' is not "
        "declared, expected tensor(int64) [?]"
    )


@pytest.mark.java
def test_embedded_samples_give_a_self_check(tmp_path: Path) -> None:
    from jvmready.verify.samples import embed_verified

    original = logistic_regression(tmp_path / "iris.onnx")
    model = tmp_path / "iris-samples.onnx"
    model.write_bytes(original.read_bytes())
    assert embed_verified(original, model, 3).passed
    x, _ = _iris()
    calls = [[x[60:62]]]
    run = generate_compile_run(tmp_path, model, "Checked", calls, self_check=True)
    assert "public SelfCheckReport selfCheck()" in run.source
    report = run.lines[0]
    assert (report["samples"], report["outputs"]) == (3, ["label", "probabilities"])
    run.lines.pop(0)
    check_against_python(run, model, calls, "Checked")


@pytest.mark.java
def test_zipmap_classifier_from_bytes(tmp_path: Path) -> None:
    model = random_forest_zipmap(tmp_path / "forest.onnx")
    x, _ = _iris()
    calls = [[x[45:55]]]
    run = generate_compile_run(tmp_path, model, "Forest", calls, from_bytes=True)
    assert "List<Map<Long, Float>> output_probability" in run.source
    check_against_python(run, model, calls, "Forest")
    assert [k for k, _ in run.lines[0]["output_probability"][0]] == [0, 1, 2]


@pytest.mark.java
def test_int32_inputs_after_fix(tmp_path: Path) -> None:
    model = embedding_fixed(tmp_path / "embed.onnx")
    ids = np.array([[1, 2, 9, -1], [0, 3, 3, -10]], dtype=np.int32)
    calls = [[ids], [ids[:1, :2]]]
    run = generate_compile_run(tmp_path, model, "Embedder", calls)
    assert "public Prediction predict(int[][] ids)" in run.source
    assert "float[][][] emb" in run.source
    check_against_python(run, model, calls, "Embedder")


@pytest.mark.java
def test_several_inputs_dynamic_dims_and_odd_names(tmp_path: Path) -> None:
    model = several_inputs(tmp_path / "several.onnx")
    rng = np.random.default_rng(7)

    def feeds(batch: int, n: int) -> list[np.ndarray]:
        return [
            rng.standard_normal((batch, n, 3)).astype(np.float32),
            np.array([2**40 + 5, -(2**62), 7][:batch], dtype=np.int64),
            np.array(0.1 + batch, dtype=np.float64),
            rng.random((batch, n + 1)) > 0.5,
            rng.random((batch, 3)).astype(np.float32),
        ]

    calls = [feeds(3, 2), feeds(1, 5)]
    run = generate_compile_run(tmp_path, model, "Several", calls)
    source = run.source
    assert (
        "predict( float[][][] _3d_points, long[] class_, double gr\\u00f6\\u00dfe, "
        "boolean[][] flag, float[][] scores) {" in " ".join(source.split())
    )
    assert "double hashCode_" in source and "long[] out_class" in source
    assert "List<Map<String, Float>> per_class" in source
    assert "dynamic: batch (dim 0), n (dim 1)" in source
    assert "several *&#47; inputs" in source and source.isascii()
    check_against_python(run, model, calls, "Several")
    # The public API's Javadoc is complete too (doclint), whatever the names.
    generated = tmp_path / "src" / "com" / "acme" / "models" / "Several.java"
    _javac(tmp_path / "doclint", _classpath(), [generated], "-Xdoclint:all/protected")
    assert [k for k, _ in run.lines[0]["per_class"][0]] == sorted(
        ["setosa", "versi\u00e9", 'q"uote\\']
    )


# --------------------------------------------------------------------------------------------
# Without Java: what is generated, and what is refused


def test_header_names_model_hash_and_version(tmp_path: Path) -> None:
    model = logistic_regression(tmp_path / "iris.onnx")
    path = javagen(model, PACKAGE, "IrisClassifier", tmp_path / "out")
    assert path == tmp_path / "out" / "com" / "acme" / "models" / "IrisClassifier.java"
    text = path.read_text(encoding="ascii")
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    header = text.split("package ", 1)[0]
    assert f"jvmready {__version__}" in header
    assert "Model: iris.onnx" in header and "skl2onnx" in header
    assert f"SHA-256: {digest}" in header
    assert f'MODEL_SHA256 =\n      "{digest}";' in text
    assert '@param X input "X", tensor(float) [?, 4], dynamic: unnamed (dim 0)' in text


def test_cli_writes_refuses_overwrite_and_forces(tmp_path: Path) -> None:
    model = _save(_tiny_model(), tmp_path / "tiny.onnx")
    out = tmp_path / "gen"
    args = ["javagen", model, "--package", PACKAGE, "--class", "Iris", "-o", out]
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    target = out / "com" / "acme" / "models" / "Iris.java"
    assert str(target) in first.stdout and target.is_file()
    target.write_text("// mine\n")
    again = run_cli(*args)
    assert again.returncode == 2
    assert again.stderr.strip().splitlines() == [
        f"jvmready: error: {target}: already exists; pass --force to overwrite it"
    ]
    assert target.read_text() == "// mine\n"
    forced = run_cli(*args, "--force")
    assert forced.returncode == 0 and "class Iris " in target.read_text()
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("package", "class_name", "message"),
    [
        ("com.1acme", "Iris", "--package 'com.1acme' is not a Java package name"),
        ("com.class.x", "Iris", "'class' is not a valid identifier"),
        ("com.acme", "my-model", "--class 'my-model' is not a Java class name"),
        ("com.acme", "Result", "--class 'Result' clashes with a type the generated code uses"),
        ("com.acme", "var", "--class 'var' is a restricted word"),
    ],
)
def test_bad_package_or_class(tmp_path: Path, package: str, class_name: str, message: str) -> None:
    model = _save(_tiny_model(), tmp_path / "tiny.onnx")
    with pytest.raises(JvmreadyError, match=re.escape(message)):
        javagen(model, package, class_name, tmp_path / "o")
    assert not (tmp_path / "o").exists()


def test_bad_class_on_the_command_line_is_one_line(tmp_path: Path) -> None:
    model = _save(_tiny_model(), tmp_path / "tiny.onnx")
    result = run_cli("javagen", model, "-p", PACKAGE, "-c", "my-model", "-o", tmp_path / "o")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "jvmready: error: --class 'my-model' is not a Java class name (use e.g. IrisClassifier)"
    ]


def _tiny_model() -> onnx.ModelProto:
    f = TensorProto.FLOAT
    return make_model(
        [helper.make_node("Relu", ["x"], ["y"])], [_vi("x", f, [1])], [_vi("y", f, [1])]
    )


def _vi(name: str, elem: int, shape: Sequence[int | str | None] | None) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, elem, shape)


def _unchecked_model(
    nodes: Sequence[onnx.NodeProto],
    inputs: Sequence[onnx.ValueInfoProto],
    outputs: Sequence[onnx.ValueInfoProto],
) -> onnx.ModelProto:
    """A model the checker would reject for a missing shape (exporters still write such files)."""
    graph = helper.make_graph(list(nodes), "unchecked", list(inputs), list(outputs))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 10
    return model


def _bad_models() -> dict[str, tuple[onnx.ModelProto, str]]:
    f = TensorProto.FLOAT
    seq_f = helper.make_sequence_type_proto(helper.make_tensor_type_proto(f, None))
    opt_f = helper.make_optional_type_proto(helper.make_tensor_type_proto(f, [2]))
    return {
        "no inputs": (
            make_model(
                [
                    helper.make_node(
                        "Constant", [], ["y"], value=helper.make_tensor("c", f, [1], [1.0])
                    )
                ],
                [],
                [_vi("y", f, [1])],
            ),
            "the model declares no inputs",
        ),
        "collision": (
            make_model(
                [helper.make_node("Add", ["a-b", "a.b"], ["y"])],
                [_vi("a-b", f, [2]), _vi("a.b", f, [2])],
                [_vi("y", f, [2])],
            ),
            "inputs 'a-b' and 'a.b' both become the Java identifier 'a_b'",
        ),
        "output collision": (
            make_model(
                [
                    helper.make_node("Identity", ["x"], ["y:0"]),
                    helper.make_node("Identity", ["x"], ["y/0"]),
                ],
                [_vi("x", f, [2])],
                [_vi("y:0", f, [2]), _vi("y/0", f, [2])],
            ),
            "outputs 'y:0' and 'y/0' both become the Java identifier 'y_0'",
        ),
        "string input": (
            make_model(
                [helper.make_node("Identity", ["s"], ["y"])],
                [_vi("s", TensorProto.STRING, [1])],
                [_vi("y", TensorProto.STRING, [1])],
            ),
            "input 's' is tensor(string), which the generated facade does not support",
        ),
        "float16 output": (
            make_model(
                [helper.make_node("Cast", ["x"], ["half"], to=TensorProto.FLOAT16)],
                [_vi("x", f, [2])],
                [_vi("half", TensorProto.FLOAT16, [2])],
            ),
            "output 'half' is tensor(float16), which the generated facade does not support",
        ),
        "sequence output": (
            make_model(
                [helper.make_node("SequenceConstruct", ["x"], ["items"])],
                [_vi("x", f, [2])],
                [helper.make_value_info("items", seq_f)],
            ),
            "output 'items' is seq(tensor(float)), which the generated facade does not support",
        ),
        "optional input": (
            make_model(
                [helper.make_node("OptionalHasElement", ["maybe"], ["has"])],
                [helper.make_value_info("maybe", opt_f)],
                [_vi("has", TensorProto.BOOL, [])],
            ),
            "input 'maybe' is optional(tensor(float))",
        ),
        "unranked input": (
            _unchecked_model(
                [helper.make_node("Relu", ["x"], ["y"])], [_vi("x", f, None)], [_vi("y", f, None)]
            ),
            "input 'x' (tensor(float)) declares no shape",
        ),
    }


@pytest.mark.parametrize("case", list(_bad_models()))
def test_bad_models_are_refused_naming_file_and_value(tmp_path: Path, case: str) -> None:
    model, message = _bad_models()[case]
    path = _save(model, tmp_path / "bad.onnx")
    with pytest.raises(JvmreadyError, match=re.escape(f"{path}: ") + ".*" + re.escape(message)):
        javagen(path, PACKAGE, "Model", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_bad_model_on_the_command_line_is_one_line(tmp_path: Path) -> None:
    model, message = _bad_models()["collision"]
    path = _save(model, tmp_path / "bad.onnx")
    result = run_cli("javagen", path, "-p", PACKAGE, "-c", "Model", "-o", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"jvmready: error: {path}: {message}; rename one of them in the model"
    ]
    assert not (tmp_path / "out").exists()


def test_unranked_output_gets_its_rank_from_shape_inference(tmp_path: Path) -> None:
    f = TensorProto.FLOAT
    model = _unchecked_model(
        [helper.make_node("Relu", ["x"], ["y"])], [_vi("x", f, ["n", 3])], [_vi("y", f, None)]
    )
    facade = describe_model(_save(model, tmp_path / "m.onnx"), PACKAGE, "M")
    (y,) = facade.outputs
    assert (y.java_type, y.rank, y.rank_declared) == ("float[][]", 2, False)


def test_not_an_onnx_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x00\xffnot a model")
    result = run_cli("javagen", junk, "-p", PACKAGE, "-c", "M", "-o", tmp_path / "out")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(junk) in lines[0] and "Traceback" not in result.stderr


# --------------------------------------------------------------------------------------------
# Identifiers and escaping


@pytest.mark.parametrize(
    ("name", "ident"),
    [
        ("input", "input"),
        ("class", "class_"),
        ("3d-points", "_3d_points"),
        ("float_input:0", "float_input_0"),
        ("gr\u00f6\u00dfe", "gr\u00f6\u00dfe"),
        ("_", "__"),
        ("", "__"),
        ("a b\u200bc", "a_b_c"),
        ("\U0001f600", "__"),
        ("$ok", "$ok"),
    ],
)
def test_sanitize(name: str, ident: str) -> None:
    assert sanitize(name) == ident
    assert is_java_identifier(ident)


@given(st.text(max_size=20))
def test_sanitize_always_gives_a_java_identifier(name: str) -> None:
    assert is_java_identifier(sanitize(name))


def test_sanitize_empty_and_underscore_are_distinct_identifiers() -> None:
    # "_" alone is a Java keyword: both become valid, distinct identifiers.
    assert assign_identifiers(["_", "x"], "input") == ("__", "x")


def test_record_component_names_that_clash_with_object_methods() -> None:
    assert assign_identifiers(
        ["hashCode", "toString", "label"], "output", reserved={"hashCode", "toString"}
    ) == ("hashCode_", "toString_", "label")


def test_collision_names_both_originals() -> None:
    with pytest.raises(JvmreadyError, match=r"inputs 'x\.1' and 'x-1' both become .*'x_1'"):
        assign_identifiers(["x.1", "x-1"], "input")


def _java_unicode_escapes(source: str) -> str:
    """What javac sees after decoding \\uXXXX escapes (JLS 3.3: only a backslash preceded by an
    even number of backslashes starts one)."""
    out: list[str] = []
    i = 0
    while i < len(source):
        if source[i] == "\\":
            run = len(source[i:]) - len(source[i:].lstrip("\\"))
            pairs, odd = divmod(run, 2)
            out.append("\\" * (2 * pairs))
            i += 2 * pairs
            if odd:
                m = re.match(r"\\u+([0-9a-fA-F]{4})", source[i:])
                if m:
                    out.append(chr(int(m.group(1), 16)))
                    i += m.end()
                else:
                    out.append("\\")
                    i += 1
        else:
            out.append(source[i])
            i += 1
    return "".join(out)


def _java_string_value(literal: str) -> str:
    """The value of a Java string literal, escapes decoded as javac does."""
    text = _java_unicode_escapes(literal)
    assert text[0] == text[-1] == '"' and "\n" not in text
    simple = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "\\": "\\"}
    out: list[str] = []
    i = 1
    while i < len(text) - 1:
        ch = text[i]
        if ch == '"':
            raise AssertionError(f"unescaped quote in {literal!r}")
        if ch != "\\":
            out.append(ch)
            i += 1
        elif text[i + 1] in simple:
            out.append(simple[text[i + 1]])
            i += 2
        else:
            m = re.match(r"[0-3][0-7]{2}", text[i + 1 :])
            assert m, literal
            out.append(chr(int(m.group(0), 8)))
            i += 4
    return "".join(out)


@given(st.text(max_size=30))
def test_java_string_literal_round_trips(text: str) -> None:
    literal = java_string_literal(text)
    assert literal.isascii()
    utf16_units = _java_string_value(literal)  # astral characters arrive as surrogate pairs
    assert utf16_units.encode("utf-16-le", "surrogatepass").decode("utf-16-le") == text


@given(st.text(max_size=30))
def test_comment_text_stays_one_inert_comment_line(text: str) -> None:
    comment = comment_text(text)
    decoded = _java_unicode_escapes(comment)
    assert comment.isascii()
    assert "*/" not in decoded and "\n" not in decoded and "\r" not in decoded


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_float_literals_are_exact(value: float) -> None:
    literal = java_array_literal(np.array([value], dtype=np.float32))
    text = literal.removeprefix("new float[] {").removesuffix("}")
    assert text.endswith("f")
    body = text[:-1]
    parsed = float.fromhex(body) if body.lstrip("-").startswith("0x") else float(body)
    assert np.float32(parsed) == np.float32(value)
    assert np.signbit(np.float32(parsed)) == np.signbit(np.float32(value))


def test_literals_of_extremes() -> None:
    ints = np.array([[2**63 - 1, -(2**63)]], dtype=np.int64)
    assert (
        java_array_literal(ints) == "new long[][] {{9223372036854775807L, -9223372036854775808L}}"
    )
    special = np.array([np.nan, np.inf, -np.inf], dtype=np.float64)
    assert java_array_literal(special) == (
        "new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}"
    )
    assert java_array_literal(np.array(False)) == "false"
    with pytest.raises(JvmreadyError, match="no Java literal for dtype <U1"):
        java_array_literal(np.array(["a"]))


def test_more_inputs_than_a_java_method_takes(tmp_path: Path) -> None:
    d = TensorProto.DOUBLE  # a double scalar takes two parameter slots: 130 need 260
    names = [f"x{i}" for i in range(130)]
    model = make_model(
        [helper.make_node("Sum", names, ["y"])], [_vi(n, d, []) for n in names], [_vi("y", d, [])]
    )
    path = _save(model, tmp_path / "wide.onnx")
    with pytest.raises(JvmreadyError, match=r"the model has 130 inputs: more than a Java method"):
        javagen(path, PACKAGE, "Wide", tmp_path / "out")


@pytest.mark.java
def test_demo_step_generates_compiles_and_agrees(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from jvmready.demo import STEPS, run_demo

    steps = [s for s in STEPS if s.name in ("train", "fix", "javagen")]
    buf = io.StringIO()
    ctx = run_demo(tmp_path / "work", Console(file=buf, width=160, soft_wrap=False), steps)
    text = buf.getvalue()
    assert ctx.facts["javagen_agrees"] is True
    assert "public Prediction predict(int[][] categories, float[][] measurements) {" in text
    assert "public record Prediction(" in text and "float[][] output_probability) {}" in text
    assert "compiled: no warnings" in text
    assert "Java (typed facade) and Python (onnxruntime) agree" in text
    assert "public SelfCheckReport selfCheck()" in ctx.artifacts["facade"].read_text()
