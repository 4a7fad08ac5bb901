"""A folder tree walked within the limits: its regular files by relative path, never leaving it.

Apart from :mod:`~postmortem_widgets.timeline.sources`, which turns the files found into sources: nothing
here knows a :class:`~postmortem_widgets.timeline.sources.Source`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import _reading
from .limits import Limits, format_size

#: Files in a folder or zip that are never timelines.
_SKIP_NAMES = {".DS_Store", "Thumbs.db", "incident.yaml", "incident.yml", "README.md"}
_SKIP_PREFIXES = (".", "__MACOSX")


@dataclass
class _Walk:
    """What a folder walk found: files by relative path, what it left out, and how much it counted."""

    files: list[tuple[tuple[str, ...], Path]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    entries: int = 0
    total: int = 0


def _walk(root: Path, limits: Limits) -> _Walk:
    """The regular files of a folder tree, never leaving it: links out of it, and anything that is not a
    file (a FIFO, a socket), are left out with a warning. Hidden folders are not entered."""
    walk = _Walk()
    inside = root.resolve()
    folders: list[tuple[Path, tuple[str, ...]]] = [(root, ())]
    while folders:
        folder, parts = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            walk.warnings.append(f"{'/'.join(parts) or '.'}: cannot be listed ({exc.strerror}), skipped")
            continue
        for entry in entries:
            if entry.name.startswith(_SKIP_PREFIXES):
                continue
            walk.entries += 1
            if walk.entries > limits.max_files:
                raise limits.error(
                    "max_files", f"the folder holds more than {limits.max_files:,} files", file=str(root)
                )
            relative = (*parts, entry.name)
            if entry.is_dir(follow_symlinks=False):
                folders.append((Path(entry.path), relative))
            elif entry.name not in _SKIP_NAMES:
                _add_file(walk, entry, relative, inside=inside, root=root, limits=limits)
    return walk


def _add_file(
    walk: _Walk,
    entry: os.DirEntry[str],
    relative: tuple[str, ...],
    *,
    inside: Path,
    root: Path,
    limits: Limits,
) -> None:
    shown = "/".join(relative)
    if entry.is_symlink():
        target = Path(os.path.realpath(entry.path))
        if not target.is_relative_to(inside):
            walk.warnings.append(f"{shown}: a link to outside the folder, skipped")
            return
        if target.is_dir():
            return  # a link to a folder inside: its files are read where they are
    try:
        info = os.stat(entry.path)
    except OSError:
        walk.warnings.append(f"{shown}: a broken link, skipped")
        return
    if not stat.S_ISREG(info.st_mode):
        walk.warnings.append(f"{shown}: {_reading.kind_of(info.st_mode)}, not a file, skipped")
        return
    walk.total += info.st_size
    if walk.total > limits.max_import_bytes:
        raise limits.error(
            "max_import_bytes",
            f"the folder's files hold more than {format_size(limits.max_import_bytes)}, "
            "more than one import reads",
            file=str(root),
        )
    walk.files.append((relative, Path(entry.path)))
