"""What the store hands out and keeps in sidecars: a version, the working copy, the sidecar's fields
checked as they are loaded, and the small values they carry (the text's hash, the author, the review
summary, a diff).
"""

from __future__ import annotations

import difflib
import getpass
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DraftStoreError
from ..textmerge import TextMerge
from .files import _Unreadable, read_entry

if TYPE_CHECKING:
    from ..review import Review

__all__ = ["DraftVersion", "WorkingCopy", "default_author", "review_summary", "text_hash", "unified_diff"]


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
