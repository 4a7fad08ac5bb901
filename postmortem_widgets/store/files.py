"""The drafts folder on disk: its names, an entry read without following a link or reading a giant, a
file written that must not exist yet, and the file system's refusals as one clean error.

Below the rest of the store: the versions, the working copy and the lock all go through these.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .._fs import FILE_MODE, Publish, atomic_write_bytes
from ..errors import DraftPermissionError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["DRAFTS_DIR", "INTERNAL_DIR", "WORKING", "link_new", "read_entry", "write_new"]

#: The folder, next to the incident file, that holds its drafts.
DRAFTS_DIR = "drafts"
#: The internal version's versions, inside :data:`DRAFTS_DIR`.
INTERNAL_DIR = "internal"
CONFLICTS_DIR = "conflicts"
LOCK_FILE = ".lock"
TIME_FORMAT = "%Y-%m-%dT%H%M%SZ"
_VERSION_NAME = re.compile(r"^(\d{4,})-(\d{4}-\d{2}-\d{2}T\d{6}Z)\.(md|json)$")

#: The draft as last typed, beside the numbered versions, and its sidecar (which version it was edited from).
WORKING = "working.md"

#: Temporary files start with this, so listings skip them and :meth:`DraftStore.leftovers` finds them.
TEMP_PREFIX = ".tmp-"

#: Written into a new drafts folder: the versions belong in git, the lock and unfinished saves do not.
GITIGNORE = f"# Postmortem drafts\n{LOCK_FILE}\n{TEMP_PREFIX}*\n"

#: Larger files are not drafts (a draft of 100,000 lines is about 6 MB): they are skipped, not read whole.
MAX_DRAFT_BYTES = 64 * 1024 * 1024
MAX_SIDECAR_BYTES = 1024 * 1024

#: Why the file system refused: these become a :class:`DraftPermissionError` with a hint.
_PERMISSION_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


class _Unreadable(Exception):
    """Why one entry of the drafts folder cannot be read (becomes a warning, or a clean error)."""


def read_entry(path: Path, *, limit: int = MAX_DRAFT_BYTES) -> str:
    """A version's (or sidecar's) text: a regular file, not a symbolic link, UTF-8, at most ``limit`` bytes.

    The store never writes a link, so a link named like a version (dangling, or pointing out of the folder
    at a secret that an export would publish) is refused rather than followed.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            raise _Unreadable("is a symbolic link, not a file") from exc
        if exc.errno in _PERMISSION_ERRNOS:
            raise _Unreadable("cannot be read: permission denied") from exc
        raise _Unreadable(f"cannot be read: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _Unreadable("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise _Unreadable("is not a regular file")
        if info.st_size > limit:
            raise _Unreadable(f"is too large to be a draft ({info.st_size:,} bytes; the limit is {limit:,})")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from exc


def _permission_error(exc: OSError, folder: Path, doing: str) -> DraftPermissionError:
    where = exc.filename if isinstance(exc.filename, str) else str(folder)
    if exc.errno == errno.EROFS:
        hint = (
            f"the file system holding {folder} is mounted read-only; work on a writable copy of the incident"
        )
    else:
        hint = (
            f"make {folder} writable for you (ls -ld {folder}; chmod u+w), or ask its owner to; "
            "nothing was changed"
        )
    return DraftPermissionError(
        f"cannot {doing}: {exc.strerror or 'permission denied'}", file=where, hint=hint
    )


@contextlib.contextmanager
def _permissions(folder: Path, doing: str) -> Iterator[None]:
    """Turn the file system's refusals into one clean error naming the folder (other errors pass)."""
    try:
        yield
    except OSError as exc:
        if exc.errno in _PERMISSION_ERRNOS:
            raise _permission_error(exc, folder, doing) from exc
        raise


def link_new(temp: str, target: str) -> None:
    """Publish ``temp`` as ``target`` atomically, failing with ``FileExistsError`` rather than overwrite."""
    try:
        os.link(temp, target)
    except FileExistsError:
        raise
    except OSError:
        # No hard links on this file system: claim the name exclusively, then rename over the empty claim.
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
        os.replace(temp, target)


def write_new(path: Path, data: bytes, *, publish: Publish = link_new) -> Path:
    """Write a file that must not exist yet: an atomic write published by ``publish`` (no overwrite).

    ``publish`` is injectable so a test can stop a save between the fsync and the rename as a crash would.
    """
    return atomic_write_bytes(path, data, publish=publish, temp_prefix=TEMP_PREFIX)
