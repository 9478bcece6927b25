"""Exceptions the API raises and the CLI turns into one-line messages."""

from __future__ import annotations


class JvmreadyError(Exception):
    """A problem with the user's input (file, arguments): reported in one line, exit code 2."""


class InputFileError(JvmreadyError):
    """A file that cannot be read as what it claims to be. The message names the file."""

    def __init__(self, path: object, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class NarrowingError(ValueError):
    """A stored value does not fit the narrower integer type it was asked to become.

    Carries the tensor name, the flat (C-order) index and the offending value, so a refusal can
    always be acted on.
    """

    def __init__(self, tensor: str, index: int, value: int, dtype: str = "int32") -> None:
        super().__init__(
            f"tensor {tensor!r}: value {value} at flat index {index} does not fit {dtype}; "
            f"keep it int64 (--keep {tensor})"
        )
        self.tensor = tensor
        self.index = index
        self.value = value
        self.dtype = dtype
