"""The timeline: the inputs merged, with the analyst's milestones applied; milestones set by hand.

A mixin of :class:`~postmortem_widgets.app.session.Session` (its docstring says why mixins). The
merged inputs are kept while only milestones change, so a milestone edit does not merge them again.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ..errors import MilestoneError, PostmortemError
from .session_inputs import InputStatus

if TYPE_CHECKING:
    import threading
    from datetime import date as Date

    import pandas as pd

    from ..incident.merge import IncidentMerge
    from ..incident.record import Incident
    from ..timeline.events import ImportResult
    from ..timeline.merge import Timeline
    from ..timeline.milestones import Placed

__all__ = ["TimelineMixin"]


class TimelineMixin:
    """The timeline as the workspace shows it, and the milestones the analyst set."""

    incident: Incident
    statuses: list[InputStatus]
    _results: dict[str, list[ImportResult]]
    _merged: Timeline | None
    _timeline: Timeline | None
    _lock: threading.RLock

    if TYPE_CHECKING:

        def save(self) -> IncidentMerge | None: ...

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
