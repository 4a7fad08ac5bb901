"""Writing the drafts folder: a new version (never over another), a restore, and the working copy,
under a lock that serialises savers across processes.

A mixin of :class:`~postmortem_widgets.store.DraftStore` (see there why mixins). A save that
finds someone saved since raises with both texts; a working copy changed since is merged, never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._fs import FILE_MODE, Publish, atomic_write_bytes
from ..errors import DraftConflictError, DraftStoreError, DraftVersionNotFoundError
from ..textmerge import TextMerge, merge_text
from .files import (
    _PERMISSION_ERRNOS,
    CONFLICTS_DIR,
    GITIGNORE,
    LOCK_FILE,
    TIME_FORMAT,
    WORKING,
    _permissions,
    _Unreadable,
    read_entry,
    write_new,
)
from .model import DraftVersion, WorkingCopy, review_summary, text_hash, unified_diff

if TYPE_CHECKING:
    from ..review import Review

__all__ = ["WritingMixin"]


class WritingMixin:
    """The store's writes, each atomic and under the folder's lock."""

    folder: Path
    clock: Callable[[], datetime]
    author: str
    publish: Publish

    if TYPE_CHECKING:

        @property
        def working_path(self) -> Path: ...
        def warn(self, message: str) -> None: ...
        def _files(self) -> list[tuple[int, str, str, Path]]: ...
        def _version(self, number: int, stamp: str, path: Path) -> DraftVersion: ...
        def latest(self) -> DraftVersion | None: ...
        def get(self, number: int) -> DraftVersion: ...
        def read_working(self) -> WorkingCopy | None: ...

    def _make_folder(self) -> None:
        with _permissions(self.folder, "create the drafts folder"):
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except FileExistsError as exc:
                raise DraftStoreError(
                    "the drafts folder is a file, not a folder",
                    file=str(self.folder),
                    hint="move that file away; drafts are saved in a folder of that name",
                ) from exc

    def _set_aside_damaged_working(self) -> None:
        """A working copy that cannot be read is moved to ``conflicts/`` rather than overwritten."""
        try:
            read_entry(self.working_path)
        except _Unreadable:
            kept = (
                self.folder
                / CONFLICTS_DIR
                / f"{self.clock().astimezone(UTC):{TIME_FORMAT}}-unreadable-{WORKING}"
            )
            kept.parent.mkdir(exist_ok=True)
            os.replace(self.working_path, kept)
            self.warn(f"{self.working_path}: could not be read, so it was moved to {kept}")

    def write_working(
        self,
        text: str,
        *,
        base: int,
        ignores: list[dict[str, Any]] | None = None,
        loaded: WorkingCopy | None = None,
    ) -> WorkingCopy:
        """Write the working copy atomically: the sidecar (its base version, ignored findings) first, then
        the text.

        ``loaded`` is the working copy as this writer read or last wrote it. If the file changed since
        (another form, an editor), it is not overwritten: the two texts are merged three ways against
        ``loaded.text``, and where both changed the same lines the merged text holds both between marker
        lines, while this writer's text is also kept whole in ``drafts/conflicts/``. The result says so.
        A working copy that cannot be read at all is moved to ``conflicts/`` first, never overwritten.
        """
        with _permissions(self.folder, "save the working copy"), self._locked():
            if os.path.lexists(self.working_path):
                self._set_aside_damaged_working()
            current = self.read_working() if loaded is not None else None
            merge: TextMerge | None = None
            kept: Path | None = None
            if current is not None and loaded is not None and current.sha256 != loaded.sha256:
                merge = merge_text(loaded.text, text, current.text, labels=("yours", "saved meanwhile"))
                if not merge.clean:
                    kept = self._keep_conflicted(text)
                text = merge.text
            self.write_base(base, ignores=ignores)
            if current is None or current.text != text:
                atomic_write_bytes(self.working_path, text.encode("utf-8"))
        return WorkingCopy(
            text=text,
            base=base,
            sha256=text_hash(text),
            ignores=list(ignores or []),
            merge=merge,
            kept_at=kept,
        )

    def write_base(self, base: int, *, ignores: list[dict[str, Any]] | None = None) -> None:
        """Record which version the working copy was edited from, and the findings ignored while editing (its
        sidecar), without touching its text.

        Where the text lives in a shared document that the Jupyter server saves, this is all a form writes.
        """
        self._make_folder()
        meta: dict[str, Any] = {"base": base}
        if ignores:
            meta["ignores"] = list(ignores)
        with _permissions(self.folder, "save the working copy"):
            atomic_write_bytes(self.working_path.with_suffix(".json"), json.dumps(meta).encode("utf-8"))

    def _keep_conflicted(self, text: str) -> Path:
        stamp = self.clock().astimezone(UTC).strftime(TIME_FORMAT)
        safe_author = re.sub(r"[^A-Za-z0-9._-]+", "_", self.author)[:40] or "someone"
        digest = text_hash(text).removeprefix("sha256:")[:12]
        kept = self.folder / CONFLICTS_DIR / f"{stamp}-{safe_author}-working-{digest}.md"
        with contextlib.suppress(FileExistsError):
            write_new(kept, text.encode("utf-8"))
        return kept

    def _open_lock(self) -> int:
        """The lock file's descriptor. A folder named ``.lock`` (someone's mistake) is not fatal: every
        saver sees the same folder, so all of them lock the same file inside it instead."""
        lock = self.folder / LOCK_FILE
        if lock.is_dir() and not lock.is_symlink():
            self.warn(f"{lock}: is a folder, not the lock file; saves lock {lock / LOCK_FILE} inside it")
            lock = lock / LOCK_FILE
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            return os.open(lock, flags, FILE_MODE)
        except OSError as exc:
            if exc.errno in _PERMISSION_ERRNOS:
                raise
            raise DraftStoreError(
                f"cannot use the lock file: {exc.strerror or exc}",
                file=str(lock),
                hint="remove it (it holds nothing); the next save creates it again",
            ) from exc

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise savers across processes; the kernel drops the lock if its holder dies."""
        self._make_folder()
        ignore = self.folder / ".gitignore"
        if not os.path.lexists(ignore):
            with contextlib.suppress(FileExistsError):
                write_new(ignore, GITIGNORE.encode())
        try:
            import fcntl
        except ImportError:  # Windows: os.link still refuses to overwrite, which is what matters
            yield
            return
        fd = self._open_lock()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _conflict(
        self, text: str, latest: DraftVersion, *, base: int | None, author: str, stamp: str
    ) -> DraftConflictError:
        safe_author = re.sub(r"[^A-Za-z0-9._-]+", "_", author)[:40] or "someone"
        digest = text_hash(text).removeprefix("sha256:")[:12]
        kept = self.folder / CONFLICTS_DIR / f"{stamp}-{safe_author}-on-{latest.number:04d}-{digest}.md"
        with contextlib.suppress(FileExistsError):  # the same text, kept a moment ago
            write_new(kept, text.encode("utf-8"))
        since = f"version {base}" if base is not None else "the version you loaded"
        by = f" by {latest.author}" if latest.author else ""
        return DraftConflictError(
            f"draft version {latest.number} was saved{by} since {since}; your text is not a version yet",
            mine=text,
            theirs=latest,
            kept_at=kept,
            base=base,
            diff=unified_diff(latest.read_text(), text, latest.path.name, kept.name),
            file=str(self.folder),
            hint=f"your text is kept in {kept}; merge it with version {latest.number} "
            f"(postmortem drafts diff) and save again on top of version {latest.number}",
        )

    def save(
        self,
        text: str,
        *,
        base_version: int | None = None,
        base_hash: str | None = None,
        author: str | None = None,
        drafter: str | None = None,
        model: str | None = None,
        prompt_hash: str | None = None,
        review: Review | Mapping[str, Any] | None = None,
        note: str | None = None,
        restored_from: int | None = None,
        ignores: list[dict[str, Any]] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> DraftVersion:
        """Save ``text`` as a new version.

        Pass ``base_version`` or ``base_hash`` (of the text as loaded) to be told, by a
        :class:`DraftConflictError`, when someone saved in between. ``base_version=0`` means "no draft
        existed when I started". Without either, the save always goes on top of the latest. ``ignores`` are
        the review findings the author set aside for this text, with their reasons. ``extra`` adds plain JSON
        keys to the sidecar (a check-and-mend round's number, verdict, findings and tokens); it never
        replaces the keys above.
        """
        who = author or self.author
        now = self.clock().astimezone(UTC)
        stamp = now.strftime(TIME_FORMAT)
        with _permissions(self.folder, "save a draft version"), self._locked():
            latest = self.latest()
            if latest is not None:
                stale_version = base_version is not None and base_version != latest.number
                stale_hash = base_hash is not None and base_hash != latest.sha256
                if stale_version or stale_hash:
                    raise self._conflict(text, latest, base=base_version, author=who, stamp=stamp)
            elif base_version not in (None, 0):
                raise DraftVersionNotFoundError(
                    f"there is no draft version {base_version} to save on top of",
                    file=str(self.folder),
                    hint="pass base_version=0 for the first draft",
                )
            files = self._files()
            number = (files[-1][0] if files else 0) + 1
            base = latest.number if latest is not None else None
            meta: dict[str, Any] = {
                "version": number,
                "created": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "author": who,
                "sha256": text_hash(text),
                "drafter": drafter,
                "model": model,
                "prompt_hash": prompt_hash,
                "review": review_summary(review),
                "base": base,
                "restored_from": restored_from,
                "note": note,
            }
            if ignores:
                meta["ignores"] = list(ignores)
            for key, value in (extra or {}).items():
                meta.setdefault(key, value)
            name = f"{number:04d}-{stamp}"
            # Metadata first, text last: a version exists once its .md does, and then it is complete.
            write_new(
                self.folder / f"{name}.json",
                (json.dumps(meta, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
            )
            write_new(self.folder / f"{name}.md", text.encode("utf-8"), publish=self.publish)
            return self._version(number, stamp, self.folder / f"{name}.md")

    def restore(
        self, number: int, *, author: str | None = None, base_version: int | None = None
    ) -> DraftVersion:
        """A new version with the text of version ``number``: history only grows."""
        old = self.get(number)
        return self.save(
            old.read_text(),
            base_version=base_version,
            author=author,
            drafter=old.drafter,
            model=old.model,
            prompt_hash=old.prompt_hash,
            review=old.review,
            note=f"restored from version {number}",
            restored_from=number,
            ignores=old.ignores,
        )
