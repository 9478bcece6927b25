"""Static scan of a pickle (``.pkl``) or joblib file: what would loading it import and call?

Pickles are programs. This module never unpickles: it walks the opcodes with a small symbolic
stack, recording every global the file would import and every call it would make. It knows
joblib's layout (raw array bytes between pickle frames, optional whole-file compression), skips
large byte strings instead of reading them (memory stays bounded), and classifies imports with
fickling's list of unsafe modules. fickling's own verdict is added for plain pickles.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import importlib
import io
import lzma
import pickletools
import reprlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import numpy as np

from jvmready.errors import InputFileError

#: Byte/str arguments larger than this are skipped, not read: scanning needs no array data.
MAX_INLINE = 1 << 16
#: Opcodes walked at most; a real model has far fewer, a hostile file cannot loop us forever.
MAX_OPCODES = 50_000_000
#: Distinct calls recorded at most (a model makes a few kinds, many times).
MAX_CALLS = 1000
#: Stack depth at most (each opcode pushes at most one value, so this bounds memory).
MAX_STACK = 5_000_000
#: Plain pickles up to this size also get fickling's verdict (it reads the whole file).
FICKLING_MAX_BYTES = 64 << 20

#: Modules a scikit-learn model legitimately imports when loaded.
ML_MODULES = ("sklearn", "numpy", "scipy", "joblib", "collections", "copyreg", "_codecs")
#: Harmless constructors from builtins (the rest of builtins is eval/exec/getattr/open...).
SAFE_BUILTINS = frozenset(
    {
        "slice",
        "set",
        "frozenset",
        "complex",
        "bytearray",
        "bytes",
        "object",
        "range",
        "dict",
        "list",
        "tuple",
        "int",
        "float",
        "str",
        "bool",
    }
)
#: Used when fickling is not installed: modules that run code, touch files or the network.
FALLBACK_UNSAFE = frozenset(
    {
        "os",
        "posix",
        "nt",
        "subprocess",
        "sys",
        "builtins",
        "__builtin__",
        "pty",
        "socket",
        "shutil",
        "importlib",
        "runpy",
        "marshal",
        "types",
        "code",
        "codeop",
        "ctypes",
        "pickle",
        "_pickle",
        "webbrowser",
        "asyncio",
        "multiprocessing",
        "_posixsubprocess",
        "operator",
    }
)


@dataclass(frozen=True)
class Global:
    """An imported name, ``module.name``."""

    module: str
    name: str

    def __str__(self) -> str:
        return f"{self.module}.{self.name}"

    def __repr__(self) -> str:  # how a global reads inside a recorded call
        return str(self)


@dataclass
class _Obj:
    """The symbolic result of a call (REDUCE, NEWOBJ, INST, OBJ) and its BUILD state."""

    func: Any
    args: Any
    state: Any = None


@dataclass(frozen=True)
class _Skipped:
    """A large byte/str argument that was skipped, not read."""

    size: int


_MARK = object()


@dataclass(frozen=True)
class ScanResult:
    """What loading the file would do, found without loading it."""

    path: str
    imports: tuple[Global, ...]
    calls: tuple[str, ...]
    unsafe: tuple[Global, ...]
    unknown: tuple[Global, ...]
    compression: str | None = None
    fickling: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def dangerous(self) -> bool:
        return bool(self.unsafe)

    def summary(self) -> str:
        """One line for refusals: the imports that matter most."""
        if self.unsafe:
            return "it would import " + ", ".join(map(str, self.unsafe)) + " (runs code)"
        if self.unknown:
            return "it would import code outside scikit-learn/numpy/scipy: " + ", ".join(
                map(str, self.unknown)
            )
        return "it imports only scikit-learn/numpy/scipy names: " + ", ".join(
            sorted({g.module.split(".")[0] for g in self.imports})
        )


def _unsafe_modules() -> frozenset[str]:
    try:
        fickle = importlib.import_module("fickling.fickle")
    except ImportError:  # fickling is in the sklearn extra; the scan still works without it
        return FALLBACK_UNSAFE
    return frozenset(fickle.UNSAFE_IMPORTS) | FALLBACK_UNSAFE


#: Exact names a model file needs even though their module is on the unsafe list.
EXPECTED = frozenset(
    {
        Global("joblib.numpy_pickle", "NumpyArrayWrapper"),
        Global("joblib.numpy_pickle", "NDArrayWrapper"),
        Global("joblib.numpy_pickle", "ZNDArrayWrapper"),
    }
)


def classify(g: Global, unsafe_modules: frozenset[str]) -> str:
    """``"unsafe"``, ``"ml"`` (expected in a model) or ``"unknown"``."""
    if g in EXPECTED:
        return "ml"
    parts = g.module.split(".")
    if g.module in ("builtins", "__builtin__") and g.name in SAFE_BUILTINS:
        return "ml"
    if any(p in unsafe_modules for p in parts) or g.name in (
        "eval",
        "exec",
        "system",
        "__import__",
    ):
        return "unsafe"
    if parts[0] in ML_MODULES:
        return "ml"
    return "unknown"


# --- reading ---------------------------------------------------------------------------------

_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ", "xz"),
    (b"\x5d\x00\x00", "lzma"),
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"\x78", "zlib"),
)


class _ZlibReader(io.RawIOBase):
    """A streaming reader for joblib's zlib-compressed files (bounded output per read)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._d = zlib.decompressobj()
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf:
            if self._d.eof:
                return 0
            chunk = self._d.unconsumed_tail or self._raw.read(1 << 16)
            if not chunk:
                return 0
            self._buf = self._d.decompress(chunk, len(b))
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


