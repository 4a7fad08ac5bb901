"""Step 2, Timeline: metrics cards, the chart, the impact window, the milestones (each editable) and the
events table.

With logs or metrics among the inputs, the chart draws the chosen series as a lane with the impact window
shaded. The analyst switches the series (each candidate with its score, or none), accepts the window
(started and resolved become theirs) or moves it: typing its beginning or end, or dragging the range under
the chart, sets the started and resolved milestones exactly as typing them in their rows does.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from ..timeline.humanize import human_duration, human_time
from ..timeline.merge import NO_SIGNAL
from ..timeline.milestones import DETECTED_BY, NAMES, iso_utc
from ..timeline.timeparse import resolve_zone
from .base import INPUTS, TIMELINE, Context, Step, button, heading, help_text
from .chart import ImpactLane, timeline_svg
from .render import events_table, filter_events, metrics_cards

if TYPE_CHECKING:
    from ..app.session import Window
    from ..timeline.telemetry.model import Series

#: The value of a milestone picker that means "let the rules decide".
RULE = "__rule__"
#: How many key events a milestone picker lists.
PICKER_EVENTS = 250
_ALL = "__all__"
#: The signal picker's value for "no impact window".
NONE = (NO_SIGNAL, "")
#: Positions the window's range slider offers at most (the lane's bins, thinned).
SLIDER_STEPS = 400


def clock(ts: pd.Timestamp, tz: str) -> str:
    """A clock time as the milestone boxes read it back: ``2:00pm``, ``2:51:30pm`` when the seconds count.

    >>> clock(pd.Timestamp("2025-03-03T14:51:30Z"), "UTC"), clock(pd.Timestamp("2025-03-03T14:00Z"), "UTC")
    ('2:51:30pm', '2:00pm')
    """
    local = ts.tz_convert(resolve_zone(tz))
    seconds = f":{local.second:02d}" if local.second else ""
    return f"{local.hour % 12 or 12}:{local.minute:02d}{seconds}{'am' if local.hour < 12 else 'pm'}"


class MilestoneRow:
    """One milestone: pick one of the key events, or type a time; the reason it was chosen beside it."""

    def __init__(self, name: str, on_pick: Any, on_type: Any) -> None:
        self.name = name
        self.label = widgets.HTML(f"<b>{name.capitalize()}</b>", layout=widgets.Layout(width="100px"))
        self.pick = widgets.Dropdown(
            options=[("rule", RULE)], value=RULE, layout=widgets.Layout(width="330px")
        )
        self.typed = widgets.Text(
            placeholder="or type a time: 10:15am",
            continuous_update=False,
            layout=widgets.Layout(width="170px"),
        )
        self.why = widgets.HTML(layout=widgets.Layout(flex="1 1 0", min_width="0", overflow="hidden"))
        self._quiet = False
        self.pick.observe(lambda ch: None if self._quiet else on_pick(name, ch["new"]), names="value")
        self.typed.observe(lambda ch: None if self._quiet else on_type(name, ch["new"]), names="value")
        self.widget = widgets.HBox(
            [self.label, self.pick, self.typed, self.why],
            layout=widgets.Layout(align_items="center"),
        )

    def clear_typed(self) -> None:
        self._quiet = True
        try:
            self.typed.value = ""
        finally:
            self._quiet = False

    def update(
        self, options: list[tuple[str, str]], value: Any, *, overridden: bool, reason: str, tz: str
    ) -> None:
        self._quiet = True
        try:
            stamp = iso_utc(value) if value is not None else None
            rule_label = "set by the rules" if not overridden else "go back to the rules"
            opts = [(rule_label, RULE), *options]
            if overridden and stamp and stamp not in {v for _, v in options}:
                opts.insert(1, (f"{human_time(value, tz)} (typed)", stamp))
            self.pick.options = opts
            self.pick.value = stamp if overridden and stamp else RULE
            self.typed.value = ""
            when = human_time(value, tz) if value is not None else "not found"
            source = "you set it" if overridden else (reason or "no matching event")
            self.why.value = (
                f'<span class="pm-why" title="{escape(source)}"><b>{when}</b> — {escape(source)}</span>'
            )
        finally:
            self._quiet = False


class ImpactControls:
    """The impact window's controls: the signal picker, Accept window, its beginning and end as typed
    times, a range slider over the lane's bins, and a line saying where the window stands."""

    def __init__(self, on_signal: Any, on_accept: Any, on_move: Any, on_slide: Any) -> None:
        self.signal = widgets.Dropdown(description="Signal", layout=widgets.Layout(width="440px"))
        self.signal.add_class("pm-signal")
        self.accept = button(
            "Accept window",
            icon="check",
            tooltip="Set started and resolved to the impact window's beginning and end",
        )
        self.began = widgets.Text(
            description="Window from",
            placeholder="e.g. 1:55pm",
            continuous_update=False,
            layout=widgets.Layout(width="210px"),
        )
        self.ended = widgets.Text(
            description="to",
            placeholder="e.g. 2:52pm",
            continuous_update=False,
            layout=widgets.Layout(width="150px"),
        )
        self.began.style.description_width = "initial"
        self.ended.style.description_width = "initial"
        self.began.add_class("pm-window-began")
        self.ended.add_class("pm-window-ended")
        self.slider = widgets.SelectionRangeSlider(
            options=[("", "")],
            continuous_update=False,
            readout=True,
            layout=widgets.Layout(width="100%"),
        )
        self.slider.add_class("pm-window-slider")
        self.note = widgets.HTML()
        self.note.add_class("pm-impact-note")
        self._quiet = False
        self.signal.observe(lambda ch: None if self._quiet else on_signal(ch["new"]), names="value")
        self.accept.on_click(on_accept)
        self.began.observe(lambda ch: None if self._quiet else on_move("started", ch["new"]), names="value")
        self.ended.observe(lambda ch: None if self._quiet else on_move("resolved", ch["new"]), names="value")
        self.slider.observe(lambda ch: None if self._quiet else on_slide(ch["old"], ch["new"]), names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.signal, self.accept], layout=widgets.Layout(align_items="center")),
                widgets.HBox(
                    [self.began, self.ended, self.note], layout=widgets.Layout(align_items="center")
                ),
                self.slider,
            ]
        )
        self.widget.add_class("pm-impact")

    def update(
        self, options: list[tuple[str, tuple[str, str]]], value: tuple[str, str], window: Window, tz: str
    ) -> None:
        self._quiet = True
        try:
            self.signal.options = options
            self.signal.value = value
            self.accept.disabled = window.impact is None
            self.began.value = clock(window.began, tz) if window.began is not None else ""
            self.ended.value = clock(window.ended, tz) if window.ended is not None else ""
            self.note.value = escape(_where(window, tz))
        finally:
            self._quiet = False

    def update_slider(self, series: Series | None, window: Window, tz: str) -> None:
        """The slider's positions: the lane's bins (thinned to :data:`SLIDER_STEPS`); its range the window."""
        self._quiet = True
        try:
            if series is None or len(series) < 2 or window.began is None:
                self.slider.layout.display = "none"
                return
            times = np.asarray(series.times, dtype=np.int64)
            times = times[:: -(-len(times) // SLIDER_STEPS)]
            stamps = pd.DatetimeIndex(times.astype("datetime64[ns]"), tz="UTC")
            self.slider.options = [(clock(t, tz), iso_utc(t) or "") for t in stamps]
            ended = window.ended if window.ended is not None else stamps[-1]
            self.slider.index = (_nearest(times, window.began), _nearest(times, ended))
            self.slider.layout.display = "flex"
        finally:
            self._quiet = False


def _nearest(times: np.ndarray, ts: pd.Timestamp) -> int:
    return int(np.abs(times - ts.value).argmin())


def _where(window: Window, tz: str) -> str:
    """Where the window stands and who put it there: ``From the signal: 2:00pm to 2:51:30pm (51 minutes)``."""
    if window.began is None:
        return "No impact window: the series show no clear change, or it is set aside."
    until = clock(window.ended, tz) if window.ended is not None else "not over in the data"
    span = ""
    if window.ended is not None and window.ended >= window.began:
        span = f" ({human_duration((window.ended - window.began).to_pytimedelta())})"
    who = {
        (): "From the signal",
        ("started",): "Beginning moved by you",
        ("resolved",): "End moved by you",
    }.get(window.moved, "Set by you")
    return f"{who}: {clock(window.began, tz)} to {until}{span}."


class TimelineStep(Step):
    title = "2 Timeline"
    depends = frozenset({INPUTS, TIMELINE})

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        guard = ctx.status.guard
        self.cards = widgets.HTML()
        self.chart = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.chart.add_class("pm-chart")
        self.impact = ImpactControls(
            guard("choosing the signal")(self._on_signal),
            guard("accepting the window")(self._on_accept),
            guard("moving the window")(self._on_move),
            guard("moving the window")(self._on_slide),
        )
        self.rows = {
            name: MilestoneRow(
                name,
                guard("setting the milestone")(self._on_pick),
                guard("setting the milestone")(self._on_type),
            )
            for name in NAMES
        }
        self.detected_by = widgets.Dropdown(
            options=[("set by the rules", RULE), *[(v, v) for v in DETECTED_BY]],
            value=RULE,
            description="Detected by",
            layout=widgets.Layout(width="300px"),
        )
        self._quiet = False
        self.detected_by.observe(guard("setting who detected it")(self._on_detected_by), names="value")
        self.reset = button("Reset all to the rules", icon="undo")
        self.reset.on_click(guard("resetting the milestones")(self._on_reset))

        self.source = widgets.Dropdown(description="Source", layout=widgets.Layout(width="230px"))
        self.kind = widgets.Dropdown(description="Kind", layout=widgets.Layout(width="230px"))
        self.key_only = widgets.ToggleButton(value=True, description="Key events only", icon="filter")
        self.key_only.layout.width = "auto"
        for w in (self.source, self.kind, self.key_only):
            w.observe(guard("filtering the events")(lambda _: self._draw_table()), names="value")
        self.table = widgets.HTML()
        self.warnings = widgets.HTML()

        self.widget = widgets.VBox(
            [
                self.cards,
                self.chart,
                self.impact.widget,
                heading("Milestones"),
                help_text(
                    "Found from the events by documented rules. If one is wrong, pick the right event "
                    "or type a time (in the incident's zone); the metrics follow."
                ),
                widgets.VBox([r.widget for r in self.rows.values()]),
                widgets.HBox([self.detected_by, self.reset]),
                self.warnings,
                heading("Events"),
                widgets.HBox([self.source, self.kind, self.key_only]),
                self.table,
            ],
            layout=widgets.Layout(padding="6px"),
        )

    @property
    def tz(self) -> str:
        return self.session.incident.timezone or "UTC"

    # -- handlers ------------------------------------------------------------------------------------

    def _changed(self, message: str) -> None:
        self.ctx.notify(TIMELINE)
        self.ctx.status.ok(message)

    def _on_pick(self, name: str, value: str) -> None:
        if value == RULE:
            self.session.set_milestone(name, None)
            self._changed(f"{name.capitalize()} is set by the rules again.")
        elif value != self.session.incident.milestones.get(name):
            import pandas as pd

            try:
                self.session.set_milestone(name, pd.Timestamp(value))
            except Exception:
                self.refresh()  # the picker goes back to what the incident says
                raise
            self._changed(f"{name.capitalize()} set to {human_time(pd.Timestamp(value), self.tz)}.")

    def _on_type(self, name: str, text: str) -> None:
        if not text.strip():
            return
        try:
            placed = self.session.set_milestone(name, text)
        except Exception:
            self.rows[name].clear_typed()  # the incident keeps its milestone: so does the form
            raise
        value = getattr(self.session.timeline.milestones, name)
        on = ""
        if placed is not None and placed.day is not None:
            on = f", on {placed.day.strftime('%A, %B')} {placed.day.day}: the day that fits the incident"
        self._changed(f"{name.capitalize()} set to {human_time(value, self.tz)}{on}.")

    def _on_detected_by(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        value = None if change["new"] == RULE else change["new"]
        self.session.set_detected_by(value)
        self._changed(f"Detected by: {self.session.timeline.milestones.detected_by}.")

    def _on_reset(self, _: object = None) -> None:
        self.session.reset_milestones()
        self._changed("Every milestone is set by the rules again.")

    def _on_signal(self, value: tuple[str, str]) -> None:
        name, source = value
        impact = self.session.set_signal(name, source or None)
        if name == NO_SIGNAL:
            self._changed("Impact window set aside: started and resolved come from the other events.")
        elif impact is None:
            self._changed(f"{name} ({source}) shows no clear change: no impact window.")
        else:
            self._changed(f"Impact window from {name} ({source}): {impact.evidence}.")

    def _on_accept(self, _: object = None) -> None:
        chosen = self.session.accept_window()
        said = " and ".join(f"{name} {clock(ts, self.tz)}" for name, ts in chosen.items())
        rest = "" if "resolved" in chosen else "; resolved is left to the rules (the signal never came back)"
        self._changed(f"Accepted the impact window: {said} set by you{rest}.")

    def _on_move(self, name: str, text: str) -> None:
        self.session.move_window(**{"began" if name == "started" else "ended": text.strip()})
        value = getattr(self.session.timeline.milestones, name)
        if not text.strip():
            self._changed(f"{name.capitalize()} is set by the rules again.")
        else:
            self._changed(f"Window moved: {name} set to {clock(value, self.tz)}.")

    def _on_slide(self, old: tuple[str, str], new: tuple[str, str]) -> None:
        moved = [(name, b) for name, a, b in zip(("started", "resolved"), old, new, strict=True) if a != b]
        for name, stamp in moved:
            self.session.set_milestone(name, pd.Timestamp(stamp))
        said = " and ".join(f"{name} set to {clock(pd.Timestamp(stamp), self.tz)}" for name, stamp in moved)
        self._changed(f"Window moved: {said}.")

    def _signal_options(self) -> tuple[list[tuple[str, tuple[str, str]]], tuple[str, str]]:
        """Each candidate window's signal with its score, a chosen signal without one, and none."""
        session, timeline = self.session, self.session.timeline
        options = [
            (
                f"{i.signal} · {session.input_of(i.source)} · score {i.score:.1f}",
                (i.signal, session.input_of(i.source)),
            )
            for i in timeline.impacts
        ]
        chosen = session.incident.signal
        if timeline.impact is not None:
            value = (timeline.impact.signal, session.input_of(timeline.impact.source))
        elif chosen is not None and chosen.name != NO_SIGNAL:
            value = (chosen.name, chosen.input)
            options.append((f"{chosen.name} · {chosen.input or 'any input'} · no clear change", value))
        else:
            value = NONE
        return [*options, ("none: no impact window", NONE)], value

    def _lane(self, window: Window) -> ImpactLane | None:
        series = self.session.lane()
        if series is None:
            return None
        impact = window.impact
        caption = impact.evidence if impact is not None else f"{series.name}: no clear change"
        if window.moved and window.began is not None:
            caption += f" · {_where(window, self.tz)}"
        return ImpactLane(series, window.began, window.ended, caption)

    # -- drawing -------------------------------------------------------------------------------------

    def _picker_options(self) -> list[tuple[str, str]]:
        key = self.session.timeline.signal_events.head(PICKER_EVENTS)
        if key.empty:
            return []
        stamps = key["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ").tolist()
        clock = [human_time(t, self.tz) for t in key["time"]]
        labels = [
            f"{c} · {k} · {m[:60]}"
            for c, k, m in zip(clock, key["kind"].tolist(), key["message"].tolist(), strict=True)
        ]
        seen: dict[str, tuple[str, str]] = {}
        for label, stamp in zip(labels, stamps, strict=True):
            seen.setdefault(stamp, (label, stamp))
        return list(seen.values())

    def _draw_table(self) -> None:
        timeline = self.session.timeline
        picked = filter_events(
            timeline.signal_events if self.key_only.value else timeline.events,
            sources=[] if self.source.value in (None, _ALL) else [self.source.value],
            kinds=[] if self.kind.value in (None, _ALL) else [self.kind.value],
        )
        self.table.value = events_table(picked, tz=self.tz, total=len(timeline.events))

    def _set_filter_options(self, dropdown: widgets.Dropdown, values: list[str], everything: str) -> None:
        current = dropdown.value
        dropdown.options = [(everything, _ALL), *[(v, v) for v in values]]
        dropdown.value = current if current in values else _ALL

    def refresh(self) -> None:
        timeline = self.session.timeline
        tz = self.tz
        self.cards.value = metrics_cards(timeline, tz=tz)
        window = self.session.window()
        lane = self._lane(window)
        self.chart.value = timeline_svg(timeline, tz=tz, lane=lane)
        self.impact.widget.layout.display = "flex" if timeline.series else "none"
        if timeline.series:
            self.impact.update(*self._signal_options(), window, tz)
            self.impact.update_slider(lane.series if lane is not None else None, window, tz)
        options = self._picker_options()
        milestones = timeline.milestones
        overridden = self.session.incident.milestones
        for name, row in self.rows.items():
            row.update(
                options,
                getattr(milestones, name),
                overridden=name in overridden,
                reason=milestones.reasons.get(name, ""),
                tz=tz,
            )
        self._quiet = True
        try:
            self.detected_by.value = overridden.get("detected_by", RULE) or RULE
        finally:
            self._quiet = False
        self.warnings.value = "".join(
            f'<div class="pm-warn">⚠ {escape(w)}</div>' for w in timeline.warnings[:8]
        )
        events = timeline.events
        self._set_filter_options(self.source, sorted(events["source"].unique().tolist()), "all sources")
        self._set_filter_options(self.kind, sorted(events["kind"].unique().tolist()), "all kinds")
        self._draw_table()


__all__ = ["ImpactControls", "TimelineStep", "clock"]
