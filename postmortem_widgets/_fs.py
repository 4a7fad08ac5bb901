"""Atomic file writes: a reader (or a crash) never sees half a file; a failure leaves the old one intact."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

#: How a finished temporary file takes its name: ``os.replace`` overwrites, a no-overwrite publish refuses.
Publish = Callable[[str, str], None]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: The mode of a new file, as for any file the user creates (mkstemp's 0600 would hide it from the team).
#: Read once at import, before any thread could race the umask dance.
FILE_MODE = 0o666 & ~_umask()


def atomic_write_bytes(
    path: str | Path, data: bytes, *, publish: Publish = os.replace, temp_prefix: str | None = None
) -> Path:
    """Write ``data`` to a temporary file in the same folder, fsync, then ``publish`` it as ``path``.

    An existing file keeps its mode; a new one gets :data:`FILE_MODE`. The temporary file is removed
    whatever happens, so only a real crash (which runs no code) leaves it behind, under ``temp_prefix``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = temp_prefix if temp_prefix is not None else "."
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{prefix}{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            with contextlib.suppress(OSError):
                os.fchmod(handle.fileno(), path.stat().st_mode & 0o777 if path.exists() else FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        publish(tmp, str(path))
    finally:
        Path(tmp).unlink(missing_ok=True)
    fsync_dir(path.parent)
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked(path: str | Path) -> Iterator[None]:
    """Hold an exclusive advisory lock for a read-merge-write of ``path``, across processes.

    The lock is on a hidden ``.NAME.lock`` file beside ``path`` (the file itself is replaced by each atomic
    write, so a lock on it would not hold), and the kernel drops it if its holder dies. Where there is no
    ``fcntl`` (Windows) this does nothing: the merge still runs, only a tight race is not excluded.
    """
    path = Path(path)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