@contextlib.contextmanager
def open_pickle_stream(path: Path) -> Iterator[tuple[IO[bytes], str | None]]:
    """The file's pickle bytes, decompressed on the fly when joblib compressed it."""
    with path.open("rb") as raw:
        head = raw.read(8)
        raw.seek(0)
        kind = next((k for m, k in _MAGIC if head.startswith(m)), None)
        if kind is None:
            yield raw, None
        elif kind == "gzip":
            with gzip.GzipFile(fileobj=raw) as g:
                yield cast(IO[bytes], g), kind
        elif kind == "bz2":
            with bz2.BZ2File(raw) as b:
                yield cast(IO[bytes], b), kind
        elif kind in ("xz", "lzma"):
            with lzma.LZMAFile(raw) as x:
                yield cast(IO[bytes], x), kind
        elif kind == "zlib":
            yield io.BufferedReader(_ZlibReader(raw)), kind
        else:
            raise InputFileError(path, f"compressed with {kind}, which jvmready cannot scan")


class _Reader:
    """Opcode-level reads that never allocate more than ``MAX_INLINE`` for an argument."""

    def __init__(self, f: IO[bytes], path: Path) -> None:
        self.f = f
        self.path = path

    def exact(self, n: int) -> bytes:
        data = self.f.read(n)
        if len(data) != n:
            raise InputFileError(self.path, "pickle ends in the middle of an opcode (truncated)")
        return data

    def skip(self, n: int) -> None:
        while n > 0:
            step = self.f.read(min(n, 1 << 20))
            if not step:
                raise InputFileError(self.path, "pickle data runs past the end of the file")
            n -= len(step)

    def line(self) -> bytes:
        data = self.f.readline(MAX_INLINE)
        if not data.endswith(b"\n"):
            raise InputFileError(self.path, "pickle text argument too long or truncated")
        return data

    def _decode(self, op: Any, arg: Any, data: bytes) -> Any:
        try:
            return arg.reader(io.BytesIO(data))
        except (ValueError, UnicodeDecodeError) as e:
            raise InputFileError(
                self.path, f"malformed pickle argument to {op.name}: {e}"
            ) from None

    def opcode(self) -> tuple[pickletools.OpcodeInfo, Any] | None:
        code = self.f.read(1)
        if not code:
            return None
        op = _CODE2OP.get(code.decode("latin-1"))
        if op is None:
            raise InputFileError(self.path, f"not a pickle: unknown opcode {code!r}")
        arg = op.arg
        if arg is None:
            return op, None
        if arg.n >= 0:
            return op, self._decode(op, arg, self.exact(arg.n))
        if arg.n == pickletools.UP_TO_NEWLINE:
            text = self.line()
            if arg.name == "stringnl_noescape_pair":  # GLOBAL/INST: module and name lines
                text += self.line()
            return op, self._decode(op, arg, text)
        width = {
            pickletools.TAKEN_FROM_ARGUMENT1: 1,
            pickletools.TAKEN_FROM_ARGUMENT4: 4,
            pickletools.TAKEN_FROM_ARGUMENT4U: 4,
            pickletools.TAKEN_FROM_ARGUMENT8U: 8,
        }[arg.n]
        prefix = self.exact(width)
        size = int.from_bytes(prefix, "little", signed=arg.n == pickletools.TAKEN_FROM_ARGUMENT4)
        if size < 0:
            raise InputFileError(self.path, f"pickle opcode {op.name} has a negative length")
        if size > MAX_INLINE:
            self.skip(size)
            return op, _Skipped(size)
        return op, self._decode(op, arg, prefix + self.exact(size))


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 100

