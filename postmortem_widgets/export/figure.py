"""The report's impact figure: the chosen signal over time, the impact window shaded, the milestones marked.

One inline SVG, drawn here from the timeline's numbers (no script, no style sheet, nothing fetched), with
``role="img"`` and a ``<title>`` that states the evidence in words: screen readers read it, and WeasyPrint
makes it the PDF figure's alternate text. Times are shown in the incident's zone.

What the figure says comes from the facts the draft states (:func:`~postmortem_widgets.writing.facts.
impact_facts`), so the picture, its caption and the Summary agree. The signal is named in plain words
("Share of requests that failed", :mod:`~postmortem_widgets.timeline.telemetry.plain`): the series' own name,
its labels (hosts, services) and its file are internal and shown only when the author keeps them
(``keep_names``); even then anything shaped like a secret is masked.

The workspace draws its own chart (``ui/chart.py``); the two share no drawing code because they draw
different things (event lanes for the author, one signal for a customer), and export may not import ``ui``.

>>> from postmortem_widgets.timeline.merge import build_timeline
>>> impact_figure(build_timeline([]), tz="UTC") is None
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

from ..privacy.spans import find_secrets
from ..timeline.humanize import human_time
from ..timeline.merge import Timeline
from ..timeline.milestones import NAMES
from ..timeline.telemetry.model import Impact, Series
from ..timeline.telemetry.series import downsample, format_value, regular
from ..timeline.timeparse import resolve_zone, zone_label
from ..writing.facts import ImpactFacts, impact_facts

__all__ = ["ImpactFigure", "evidence_line", "impact_figure"]

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 60, 46
#: How the milestones are labelled on the figure (the customer's words, not the tool's).
MILESTONE_LABELS: dict[str, str] = {
    "started": "Started",
    "detected": "Detected",
    "acknowledged": "Response began",
    "identified": "Cause found",
    "mitigated": "Fix started",
    "resolved": "Resolved",
}
#: X-axis tick spacings to choose from, in minutes.
_TICKS = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880)
#: Points drawn at most (a line this long is smooth at this width).
MAX_POINTS = 360
TITLE_ID, DESC_ID = "impact-figure-title", "impact-figure-desc"
INK, MUTED, LINE, WINDOW, WINDOW_INK = "#1c2430", "#3c4656", "#1f4f99", "#f9dcd8", "#8a1c12"
_THIN = f'stroke="{MUTED}" stroke-width="1"'
_GRID = 'stroke="#dde2e9" stroke-width="1"'
#: The caption's last sentence: what the shading means.
SHADED = "The shaded band is the impact window."


@dataclass(frozen=True)
class ImpactFigure:
    """The figure's SVG, its visible title, the caption under it and the alt text (also its ``<title>``)."""

    svg: str
    title: str
    caption: str
    alt: str


def _masked(text: str) -> str:
    for span in reversed(find_secrets(text)):
        text = text[: span.start] + "[secret]" + text[span.end :]
    return text


def _title(facts: ImpactFacts, impact: Impact, series: Series | None, keep_names: bool) -> str:
    if not keep_names:
        return facts.title
    labels = ", ".join(f"{k}={v}" for k, v in (series.labels if series is not None else {}).items())
    return _masked(impact.signal + (f" ({labels})" if labels else ""))


def _noun(title: str) -> str:
    """The title inside a sentence: ``the share of requests that failed``."""
    lowered = title[:1].lower() + title[1:] if not title[1:2].isupper() else title
    return lowered if lowered.startswith("the ") else f"the {lowered}"


def _at(clock: str | None, day: str) -> str:
    return f"on {day} at {clock}" if day else f"at {clock}"


def _evidence(facts: ImpactFacts, title: str) -> str:
    """The evidence as one sentence: what the signal did, when, and from what to what."""
    noun = _noun(title)
    if facts.from_start:
        began = _at(facts.began, facts.began_day)
        first = f"{noun[:1].upper()}{noun[1:]} was already {facts.peak} when the data begins, {began}"
    else:
        way, extreme = ("rose", "a peak") if facts.rising else ("dropped", "a low")
        after = " right after an update" if facts.change else ""
        first = (
            f"{noun[:1].upper()}{noun[1:]} was about {facts.baseline} until {facts.began}, "
            f"then {way} sharply{after} to {extreme} of {facts.peak}"
        )
    if facts.ended is None:
        return f"{first}, and had not returned to the usual level by the end of the data."
    return f"{first}, and returned to the usual level {_at(facts.ended, facts.ended_day)}."


def _first_day(timeline: Timeline, zone: str) -> object:
    anchor = timeline.milestones.started or timeline.milestones.detected
    return anchor.tz_convert(resolve_zone(zone)).date() if anchor is not None else None


def evidence_line(timeline: Timeline | None, *, tz: str, keep_names: bool = False) -> str | None:
    """The figure in one line of text, for the Markdown and email exports; ``None`` without telemetry."""
    figure = impact_figure(timeline, tz=tz, keep_names=keep_names) if timeline is not None else None
    return figure.caption if figure is not None else None


