"""The demo's javagen step: generate the typed facade for the fixed model, show its signature,
then compile it warning-free, call it from Java and compare with onnxruntime in Python."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.text import Text

from jvmready.errors import JvmreadyError
from jvmready.javagen import javagen
from jvmready.javagen.literals import java_array_literal
from jvmready.javagen.model import Facade, describe_model
from jvmready.narrowing import narrow_checked

if TYPE_CHECKING:  # jvmready.demo imports this module to list its steps
    from jvmready.demo import DemoContext

PACKAGE = "com.example.demo"
CLASS_NAME = "DiabetesModel"
ROWS = 3  # sample rows the Java example predicts


def _excerpt(source: str) -> str:
    """The parts a caller reads: the ``predict`` declaration and the ``Prediction`` record."""
    parts = [
        m.group(0)
        for pattern in (
            r"  public Prediction predict\([^{]*\{",
            r"  public record Prediction\([^{]*\{\}",
        )
        for m in [re.search(pattern, source)]
        if m
    ]
    return "\n".join(parts)


def _main_source(facade: Facade, feeds: list[np.ndarray]) -> str:
    """A ``DemoMain`` calling the facade on literal inputs and printing each output as JSON."""
    fqcn = f"{facade.package}.{facade.class_name}"
    prints = []
    for o in facade.outputs:
        if o.kind == "tensor" and o.rank >= 2:
            shown = f"Arrays.deepToString(p.{o.java_name}())"
        elif o.kind == "tensor" and o.rank == 1:
            shown = f"Arrays.toString(p.{o.java_name}())"
        else:
            shown = f"String.valueOf(p.{o.java_name}())"
        prints.append(f'      System.out.println("{o.java_name} = " + {shown});')
    check = ["      model.selfCheck();"] if facade.has_samples else []
    args = ",\n          ".join(java_array_literal(a) for a in feeds)
    return "\n".join(
        [
            "import java.nio.file.Path;",
            "import java.util.Arrays;",
            "",
            "/** The demo's caller of the generated facade. */",
            "public final class DemoMain {",
            "  private DemoMain() {}",
            "",
            "  /** Opens the model given as args[0] and predicts a few rows. */",
            "  public static void main(String[] args) throws Exception {",
            f"    try ({fqcn} model = {fqcn}.open(Path.of(args[0]))) {{",
            *check,
            f"      {fqcn}.Prediction p = model.predict(",
            f"          {args});",
            *prints,
            "    }",
            "  }",
            "}",
            "",
        ]
    )


def _python_outputs(model: Path, feeds: list[np.ndarray]) -> dict[str, Any]:
    import onnxruntime as ort

    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    values = session.run(None, dict(zip(names, feeds, strict=True)))
    return {o.name: v for o, v in zip(session.get_outputs(), values, strict=True)}


def _agree(java: Any, python: Any) -> bool:
    expected = np.asarray(python)
    got = np.asarray(java, dtype=expected.dtype)
    if got.shape != expected.shape:
        return False
    if expected.dtype.kind in "iub":
        return bool(np.array_equal(got, expected))
    return bool(np.allclose(got, expected, rtol=0, atol=1e-5))


def javagen_step(ctx: DemoContext) -> None:
    """``jvmready javagen``, then the facade compiled with -Xlint:all -Werror and run."""
    from rich.syntax import Syntax  # pulls in pygments: only this step needs it

    from jvmready.java import classpath, find_java

    model = ctx.artifacts.get("fixed")
    if model is None or ctx.samples is None:
        raise RuntimeError("the demo's javagen step needs the fix step before it")
    console = ctx.console
    src = ctx.workdir / "java" / "src"
    console.print(
        f"$ jvmready javagen {model} --package {PACKAGE} --class {CLASS_NAME} -o {src} --force"
    )
    generated = javagen(model, PACKAGE, CLASS_NAME, src, force=True)
    ctx.artifacts["facade"] = generated
    source = generated.read_text(encoding="ascii")
    console.print(f"Wrote {generated} ({len(source.splitlines())} lines). What callers use:")
    console.print(Syntax(_excerpt(source), "java", theme="ansi_dark", background_color="default"))

    facade = describe_model(model, PACKAGE, CLASS_NAME)
    with np.load(ctx.samples) as npz:
        feeds = [_as_declared(npz[v.name][:ROWS], v.name, v.element) for v in facade.inputs]
    main = src / "DemoMain.java"
    main.write_text(_main_source(facade, feeds), encoding="ascii")
    try:
        cp = classpath()
        java = find_java()
    except JvmreadyError as e:
        console.print(f"Java is not available ({e}); not compiling the facade", markup=False)
        return
    classes = ctx.workdir / "java" / "classes"
    console.print(f'$ javac -Xlint:all -Werror -cp "$(jvmready classpath)" {generated} {main}')
    compiled = subprocess.run(
        [
            "javac",
            "-Xlint:all",
            "-Werror",
            "-d",
            str(classes),
            "-cp",
            cp,
            str(generated),
            str(main),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if compiled.returncode != 0:
        raise JvmreadyError(f"the generated facade did not compile: {compiled.stderr.strip()}")
    console.print("  compiled: no warnings")
    console.print(f"$ java -cp ... DemoMain {model}   (first {ROWS} sample rows)")
    ran = subprocess.run(
        [java, "-cp", f"{classes}:{cp}", "DemoMain", str(model)],
        capture_output=True,
        text=True,
        check=False,
    )
    if ran.returncode != 0:
        raise JvmreadyError(f"the facade failed in Java: {ran.stderr.strip()}")
    printed = dict(line.split(" = ", 1) for line in ran.stdout.splitlines() if " = " in line)
    for line in ran.stdout.splitlines():
        console.print(f"  {line}", markup=False)
    python = _python_outputs(model, feeds)
    agree = all(
        _agree(json.loads(printed[o.java_name]), python[o.name])
        for o in facade.outputs
        if o.kind == "tensor"
    )
    ctx.facts["javagen_agrees"] = agree
    verdict = (
        ("Java (typed facade) and Python (onnxruntime) agree", "bold green")
        if agree
        else ("Java and Python DIFFER", "bold red")
    )
    console.print(Text.assemble(verdict, ": integers exactly, floats within 1e-5"))


def _as_declared(array: np.ndarray, name: str, element: str) -> np.ndarray:
    """The sample rows in the input's declared type; int64 to int32 range-checked."""
    if element == "int32" and array.dtype == np.int64:
        return narrow_checked(array, name)
    dtype = {"float": np.float32, "double": np.float64, "int64": np.int64, "bool": np.bool_}
    return array.astype(dtype.get(element, array.dtype), copy=False)