_CODE2OP: dict[str, pickletools.OpcodeInfo] = {op.code: op for op in pickletools.opcodes}
_JOBLIB_WRAPPER = Global("joblib.numpy_pickle", "NumpyArrayWrapper")


class _Walker:
    """A symbolic pickle machine: tracks enough of the stack to name globals and calls."""

    def __init__(self, reader: _Reader) -> None:
        self.r = reader
        self.imports: list[Global] = []
        self.calls: list[str] = []
        self.count = 0

    def run(self) -> bool:
        """Walk one pickle up to STOP; False when the stream was already at its end."""
        stack: list[Any] = []
        memo: dict[int, Any] = {}
        first = True
        while True:
            step = self.r.opcode()
            if step is None:
                if first:
                    return False
                raise InputFileError(self.r.path, "pickle ends without STOP (truncated)")
            first = False
            self.count += 1
            if self.count > MAX_OPCODES:
                raise InputFileError(self.r.path, "pickle has too many opcodes to scan")
            op, arg = step
            if len(stack) > MAX_STACK:
                raise InputFileError(self.r.path, "pickle stack too deep to scan")
            try:
                if self._step(op.name, arg, stack, memo):
                    return True
            except (IndexError, KeyError, TypeError, ValueError, RecursionError):
                raise InputFileError(
                    self.r.path, f"malformed pickle at opcode {op.name} (stack/memo misuse)"
                ) from None

    def _pop_mark(self, stack: list[Any]) -> list[Any]:
        i = len(stack) - 1 - stack[::-1].index(_MARK)
        items = stack[i + 1 :]
        del stack[i:]
        return items

    def _import(self, module: Any, name: Any) -> Global:
        g = Global(str(module), str(name))
        if g not in self.imports:
            self.imports.append(g)
        return g

    def _call(self, func: Any, args: Any) -> _Obj:
        if isinstance(func, Global):
            try:
                shown = _REPR.repr(args)
            except RecursionError:  # hostile nesting: the call is still recorded
                shown = "(...)"
            call = f"{func}{shown if len(shown) <= 120 else shown[:117] + '...'}"
            if call not in self.calls and len(self.calls) < MAX_CALLS:
                self.calls.append(call)
        return _Obj(func, args)

    def _step(self, name: str, arg: Any, stack: list[Any], memo: dict[int, Any]) -> bool:
        if name == "STOP":
            stack.pop()
            return True
        if name in ("PROTO", "FRAME", "READONLY_BUFFER"):
            return False
        if name == "MARK":
            stack.append(_MARK)
        elif name in _SINGLETONS:
            stack.append(_SINGLETONS[name])
        elif name in _EMPTY:
            stack.append(_EMPTY[name]())
        elif name == "NEXT_BUFFER":
            stack.append(_Skipped(0))
        elif name in ("TUPLE", "LIST", "FROZENSET"):
            stack.append(tuple(self._pop_mark(stack)))
        elif name == "DICT":
            items = self._pop_mark(stack)
            stack.append(dict(_pairs(items)))
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            n = int(name[-1])
            items = stack[-n:]
            del stack[-n:]
            stack.append(tuple(items))
        elif name == "APPEND":
            item = stack.pop()
            _extend(stack[-1], [item])
        elif name in ("APPENDS", "ADDITEMS"):
            items = self._pop_mark(stack)
            _extend(stack[-1], items)
        elif name == "SETITEM":
            v = stack.pop()
            k = stack.pop()
            _setitems(stack[-1], [(k, v)])
        elif name == "SETITEMS":
            _setitems_from(stack, self._pop_mark(stack))
        elif name == "POP":
            stack.pop()
        elif name == "POP_MARK":
            self._pop_mark(stack)
        elif name == "DUP":
            stack.append(stack[-1])
        elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
            memo[int(arg)] = stack[-1]
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1]
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            stack.append(memo[int(arg)])
        elif name == "GLOBAL":
            module, _, attr = str(arg).partition(" ")
            stack.append(self._import(module, attr))
        elif name == "STACK_GLOBAL":
            attr = stack.pop()
            module = stack.pop()
            if not (isinstance(module, str) and isinstance(attr, str)):
                raise ValueError("STACK_GLOBAL needs two strings")
            stack.append(self._import(module, attr))
        elif name == "INST":
            module, _, attr = str(arg).partition(" ")
            stack.append(self._call(self._import(module, attr), tuple(self._pop_mark(stack))))
        elif name == "OBJ":
            items = self._pop_mark(stack)
            stack.append(self._call(items[0], tuple(items[1:])))
        elif name == "REDUCE":
            args = stack.pop()
            stack.append(self._call(stack.pop(), args))
        elif name == "NEWOBJ":
            args = stack.pop()
            stack.append(_Obj(stack.pop(), args))
        elif name == "NEWOBJ_EX":
            kwargs = stack.pop()
            args = stack.pop()
            stack.append(_Obj(stack.pop(), (args, kwargs)))
        elif name == "BUILD":
            state = stack.pop()
            obj = stack[-1]
            if isinstance(obj, _Obj):
                obj.state = state
                if obj.func == _JOBLIB_WRAPPER:
                    self._skip_joblib_array(state)
        elif name in ("EXT1", "EXT2", "EXT4"):
            stack.append(self._import("copyreg", f"extension {arg}"))
        elif name in ("PERSID", "BINPERSID"):
            if name == "BINPERSID":
                stack.pop()
            self.calls.append("persistent_load(...)")
            stack.append(_Skipped(0))
        else:  # every constant-pushing opcode
            stack.append(arg)
        return False

    def _skip_joblib_array(self, state: Any) -> None:
        """Step over the raw array bytes joblib writes right after a NumpyArrayWrapper."""
        if not isinstance(state, dict):
            raise InputFileError(self.r.path, "joblib array wrapper without a state")
        dtype = state.get("dtype")
        shape = state.get("shape")
        if not (isinstance(dtype, _Obj) and isinstance(dtype.args, tuple) and dtype.args):
            raise InputFileError(self.r.path, "joblib array wrapper with an unreadable dtype")
        spelling = dtype.args[0]
        if not isinstance(spelling, str) or not spelling.isascii() or len(spelling) > 16:
            raise InputFileError(self.r.path, f"joblib array with odd dtype {spelling!r}")
        if _has_object(dtype):
            # Object arrays are a nested pickle; its imports matter as much as the outer ones.
            if not self.run():
                raise InputFileError(self.r.path, "joblib object array missing")
            return
        elsize = -1
        if (
            isinstance(dtype.state, tuple)
            and len(dtype.state) > 5
            and isinstance(dtype.state[5], int)
        ):
            elsize = dtype.state[5]
        try:
            itemsize = elsize if elsize > 0 else np.dtype(spelling).itemsize
        except TypeError:
            raise InputFileError(self.r.path, f"joblib array with odd dtype {spelling!r}") from None
        if not (isinstance(shape, tuple) and all(isinstance(d, int) and d >= 0 for d in shape)):
            raise InputFileError(self.r.path, f"joblib array with invalid shape {shape!r}")
        if state.get("numpy_array_alignment_bytes") is not None:
            self.r.skip(self.r.exact(1)[0])
        count = 1
        for d in shape:
            count *= d
        self.r.skip(count * itemsize)


