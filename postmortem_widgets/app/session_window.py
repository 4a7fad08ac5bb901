"""The impact window: taken from the signal the author chose, accepted or moved through milestones.

A mixin of :class:`~postmortem_widgets.app.session.Session` (its docstring says why mixins). The
window's ends are the started and resolved milestones, so moving it is setting those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InputError, PostmortemError

if TYPE_CHECKING:
    import threading

    import pandas as pd

    from ..incident.merge import IncidentMerge
    from ..incident.record import Incident
    from ..timeline.events import ImportResult
    from ..timeline.merge import Timeline
    from ..timeline.milestones import Placed
    from ..timeline.telemetry.model import Impact, Series

__all__ = ["Window", "WindowMixin"]


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


class WindowMixin:
    """The signal the window is read from, and the window as it stands."""

    incident: Incident
    _results: dict[str, list[ImportResult]]
    _lock: threading.RLock

    if TYPE_CHECKING:

        @property
        def timeline(self) -> Timeline: ...
        def save(self) -> IncidentMerge | None: ...
        def _inputs_changed(self) -> None: ...
        def _merged_inputs(self, *, strict: bool = False) -> Timeline: ...
        def set_milestone(self, name: str, value: str | pd.Timestamp | None) -> Placed | None: ...

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
