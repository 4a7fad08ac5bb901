"""The timeline's inputs: each export imported on its own, uploads kept next to the incident file.

A mixin of :class:`~postmortem_widgets.app.session.Session` (its docstring says why mixins). An
input that fails shows its own error and the others still count; zone, date and ``window:`` changes read
every input again.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .._fs import atomic_write_bytes
from ..errors import InputError, PostmortemError

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    from ..incident.merge import IncidentMerge
    from ..incident.record import Incident
    from ..timeline.events import ImportResult
    from ..timeline.merge import Timeline
    from ..timeline.progress import Progress
    from ..timeline.sources import Source

__all__ = ["UPLOADS", "InputStatus", "InputsMixin", "safe_name"]

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


def safe_name(name: str) -> str:
    """An upload's file name, stripped of folders and odd characters.

    >>> safe_name("../../etc/pass wd?.json")
    'pass wd_.json'
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = _UNSAFE.sub("_", base).lstrip(".")
    return cleaned or "upload"


class InputsMixin:
    """Listing, reading and removing inputs; their roles, incidents, zone, date and window."""

    incident: Incident
    statuses: list[InputStatus]
    on_progress: list[Callable[[Progress], None]]
    _results: dict[str, list[ImportResult]]
    _merged: Timeline | None
    _timeline: Timeline | None
    _lock: threading.RLock

    if TYPE_CHECKING:

        @property
        def folder(self) -> Path: ...
        def save(self) -> IncidentMerge | None: ...
        def set_field(self, name: str, value: str) -> bool: ...

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
