"""The draft's versions: saved, restored, compared, and a finished generation taken in without losing
a word of what was there.

A mixin of :class:`~postmortem_widgets.app.session.Session` (its docstring says why mixins).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError, PostmortemError
from .session_draft import _ignores

if TYPE_CHECKING:
    from ..review import Ignore, Review
    from ..store import DraftStore, DraftVersion
    from ..writing.drafters.base import Outcome

__all__ = ["Generated", "VersionsMixin"]


@dataclass(frozen=True)
class Generated:
    """What became of a finished generation (see :meth:`Session.accept_generation`)."""

    outcome: Outcome
    #: The generated draft's version, when it was complete and is now in the editor.
    version: DraftVersion | None = None
    #: The text it replaced, kept as a version (``None``: it was empty or already a version).
    kept: DraftVersion | None = None
    #: An unfinished run's output, kept as a version beside the editor's untouched text.
    aside: DraftVersion | None = None


class VersionsMixin:
    """The versions in the drafts store, and the one the draft was edited from (:attr:`draft_base`)."""

    draft_base: int
    ignores: list[Ignore]

    if TYPE_CHECKING:

        @property
        def store(self) -> DraftStore: ...
        @property
        def draft(self) -> str: ...
        @draft.setter
        def draft(self, text: str) -> None: ...
        def flush(self) -> None: ...
        def save_working(self) -> None: ...
        def review(self) -> Review: ...

    def versions(self) -> list[DraftVersion]:
        """The saved versions that can be read; :meth:`draft_warnings` names the entries skipped."""
        return self.store.versions()

    def draft_warnings(self) -> list[str]:
        """One line per damaged entry of the drafts folder found by the last listing, for the workspace."""
        return list(self.store.warnings)

    def accept_generation(
        self,
        outcome: Outcome,
        *,
        drafter: str | None = None,
        model: str | None = None,
        prompt_hash: str | None = None,
        note: str = "generated",
    ) -> Generated:
        """Take a finished generation in without losing a word of what was there.

        A complete draft replaces the editor's text, which is kept first as a version when it is not one
        already; the draft is then saved as a version. A stopped, cut-off or failed run leaves the editor's
        text as it was: its output, if any, is kept *beside* it as a version the author can restore.
        """
        meta: dict[str, Any] = {"drafter": drafter, "model": model, "prompt_hash": prompt_hash}
        if not outcome.accepted:
            aside = None
            if outcome.text.strip():
                problem = outcome.problem or outcome.kind
                aside = self.save_aside(
                    outcome.text, note=f"model output, {problem}; not in the editor", **meta
                )
            return Generated(outcome=outcome, aside=aside)
        kept = self.keep_draft("kept before a generated draft replaced it")
        self.draft = outcome.text
        self.save_working()
        version = self.save_version(note=note, **meta)
        return Generated(outcome=outcome, version=version, kept=kept)

    def save_aside(self, text: str, *, note: str, **meta: Any) -> DraftVersion:
        """Save ``text`` as a version without putting it in the editor (a model's unfinished output)."""
        latest = self.store.latest()
        version = self.store.save(text, author=None, note=note, **meta)
        if latest is None or latest.number == self.draft_base:
            self.draft_base = version.number  # this session has seen every version: it may save on top
            self.save_working()
        return version

    def keep_draft(self, note: str) -> DraftVersion | None:
        """Save the draft as a version before it is replaced, unless it is empty or already the latest."""
        latest = self.store.latest()
        if not self.draft.strip() or (latest is not None and latest.read_text() == self.draft):
            return None
        return self.save_version(note=note)

    def save_version(
        self, *, author: str | None = None, note: str | None = None, **meta: Any
    ) -> DraftVersion:
        """Save the draft as a new version; a conflict (someone saved since) raises and keeps both.

        A draft that is exactly the latest version, edited from it, is not saved twice (a double click):
        that version is returned.
        """
        self.flush()
        if not self.draft.strip():
            raise InputError("the draft is empty", hint="generate or write a draft first")
        latest = self.store.latest()
        if latest is not None and latest.number == self.draft_base and latest.read_text() == self.draft:
            return latest
        if "review" not in meta:
            try:
                meta["review"] = self.review()
            except PostmortemError:
                meta["review"] = None
        version = self.store.save(
            self.draft,
            base_version=self.draft_base,
            author=author or None,
            note=note or None,
            ignores=[i.to_json() for i in self.ignores],
            **meta,
        )
        self.draft_base = version.number
        self.save_working()
        return version

    def restore_version(self, number: int, *, author: str | None = None) -> DraftVersion:
        """Bring back an old version (as a new version, so history only grows) into the editor."""
        self.flush()
        version = self.store.restore(number, author=author or None, base_version=self.draft_base)
        self.draft = version.read_text()
        self.draft_base = version.number
        self.ignores = _ignores(version.ignores)
        self.save_working()
        return version

    def diff_versions(self, a: int, b: int) -> str:
        return self.store.diff(a, b)
