"""Read a SavedModel's signatures and stored integer variables, without running it.

Signatures come from ``saved_model.pb`` (the ``SignatureDef`` protos TF Java reads too);
variables from the checkpoint under ``variables/``. ``tensorflow`` is imported lazily: without
it, one line says what to install.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jvmready.errors import InputFileError, JvmreadyError
from jvmready.narrowing import IntRange, int_range

SAVED_MODEL_PB = "saved_model.pb"
#: The tag set Python's ``tf.saved_model.save`` writes and TF Java loads by default.
SERVE_TAG = "serve"
#: Checkpoint entries that are TF's own bookkeeping, not model variables.
_BOOKKEEPING = ("_CHECKPOINTABLE_OBJECT_GRAPH", "save_counter")
_VARIABLE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"


def tf() -> Any:
    """The ``tensorflow`` module, or a one-line error saying how to get it."""
    # TF's C++ start-up logging would bury the one-line report on stderr; errors still show.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import tensorflow
    except ImportError:
        raise JvmreadyError(
            "reading a TensorFlow SavedModel needs tensorflow: pip install 'jvmready[tensorflow]'"
        ) from None
    return tensorflow


def is_savedmodel(path: Path) -> bool:
    """A directory holding ``saved_model.pb`` (what ``tf.saved_model.save`` writes)."""
    return path.is_dir() and (path / SAVED_MODEL_PB).is_file()


@dataclass(frozen=True)
class TensorSpecInfo:
    """One signature input or output: its key, dtype name (``int64``) and shape."""

    name: str
    dtype: str
    shape: tuple[int | None, ...] | None  # None: unknown rank


@dataclass(frozen=True)
class SignatureSpec:
    """A signature (``serving_default``...) as TF Java's ``bundle.function(key)`` sees it."""

    key: str
    inputs: tuple[TensorSpecInfo, ...]
    outputs: tuple[TensorSpecInfo, ...]


@dataclass(frozen=True)
class VariableInfo:
    """A stored variable; ``range`` is set for integer variables."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    range: IntRange | None


@dataclass(frozen=True)
class SavedModelInfo:
    path: Path
    tags: tuple[str, ...]
    signatures: tuple[SignatureSpec, ...]
    variables: tuple[VariableInfo, ...]


def read_savedmodel(path: Path) -> SavedModelInfo:
    """Signatures of the ``serve`` meta graph and the variables, with integer ranges."""
    t = tf()
    from tensorflow.core.protobuf import saved_model_pb2

    pb = path / SAVED_MODEL_PB
    proto = saved_model_pb2.SavedModel()
    try:
        proto.ParseFromString(pb.read_bytes())
    except Exception as e:  # protobuf raises its own DecodeError; any failure is a bad file
        raise InputFileError(pb, f"not a valid SavedModel ({_short(e)})") from None
    if not proto.meta_graphs:
        raise InputFileError(pb, "a SavedModel without meta graphs")
    meta = next(
        (m for m in proto.meta_graphs if SERVE_TAG in m.meta_info_def.tags), proto.meta_graphs[0]
    )
    signatures = tuple(
        SignatureSpec(
            key,
            tuple(_spec(t, n, sig.inputs[n]) for n in sorted(sig.inputs)),
            tuple(_spec(t, n, sig.outputs[n]) for n in sorted(sig.outputs)),
        )
        for key, sig in sorted(meta.signature_def.items())
        if not key.startswith("__")  # __saved_model_init_op is not callable
    )
    return SavedModelInfo(
        path, tuple(meta.meta_info_def.tags), signatures, tuple(_variables(t, path))
    )


def _spec(t: Any, name: str, info: Any) -> TensorSpecInfo:
    dtype = t.dtypes.as_dtype(info.dtype).name if info.dtype else "unknown"
    shape = info.tensor_shape
    dims = None if shape.unknown_rank else tuple(d.size if d.size >= 0 else None for d in shape.dim)
    return TensorSpecInfo(name, dtype, dims)


def _variables(t: Any, path: Path) -> Iterator[VariableInfo]:
    prefix = path / "variables" / "variables"
    if not (path / "variables" / "variables.index").is_file():
        return
    try:
        reader = t.train.load_checkpoint(str(prefix))
        dtypes = reader.get_variable_to_dtype_map()
        shapes = reader.get_variable_to_shape_map()
    except Exception as e:  # TF raises DataLossError/NotFoundError... for a damaged checkpoint
        raise InputFileError(prefix, f"unreadable variables checkpoint ({_short(e)})") from None
    for key in sorted(dtypes):
        if key in _BOOKKEEPING:
            continue
        dtype = dtypes[key]
        name = key.removesuffix(_VARIABLE_SUFFIX)
        r = int_range(reader.get_tensor(key)) if dtype.is_integer else None
        yield VariableInfo(name, dtype.name, tuple(shapes[key]), r)


def _short(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0][:200] if text else type(e).__name__
