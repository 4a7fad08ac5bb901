"""One incident being written: its file, its timeline inputs, the timeline, milestone edits and the draft.

This is everything the notebook workspace does, as plain Python with no widgets, so it can be tested
without a kernel and the widgets in :mod:`postmortem_widgets.ui` stay thin. Each input is imported on
its own, so one bad export shows its own error and the others still count. Uploads are written next to
the incident file (never kept in the notebook) and every change is saved to the incident file at once.

Logs and metrics are evidence: each input has a role (what the author says it is wins, under ``roles:``),
the impact window comes from the signal the author chose (``signal:``), and the window is accepted or
moved through the started and resolved milestones, like any milestone typed by hand. An import may run on
another thread (the workspace does so for large files): the state it changes is swapped in under a lock.
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .._fs import atomic_write_bytes, atomic_write_text, locked
from ..errors import InputError, MilestoneError, PostmortemError

if TYPE_CHECKING:
    import pandas as pd

    from ..incident.merge import FieldConflict, IncidentMerge
    from ..incident.record import Incident
    from ..review import Finding, Ignore, Redaction, Review
    from ..revision import Budget, Round, Rounds
    from ..sections import Section
    from ..store import DraftStore, DraftVersion, WorkingCopy
    from ..timeline.events import ImportResult
    from ..timeline.merge import Timeline
    from ..timeline.milestones import Placed
    from ..timeline.progress import Progress
    from ..timeline.sources import Source
    from ..timeline.telemetry.model import Impact, Series
    from ..writing.drafters.base import Drafter, DraftStream, Outcome
    from ..writing.prompt import Prompt
    from .collab import SharedText

T = TypeVar("T")

#: Folder, next to the incident file, that uploads are written to.
UPLOADS = "uploads"
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass
class InputStatus:
    """How one timeline input read: what we tell the author beside its name."""

    name: str
    format: str = ""
    events: int = 0
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    #: ``file`` (listed in the incident file), ``failed`` (shown, not kept) or ``field`` (the typed
    #: response timeline, used when no export is listed).
    origin: str = "file"
    #: What the input is (``log``, ``metric``, ...; several joined by ", " for a zip of mixed exports).
    role: str = ""
    #: How many series it gave (a log's per-bin signals, a metric export's columns).
    series: int = 0
    #: Rows read from its logs (``None`` when it holds no log).
    rows: int | None = None
    #: The incidents of an export that holds several, newest first: (label, id); empty for one.
    incidents: list[tuple[str, str]] = field(default_factory=list)
    #: The id of the one kept (see :meth:`Session.set_incident`).
    incident: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Window:
    """The impact window as the workspace shows it (see :meth:`Session.window`)."""

    #: The window the signal shows, or ``None`` (no series, no clear change, or set aside).
    impact: Impact | None
    #: Where it begins and ends now: the analyst's started / resolved when set, else the signal's.
    began: pd.Timestamp | None
    ended: pd.Timestamp | None
    #: The ends the analyst set: ``started``, ``resolved``, both or none.
    moved: tuple[str, ...] = ()


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


def safe_name(name: str) -> str:
    """An upload's file name, stripped of folders and odd characters.

    >>> safe_name("../../etc/pass wd?.json")
    'pass wd_.json'
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = _UNSAFE.sub("_", base).lstrip(".")
    return cleaned or "upload"


