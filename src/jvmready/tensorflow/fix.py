"""``fix`` for SavedModels: new signatures that take int32 where the original takes int64.

The original model is loaded and wrapped, not edited: each signature becomes a ``tf.function``
that casts its int32 inputs to int64 (lossless) and calls the original; int64 outputs become
int32 only with a range proof (:mod:`jvmready.tensorflow.proofs`), or with
``--unsafe-narrow-outputs`` through a run-time range check that fails naming the output, the
flat index and the value instead of wrapping. Variables are saved as they are.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jvmready.findings import Finding, Location, Severity
from jvmready.formats import FileFixReport, FixOptions
from jvmready.narrowing import INT32_MAX, INT32_MIN
from jvmready.onnx.rules import OutputProof
from jvmready.report import Change
from jvmready.tensorflow.check import FORMAT, io_name, load_savedmodel
from jvmready.tensorflow.outdir import atomic_directory, refuse_unsafe_output
from jvmready.tensorflow.proofs import signature_proofs
from jvmready.tensorflow.savedmodel import SavedModelInfo, SignatureSpec, read_savedmodel, tf

#: How an output leaves the wrapper: as it is, cast (proven), or cast after a range check.
KEEP, CAST, CHECKED = "keep", "cast", "checked"


def fix_savedmodel(path: Path, out: Path, options: FixOptions) -> FileFixReport:
    """Write a SavedModel at ``out`` whose signatures take int32 for int64 inputs."""
    refuse_unsafe_output(path, out)
    info = read_savedmodel(path)
    changes: list[Change] = []
    findings: list[Finding] = list(_unknown_keeps(path, info, options.keep))
    plans: dict[str, tuple[set[str], dict[str, str]]] = {}
    loaded = None
    for sig in info.signatures:
        narrow_in = {
            s.name
            for s in sig.inputs
            if s.dtype == "int64"
            and options.io == "int32"
            and io_name(info, sig, s) not in options.keep
        }
        wide_out = [
            s
            for s in sig.outputs
            if s.dtype == "int64"
            and options.io == "int32"
            and io_name(info, sig, s) not in options.keep
        ]
        proofs: dict[str, OutputProof] = {}
        if wide_out:
            loaded = loaded or load_savedmodel(path)
            proofs = signature_proofs(loaded.signatures[sig.key])
        how: dict[str, str] = {}
        for s in wide_out:
            name, proof = io_name(info, sig, s), proofs.get(s.name)
            if proof is not None and proof.fits_int32:
                how[s.name] = CAST
                changes.append(Change("output-narrowed", name, "int64", "int32", proof.why))
            elif options.unsafe_narrow_outputs:
                how[s.name] = CHECKED
                why = proof.why if proof else "no range analysis"
                changes.append(
                    Change(
                        "output-checked",
                        name,
                        "int64",
                        "int32",
                        f"no proof ({why}); a value beyond int32 fails at run time naming "
                        "the output, flat index and value",
                    )
                )
            else:
                findings.append(_kept_output(path, sig, name, proof))
        for s in sig.inputs:
            if s.name in narrow_in:
                changes.append(
                    Change(
                        "input-narrowed",
                        io_name(info, sig, s),
                        "int64",
                        "int32",
                        "cast to int64 inside the model (lossless)",
                    )
                )
        if narrow_in or how:
            plans[sig.key] = (narrow_in, how)
    if options.target == "int32" and any(v.dtype == "int64" for v in info.variables):
        findings.append(
            Finding(
                "JR110",
                Severity.WARNING,
                "int64 variables are left as they are: fix never rewrites SavedModel variables",
                Location(file=str(path), graph="variables"),
                "TensorFlow computes with them in int64; see `jvmready check --target int32`",
            )
        )
    with atomic_directory(out) as tmp:
        if not plans:
            shutil.copytree(path, tmp, dirs_exist_ok=True)
        else:
            loaded = loaded or load_savedmodel(path)
            _save_wrapped(loaded, info, plans, tmp)
    return FileFixReport(str(path), str(out), FORMAT, tuple(changes), tuple(findings))


def _save_wrapped(
    loaded: Any,
    info: SavedModelInfo,
    plans: dict[str, tuple[set[str], dict[str, str]]],
    tmp: Path,
) -> None:
    t = tf()
    module = t.Module()
    module.original = loaded  # tracked, so its variables and assets are saved with the wrapper
    signatures = {}
    for sig in info.signatures:
        function = loaded.signatures[sig.key]
        narrow_in, how = plans.get(sig.key, (set(), {}))
        specs = {
            s.name: t.TensorSpec(
                s.shape, t.int32 if s.name in narrow_in else t.as_dtype(s.dtype), name=s.name
            )
            for s in sig.inputs
        }
        body = _wrapper(t, function, narrow_in, how)
        signatures[sig.key] = t.function(body).get_concrete_function(**specs)
    t.saved_model.save(module, str(tmp), signatures=signatures)


def _wrapper(
    t: Any, function: Any, narrow_in: set[str], how: dict[str, str]
) -> Callable[..., dict[str, Any]]:
    def body(**inputs: Any) -> dict[str, Any]:
        args = {k: t.cast(v, t.int64) if k in narrow_in else v for k, v in inputs.items()}
        results = function(**args)
        return {k: _narrow(t, k, v, how.get(k, KEEP)) for k, v in results.items()}

    return body


def _narrow(t: Any, name: str, value: Any, how: str) -> Any:
    if how == CAST:
        return t.cast(value, t.int32)
    if how == KEEP:
        return value
    flat = t.reshape(value, [-1])
    bad = t.logical_or(flat < INT32_MIN, flat > INT32_MAX)
    # Index and value of the first offender; a sentinel keeps it defined for empty tensors.
    index = t.argmax(t.concat([t.cast(bad, t.int32), [1]], 0))
    offender = t.gather(t.concat([flat, t.zeros([1], t.int64)], 0), index)
    check = t.debugging.Assert(
        t.logical_not(t.reduce_any(bad)),
        [f"jvmready: output {name}: value", offender, "at flat index", index, "does not fit int32"],
    )
    with t.control_dependencies([check]):
        return t.cast(value, t.int32)


def _kept_output(path: Path, sig: SignatureSpec, name: str, proof: OutputProof | None) -> Finding:
    why = proof.why if proof else "no range analysis"
    return Finding(
        "JR102",
        Severity.WARNING,
        f"output {name!r} stays int64: no proof its values fit int32 ({why})",
        Location(file=str(path), graph=sig.key, tensor=name),
        "read it as TInt64 in Java, or --unsafe-narrow-outputs to narrow it with a run-time check",
        {"proof": None if proof is None else vars(proof)},
    )


def _unknown_keeps(path: Path, info: SavedModelInfo, keep: frozenset[str]) -> list[Finding]:
    names = {io_name(info, s, x) for s in info.signatures for x in (*s.inputs, *s.outputs)}
    return [
        Finding(
            "JR303",
            Severity.WARNING,
            f"--keep {name}: no signature input or output of that name in {path.name}",
            Location(file=str(path)),
        )
        for name in sorted(keep - names)
    ]
