"""Saving the incident file: a three-way merge onto the file as it is now, never over someone's change.

A mixin of :class:`~postmortem_widgets.app.session.Session` (its docstring says why mixins): the
merge base (the incident as last read or written, the file's hash and stat) and the conflicts a save found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._fs import atomic_write_text, locked
from ..errors import InputError, PostmortemError

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable
    from pathlib import Path

    from ..incident.merge import FieldConflict, IncidentMerge
    from ..incident.record import Incident
    from ..timeline.merge import Timeline

__all__ = ["SavingMixin"]


class SavingMixin:
    """The incident file written by a merge, taken in again by :meth:`sync`, its conflicts settled."""

    incident: Incident
    path: Path
    conflicts: dict[str, FieldConflict]
    on_merged: list[Callable[[IncidentMerge], None]]
    _lock: threading.RLock
    _timeline: Timeline | None
    _base: Incident | None
    _disk_hash: str | None
    _disk_stat: tuple[int, int] | None

    if TYPE_CHECKING:

        def reload(self) -> None: ...
        def _inputs_changed(self) -> None: ...
        def set_timezone(self, tz: str) -> None: ...
        def set_window(self, text: str) -> None: ...
        def set_field(self, name: str, value: str) -> bool: ...

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