def _has_object(dtype: Any, depth: int = 0) -> bool:
    """Whether a pickled numpy dtype holds Python objects (joblib then nests a pickle)."""
    if not isinstance(dtype, _Obj) or not isinstance(dtype.args, tuple) or depth > 32:
        return False
    if isinstance(dtype.args[0], str) and dtype.args[0].startswith("O"):
        return True
    state = dtype.state
    fields = state[4] if isinstance(state, tuple) and len(state) > 4 else None
    if isinstance(fields, dict):
        return any(
            isinstance(v, tuple) and v and _has_object(v[0], depth + 1) for v in fields.values()
        )
    return False


_SINGLETONS = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}
_EMPTY = {"EMPTY_LIST": list, "EMPTY_TUPLE": tuple, "EMPTY_DICT": dict, "EMPTY_SET": list}


def _pairs(items: list[Any]) -> list[tuple[Any, Any]]:
    return [(_key(items[i]), items[i + 1]) for i in range(0, len(items) - 1, 2)]


def _key(k: Any) -> Any:
    try:
        hash(k)
    except TypeError:
        return repr(k)
    return k


def _extend(target: Any, items: list[Any]) -> None:
    if isinstance(target, list):
        target.extend(items)


def _setitems(target: Any, pairs: list[tuple[Any, Any]]) -> None:
    if isinstance(target, dict):
        for k, v in pairs:
            target[_key(k)] = v


