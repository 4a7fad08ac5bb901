"""Step 2, Timeline: metrics cards, the chart, the milestones (each editable) and the events table."""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets

from ..timeline.humanize import human_time
from ..timeline.milestones import DETECTED_BY, NAMES, iso_utc
from .base import INPUTS, TIMELINE, Context, Step, button, heading, help_text
from .chart import timeline_svg
from .render import events_table, filter_events, metrics_cards

#: The value of a milestone picker that means "let the rules decide".
RULE = "__rule__"
#: How many key events a milestone picker lists.
PICKER_EVENTS = 250
_ALL = "__all__"


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


class TimelineStep(Step):
    title = "2 Timeline"
    depends = frozenset({INPUTS, TIMELINE})

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        guard = ctx.status.guard
        self.cards = widgets.HTML()
        self.chart = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.chart.add_class("pm-chart")
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
        self.chart.value = timeline_svg(timeline, tz=tz)
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


__all__ = ["TimelineStep"]
