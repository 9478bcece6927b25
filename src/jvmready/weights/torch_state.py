"""PyTorch ``state_dict`` files (``.pt``/``.pth``), loaded only with ``weights_only=True``.

torch is an optional extra (``jvmready[torch]``) and is imported only when such a file is read.
Tensors are memory-mapped where torch supports it (``mmap=True``); nested dicts (checkpoints
holding a ``state_dict`` next to an epoch counter) are walked with dotted names. ``fix`` writes
back with ``torch.save``, which needs the narrowed tensors in memory.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from jvmready.errors import InputFileError, JvmreadyError
from jvmready.formats import register
from jvmready.weights.arrays import NamedArray, PlannedArray
from jvmready.weights.container import ArrayContainerFormat, Container

#: How deep nested checkpoint dicts are walked.
MAX_DEPTH = 8


def import_torch() -> Any:
    """torch, or a one-line error saying how to get it."""
    try:
        return importlib.import_module("torch")
    except ImportError:
        raise JvmreadyError("reading PyTorch files needs torch: install jvmready[torch]") from None


def load_state(path: Path) -> Any:
    """``torch.load(weights_only=True)``: plain tensors and containers only, never code."""
    torch = import_torch()
    try:
        try:
            return torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError as e:
            if "mmap" not in str(e):
                raise
            # Files in torch's legacy (non-zip) format cannot be memory-mapped.
            return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises UnpicklingError, RuntimeError... on bad files
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputFileError(path, f"not a loadable weights-only PyTorch file: {first}") from None


def iter_tensors(
    obj: Any, torch: Any, prefix: str = "", depth: int = 0
) -> Iterator[tuple[str, Any]]:
    """``(dotted name, tensor)`` for every tensor in nested dicts/lists."""
    if depth > MAX_DEPTH:
        return
    if isinstance(obj, torch.Tensor):
        yield prefix or "tensor", obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from iter_tensors(v, torch, f"{prefix}.{k}" if prefix else str(k), depth + 1)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from iter_tensors(v, torch, f"{prefix}.{i}" if prefix else str(i), depth + 1)


def as_named(name: str, tensor: Any) -> NamedArray:
    """A numpy view of a tensor (zero-copy on CPU), or a tagged placeholder for dtypes numpy
    lacks (bfloat16, quantized, sparse): those are only ever copied, never narrowed."""
    try:
        return NamedArray(name, tensor.detach().numpy())
    except (TypeError, RuntimeError):
        return NamedArray(name, np.empty((0,), dtype=np.uint8), tag=str(tensor.dtype))


def _replace(obj: Any, names: dict[str, Any], torch: Any, prefix: str = "") -> Any:
    if isinstance(obj, torch.Tensor):
        return names.get(prefix or "tensor", obj)
    if isinstance(obj, dict):
        new = type(obj)(
            (k, _replace(v, names, torch, f"{prefix}.{k}" if prefix else str(k)))
            for k, v in obj.items()
        )
        # A state_dict carries ``_metadata`` (module versions) that load_state_dict reads.
        if hasattr(obj, "__dict__"):
            new.__dict__.update(obj.__dict__)
        return new
    if isinstance(obj, (list, tuple)):
        items = [
            _replace(v, names, torch, f"{prefix}.{i}" if prefix else str(i))
            for i, v in enumerate(obj)
        ]
        return type(obj)(items) if isinstance(obj, list) else tuple(items)
    return obj


class TorchStateFormat(ArrayContainerFormat):
    name = "torch"
    suffixes = (".pt", ".pth")

    @contextlib.contextmanager
    def open(self, path: Path) -> Iterator[Container]:
        torch = import_torch()
        state = load_state(path)
        arrays = tuple(as_named(n, t) for n, t in iter_tensors(state, torch))
        yield Container(arrays, {"_state": state})

    def write(self, dst: Path, plan: list[PlannedArray], source: Container) -> None:
        torch = import_torch()
        narrowed: dict[str, Any] = {}
        for p in plan:
            if p.narrow:
                buffer = np.empty(p.shape, dtype=np.int32)
                p.fill(buffer)
                narrowed[p.name] = torch.from_numpy(buffer)
        torch.save(_replace(source.meta["_state"], narrowed, torch), dst)


register(TorchStateFormat())
