"""How TensorFlow Java (``org.tensorflow:tensorflow-core-api``) passes each TF dtype.

TF Java has one tensor class per dtype (``TInt32``, ``TInt64``...) and checks the dtype of every
fed tensor against the signature exactly: a ``TInt32`` for an int64 input fails with
``Expects arg[0] to be int64 but int32 is provided``.
"""

from __future__ import annotations

from jvmready.report import JavaType

#: dtype name -> (TF Java class, Java array it is built from).
TF_JAVA_CLASSES: dict[str, tuple[str, str]] = {
    "int32": ("TInt32", "int[]"),
    "int64": ("TInt64", "long[]"),
    "float32": ("TFloat32", "float[]"),
    "float64": ("TFloat64", "double[]"),
    "bool": ("TBool", "boolean[]"),
    "string": ("TString", "String[]"),
    "uint8": ("TUint8", "byte[]"),
    "uint16": ("TUint16", "short[]"),
    "float16": ("TFloat16", "float[]"),
    "bfloat16": ("TBfloat16", "float[]"),
}


def tf_java_class(dtype: str) -> str | None:
    """The TF Java tensor class for ``dtype``, or None when TF Java has none (int8, uint32...)."""
    entry = TF_JAVA_CLASSES.get(dtype)
    return entry[0] if entry else None


def java_type(dtype: str, direction: str) -> JavaType:
    """How Java code builds (input) or reads (output) a tensor of ``dtype``."""
    entry = TF_JAVA_CLASSES.get(dtype)
    if entry is None:
        return JavaType(
            "(none)", note=f"TF Java has no tensor class for {dtype}; change the signature"
        )
    cls, array = entry
    if direction == "input":
        if cls == "TString":
            alternatives: tuple[str, ...] = ("TString.vectorOf(String...)",)
        else:
            alternatives = (
                f"{cls}.tensorOf(Shape.of(...), DataBuffers.of({array}))",
                f"{cls}.vectorOf(...)" if cls != "TBool" else "TBool.vectorOf(boolean...)",
            )
        note = (
            "a TInt32 here fails: 'Expects arg[0] to be int64 but int32 is provided'"
            if dtype == "int64"
            else ""
        )
        return JavaType(cls, alternatives, note)
    note = (
        "read with getLong(...) or copyTo a LongNdArray; an (int) cast wraps values beyond int32"
        if dtype == "int64"
        else ""
    )
    return JavaType(cls, (f"(({cls}) result.get(NAME).get()).copyTo(...)",), note)