def impact_figure(timeline: Timeline, *, tz: str, keep_names: bool = False) -> ImpactFigure | None:
    """The impact figure of a timeline with an impact window, in zone ``tz``; ``None`` without one."""
    impact = timeline.impact
    facts = impact_facts(timeline, tz, _first_day(timeline, tz))
    if impact is None or facts is None:
        return None
    series = next((s for s in timeline.series if (s.name, s.source) == (impact.signal, impact.source)), None)
    if series is None or len(series) < 2:
        return None
    title = _title(facts, impact, series, keep_names)
    evidence = _evidence(facts, title)
    caption = f"From our monitoring data: {evidence[:1].lower()}{evidence[1:]} {SHADED}"
    plot = _Plot.of(series, impact, tz)
    marks = _milestones(timeline, plot)
    alt = _alt(title, evidence, plot, impact, marks)
    svg = _svg(plot, title, alt, marks, impact)
    return ImpactFigure(svg=svg, title=title, caption=caption, alt=alt)


@dataclass(frozen=True)
class _Plot:
    """The data and scales of one figure: times (UTC ns) and values on a regular grid, the shown range."""

    times: np.ndarray
    values: np.ndarray
    start: int
    end: int
    low: float
    high: float
    #: The value axis' tick step.
    tick: float
    unit: str
    zone: str

    @classmethod
    def of(cls, series: Series, impact: Impact, zone: str) -> _Plot:
        grid = regular(series)
        times = np.asarray(grid.times, dtype=np.int64)
        ended = impact.ended if impact.ended is not None else int(times[-1])
        margin = max(ended - impact.began, 30 * 60 * 10**9)
        lo, hi = max(int(times[0]), impact.began - margin), min(int(times[-1]), ended + margin)
        keep = (times >= lo) & (times <= hi)
        small = downsample(
            Series(grid.name, grid.source, grid.unit, times[keep], np.asarray(grid.values)[keep], grid.kind),
            MAX_POINTS,
        )
        values = np.asarray(small.values, dtype=np.float64)
        finite = values[np.isfinite(values)]
        top = float(finite.max()) if len(finite) else 1.0
        bottom = min(0.0, float(finite.min())) if len(finite) else 0.0
        step = _nice_step(top - bottom)
        low = math.floor(bottom / step) * step
        high = low + step * max(1, math.ceil((top - low) / step))
        return cls(np.asarray(small.times), values, lo, hi, low, high, step, grid.unit, zone)

    def x(self, ns: int | np.ndarray) -> np.ndarray:
        span = max(self.end - self.start, 1)
        return np.asarray(
            LEFT + (np.asarray(ns, dtype=np.float64) - self.start) / span * (WIDTH - LEFT - RIGHT)
        )

    def y(self, value: float | np.ndarray) -> np.ndarray:
        span = (self.high - self.low) or 1.0
        bottom = HEIGHT - BOTTOM
        return np.asarray(bottom - (np.asarray(value, dtype=np.float64) - self.low) / span * (bottom - TOP))

    def clock(self, ns: int) -> str:
        return human_time(pd.Timestamp(ns, tz="UTC"), self.zone)

    @property
    def zone_name(self) -> str:
        return zone_label(resolve_zone(self.zone), pd.Timestamp(self.start, tz="UTC"))


def _nice_step(value: float) -> float:
    """A tick step of 1, 2, 2.5 or 5 x 10^k giving at most four steps up to ``value`` (above zero)."""
    if not math.isfinite(value) or value <= 0:
        return 0.25
    rough = value * 1.05 / 4
    power = 10 ** math.floor(math.log10(rough))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough))


def _milestones(timeline: Timeline, plot: _Plot) -> list[tuple[int, str]]:
    """``(time, label)`` of each milestone inside the shown range; those at one time share a label."""
    found: dict[int, list[str]] = {}
    for name in NAMES:
        when = timeline.milestones.as_dict().get(name)
        if when is not None and plot.start <= when.value <= plot.end:
            found.setdefault(int(when.value), []).append(MILESTONE_LABELS[name])
    merged: list[tuple[int, str]] = []
    for time, labels in sorted(found.items()):
        if merged and float(plot.x(time) - plot.x(merged[-1][0])) < 3:
            merged[-1] = (merged[-1][0], f"{merged[-1][1]}, {', '.join(labels)}")
        else:
            merged.append((time, ", ".join(labels)))
    return merged


def _alt(title: str, evidence: str, plot: _Plot, impact: Impact, marks: list[tuple[int, str]]) -> str:
    began, zone = plot.clock(impact.began), plot.zone_name
    window = (
        f"{began} to {plot.clock(impact.ended)} {zone}"
        if impact.ended is not None
        else f"from {began} {zone} to the end of the data"
    )
    shown = ", ".join(f"{label.lower()} {plot.clock(t)}" for t, label in marks)
    return (
        f"Chart of {_noun(title)}, {plot.clock(plot.start)} to {plot.clock(plot.end)} {plot.zone_name}. "
        f"{evidence} The shaded band marks the impact window, {window}."
        + (f" Marked: {shown}." if shown else "")
    )


