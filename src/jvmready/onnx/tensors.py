"""Stored tensors as NumPy arrays without loading external data: memory-mapped when on disk."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import onnx
from onnx import helper, numpy_helper

from jvmready.errors import InputFileError
from jvmready.onnx.load import LoadedModel, resolve_external

INT64 = onnx.TensorProto.INT64
INT32 = onnx.TensorProto.INT32


def numpy_dtype(elem_type: int) -> np.dtype[np.generic]:
    """The little-endian NumPy dtype ONNX stores ``elem_type`` as."""
    dtype: np.dtype[np.generic] = np.dtype(helper.tensor_dtype_to_np_dtype(elem_type))
    little: np.dtype[np.generic] = dtype.newbyteorder("<")
    return little


def element_count(tensor: onnx.TensorProto) -> int:
    n = 1
    for d in tensor.dims:
        n *= d
    return n


def tensor_array(loaded: LoadedModel, tensor: onnx.TensorProto) -> npt.NDArray[np.generic]:
    """The tensor's values. External data is memory-mapped read-only (nothing read until used);
    ``raw_data`` is viewed in place; typed fields go through onnx's own converter.
    """
    shape = tuple(int(d) for d in tensor.dims)
    if tensor.data_location == onnx.TensorProto.EXTERNAL:
        file, offset, length = resolve_external(loaded, tensor)
        dtype = numpy_dtype(tensor.data_type)
        need = element_count(tensor) * dtype.itemsize
        if length is not None and length != need:
            raise InputFileError(
                loaded.label,
                f"tensor {tensor.name!r}: external data length {length} does not match shape "
                f"{list(shape)} of {dtype.name} ({need} bytes)",
            )
        size = file.stat().st_size
        if offset + need > size:  # the dims lie: refuse rather than map past the end
            raise InputFileError(
                loaded.label,
                f"external data file {file.name!r} is too short for tensor {tensor.name!r}: its "
                f"shape {list(shape)} needs {need} bytes from offset {offset}, the file has {size}",
            )
        if need == 0:
            return np.empty(shape, dtype=dtype)
        return np.memmap(file, dtype=dtype, mode="r", offset=offset, shape=shape)
    if tensor.HasField("raw_data") and tensor.data_type in (INT64, INT32):
        dtype = numpy_dtype(tensor.data_type)
        if len(tensor.raw_data) != element_count(tensor) * dtype.itemsize:
            raise InputFileError(
                loaded.label, f"tensor {tensor.name!r}: raw_data size does not match its shape"
            )
        return np.frombuffer(tensor.raw_data, dtype=dtype).reshape(shape)
    return numpy_helper.to_array(tensor)
