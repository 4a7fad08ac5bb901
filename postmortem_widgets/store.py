"""Versioned drafts for teams: every save is a new, immutable Markdown file in ``drafts/`` by the incident.

::

    incident.yaml
    drafts/
      0001-2026-11-26T201500Z.md     the text, plain Markdown (reviewable in git)
      0001-2026-11-26T201500Z.json   who, when, which drafter or model, prompt hash, review summary, and
                                     the review findings the author ignored, each with its reason
      0002-2026-11-26T203012Z.md
      ...
      working.md                     the draft as last typed (not a version), and working.json: its base

Nothing is lost:

- Writes are atomic (temporary file, fsync, rename) and never overwrite: versions are published with
  ``os.link``, which fails rather than replace, and saves are serialised with an advisory lock that dies
  with its process. A crash leaves the previous versions intact and the unfinished text in a temporary
  file (:meth:`DraftStore.leftovers`).
- Optimistic concurrency: ``save(text, base_version=...)`` or ``base_hash=`` says which version the text
  was edited from. If someone saved since, :class:`DraftConflictError` is raised, with both texts, and
  yours is kept under ``drafts/conflicts/``.
- Restore is a new version holding the old text, so history only grows.

A damaged folder (a file that is not UTF-8, a folder or a symbolic link named like a version, a bad date in a
name, a sidecar that is not a JSON object) never stops the others: the entry is skipped and
:attr:`DraftStore.warnings` says so, in one line naming it. Permission problems raise
:class:`DraftPermissionError`, naming the folder and what to do.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import getpass
import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._fs import FILE_MODE, Publish, atomic_write_bytes
from .errors import DraftConflictError, DraftPermissionError, DraftStoreError, DraftVersionNotFoundError
from .textmerge import TextMerge, merge_text

if TYPE_CHECKING:
    from .review import Review

__all__ = [
    "DRAFTS_DIR",
    "INTERNAL_DIR",
    "WORKING",
    "DraftStore",
    "DraftVersion",
    "WorkingCopy",
    "default_author",
    "review_summary",
    "text_hash",
]

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


def text_hash(text: str) -> str:
    """``sha256:<hex>`` of a text (UTF-8): how a version is recognised, wherever it was loaded."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_author() -> str:
    """The JupyterHub user when there is one, else the login name."""
    for name in ("JUPYTERHUB_USER", "USER", "USERNAME"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def review_summary(review: Review | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A review as counts and rule ids; a summary (a restored version's) is kept as it is."""
    if review is None:
        return None
    if isinstance(review, Mapping):
        return dict(review)
    return {"errors": review.errors, "warnings": review.warnings, "rules": sorted(review.rules())}


def unified_diff(a: str, b: str, a_name: str, b_name: str, *, context: int = 3) -> str:
    """A unified diff of two texts; a missing final newline is marked like ``diff`` does."""

    def lines(text: str) -> list[str]:
        out = text.splitlines(keepends=True)
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n\\ No newline at end of file\n"
        return out

    return "".join(difflib.unified_diff(lines(a), lines(b), fromfile=a_name, tofile=b_name, n=context))


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DraftVersion:
    """One saved version: its file, and what its sidecar says about it."""

    number: int
    path: Path
    created: datetime
    author: str = ""
    sha256: str = ""
    drafter: str | None = None
    model: str | None = None
    prompt_hash: str | None = None
    review: dict[str, Any] | None = None
    base: int | None = None
    restored_from: int | None = None
    note: str | None = None
    #: Review findings the author set aside for this text, each ``{"rule", "line", "reason", "text"}``
    #: (:class:`~postmortem_widgets.review.Ignore` as JSON); ``postmortem export`` honours them.
    ignores: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    def read_text(self) -> str:
        try:
            return read_entry(self.path)
        except _Unreadable as exc:
            raise DraftStoreError(
                f"draft version {self.number} {exc}", file=str(self.path), hint="fix or move the file"
            ) from exc

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.number,
            "file": self.path.name,
            "created": self.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "author": self.author,
            "sha256": self.sha256,
            "drafter": self.drafter,
            "model": self.model,
            "prompt_hash": self.prompt_hash,
            "review": self.review,
            "base": self.base,
            "restored_from": self.restored_from,
            "note": self.note,
            **({"ignores": self.ignores} if self.ignores else {}),
            **self.extra,
        }


@dataclass(frozen=True)
class WorkingCopy:
    """The draft as last typed: its text, the version it was edited from (0: none) and its hash.

    The hash is what a writer was loaded at, so a later save can tell that someone else changed the file.
    A write that found the file changed since merged the two texts: ``merge`` says how, and when both had
    changed the same lines, ``kept_at`` is where the writer's own text is kept as it was.
    """

    text: str
    base: int
    sha256: str
    #: Findings the author ignored while editing (carried into the next saved version).
    ignores: list[dict[str, Any]] = field(default_factory=list)
    merge: TextMerge | None = None
    kept_at: Path | None = None

    @property
    def merged(self) -> bool:
        return self.merge is not None


_KNOWN = {"version", "file", "created", "author", "sha256", "drafter", "model", "prompt_hash", "review",
          "base", "restored_from", "note", "ignores"}  # fmt: skip


def _ignores(value: Any) -> list[dict[str, Any]]:
    """The sidecar's ignored findings, only the well-formed ones: a hand-edited file never breaks a load."""
    if not isinstance(value, list):
        return []
    return [dict(v) for v in value if isinstance(v, dict) and isinstance(v.get("rule"), str)]


#: The sidecar fields a listing relies on, and the type each must have (``None`` is always allowed).
_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "author": str, "drafter": str, "model": str, "prompt_hash": str, "note": str, "review": dict,
    "base": int, "restored_from": int,
}  # fmt: skip


def _checked_meta(meta: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The sidecar's fields that have the type a listing expects, and the names of those that do not."""
    kept: dict[str, Any] = {}
    wrong: list[str] = []
    for key, value in meta.items():
        expected = _FIELD_TYPES.get(key)
        bad_int = expected is int and isinstance(value, bool)
        if expected is None or value is None or (isinstance(value, expected) and not bad_int):
            kept[key] = value
        else:
            wrong.append(key)
    return kept, wrong


class DraftStore:
    """The drafts of one incident. ``clock`` and ``author`` are injected; ``publish`` is the final rename.

    :attr:`warnings` lists, one line each, the entries the last listing skipped (and a lock that had to be
    taken elsewhere), for a front-end to show.
    """

    def __init__(
        self,
        folder: str | Path,
        *,
        clock: Callable[[], datetime] = _utc_now,
        author: str | None = None,
        publish: Publish | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.clock = clock
        self.author = author or default_author()
        self.publish: Publish = publish or link_new
        self.warnings: list[str] = []

    @classmethod
    def for_incident(
        cls, incident_path: str | Path, *, audience: str = "customer", **options: Any
    ) -> DraftStore:
        """The store in ``drafts/`` next to an incident file; the internal version's in ``drafts/internal/``,
        a folder of its own, so nothing that lists or exports customer drafts ever takes from it."""
        folder = Path(incident_path).parent / DRAFTS_DIR
        return cls(folder / INTERNAL_DIR if audience == "internal" else folder, **options)

    def warn(self, message: str) -> None:
        """Add a line to :attr:`warnings` (once), for a front-end to show."""
        if message not in self.warnings:
            self.warnings.append(message)

    # Reading -------------------------------------------------------------------------------------

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

    # Writing -------------------------------------------------------------------------------------

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
