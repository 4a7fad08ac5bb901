"""Versioned drafts for teams: every save is a new, immutable Markdown file in ``drafts/`` by the incident.

::

    incident.yaml
    drafts/
      0001-2026-11-26T201500Z.md     the text, plain Markdown (reviewable in git)
      0001-2026-11-26T201500Z.json   who, when, which drafter or model, prompt hash, review summary
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
"""

from __future__ import annotations

import contextlib
import difflib
import getpass
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._fs import FILE_MODE, Publish, atomic_write_bytes
from .errors import DraftConflictError, DraftStoreError, DraftVersionNotFoundError
from .textmerge import TextMerge, merge_text

if TYPE_CHECKING:
    from .review import Review

__all__ = [
    "DRAFTS_DIR",
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
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    def read_text(self) -> str:
        return self.path.read_text(encoding="utf-8")

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
    merge: TextMerge | None = None
    kept_at: Path | None = None

    @property
    def merged(self) -> bool:
        return self.merge is not None


_KNOWN = {"version", "file", "created", "author", "sha256", "drafter", "model", "prompt_hash", "review",
          "base", "restored_from", "note"}  # fmt: skip


class DraftStore:
    """The drafts of one incident. ``clock`` and ``author`` are injected; ``publish`` is the final rename."""

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

    @classmethod
    def for_incident(cls, incident_path: str | Path, **options: Any) -> DraftStore:
        """The store in ``drafts/`` next to an incident file."""
        return cls(Path(incident_path).parent / DRAFTS_DIR, **options)

    # Reading -------------------------------------------------------------------------------------

    def _files(self) -> list[tuple[int, str, str, Path]]:
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.iterdir():
            match = _VERSION_NAME.match(path.name)
            if match:
                found.append((int(match[1]), match[2], match[3], path))
        return sorted(found)

    def _version(self, number: int, stamp: str, path: Path) -> DraftVersion:
        created = datetime.strptime(stamp, TIME_FORMAT).replace(tzinfo=UTC)
        meta: dict[str, Any] = {}
        sidecar = path.with_suffix(".json")
        with contextlib.suppress(FileNotFoundError):
            try:
                meta = json.loads(sidecar.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise DraftStoreError(
                    f"the metadata of draft {number} is not valid JSON: {exc}",
                    file=str(sidecar),
                    hint="fix or delete the .json file; the draft text itself is untouched",
                ) from exc
        return DraftVersion(
            number=number,
            path=path,
            created=created,
            author=str(meta.get("author") or ""),
            sha256=text_hash(path.read_text(encoding="utf-8")),
            drafter=meta.get("drafter"),
            model=meta.get("model"),
            prompt_hash=meta.get("prompt_hash"),
            review=meta.get("review"),
            base=meta.get("base"),
            restored_from=meta.get("restored_from"),
            note=meta.get("note"),
            extra={k: v for k, v in meta.items() if k not in _KNOWN},
        )

    def versions(self) -> list[DraftVersion]:
        """Every saved version, oldest first."""
        return [self._version(n, stamp, path) for n, stamp, kind, path in self._files() if kind == "md"]

    def latest(self) -> DraftVersion | None:
        files = [(n, stamp, path) for n, stamp, kind, path in self._files() if kind == "md"]
        return self._version(*files[-1]) if files else None

    def get(self, number: int) -> DraftVersion:
        for n, stamp, kind, path in self._files():
            if n == number and kind == "md":
                return self._version(n, stamp, path)
        known = [n for n, _, kind, _ in self._files() if kind == "md"]
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
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.name.startswith(TEMP_PREFIX))

    @property
    def working_path(self) -> Path:
        return self.folder / WORKING

    def read_working(self) -> WorkingCopy | None:
        """The working copy, or ``None`` when nothing was typed since the last version."""
        try:
            text = self.working_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        base = 0
        latest = None
        try:
            meta = json.loads(self.working_path.with_suffix(".json").read_text(encoding="utf-8"))
            base = int(meta.get("base", 0))
        except (OSError, ValueError, TypeError, AttributeError):
            latest = self.latest()
            base = latest.number if latest is not None else 0
        return WorkingCopy(text=text, base=base, sha256=text_hash(text))

    # Writing -------------------------------------------------------------------------------------

    def write_working(self, text: str, *, base: int, loaded: WorkingCopy | None = None) -> WorkingCopy:
        """Write the working copy atomically: the sidecar (its base version) first, then the text.

        ``loaded`` is the working copy as this writer read or last wrote it. If the file changed since
        (another form, an editor), it is not overwritten: the two texts are merged three ways against
        ``loaded.text``, and where both changed the same lines the merged text holds both between marker
        lines, while this writer's text is also kept whole in ``drafts/conflicts/``. The result says so.
        """
        with self._locked():
            current = self.read_working() if loaded is not None else None
            merge: TextMerge | None = None
            kept: Path | None = None
            if current is not None and loaded is not None and current.sha256 != loaded.sha256:
                merge = merge_text(loaded.text, text, current.text, labels=("yours", "saved meanwhile"))
                if not merge.clean:
                    kept = self._keep_conflicted(text)
                text = merge.text
            self.write_base(base)
            if current is None or current.text != text:
                atomic_write_bytes(self.working_path, text.encode("utf-8"))
        return WorkingCopy(text=text, base=base, sha256=text_hash(text), merge=merge, kept_at=kept)

    def write_base(self, base: int) -> None:
        """Record which version the working copy was edited from (its sidecar) without touching its text.

        Where the text lives in a shared document that the Jupyter server saves, this is all a form writes.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.working_path.with_suffix(".json"), json.dumps({"base": base}).encode("utf-8"))

    def _keep_conflicted(self, text: str) -> Path:
        stamp = self.clock().astimezone(UTC).strftime(TIME_FORMAT)
        safe_author = re.sub(r"[^A-Za-z0-9._-]+", "_", self.author)[:40] or "someone"
        digest = text_hash(text).removeprefix("sha256:")[:12]
        kept = self.folder / CONFLICTS_DIR / f"{stamp}-{safe_author}-working-{digest}.md"
        with contextlib.suppress(FileExistsError):
            write_new(kept, text.encode("utf-8"))
        return kept

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise savers across processes; the kernel drops the lock if its holder dies."""
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            with contextlib.suppress(FileExistsError):
                write_new(ignore, GITIGNORE.encode())
        try:
            import fcntl
        except ImportError:  # Windows: os.link still refuses to overwrite, which is what matters
            yield
            return
        with open(self.folder / LOCK_FILE, "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

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
    ) -> DraftVersion:
        """Save ``text`` as a new version.

        Pass ``base_version`` or ``base_hash`` (of the text as loaded) to be told, by a
        :class:`DraftConflictError`, when someone saved in between. ``base_version=0`` means "no draft
        existed when I started". Without either, the save always goes on top of the latest.
        """
        who = author or self.author
        now = self.clock().astimezone(UTC)
        stamp = now.strftime(TIME_FORMAT)
        with self._locked():
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
            meta = {
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
        )