class Session:
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

    # -- saving: a three-way merge onto the file as it is now ------------------------------------------

    def _read_disk(self) -> tuple[Incident | None, str | None]:
        """The incident file as it is now, and the hash of its bytes (``None, None``: no file)."""
        import hashlib

        from ..incident.record import parse_incident

        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None, None
        theirs = parse_incident(data, name=str(self.path))
        theirs.base_dir = self.path.resolve().parent
        return theirs, hashlib.sha256(data).hexdigest()

    def _write(self, incident: Incident, disk_hash: str | None) -> None:
        """Write ``incident`` (unless the file already says exactly that) and make it the merge base."""
        import hashlib

        from ..incident.merge import snapshot
        from ..incident.record import dump_incident

        text = dump_incident(incident)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest != disk_hash:
            atomic_write_text(self.path, text)
        self._base, self._disk_hash = snapshot(incident), digest
        self._disk_stat = self._stat()

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def save(self) -> IncidentMerge | None:
        """Write the incident file: only what this form changed, merged onto the file as it is now.

        When someone else saved it since this session read it, their changes are kept and taken in (see
        :func:`~postmortem_widgets.incident.merge.merge_incidents`); a key both changed keeps theirs in the
        file and is listed in :attr:`conflicts` with both values. Returns the merge, or ``None`` when the
        file had not changed.
        """
        from ..incident.merge import merge_incidents

        with self._lock, locked(self.path):
            theirs, disk_hash = self._read_disk()
            merge = None
            if theirs is not None and disk_hash != self._disk_hash and self._base is not None:
                merge = merge_incidents(self._base, self.incident, theirs)
                self.incident = merge.incident
            self._write(self.incident, disk_hash)
        if merge is not None:
            self._took_in(merge)
        return merge

    def sync(self) -> IncidentMerge | None:
        """Take in what someone else saved to the incident file since (a ``stat`` when nothing changed)."""
        if self._stat() == self._disk_stat:
            return None
        return self.save()

    def _took_in(self, merge: IncidentMerge) -> None:
        """After a merge: record its conflicts, re-read what the others' changes touch, tell the listeners."""
        for key in merge.mine:
            self.conflicts.pop(key, None)
        for conflict in merge.conflicts:
            self.conflicts[conflict.key] = conflict
        taken = set(merge.theirs) | {c.key for c in merge.conflicts}
        if taken & {"timeline", "timezone", "incident_date", "window"} or any(
            k.startswith(("roles.", "incidents.")) for k in taken
        ):
            self.reload()  # the inputs are read differently now
        elif any(k in ("response_timeline", "signal") or k.startswith("milestones.") for k in taken):
            self._inputs_changed()
        if merge.changed_by_others:
            for listener in self.on_merged:
                listener(merge)

    def resolve_conflict(self, key: str, *, keep: str) -> None:
        """Settle a conflict: ``"theirs"`` leaves the file as it is; ``"mine"`` writes this form's value."""
        conflict = self.conflicts.pop(key, None)
        if conflict is None or keep == "theirs":
            return
        if keep != "mine":
            raise InputError(f"keep must be 'mine' or 'theirs', not {keep!r}")
        from ..incident.merge import MAPS

        mapping, _, entry = key.partition(".")
        if entry and mapping in MAPS:
            self._keep_entry(mapping, entry, conflict.mine)
        elif key == "timezone":
            self.set_timezone(conflict.mine)
        elif key == "window":
            self.set_window(conflict.mine)
        else:
            self.set_field(key, conflict.mine)

    def _keep_entry(self, mapping: str, entry: str, mine: str) -> None:
        """Write this form's value of one entry of a map (an empty one: the entry removed)."""
        values: dict[str, Any] = getattr(self.incident, mapping)
        if mine:
            values[entry] = int(mine) if mapping == "budget" else mine
        else:
            values.pop(entry, None)
        self._timeline = None
        self.save()
        if mapping in ("roles", "incidents"):
            self.reload()

    def _remember_disk(self) -> None:
        """The incident as loaded is the merge base, when the file still says the same."""
        import hashlib

        from ..incident.merge import snapshot
        from ..incident.record import parse_incident

        try:
            data = self.path.read_bytes()
        except OSError:
            return
        self._base = snapshot(self.incident)
        self._disk_stat = self._stat()
        # The bytes may differ from a fresh dump (comments, quoting): hash what is on disk, so the first
        # save knows the file is unchanged; compare the values to make sure it is what was loaded.
        self._disk_hash = hashlib.sha256(data).hexdigest()
        try:
            if parse_incident(data, name=str(self.path)) != self.incident:
                self._disk_hash = None  # changed between the load and now: merge on the first save
        except PostmortemError:
            self._disk_hash = None

    # -- inputs -----------------------------------------------------------------------------------------

    def _read(
        self, name: str, sources: list[Source], role: str | None, incident: str | None = None
    ) -> tuple[list[ImportResult], InputStatus]:
        """Import one input's sources, each as ``role`` when one is given, kept to the ``incident`` chosen
        (else the file's ``incidents:``) and the ``window:``; raises what the import raises."""
        from ..incident.timeline import readable_date, window_of, with_role
        from ..timeline.merge import import_sources
        from ..timeline.telemetry.model import LOG

        chosen = incident or self.incident.incidents.get(name)
        results = import_sources(
            sources,
            tz=self.incident.timezone or None,
            date=readable_date(self.incident.incident_date),
            roles=with_role(sources, role),
            progress=self._progress,
            incident=[chosen] if chosen else [],
            window=window_of(self.incident),
        )
        several = next((r for r in results if r.incident is not None), None)
        logs = [r.rows or 0 for r in results if r.role == LOG]
        status = InputStatus(
            name=name,
            format=", ".join(sorted({r.format for r in results})),
            events=sum(r.count for r in results),
            warnings=[w for r in results for w in r.warnings],
            role=", ".join(sorted({r.role for r in results})),
            series=sum(len(r.series) for r in results),
            rows=sum(logs) if logs else None,
            incidents=[(i.describe(), i.id) for i in several.incidents] if several else [],
            incident=several.incident.id if several and several.incident else "",
        )
        if not results:
            status.error = f"{name}: nothing to import in this folder"
        return results, status

    def _import(
        self, name: str, sources: list[Source], role: str | None = None
    ) -> tuple[list[ImportResult], InputStatus]:
        try:
            return self._read(name, sources, role)
        except PostmortemError as exc:
            return [], InputStatus(name=name, error=str(exc))

    def _sources(self, name: str) -> list[Source]:
        from ..timeline.sources import expand_paths

        return list(expand_paths([self.folder / name]))

    def _import_listed(self, name: str) -> tuple[list[ImportResult], InputStatus]:
        try:
            sources = self._sources(name)
        except PostmortemError as exc:
            return [], InputStatus(name=name, error=str(exc))
        return self._import(name, sources, self.incident.roles.get(name))

    def _progress(self, progress: Progress) -> None:
        for listener in self.on_progress:
            listener(progress)

    def input_size(self, name: str) -> int:
        """Bytes on disk of a listed input (a folder's files added up); 0 when it is not there."""
        path = self.folder / name
        if path.is_dir():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return path.stat().st_size if path.is_file() else 0

    def reload(self) -> None:
        """Import every listed input again (after a zone or date change, or on opening)."""
        fresh = [(name, *self._import_listed(name)) for name in self.incident.timeline]
        with self._lock:
            self._results = {name: results for name, results, _ in fresh}
            self.statuses = [s for s in self.statuses if s.origin == "failed"] + [s for _, _, s in fresh]
            self._inputs_changed()

    def add_upload(self, name: str, data: bytes) -> InputStatus:
        """Import an upload; if it reads, keep it in ``uploads/`` next to the incident and list it."""
        from ..timeline.sources import source_from_bytes

        filename = safe_name(name)
        data = bytes(data)
        try:
            sources = source_from_bytes(data, name=filename)
        except PostmortemError as exc:
            return self._remember(InputStatus(name=filename, error=str(exc), origin="failed"))
        results, status = self._import(filename, sources)
        if not status.ok:
            status.origin = "failed"
            return self._remember(status)
        target = self._free_upload_path(filename, data)
        if not target.exists():
            atomic_write_bytes(target, data)
        relative = target.relative_to(self.folder).as_posix()
        status.name = relative
        return self._list(relative, results, status)

    def add_path(self, text: str) -> InputStatus:
        """List a file, folder or zip already on disk (relative to the incident file, or absolute)."""
        raw = text.strip().strip("'\"")
        if not raw:
            raise InputError("type the path of an export first", hint="e.g. exports/pagerduty.json")
        path = Path(raw).expanduser()
        absolute = path if path.is_absolute() else self.folder / path
        if not absolute.exists():
            cwd_path = Path.cwd() / path
            if not path.is_absolute() and cwd_path.exists():
                absolute = cwd_path
            else:
                raise InputError(
                    "no such file or folder", file=raw, hint=f"paths are read from {self.folder}"
                )
        name = os.path.relpath(absolute.resolve(), self.folder.resolve()).replace(os.sep, "/")
        results, status = self._import_listed(name)
        if not status.ok:
            status.origin = "failed"
            return self._remember(status)
        return self._list(name, results, status)

    def load_sample(self, path: Path) -> InputStatus:
        """Import a sample export (a file or a folder), all or nothing.

        A sample's pasted timeline needs its zone and date: when this incident has neither, the sample's
        (from the ``incident.yaml`` beside it) are used, but kept only if the import succeeds; a failed
        sample leaves the incident exactly as it was.
        """
        from ..incident.record import load_incident

        own = self.incident
        before = (own.incident_date, own.timezone)
        sample_file = path.parent / "incident.yaml"
        adopt = not own.incident_date and own.timezone in ("", "UTC") and sample_file.is_file()
        if adopt:
            sample = load_incident(sample_file)
            own.incident_date, own.timezone = sample.incident_date, sample.timezone or "UTC"
        try:
            if path.is_dir():
                status = self.add_path(str(path))
            else:
                status = self.add_upload(path.name, path.read_bytes())
        except (PostmortemError, OSError):
            own.incident_date, own.timezone = before
            raise
        if not status.ok:
            own.incident_date, own.timezone = before
        elif adopt:
            self.save()
            self.reload()
        return status

    def _free_upload_path(self, filename: str, data: bytes) -> Path:
        """``uploads/NAME``; the same name with other content gets ``NAME-2``; identical content is reused."""
        folder = self.folder / UPLOADS
        stem, dot, suffix = filename.rpartition(".")
        if not dot:
            stem, suffix = filename, ""
        for n in range(1, 1000):
            candidate = folder / (filename if n == 1 else f"{stem}-{n}{dot}{suffix}")
            if not candidate.exists() or candidate.read_bytes() == data:
                return candidate
        raise InputError("too many uploads with this name", file=filename, hint="rename the file")

    def _remember(self, status: InputStatus) -> InputStatus:
        with self._lock:
            if any(s.name == status.name for s in self.statuses):  # read again: it keeps its place
                self.statuses = [status if s.name == status.name else s for s in self.statuses]
            else:
                self.statuses = [*self.statuses, status]
        return status

    def _list(self, name: str, results: list[ImportResult], status: InputStatus) -> InputStatus:
        with self._lock:
            if name not in self.incident.timeline:
                self.incident.timeline.append(name)
            self._results[name] = results
            self._remember(status)
            self._inputs_changed()
            self.save()
        return status

    def remove_input(self, name: str) -> None:
        """Stop using an input (the file itself is left alone), and forget its role and signal."""
        with self._lock:
            if name in self.incident.timeline:
                self.incident.timeline.remove(name)
                self.incident.roles.pop(name, None)
                self.incident.incidents.pop(name, None)
                if self.incident.signal is not None and self.incident.signal.input == name:
                    self.incident.signal = None
                self.save()
            self._results.pop(name, None)
            self.statuses = [s for s in self.statuses if s.name != name]
            self._inputs_changed()

    def set_role(self, name: str, role: str) -> InputStatus:
        """Say what a listed input is (``log``, ``metric``, ...): it is read again as that, and the role is
        kept under ``roles:``. A role it cannot be read as raises, and changes nothing."""
        from ..timeline.telemetry.model import ROLES

        if role not in ROLES:
            raise InputError(f"unknown role {role!r}", hint=f"choose one of: {', '.join(ROLES)}")
        if name not in self.incident.timeline:
            raise InputError(f"{name} is not one of this incident's inputs", hint="add it on the Import step")
        results, status = self._read(name, self._sources(name), role)
        if not status.ok:
            raise InputError(status.error)
        with self._lock:
            self.incident.roles[name] = role
            return self._list(name, results, status)

    def set_incident(self, name: str, incident: str) -> InputStatus:
        """Keep another of the incidents a listed export holds (its id): the export is read again and the
        choice kept under ``incidents:``. An id the export does not hold raises, and changes nothing."""
        if name not in self.incident.timeline:
            raise InputError(f"{name} is not one of this incident's inputs", hint="add it on the Import step")
        results, status = self._read(name, self._sources(name), self.incident.roles.get(name), incident)
        if not status.ok:
            raise InputError(status.error)
        with self._lock:
            self.incident.incidents[name] = incident
            return self._list(name, results, status)

    def set_window(self, text: str) -> None:
        """Keep only the events inside ``START..END`` (ISO times, or clock times on the incident date) and
        save it as ``window:``; empty keeps every event. A window that cannot be read raises, and changes
        nothing. Every input is read again."""
        from ..incident.timeline import window_of

        text = text.strip()
        if text == self.incident.window:
            return
        if text:
            try:
                window_of(self.incident, given=text)
            except InputError as exc:
                hint = (exc.hint or "").replace("pass --date YYYY-MM-DD", "set the incident date")
                raise InputError(exc.message.replace("--window ", "window "), hint=hint or None) from None
        self.incident.window = text
        self.save()
        self.reload()

    def _inputs_changed(self) -> None:
        """Merge the inputs again (and so apply the milestones again) when the timeline is next read."""
        self._merged = self._timeline = None

    def set_timezone(self, tz: str) -> None:
        """The zone naive times are read in and times are shown in; re-imports every input."""
        from ..timeline.timeparse import resolve_zone

        key = resolve_zone(tz).key
        if key == self.incident.timezone:
            return
        self.incident.timezone = key
        self.save()
        self.reload()

    def set_date(self, text: str) -> None:
        """The incident's date, used by pasted timelines of bare clock times; re-imports every input."""
        self.set_field("incident_date", text.strip())

    # -- the seed's fields --------------------------------------------------------------------------------

    def _values(self) -> tuple[object, ...]:
        """The incident's values that what is derived from it reads (besides the timeline)."""
        from ..incident.record import FIELDS

        incident = self.incident
        fields = (getattr(incident, name) for name in FIELDS)
        return (
            *fields,
            incident.timezone,
            tuple(incident.responders),
            incident.company,
            tuple(incident.allow),
            incident.filled,
        )

    def _cached(self, name: str, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """``make()``, computed again only when the timeline is rebuilt or ``key`` changes."""
        timeline = self.timeline
        if self._derived_from is not timeline:
            self._derived_from, self._derived = timeline, {}
        hit = self._derived.get(name)
        if hit is None or hit[0] != key:
            hit = self._derived[name] = (key, make())
        return hit[1]

    def filled(self) -> Incident:
        """The incident with every empty field the timeline can derive filled in (see ``fill_incident``)."""
        from ..incident.fill import fill_incident

        return self._cached("filled", self._values(), lambda: fill_incident(self.incident, self.timeline))

    def set_field(self, name: str, value: str) -> bool:
        """Set one of the seed's fields and save. Returns whether the timeline has to be read again."""
        from ..incident.record import FIELDS

        if name not in FIELDS:
            raise InputError(f"unknown field {name!r}", hint=f"choose one of: {', '.join(FIELDS)}")
        if getattr(self.incident, name) == value:
            return False
        setattr(self.incident, name, value)
        self.incident.filled = self.incident.filled - {name}
        self.save()
        if name == "incident_date" and self.incident.timeline:
            self.reload()
            return True
        if name in ("incident_date", "response_timeline") and not self.incident.timeline:
            self._inputs_changed()
            return True
        return False

    # -- timeline and milestones ---------------------------------------------------------------------------

    @property
    def timeline(self) -> Timeline:
        """The merged timeline of every input that read, with the analyst's milestones applied.

        With no export listed, the typed response timeline is read instead (as ``postmortem timeline`` does).
        """
        with self._lock:
            if self._timeline is None:
                from ..incident.timeline import overrides_of

                overrides, detected_by = overrides_of(self.incident)
                self._timeline = self._merged_inputs().with_overrides(overrides, detected_by=detected_by)
            return self._timeline

    def _with_signal(self, results: list[ImportResult], *, strict: bool) -> Timeline:
        """The inputs merged, the impact window from the incident's ``signal:``.

        A signal no input has any more (its input was read with another role) is not fatal unless
        ``strict``: the clearest signal stands in, with a warning.
        """
        from ..incident.timeline import signal_of
        from ..timeline.merge import build_timeline

        zone = self.incident.timezone or "UTC"
        try:
            return build_timeline(results, signal=signal_of(self.incident, self._results), tz=zone)
        except PostmortemError as exc:
            if strict:
                raise
            timeline = build_timeline(results, tz=zone)
            timeline.merge_warnings.append(f"signal: {exc.message}; the clearest signal is used instead")
            return timeline

    def _merged_inputs(self, *, strict: bool = False) -> Timeline:
        """The inputs merged, before the analyst's milestones: a milestone edit does not merge them again."""
        if self._merged is None:
            from ..incident.timeline import incident_timeline
            from ..timeline.merge import build_timeline

            self.statuses = [s for s in self.statuses if s.origin != "field"]
            if self.incident.timeline or not self.incident.response_timeline.strip():
                results = [r for name in self.incident.timeline for r in self._results.get(name, [])]
                self._merged = self._with_signal(results, strict=strict)
            else:
                name = "response timeline (typed in Details)"
                try:
                    self._merged = incident_timeline(dataclasses.replace(self.incident, milestones={}))
                    count = len(self._merged.events)
                    self.statuses.append(InputStatus(name=name, format="text", events=count, origin="field"))
                except PostmortemError as exc:
                    self.statuses.append(InputStatus(name=name, error=str(exc), origin="field"))
                    self._merged = build_timeline([])
        return self._merged

    def _day(self) -> Date | None:
        from ..timeline.timeparse import resolve_zone

        m = self.timeline.milestones
        anchor = m.started or m.detected or m.resolved
        if anchor is None:
            return None
        return anchor.tz_convert(resolve_zone(self.incident.timezone or "UTC")).date()

    def set_milestone(self, name: str, value: str | pd.Timestamp | None) -> Placed | None:
        """Set a milestone by hand: a time, a typed clock time, or ``None``/``""`` to go back to the rule.

        The time is checked against the other milestones (mitigated before started is refused, with the
        reason) and a clock time is placed on the day that fits the incident: the result says which.
        """
        from ..timeline.milestones import NAMES, Placed, iso_utc, order_problems, place_milestone

        if name not in NAMES:
            raise MilestoneError(f"unknown milestone {name!r}", hint=f"choose one of: {', '.join(NAMES)}")
        placed: Placed | None = None
        if value is None or (isinstance(value, str) and not value.strip()):
            self.incident.milestones.pop(name, None)
        else:
            tz = self.incident.timezone or "UTC"
            current = self.timeline.milestones.as_dict()
            if isinstance(value, str):
                placed = place_milestone(name, value, current, tz=tz, day=self._day())
            else:
                placed = Placed(value.tz_convert("UTC"))
                problems = order_problems({**current, name: placed.time}, only=name, tz=tz)
                if problems:
                    raise MilestoneError(
                        f"{name} cannot be set there: {problems[0]}", hint="pick another event"
                    )
            self.incident.milestones[name] = iso_utc(placed.time) or ""
        self._timeline = None
        self.save()
        return placed

    def reset_milestones(self) -> None:
        """Every milestone (and who detected it) back to the rules, in one save."""
        self.incident.milestones.clear()
        self._timeline = None
        self.save()

    def set_detected_by(self, value: str | None) -> None:
        """Who noticed first (``customer``/``monitoring``/``unknown``), or ``None`` to go back to the rule."""
        from ..timeline.milestones import DETECTED_BY

        if value and value not in DETECTED_BY:
            raise MilestoneError(f"detected by must be one of {', '.join(DETECTED_BY)}, not {value!r}")
        if value:
            self.incident.milestones["detected_by"] = value
        else:
            self.incident.milestones.pop("detected_by", None)
        self._timeline = None
        self.save()

    # -- the impact window --------------------------------------------------------------------------------

    def input_of(self, source: str) -> str:
        """The listed input (as under ``timeline:``) whose import gave the series or events of ``source``."""
        for name, results in self._results.items():
            if any(r.file == source or any(s.source == source for s in r.series) for r in results):
                return name
        return source

    def set_signal(self, name: str | None, input: str | None = None) -> Impact | None:
        """Take the impact window from the series ``name`` of the listed ``input`` (``None``: the clearest
        signal; ``"none"``: no window). Kept under ``signal:``; returns the window now found.

        An unknown series raises (naming the series there are) and changes nothing.
        """
        from ..incident.record import Signal
        from ..timeline.merge import NO_SIGNAL

        chosen = None if name is None else Signal(name, "" if name == NO_SIGNAL else (input or ""))
        if chosen is not None and chosen.input:
            names = sorted({s.name for r in self._results.get(chosen.input, []) for s in r.series})
            if chosen.name not in names:
                raise InputError(
                    f"{chosen.input} has no series called {chosen.name!r}",
                    hint=f"choose one of: {', '.join(names)}, or none" if names else "it has no series",
                )
        with self._lock:
            before = self.incident.signal
            self.incident.signal = chosen
            self._inputs_changed()
            try:
                self._merged_inputs(strict=True)
            except PostmortemError:
                self.incident.signal = before
                self._inputs_changed()
                raise
            self.save()
            return self.timeline.impact

    def lane(self) -> Series | None:
        """The series the impact window is read from (or the one the author chose, when it shows no clear
        change), for the chart's impact lane; ``None`` without one."""
        timeline = self.timeline
        impact, signal = timeline.impact, self.incident.signal
        for series in timeline.series:
            if impact is not None and (series.name, series.source) == (impact.signal, impact.source):
                return series
        if impact is None and signal is not None:
            mine = [s for s in timeline.series if s.name == signal.name]
            mine = [s for s in mine if not signal.input or self.input_of(s.source) == signal.input] or mine
            return mine[0] if mine else None
        return None

    def window(self) -> Window:
        """The impact window as it stands: where the analyst moved it (their started and resolved), else
        where the signal shows it."""
        import pandas as pd

        impact = self.timeline.impact
        milestones = self.timeline.milestones
        moved = tuple(n for n in ("started", "resolved") if n in self.incident.milestones)
        found = (None, None) if impact is None else (impact.began, impact.ended)
        began, ended = (None if ns is None else pd.Timestamp(ns, tz="UTC") for ns in found)
        return Window(
            impact=impact,
            began=milestones.started if "started" in moved else began,
            ended=milestones.resolved if "resolved" in moved else ended,
            moved=moved,
        )

    def accept_window(self) -> dict[str, pd.Timestamp]:
        """Set started (and resolved, once the signal came back) to the impact window's ends, as the
        analyst's milestones. Returns what was set; raises when there is no window."""
        import pandas as pd

        impact = self.timeline.impact
        if impact is None:
            raise InputError(
                "there is no impact window to accept",
                hint="choose a signal with a clear change, or type the times",
            )
        ends = {"started": impact.began, "resolved": impact.ended}
        chosen = {name: pd.Timestamp(ns, tz="UTC") for name, ns in ends.items() if ns is not None}
        for name, value in chosen.items():
            self.set_milestone(name, value)
        return chosen

    def move_window(
        self, *, began: str | pd.Timestamp | None = None, ended: str | pd.Timestamp | None = None
    ) -> None:
        """Move the window's beginning and/or end: the started and resolved milestones, set and checked as
        a typed milestone is (``""`` gives that end back to the rules; ``None`` leaves it)."""
        if began is not None:
            self.set_milestone("started", began)
        if ended is not None:
            self.set_milestone("resolved", ended)

    # -- the prompt and the draft --------------------------------------------------------------------------

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

    def versions(self) -> list[DraftVersion]:
        """The saved versions that can be read; :meth:`draft_warnings` names the entries skipped."""
        return self.store.versions()

    def draft_warnings(self) -> list[str]:
        """One line per damaged entry of the drafts folder found by the last listing, for the workspace."""
        return list(self.store.warnings)

    def review(self) -> Review:
        """The reviewer's verdict on the draft as it stands (checked again only when the draft, the
        timeline or the incident changed: saving a version, the Review step and exports share one)."""
        from ..review import check_draft

        def check() -> Review:
            roster = tuple(self.incident.responders)
            return check_draft(
                self.draft,
                self.filled(),
                self.timeline,
                roster=roster,
                ignore=self.ignores,
                audience=self.audience,
            )

        return self._cached(
            "review", (self.draft, self.audience, tuple(self.ignores), *self._values()), check
        )

    @property
    def has_impact(self) -> bool:
        """Whether the timeline has an impact window, so the report can show the impact figure."""
        return self.timeline.impact is not None

    def export_draft(self, path: Path, to: str, *, force: bool = False, figure: bool = True) -> Path:
        """Write the draft as ``to`` at ``path`` through the export gate, judged by :meth:`review` (the
        verdict the Review step showed, not checked again); ``figure=False`` leaves the impact figure and
        its line of evidence out, as ``postmortem export --no-figure`` does."""
        from ..export import write_report

        return write_report(
            path,
            self.draft,
            self.filled(),
            to=to,
            timeline=self.timeline,
            review=self.review(),
            force=force,
            figure=figure,
            audience=self.audience,
        )

    def ignore_finding(self, finding: Finding, reason: str) -> Ignore:
        """Set a finding aside, with the author's reason (required); kept with the draft and its versions."""
        from ..errors import IgnoreError
        from ..review import Ignore

        if not reason.strip():
            raise IgnoreError(
                f"say why line {finding.line}'s {finding.rule} finding can be ignored",
                hint="a reason travels with the draft, so a reviewer sees why it was let through",
            )
        ignore = Ignore(finding.rule, finding.line, " ".join(reason.split())).pinned(self.draft.split("\n"))
        self.ignores = [*self.ignores, ignore]
        self.save_working()
        return ignore

    def unignore(self, ignore: Ignore) -> None:
        """Bring an ignored finding back into the review."""
        self.ignores = [i for i in self.ignores if i != ignore]
        self.save_working()

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

    # -- one section, and the check-and-mend rounds --------------------------------------------------------

    def section_stream(
        self, drafter: Drafter, name: str, prompt: Prompt | None = None
    ) -> tuple[DraftStream, Section]:
        """A drafter's new text for one section of the draft (its key or heading), streamed; finish it with
        :meth:`accept_section`."""
        from ..sections import section_named
        from ..writing.redraft import section_stream

        section = section_named(name)
        prompt = prompt or self.prompt()
        return section_stream(drafter, self.incident, self.timeline, prompt, self.draft, section), section

    def accept_section(self, outcome: Outcome, section: Section, **meta: Any) -> Generated:
        """Put a redrafted section into the draft as it stands now (every other byte kept), saved as a
        version; an unfinished one is kept aside, like any generation."""
        from ..writing.drafters.base import Outcome as Made
        from ..writing.redraft import splice_section

        if outcome.accepted:
            outcome = Made(outcome.kind, splice_section(self.draft, section, outcome.text))
        return self.accept_generation(outcome, note=f"redrafted {section.heading}", **meta)

    def rounds(
        self,
        drafter: Drafter,
        *,
        budget: Budget | None = None,
        warn_rules: frozenset[str] = frozenset(),
        on_round: Callable[[Round], None] | None = None,
        prompt: Prompt | None = None,
    ) -> Rounds:
        """The check-and-mend rounds for a model draft, checked as :meth:`review` checks (with the author's
        ignores); every round is saved as a version. The editor's text is kept as a version first, so the
        rounds' versions go on top of it; finish with :meth:`accept_rounds`."""
        from ..review import check_draft
        from ..revision import Rounds, budget_for

        self._kept_before = self.keep_draft("kept before a generated draft replaced it")
        prompt = prompt or self.prompt()
        incident, timeline = self.filled(), self.timeline
        roster, ignores = tuple(self.incident.responders), list(self.ignores)

        latest = self.store.latest()
        self._rounds_base = latest.number if latest is not None else 0
        return Rounds(
            drafter,
            self.incident,
            timeline,
            prompt,
            check=lambda text: check_draft(text, incident, timeline, roster=roster, ignore=ignores),
            budget=budget or budget_for(self.incident),
            warn_rules=warn_rules,
            store=self.store,
            meta={
                "drafter": drafter.name,
                "model": getattr(drafter, "model", None),
                "prompt_hash": prompt.digest,
            },
            on_round=on_round,
        )

    def accept_rounds(self, rounds: Rounds) -> Generated:
        """The best draft of the rounds into the editor (the latest version holds it); when no round was
        complete, the editor's text stays and the output is a version beside it."""
        seen_all = self._rounds_base == self.draft_base
        latest = self.store.latest()
        if seen_all and latest is not None:
            self.draft_base = latest.number  # the rounds saved on top of what this session had seen
        outcome = rounds.outcome()
        aside = rounds.rounds[-1].version if rounds.rounds else None
        if not outcome.accepted:
            self.save_working()
            return Generated(outcome=outcome, aside=aside, kept=self._kept_before)
        best = rounds.best
        assert best is not None
        self.draft = best.text
        self.save_working()
        meta = rounds.meta
        version = self.save_version(note=f"kept round {best.number}", review=best.review, **meta)
        return Generated(outcome=outcome, version=version, kept=self._kept_before)

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

    def redact_draft(self) -> tuple[Redaction, DraftVersion | None]:
        """Take internal details (people, hosts, tickets) out of the draft; a change is saved as a version."""
        from ..review import people_names, redact
        from ..review.context import incident_vocabulary

        names = people_names(self.incident.responders, self.timeline, ())
        keep = [n for n in (self.incident.product_name, self.incident.company) if n.strip()]
        result = redact(
            self.draft, roster=names, keep=keep, exclude=sorted(incident_vocabulary(self.incident))
        )
        if result.text == self.draft:
            return result, None
        self.draft = result.text
        return result, self.save_version(note=f"redacted {len(result.changes)} internal detail(s)")

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


__all__ = ["UPLOADS", "Generated", "InputStatus", "Session", "Window", "safe_name"]
