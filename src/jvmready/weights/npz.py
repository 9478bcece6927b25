"""``.npz`` archives: stored members memory-mapped in place, deflated ones streamed to disk.

Never ``np.load(allow_pickle=True)``: each member's npy header is parsed and checked against the
sizes the zip directory declares, so a lying header or a zip bomb is a one-line refusal.
"""

from __future__ import annotations

import contextlib
import shutil
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from jvmready.errors import InputFileError
from jvmready.formats import register
from jvmready.weights.arrays import NamedArray, PlannedArray, check_declared_size, map_array
from jvmready.weights.container import ArrayContainerFormat, Container
from jvmready.weights.npy import read_header, write_npy

#: Bytes moved per step when inflating a member to disk.
COPY_CHUNK = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_MAGIC = b"PK\x03\x04"


def _data_offset(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Where a stored member's bytes start in the file (after its local header)."""
    fp = archive.fp
    assert fp is not None
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_MAGIC:
        raise InputFileError(path, f"member {info.filename!r}: bad local header")
    fields = _LOCAL_HEADER.unpack(header)
    name_len, extra_len = int(fields[-2]), int(fields[-1])
    return int(info.header_offset) + _LOCAL_HEADER.size + name_len + extra_len


def _array_name(member: str) -> str:
    return member[:-4] if member.endswith(".npy") else member


def _open_member(
    path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, scratch: Path
) -> NamedArray:
    name = _array_name(info.filename)
    if info.flag_bits & 0x1:
        raise InputFileError(path, f"member {info.filename!r} is encrypted")
    with archive.open(info) as member:
        dtype, shape, fortran = read_header(member, f"{path} member {info.filename!r}")
        header_len = member.tell()
    # The npy header must account for exactly the bytes the zip directory declares.
    need = check_declared_size(path, name, dtype, shape, info.file_size - header_len)
    if header_len + need != info.file_size:
        raise InputFileError(
            path,
            f"{name}: npy header declares {need} data bytes but the member holds "
            f"{info.file_size - header_len}",
        )
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise InputFileError(path, f"{name}: stored member with inconsistent sizes")
        start = _data_offset(path, archive, info) + header_len
        if start + need > path.stat().st_size:
            raise InputFileError(path, f"{name}: member data runs past the end of the file")
        return NamedArray(name, map_array(path, start, dtype, shape, fortran))
    # Deflated: inflate to a scratch file (bounded by the declared size, which was checked
    # against the header and against free disk space), then memory-map that.
    free = shutil.disk_usage(scratch).free
    if need > free:
        raise InputFileError(
            path, f"{name}: inflates to {need} bytes, more than the {free} free in {scratch}"
        )
    target = scratch / f"{len(list(scratch.iterdir()))}.bin"
    written = 0
    with archive.open(info) as member, target.open("wb") as out:
        member.read(header_len)
        while chunk := member.read(COPY_CHUNK):
            written += len(chunk)
            if written > need:
                raise InputFileError(path, f"{name}: member inflates past its declared size")
            out.write(chunk)
    if written != need:
        raise InputFileError(path, f"{name}: member inflates to {written} bytes, not {need}")
    return NamedArray(name, map_array(target, 0, dtype, shape, fortran))


class NpzFormat(ArrayContainerFormat):
    name = "npz"
    suffixes = (".npz",)

    @contextlib.contextmanager
    def open(self, path: Path) -> Iterator[Container]:
        with tempfile.TemporaryDirectory(prefix="jvmready-npz-") as tmp:
            try:
                archive = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as e:
                raise InputFileError(path, f"not a valid .npz (zip) archive: {e}") from None
            with archive:
                try:
                    arrays = tuple(
                        _open_member(path, archive, info, Path(tmp))
                        for info in archive.infolist()
                        if not info.is_dir()
                    )
                    compressed = {
                        _array_name(i.filename): i.compress_type for i in archive.infolist()
                    }
                except (zipfile.BadZipFile, NotImplementedError, EOFError) as e:
                    raise InputFileError(path, f"corrupt .npz archive: {e}") from None
            yield Container(arrays, {"_compress": compressed})

    def write(self, dst: Path, plan: list[PlannedArray], source: Container) -> None:
        compress: dict[str, int] = source.meta["_compress"]
        with (
            tempfile.TemporaryDirectory(prefix="jvmready-npz-out-", dir=dst.parent) as tmp,
            zipfile.ZipFile(dst, "w", allowZip64=True) as archive,
        ):
            for i, planned in enumerate(plan):
                member = Path(tmp) / f"{i}.npy"
                write_npy(member, planned)
                method = compress.get(planned.name, zipfile.ZIP_STORED)
                archive.write(member, f"{planned.name}.npy", compress_type=method)
                member.unlink()


register(NpzFormat())
