"""Reading the drafts folder: every version, the latest, one by number, a diff, and the working copy.

A mixin of :class:`~postmortem_widgets.store.DraftStore` (see there why mixins). A damaged entry is
skipped with a line in :attr:`~postmortem_widgets.store.DraftStore.warnings`, never an error for the others.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DraftPermissionError, DraftStoreError, DraftVersionNotFoundError
from .files import (
    _PERMISSION_ERRNOS,
    _VERSION_NAME,
    DRAFTS_DIR,
    MAX_SIDECAR_BYTES,
    TEMP_PREFIX,
    TIME_FORMAT,
    WORKING,
    _Unreadable,
    read_entry,
)
from .model import _KNOWN, DraftVersion, WorkingCopy, _checked_meta, _ignores, text_hash, unified_diff

__all__ = ["ReadingMixin"]


class ReadingMixin:
    """The store's reads; none of them writes or locks."""

    folder: Path
    warnings: list[str]

    if TYPE_CHECKING:

        def warn(self, message: str) -> None: ...

    def _names(self) -> list[str]:
        try:
            return os.listdir(self.folder)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            if exc.errno in _PERMISSION_ERRNOS:
                raise DraftPermissionError(
                    "cannot read the drafts folder: permission denied",
                    file=str(self.folder),
                    hint=f"ask its owner to let you read it (ls -ld {self.folder}; chmod u+rx)",
                ) from exc
            raise

    def _files(self) -> list[tuple[int, str, str, Path]]:
        """Every name that looks like a version's, damaged or not: a new version is numbered past them all."""
        found = []
        for name in self._names():
            match = _VERSION_NAME.match(name)
            if match:
                found.append((int(match[1]), match[2], match[3], self.folder / name))
        return sorted(found)

    def _sidecar(self, path: Path) -> dict[str, Any]:
        """A version's metadata; a damaged sidecar is a warning and no metadata, the text still counts."""
        sidecar = path.with_suffix(".json")
        if not os.path.lexists(sidecar):
            return {}
        try:
            meta = json.loads(read_entry(sidecar, limit=MAX_SIDECAR_BYTES))
        except _Unreadable as exc:
            problem = str(exc)
        except json.JSONDecodeError as exc:
            problem = f"is not valid JSON ({exc})"
        else:
            if isinstance(meta, dict):
                kept, wrong = _checked_meta(meta)
                if wrong:
                    self.warn(f"{sidecar}: ignored field(s) of the wrong type: {', '.join(wrong)}")
                return kept
            problem = f"holds a JSON {type(meta).__name__}, not an object"
        self.warn(f"{sidecar}: {problem}; version shown without its metadata")
        return {}

    def _load(self, number: int, stamp: str, path: Path) -> DraftVersion:
        """One version; raises :class:`_Unreadable` for an entry that is not one."""
        try:
            created = datetime.strptime(stamp, TIME_FORMAT).replace(tzinfo=UTC)
        except ValueError as exc:
            raise _Unreadable(f"has an impossible date in its name ({stamp})") from exc
        text = read_entry(path)
        meta = self._sidecar(path)
        return DraftVersion(
            number=number,
            path=path,
            created=created,
            author=str(meta.get("author") or ""),
            sha256=text_hash(text),
            drafter=meta.get("drafter"),
            model=meta.get("model"),
            prompt_hash=meta.get("prompt_hash"),
            review=meta.get("review"),
            base=meta.get("base"),
            restored_from=meta.get("restored_from"),
            note=meta.get("note"),
            ignores=_ignores(meta.get("ignores")),
            extra={k: v for k, v in meta.items() if k not in _KNOWN},
        )

    def _try_load(self, number: int, stamp: str, path: Path) -> DraftVersion | None:
        try:
            return self._load(number, stamp, path)
        except _Unreadable as exc:
            self.warn(f"{path}: skipped, it {exc}")
            return None

    def _version(self, number: int, stamp: str, path: Path) -> DraftVersion:
        """A version the store has just written, or one a caller insists on: unreadable is an error."""
        try:
            return self._load(number, stamp, path)
        except _Unreadable as exc:
            raise DraftStoreError(
                f"draft version {number} {exc}",
                file=str(path),
                hint="fix or move the file; the other versions are unaffected",
            ) from exc

    def _text_files(self) -> list[tuple[int, str, Path]]:
        return [(n, stamp, path) for n, stamp, kind, path in self._files() if kind == "md"]

    def versions(self) -> list[DraftVersion]:
        """Every saved version, oldest first; damaged entries are skipped, and listed in :attr:`warnings`."""
        self.warnings = []
        loaded = (self._try_load(*entry) for entry in self._text_files())
        return [v for v in loaded if v is not None]

    def latest(self) -> DraftVersion | None:
        """The newest version that can be read (newer damaged entries are skipped, with a warning)."""
        for entry in reversed(self._text_files()):
            version = self._try_load(*entry)
            if version is not None:
                return version
        return None

    def get(self, number: int) -> DraftVersion:
        entries = [entry for entry in self._text_files() if entry[0] == number]
        for entry in entries:
            version = self._try_load(*entry)
            if version is not None:
                return version
        if entries:
            return self._version(*entries[0])  # raises, saying what is wrong with it
        known = [n for n, _, _ in self._text_files()]
        raise DraftVersionNotFoundError(
            f"there is no draft version {number}",
            file=str(self.folder),
            hint=f"versions are {', '.join(map(str, known))}" if known else "no draft has been saved yet",
        )

    def read(self, number: int | None = None) -> str:
        """The text of a version (the latest by default)."""
        if number is None:
            latest = self.latest()
            if latest is None:
                raise DraftVersionNotFoundError(
                    "no draft has been saved yet", file=str(self.folder), hint="save one first"
                )
            return latest.read_text()
        return self.get(number).read_text()

    def diff(self, a: int, b: int | None = None, *, context: int = 3) -> str:
        """Unified diff from version ``a`` to version ``b`` (the latest by default)."""
        old = self.get(a)
        new = self.get(b) if b is not None else self.latest()
        assert new is not None  # get(a) succeeded, so there is a latest
        prefix = f"{DRAFTS_DIR}/"
        return unified_diff(
            old.read_text(), new.read_text(), prefix + old.name, prefix + new.name, context=context
        )

    def leftovers(self) -> list[Path]:
        """Temporary files an interrupted save left behind: their text is complete (it was fsynced)."""
        return sorted(self.folder / name for name in self._names() if name.startswith(TEMP_PREFIX))

    @property
    def working_path(self) -> Path:
        return self.folder / WORKING

    def read_working(self) -> WorkingCopy | None:
        """The working copy, or ``None`` when nothing was typed since the last version (or it is damaged:
        then :attr:`warnings` says so, and the next :meth:`write_working` keeps the damaged file aside)."""
        if not os.path.lexists(self.working_path):
            return None
        try:
            text = read_entry(self.working_path)
        except _Unreadable as exc:
            self.warn(f"{self.working_path}: not loaded, it {exc}")
            return None
        base = 0
        ignores: list[dict[str, Any]] = []
        try:
            meta = json.loads(read_entry(self.working_path.with_suffix(".json"), limit=MAX_SIDECAR_BYTES))
            base = int(meta.get("base", 0))
            ignores = _ignores(meta.get("ignores"))
        except (_Unreadable, ValueError, TypeError, AttributeError):
            latest = self.latest()
            base = latest.number if latest is not None else 0
        return WorkingCopy(text=text, base=base, sha256=text_hash(text), ignores=ignores)

    def find(self, text: str) -> DraftVersion | None:
        """The latest version holding exactly ``text`` (a draft file exported from the store), or ``None``."""
        digest = text_hash(text)
        for version in reversed(self.versions()):
            if version.sha256 == digest:
                return version
        return None
