"""The bridge to the JVM: find ``java`` and the built jvmready jars, and run the Java model runner.

The Java library lives in the repository's ``java/`` directory (``JVMREADY_JAVA_DIR`` overrides
where), built by ``make java``: the module jars in ``*/target`` and the dependency classpath (ONNX
Runtime Java...) in ``jvmready-onnxruntime/target/classpath.txt``. Nothing here builds anything:
a missing piece is one :class:`~jvmready.errors.JvmreadyError` line saying what to run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jvmready.errors import JvmreadyError

#: Environment variable naming the ``java/`` directory of a jvmready checkout.
JAVA_DIR_ENV = "JVMREADY_JAVA_DIR"
#: The command-line entry point of the ONNX Runtime adapter.
RUNNER_MAIN = "io.jvmready.onnxruntime.Main"
#: Modules whose jars make up the library, in classpath order.
MODULES = ("jvmready-onnxruntime", "jvmready-core")
#: Written by ``make java`` (``mvn dependency:build-classpath``).
DEPENDENCY_CLASSPATH = Path("jvmready-onnxruntime") / "target" / "classpath.txt"

_BUILD_HINT = "run `make java`"


class JavaSetupError(JvmreadyError):
    """Java itself is not usable: no ``java``, one older than 17, or the library not built.

    Distinct from :class:`JavaRunError` so callers tell "cannot run Java" (a usage problem)
    from "the model failed in Java" (a parity failure) by type, not by message text.
    """


class JavaRunError(JvmreadyError):
    """The Java runner started but failed: bad inputs (exit 2) or a failed run (exit 1).

    ``message`` is the one line the runner printed on stderr; ``returncode`` its exit code.
    """

    def __init__(self, message: str, returncode: int) -> None:
        super().__init__(message)
        self.message = message
        self.returncode = returncode


def java_dir() -> Path:
    """The ``java/`` directory: ``$JVMREADY_JAVA_DIR``, else ``java/`` next to ``src/``."""
    env = os.environ.get(JAVA_DIR_ENV)
    d = Path(env) if env else Path(__file__).resolve().parents[2] / "java"
    if not (d / "pom.xml").is_file():
        where = f"{JAVA_DIR_ENV}={env}" if env else str(d)
        raise JavaSetupError(
            f"cannot find jvmready's Java sources ({where} has no pom.xml); "
            f"set {JAVA_DIR_ENV} to the java/ directory of a jvmready checkout"
        )
    return d


def find_java() -> str:
    """The ``java`` launcher: ``$JAVA_HOME/bin/java`` if set, else ``java`` on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise JavaSetupError(
            "java not found on PATH (nor in $JAVA_HOME): install a JDK 17 or newer"
        )
    return found


def _module_jar(target: Path, build_hint: str) -> Path:
    """The main jar in a module's ``target/`` (not sources, javadoc or test jars)."""
    jars = [
        p
        for p in target.glob("*.jar")
        if not p.name.endswith(("-sources.jar", "-javadoc.jar", "-tests.jar"))
    ]
    if not jars:
        raise JavaSetupError(
            f"the jvmready Java library is not built ({target} has no jar): {build_hint}"
        )
    return max(jars, key=lambda p: p.stat().st_mtime)


def module_jars(
    modules: Sequence[str], classpath_file: Path, build_hint: str = _BUILD_HINT
) -> list[Path]:
    """The main jars of ``modules`` (in order), then every entry of the dependency classpath
    file Maven wrote (``classpath_file``, relative to the java/ directory), each checked to exist.
    Every failure is one line ending in ``build_hint``.
    """
    d = java_dir()
    jars = [_module_jar(d / module / "target", build_hint) for module in modules]
    cp_file = d / classpath_file
    if not cp_file.is_file():
        raise JavaSetupError(f"{cp_file} is missing (the dependency classpath): {build_hint}")
    deps = [Path(p) for p in cp_file.read_text(encoding="utf-8").strip().split(os.pathsep) if p]
    missing = [p for p in deps if not p.exists()]
    if missing:
        raise JavaSetupError(
            f"{cp_file} names {missing[0]}, which does not exist (Maven cache cleaned?): {build_hint}"
        )
    return jars + deps