def _setitems_from(stack: list[Any], items: list[Any]) -> None:
    _setitems(stack[-1], _pairs(items))


def _fickling_verdict(path: Path) -> str | None:
    """fickling's severity for a plain, smallish pickle (it cannot parse joblib's layout)."""
    try:
        analysis = importlib.import_module("fickling.analysis")
        fickle = importlib.import_module("fickling.fickle")
    except ImportError:
        return None
    try:
        # fickling prints warnings about odd pickles; our stdout may be a --json document.
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            pickled = fickle.Pickled.load(path.read_bytes(), fail_on_decode_error=False)
            return str(analysis.check_safety(pickled).severity.name)
    except Exception:  # fickling failing is not our user's problem: our own scan stands
        return None


def scan(path: Path) -> ScanResult:
    """Scan ``path`` statically. Never imports or calls anything the file names."""
    unsafe_modules = _unsafe_modules()
    with open_pickle_stream(path) as (stream, compression):
        walker = _Walker(_Reader(stream, path))
        pickles = 0
        try:
            while walker.run():
                pickles += 1
        except (EOFError, OSError, zlib.error, lzma.LZMAError) as e:
            raise InputFileError(path, f"cannot decompress or read the pickle: {e}") from None
    if pickles == 0:
        raise InputFileError(path, "empty file: not a pickle")
    kinds = {g: classify(g, unsafe_modules) for g in walker.imports}
    joblib_layout = _JOBLIB_WRAPPER in kinds
    verdict = None
    if compression is None and not joblib_layout and path.stat().st_size <= FICKLING_MAX_BYTES:
        verdict = _fickling_verdict(path)
    return ScanResult(
        path=str(path),
        imports=tuple(walker.imports),
        calls=tuple(walker.calls),
        unsafe=tuple(g for g, k in kinds.items() if k == "unsafe"),
        unknown=tuple(g for g, k in kinds.items() if k == "unknown"),
        compression=compression,
        fickling=verdict,
    )
