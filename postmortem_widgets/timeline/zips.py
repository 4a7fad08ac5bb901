"""A zip archive read within the limits: its directory, the members to import, their declared sizes and
ratios, and their expansion, capped whatever a header says.

Apart from :mod:`~postmortem_widgets.timeline.sources`, which turns what is read here into sources: nothing
here knows a :class:`~postmortem_widgets.timeline.sources.Source`.
"""

from __future__ import annotations

import io
import lzma
import re
import struct
import zipfile
import zlib

from ..errors import InputError
from .folders import _SKIP_NAMES, _SKIP_PREFIXES
from .limits import RATIO_FLOOR, Limits, format_size

#: A zip's central directory may take this many bytes per file it may hold (``max_files``): the
#: directory is parsed whole before any member is looked at.
_DIRECTORY_BYTES_PER_FILE = 1024
#: What a broken, encrypted or unsupported zip member raises while it is expanded.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    NotImplementedError,
    RuntimeError,
    EOFError,
    ValueError,
    OSError,
)
_DRIVE = re.compile(r"^[A-Za-z]:")


def _skip(relative: str) -> bool:
    parts = relative.split("/")
    return any(p.startswith(_SKIP_PREFIXES) for p in parts) or parts[-1] in _SKIP_NAMES


def _open_zip(data: bytes, *, name: str, limits: Limits) -> zipfile.ZipFile:
    """The archive, once its directory is known to list no more than ``max_files`` files."""
    directory = _directory_size(data)
    if directory is not None and directory > limits.max_files * _DIRECTORY_BYTES_PER_FILE:
        raise limits.error(
            "max_files",
            f"the zip's directory takes {format_size(directory)}: more files than one import reads",
            file=name,
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise InputError(f"not a readable zip archive ({exc})", file=name) from None
    if len(archive.infolist()) > limits.max_files:
        raise limits.error(
            "max_files",
            f"the zip holds {len(archive.infolist()):,} files, more than one import reads",
            file=name,
            found=len(archive.infolist()),
        )
    return archive


def _directory_size(data: bytes) -> int | None:
    """The size of a zip's central directory, from its end record (``None`` when there is none to read)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end < 0 or end + 22 > len(data):
        return None
    size: int = struct.unpack_from("<L", data, end + 12)[0]
    if size == 0xFFFFFFFF:  # ZIP64: the size is in the ZIP64 end record the locator points to
        locator = end - 20
        if locator < 0 or data[locator : locator + 4] != b"PK\x06\x07":
            return None
        record = struct.unpack_from("<Q", data, locator + 8)[0]
        if record + 56 > len(data) or data[record : record + 4] != b"PK\x06\x06":
            return None
        size = struct.unpack_from("<Q", data, record + 40)[0]
    return size


def _leaves_archive(member: str) -> bool:
    """An absolute path, a drive, or a ``..`` step: extracting it would write outside the archive."""
    path = member.replace("\\", "/")
    return path.startswith("/") or bool(_DRIVE.match(path)) or ".." in path.split("/")


def _members(
    archive: zipfile.ZipFile, *, name: str, limits: Limits
) -> tuple[dict[str, zipfile.ZipInfo], list[str]]:
    """The members to import by name, and warnings for those skipped because their path is unsafe."""
    members: dict[str, zipfile.ZipInfo] = {}
    warnings: list[str] = []
    for info in archive.infolist():
        if _leaves_archive(info.filename):
            warnings.append(f"zip member {info.filename!r} skipped: its path leaves the archive")
            continue
        if info.is_dir() or _skip(info.filename):
            continue
        _check_member(info, name=f"{name}!{info.filename}", limits=limits)
        members[info.filename] = info
    return members, warnings


def _allowed(info: zipfile.ZipInfo, limits: Limits) -> int:
    """How far a member may expand: ``max_member_bytes``, and ``max_zip_ratio`` times its compressed size."""
    return min(limits.max_member_bytes, max(RATIO_FLOOR, int(limits.max_zip_ratio * info.compress_size)))


def _check_member(info: zipfile.ZipInfo, *, name: str, limits: Limits) -> None:
    """Refuse a member whose declared size is past a limit, before a byte of it is expanded."""
    if info.file_size > limits.max_member_bytes:
        raise limits.error(
            "max_member_bytes",
            f"expands to {format_size(info.file_size)}, more than one zip member may",
            file=name,
            found=info.file_size,
        )
    if info.file_size > _allowed(info, limits):
        ratio = info.file_size / max(info.compress_size, 1)
        raise limits.error(
            "max_zip_ratio",
            f"expands {ratio:,.0f} times (from {format_size(info.compress_size)} to "
            f"{format_size(info.file_size)}): a zip bomb, or a file that compresses unusually well",
            file=name,
            found=ratio,
        )


def _check_expansion(members: list[zipfile.ZipInfo], archive_size: int, *, name: str, limits: Limits) -> None:
    """The members together: no more than one import reads, and no more than the ratio allows the zip."""
    total = sum(info.file_size for info in members)
    if total > limits.max_import_bytes:
        raise limits.error(
            "max_import_bytes",
            f"the zip's members expand to {format_size(total)} in all, more than one import reads",
            file=name,
            found=total,
        )
    if total > max(RATIO_FLOOR, limits.max_zip_ratio * archive_size):
        ratio = total / max(archive_size, 1)
        raise limits.error(
            "max_zip_ratio",
            f"the zip expands {ratio:,.0f} times in all (from {format_size(archive_size)} to "
            f"{format_size(total)}): a zip bomb, or files that compress unusually well",
            file=name,
            found=ratio,
        )


def _expand(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, name: str, limits: Limits, size: int | None = None
) -> bytes:
    """A member's bytes (its first ``size``), never more than :func:`_allowed` whatever its header says."""
    cap = _allowed(info, limits)
    wanted = cap + 1 if size is None else min(size, cap + 1)
    try:
        with archive.open(info) as member:
            data = member.read(wanted)
    except _ZIP_ERRORS as exc:
        raise InputError(f"cannot expand this zip member ({exc})", file=name, hint="zip it again") from None
    if len(data) > cap:
        raise limits.error(
            "max_member_bytes" if cap == limits.max_member_bytes else "max_zip_ratio",
            f"expands past {format_size(cap)}, more than its header said",
            file=name,
        )
    return data