def library_jars() -> list[Path]:
    """The jvmready jars (adapter first, then core)."""
    d = java_dir()
    return [_module_jar(d / module / "target", _BUILD_HINT) for module in MODULES]


def classpath() -> str:
    """The classpath of the built Java library and its dependencies, ``os.pathsep``-joined."""
    return os.pathsep.join(str(p) for p in module_jars(MODULES, DEPENDENCY_CLASSPATH))


def java_command(main_class: str, args: list[str]) -> list[str]:
    """The argv that runs ``main_class`` with the library on the classpath."""
    return [find_java(), "-cp", classpath(), main_class, *args]


def run_java_model(
    model: str | os.PathLike[str],
    inputs_npz: str | os.PathLike[str],
    output_npz: str | os.PathLike[str],
    stacked: bool = False,
    *,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Run ``model`` in ONNX Runtime Java on the arrays of ``inputs_npz``; write ``output_npz``.

    With ``stacked``, every input has an extra leading axis of S samples: the model runs S times
    in one JVM and each output gains that leading axis. Returns the runner's JSON summary
    (``ort_version``, ``java_version``, ``runs``, ``load_ms``, ``run_ms``).

    Raises :class:`JavaRunError` with the runner's one-line message when it fails, and
    :class:`JavaSetupError` when Java or the library cannot start it.
    """
    args = ["run", "--model", str(model), "--inputs", str(inputs_npz), "--output", str(output_npz)]
    if stacked:
        args.append("--stacked")
    return run_main(classpath(), RUNNER_MAIN, args, label=str(model), timeout=timeout)


def run_main(
    class_path: str,
    main_class: str,
    args: list[str],
    *,
    label: str,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
    build_hint: str = _BUILD_HINT,
) -> dict[str, Any]:
    """Run one of jvmready's Java command-line runners and return the JSON summary it prints
    as its last stdout line.

    Raises :class:`JavaSetupError` when the JVM could not start the runner (old Java, classes
    missing) and :class:`JavaRunError` with the runner's one line when the runner failed.
    """
    argv = [find_java(), "-cp", class_path, main_class, *args]
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise JavaRunError(
            f"{label}: the Java runner did not finish within {timeout} s", 1
        ) from None
    if proc.returncode != 0:
        setup = _setup_problem(proc.stderr, build_hint)
        if setup is not None:
            raise JavaSetupError(setup)
        raise JavaRunError(_java_error(proc.stderr, proc.returncode), proc.returncode)
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    try:
        info = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        info = None
    if not isinstance(info, dict):
        raise JavaRunError(
            f"{label}: the Java runner printed no JSON summary (stdout: {proc.stdout[-200:]!r})", 1
        )
    return info


def _setup_problem(stderr: str, build_hint: str = _BUILD_HINT) -> str | None:
    """The telling line of a JVM that could not start the runner, or None if it started."""
    for ln in (ln.strip() for ln in stderr.splitlines()):
        if "UnsupportedClassVersionError" in ln:
            return "the java on PATH is older than 17, which the jvmready library needs"
        if "ClassNotFoundException" in ln or "NoClassDefFoundError" in ln:
            return f"the Java library is incomplete ({ln}): {build_hint}"
    return None


def _java_error(stderr: str, returncode: int) -> str:
    """The runner's one-line message, or the telling line of a JVM that failed to start."""
    setup = _setup_problem(stderr)
    if setup is not None:
        return setup
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    ours = [ln for ln in lines if ln.startswith("jvmready-java: ")]  # not the runtime's log lines
    if ours:
        return ours[-1].removeprefix("jvmready-java: error: ").removeprefix("jvmready-java: ")
    if not lines:
        return f"the Java runner failed with exit code {returncode} and no message"
    return lines[-1]
