"""One incident being written: its file, its timeline inputs, the timeline, milestone edits and the draft.

This is everything the notebook workspace does, as plain Python with no widgets, so it can be tested
without a kernel and the widgets in :mod:`postmortem_widgets.ui` stay thin. Each input is imported on
its own, so one bad export shows its own error and the others still count. Uploads are written next to
the incident file (never kept in the notebook) and every change is saved to the incident file at once.

Logs and metrics are evidence: each input has a role (what the author says it is wins, under ``roles:``),
the impact window comes from the signal the author chose (``signal:``), and the window is accepted or
moved through the started and resolved milestones, like any milestone typed by hand. An import may run on
another thread (the workspace does so for large files): the state it changes is swapped in under a lock.

``Session`` is composed of one mixin per concern, each in its own module: ``session_saving`` (the incident
file's merge on save), ``session_inputs``, ``session_fields`` (the seed's fields), ``session_timeline`` (and
milestones), ``session_window`` (the impact window), ``session_draft`` (the working copy, the prompt),
``session_review``, ``session_versions`` and ``session_rounds`` (one section, the check-and-mend rounds).
Mixins, not helper objects, because the concerns share one state and one lock and call each other: the
methods moved unchanged. Each mixin declares the attributes it reads and, under ``TYPE_CHECKING``, the
other mixins' methods it calls, so mypy checks every call and each declaration against the method itself
where ``Session`` combines them. ``Session.__init__`` sets the whole state, in one place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .session_draft import DraftMixin
from .session_fields import FieldsMixin
from .session_inputs import UPLOADS, InputsMixin, InputStatus, safe_name
from .session_review import ReviewMixin
from .session_rounds import RoundsMixin
from .session_saving import SavingMixin
from .session_timeline import TimelineMixin
from .session_versions import Generated, VersionsMixin
from .session_window import Window, WindowMixin

if TYPE_CHECKING:
    from ..incident.merge import FieldConflict, IncidentMerge
    from ..incident.record import Incident
    from ..review import Ignore
    from ..store import DraftStore, DraftVersion, WorkingCopy
    from ..timeline.events import ImportResult
    from ..timeline.merge import Timeline
    from ..timeline.progress import Progress
    from .collab import SharedText


class Session(
    SavingMixin,
    InputsMixin,
    FieldsMixin,
    TimelineMixin,
    WindowMixin,
    DraftMixin,
    ReviewMixin,
    VersionsMixin,
    RoundsMixin,
):
    """The state of one incident in the workspace; every method saves what it changed."""

    def __init__(self, incident: Incident, path: Path, *, store: DraftStore | None = None) -> None:
        self.incident = incident
        self.path = Path(path)
        self.statuses: list[InputStatus] = []
        #: Told how far a long import has got (on the importing thread; see ``timeline.progress``).
        self.on_progress: list[Callable[[Progress], None]] = []
        self._results: dict[str, list[ImportResult]] = {}
        #: The inputs merged (kept while only milestones change), and with the analyst's milestones applied.
        self._merged: Timeline | None = None
        self._timeline: Timeline | None = None
        #: What was derived from ``_derived_from`` (the timeline): name -> (the values it read, result).
        self._derived_from: Timeline | None = None
        self._derived: dict[str, tuple[tuple[object, ...], Any]] = {}
        self._lock = threading.RLock()
        self._store = store
        #: The latest version when the check-and-mend rounds began (see :meth:`accept_rounds`).
        self._rounds_base: int | None = None
        self._kept_before: DraftVersion | None = None
        #: Who the draft is written for: ``customer`` (``drafts/``) or ``internal`` (``drafts/internal/``, the
        #: engineering team's version); see :meth:`set_audience`.
        self.audience = "customer"
        self._stores: dict[str, DraftStore] = {}
        #: The incident as this session last read or wrote it (the base of the merge on save), the hash of
        #: the file's bytes then, and its (mtime, size) for a cheap "did anyone save since?".
        self._base: Incident | None = None
        self._disk_hash: str | None = None
        self._disk_stat: tuple[int, int] | None = None
        self._remember_disk()
        #: Keys (``root_cause``, ``milestones.mitigated``) both this form and someone else changed: the file
        #: holds theirs; each conflict keeps both values until the author chooses.
        self.conflicts: dict[str, FieldConflict] = {}
        #: Called after a save or :meth:`sync` took in someone else's changes (or found a conflict).
        self.on_merged: list[Callable[[IncidentMerge], None]] = []
        #: The draft (see :attr:`draft`), and the version it was edited from (0: no version existed).
        self._draft = ""
        #: Where the draft lives when an editor is bound to it: a shared text, local or joined to the room
        #: that jupyter-collaboration keeps for ``drafts/working.md`` (see :meth:`attach_shared`).
        self.shared: SharedText | None = None
        #: The working copy as this session last read or wrote it (a write merges what changed since).
        self._working: WorkingCopy | None = None
        #: The last write of the working copy that found someone else's change and merged it.
        self.last_draft_merge: WorkingCopy | None = None
        self.draft_base = 0
        #: Typed text not yet in the working copy (the editor saves it after a pause, or :meth:`flush`).
        self.draft_dirty = False
        self.draft_saved_at: float | None = None
        #: The hash of the working copy as this session last read or wrote it.
        self.working_hash: str | None = None
        #: Called after each save of the working copy (the editor shows when it was saved).
        self.on_draft_saved: list[Callable[[], None]] = []
        #: Review findings the author set aside, each with a reason; saved with the working copy and then
        #: with each version.
        self.ignores: list[Ignore] = []
        self._load_draft()

    # -- the incident file ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, **options: Any) -> Session:
        """Open an incident file, or start a new one there when it does not exist yet."""
        from ..incident.record import Incident, load_incident

        path = Path(path).expanduser()
        if path.exists():
            session = cls(load_incident(path), path, **options)
        else:
            if path.suffix.lower() not in (".yaml", ".yml"):
                raise InputError("an incident file ends in .yaml", file=str(path), hint="e.g. incident.yaml")
            session = cls(Incident(base_dir=path.resolve().parent, source=str(path)), path, **options)
            session.save()
        session.reload()
        return session

    @property
    def folder(self) -> Path:
        return self.path.parent


__all__ = ["UPLOADS", "Generated", "InputStatus", "Session", "Window", "safe_name"]