def _x_ticks(plot: _Plot) -> list[tuple[float, str]]:
    minutes = (plot.end - plot.start) / 60e9
    step = next((t for t in _TICKS if minutes / t <= 7), _TICKS[-1])
    zone = resolve_zone(plot.zone)
    first = pd.Timestamp(plot.start, tz="UTC").tz_convert(zone).ceil(f"{min(step, 60)}min")
    while step > 60 and (first.hour * 60 + first.minute) % step:
        first += pd.Timedelta(hours=1)
    ticks = pd.date_range(first, pd.Timestamp(plot.end, tz="UTC").tz_convert(zone), freq=f"{step}min")
    return [(float(plot.x(t.value)), human_time(t, zone)) for t in ticks]


def _y_ticks(plot: _Plot) -> list[tuple[float, str]]:
    count = round((plot.high - plot.low) / plot.tick)
    values = [plot.low + plot.tick * i for i in range(count + 1)]
    return [(float(plot.y(v)), format_value(v, plot.unit)) for v in values]


def _line(plot: _Plot) -> list[str]:
    """The signal as polylines, broken where a bin has no value."""
    xs, ys = plot.x(plot.times), plot.y(np.clip(plot.values, plot.low, plot.high))
    finite = np.isfinite(plot.values)
    runs = np.split(np.arange(len(xs)), np.flatnonzero(np.diff(finite.astype(np.int8))) + 1)
    out = []
    for run in runs:
        if len(run) and finite[run[0]]:
            points = " ".join(f"{xs[i]:.1f},{ys[i]:.1f}" for i in run)
            out.append(f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="1.6"/>')
    return out


def _labels(plot: _Plot, marks: list[tuple[int, str]]) -> list[str]:
    """Milestone lines and their labels, staggered over two rows so no two labels overlap."""
    out: list[str] = []
    right_edge = [-1e9, -1e9]
    for time, label in marks:
        x = float(plot.x(time))
        half = len(label) * 2.9 + 3
        centre = min(max(x, LEFT + half), WIDTH - RIGHT - half)
        row = 0 if centre - half >= right_edge[0] + 4 else 1
        right_edge[row] = centre + half
        y = TOP - 18 + 12 * row
        out.append(
            f'<line x1="{x:.1f}" y1="{y + 3:.1f}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM}" stroke="{MUTED}" '
            'stroke-width="1" stroke-dasharray="3 3"/>'
        )
        out.append(
            f'<text x="{centre:.1f}" y="{y:.1f}" text-anchor="middle" font-size="10" fill="{INK}">'
            f"{escape(label)}</text>"
        )
    return out


def _axes(plot: _Plot) -> list[str]:
    bottom = HEIGHT - BOTTOM
    out = [f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" {_THIN}/>']
    for y, label in _y_ticks(plot):
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" {_GRID}/>')
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 3.5:.1f}" text-anchor="end" font-size="10" fill="{MUTED}">'
            f"{escape(label)}</text>"
        )
    for x, label in _x_ticks(plot):
        out.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}" {_THIN}/>')
        out.append(
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" font-size="10" fill="{MUTED}">'
            f"{escape(label)}</text>"
        )
    out.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle" font-size="10" '
        f'fill="{MUTED}">Time ({escape(plot.zone_name)})</text>'
    )
    return out


def _window(plot: _Plot, impact: Impact) -> list[str]:
    x0 = float(plot.x(max(impact.began, plot.start)))
    x1 = float(plot.x(min(impact.ended if impact.ended is not None else plot.end, plot.end)))
    return [
        f'<rect x="{x0:.1f}" y="{TOP}" width="{max(x1 - x0, 1):.1f}" height="{HEIGHT - BOTTOM - TOP}" '
        f'fill="{WINDOW}"/>',
        f'<text x="{(x0 + x1) / 2:.1f}" y="{HEIGHT - BOTTOM - 6}" text-anchor="middle" font-size="10" '
        f'fill="{WINDOW_INK}">Impact window</text>',
    ]


def _svg(plot: _Plot, title: str, alt: str, marks: list[tuple[int, str]], impact: Impact) -> str:
    body = [
        *_window(plot, impact),
        *_axes(plot),
        *_line(plot),
        *_labels(plot, marks),
        f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold" fill="{INK}">{escape(title)}</text>',
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="{TITLE_ID} {DESC_ID}" class="impact-chart" '
        'font-family="Liberation Sans, DejaVu Sans, Arial, sans-serif">'
        f'<title id="{TITLE_ID}">{escape(alt)}</title>'
        f'<desc id="{DESC_ID}">One point per {_bin(impact)} from the monitoring data; '
        f"times in {escape(plot.zone_name)}.</desc>" + "".join(body) + "</svg>"
    )


def _bin(impact: Impact) -> str:
    seconds = impact.step // 10**9
    if seconds and seconds % 60 == 0:
        minutes = seconds // 60
        return "minute" if minutes == 1 else f"{minutes} minutes"
    return f"{seconds} seconds" if seconds else "interval"
