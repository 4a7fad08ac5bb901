"""The draft: its working copy (``drafts/working.md``, never written over someone's change), the shared
text an editor binds it to, the audience it is written for, and the prompt.

A mixin of :class:`~postmortem_widgets.app.session.Session` (its docstring says why mixins).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable
    from pathlib import Path

    from ..incident.record import Incident
    from ..review import Ignore
    from ..store import DraftStore, WorkingCopy
    from ..timeline.merge import Timeline
    from ..writing.prompt import Prompt
    from .collab import SharedText

__all__ = ["DraftMixin"]


class DraftMixin:
    """The draft as it stands, where it lives, and its saves to the working copy."""

    incident: Incident
    path: Path
    audience: str
    ignores: list[Ignore]
    shared: SharedText | None
    last_draft_merge: WorkingCopy | None
    draft_base: int
    draft_dirty: bool
    draft_saved_at: float | None
    working_hash: str | None
    on_draft_saved: list[Callable[[], None]]
    _draft: str
    _working: WorkingCopy | None
    _store: DraftStore | None
    _stores: dict[str, DraftStore]
    _lock: threading.RLock

    if TYPE_CHECKING:

        @property
        def timeline(self) -> Timeline: ...

    def prompt(self) -> Prompt:
        """The prompt a model would be sent for the incident as it stands."""
        from ..writing.prompt import build_prompt

        return build_prompt(self.incident, self.timeline, audience=self.audience)

    @property
    def store(self) -> DraftStore:
        """The versioned drafts in ``drafts/`` next to the incident file."""
        if self._store is None:
            from ..store import DraftStore

            self._store = DraftStore.for_incident(self.path)
        return self._store

    def set_audience(self, audience: str) -> None:
        """Write for customers or for the engineering team. Each has its own drafts store, working copy and
        ignores (``drafts/`` and ``drafts/internal/``: the customer export never takes from the internal
        one), its own prompt and its own review rules. What was typed is saved first; the shared document,
        if any, is let go (the editor joins the other audience's)."""
        from ..sections import AUDIENCES
        from ..store import INTERNAL_DIR, DraftStore

        if audience not in AUDIENCES:
            raise InputError(f"unknown audience {audience!r}", hint=f"choose one of {', '.join(AUDIENCES)}")
        if audience == self.audience:
            return
        with self._lock:
            self.flush()
            self.detach_shared()
            customer = self._stores.setdefault(self.audience, self.store)
            if audience not in self._stores:
                base = self._stores.get("customer", customer)
                self._stores[audience] = DraftStore(
                    base.folder / INTERNAL_DIR, clock=base.clock, author=base.author, publish=base.publish
                )
            self.audience = audience
            self._store = self._stores[audience]
            self._working, self.last_draft_merge, self.working_hash = None, None, None
            self._draft, self.draft_base, self.draft_dirty, self.draft_saved_at = "", 0, False, None
            self.ignores = []
            self._load_draft()

    @property
    def working_path(self) -> Path:
        return self.store.working_path

    def _load_draft(self) -> None:
        """The working copy if there is one, else the latest version, else nothing.

        A drafts folder that cannot be read does not stop the incident from opening: the editor starts
        empty and :meth:`draft_warnings` says why.
        """
        from ..errors import DraftStoreError
        from ..store import WorkingCopy

        try:
            working = self.store.read_working()
            if working is not None:
                self._working = working
                self.draft, self.draft_base, self.working_hash = working.text, working.base, working.sha256
                self.ignores = _ignores(working.ignores)
                return
            latest = self.store.latest()
        except DraftStoreError as exc:
            self.store.warn(str(exc))
            return
        self.draft_base = latest.number if latest is not None else 0
        self.draft = latest.read_text() if latest is not None else ""
        self.ignores = _ignores(latest.ignores) if latest is not None else []
        # There was no working copy: one that appears before the first write is merged, not replaced.
        self._working = WorkingCopy(text=self._draft, base=self.draft_base, sha256="none")

    @property
    def draft(self) -> str:
        """The draft as it stands: the shared text's when an editor is bound to one."""
        return self.shared.text if self.shared is not None else self._draft

    @draft.setter
    def draft(self, text: str) -> None:
        """Replace the draft (a generation, a restore, a redaction: the author asked for it)."""
        if self.shared is not None:
            self.shared.set_text(text)
        else:
            self._draft = text

    def attach_shared(self, shared: SharedText) -> None:
        """Keep the draft in ``shared`` from now on (its text wins: it is what every editor shows)."""
        self.shared = shared

    def detach_shared(self) -> None:
        """Back to a plain string (the shared text's last state), before the shared text is closed."""
        if self.shared is not None:
            self._draft = self.shared.text
            self.shared = None

    @property
    def draft_is_shared(self) -> bool:
        """The draft is the server's shared document: the server writes ``working.md``, never this session."""
        return self.shared is not None and self.shared.live

    def set_draft(self, text: str) -> None:
        """The editor's text changed: keep it; it reaches the working copy at the next :meth:`flush`."""
        if text == self._draft and self.shared is None:
            return
        if self.shared is None:
            self._draft = text
        self.draft_dirty = True

    def save_working(self) -> None:
        """Save the working copy; never over someone else's change to it.

        With the draft in the server's shared document, the server writes ``working.md`` (a write from here
        would reload every open editor): only the base version is recorded. Otherwise the store writes it,
        merging whatever someone else saved there since this session read it (:attr:`last_draft_merge`).
        """
        import time

        with self._lock:
            if self.draft_is_shared:
                self.store.write_base(self.draft_base, ignores=[i.to_json() for i in self.ignores])
            else:
                self._write_working()
            self.draft_dirty = False
            self.draft_saved_at = time.time()
        for listener in self.on_draft_saved:
            listener()

    def _write_working(self) -> None:
        shared = self.shared
        if shared is not None:
            typed, snapshot = shared.snapshot()
        else:
            typed, snapshot = self._draft, b""
        ignores = [i.to_json() for i in self.ignores]
        written = self.store.write_working(typed, base=self.draft_base, ignores=ignores, loaded=self._working)
        self._working, self.working_hash = written, written.sha256
        if not written.merged:
            return
        self.last_draft_merge = written
        if shared is not None:
            shared.apply_edit(typed, written.text, snapshot)  # on top of anything typed meanwhile
        else:
            self._draft = written.text

    def reread_working(self) -> None:
        """The working copy on disk is the base of the next write (after the shared document was lost,
        the server's last save is what this session's text was last in step with)."""
        self._working = self.store.read_working() or self._working

    def sync_draft(self) -> bool:
        """Without a shared document: take in what someone else saved to ``working.md`` since (merged with
        anything typed here). Returns whether there was something to take in."""
        if self.draft_is_shared or self._working is None:
            return False
        current = self.store.read_working()
        if current is None or current.sha256 == self._working.sha256:
            return False
        self.save_working()
        return True

    def flush(self) -> None:
        """Save anything typed that is not in the working copy yet."""
        if self.draft_dirty:
            self.save_working()


def _ignores(data: list[dict[str, Any]]) -> list[Ignore]:
    """Ignored findings from a sidecar; one that no longer names a rule is dropped, not an error."""
    from ..errors import IgnoreError
    from ..review import Ignore

    out = []
    for item in data:
        try:
            out.append(Ignore.from_json(item))
        except IgnoreError:
            continue
    return out
