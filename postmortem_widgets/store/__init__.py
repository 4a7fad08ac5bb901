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

``DraftStore`` is composed of a reading and a writing mixin (``store/reading.py``, ``store/writing.py``)
over ``files`` (the folder on disk) and ``model`` (a version, the working copy, the sidecar's fields).
Mixins, not helper objects, so the methods moved unchanged and share one folder, clock and author; each
declares what it reads and, under ``TYPE_CHECKING``, the other's methods it calls, so mypy checks them
against the methods themselves where ``DraftStore`` combines them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from .._fs import Publish
from .files import DRAFTS_DIR, INTERNAL_DIR, WORKING, link_new
from .files import _permissions as _permissions
from .model import DraftVersion, WorkingCopy, _utc_now, default_author, review_summary, text_hash
from .reading import ReadingMixin
from .writing import WritingMixin

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


class DraftStore(ReadingMixin, WritingMixin):
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
