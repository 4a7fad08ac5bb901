"""The seed's fields: set one and save, and what the timeline derives from them, cached.

A mixin of :class:`~postmortem_widgets.app.session.Session` (its docstring says why mixins).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..incident.merge import IncidentMerge
    from ..incident.record import Incident
    from ..timeline.merge import Timeline

__all__ = ["FieldsMixin"]

T = TypeVar("T")


class FieldsMixin:
    """The incident's fields, and the cache of what is derived from them and the timeline."""

    incident: Incident
    _derived_from: Timeline | None
    _derived: dict[str, tuple[tuple[object, ...], Any]]

    if TYPE_CHECKING:

        @property
        def timeline(self) -> Timeline: ...
        def save(self) -> IncidentMerge | None: ...
        def reload(self) -> None: ...
        def _inputs_changed(self) -> None: ...

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
