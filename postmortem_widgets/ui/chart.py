"""The timeline as a picture: an inline SVG with one lane per source and the milestones marked.

Plain SVG text, no JavaScript and nothing fetched, so it renders the same in JupyterLab, in an exported
report and in a test. The incident window (started to resolved) is shaded, the detection lag is drawn
as its own band because it is the number customers ask about, and every dot has a tooltip.

With telemetry, an :class:`ImpactLane` draws the chosen series above the event lanes: a small line chart
with its unit and a y scale, the impact window shaded and its evidence as the caption. A lane of events is
named by its source, or by its input's file name for generic formats (a pasted timeline, a CSV table).

>>> import pandas as pd
>>> from postmortem_widgets.timeline.merge import parse_timeline
>>> tl = parse_timeline(b"9:14am: Deploy\\n9:42am: Customer support ticket received\\n11:47am: Resolved",
...                     tz="America/New_York", date="2024-04-15")
>>> svg = timeline_svg(tl, tz="America/New_York")
>>> svg.startswith("<svg") and "28 min to detect" in svg
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..timeline import events as ev
from ..timeline.humanize import human_duration, human_time
from ..timeline.merge import IMPACT_SOURCE
from ..timeline.milestones import NAMES, iso_utc
from ..timeline.telemetry.series import downsample, format_value
from ..timeline.timeparse import resolve_zone, zone_label

if TYPE_CHECKING:
    from ..timeline.merge import Timeline
    from ..timeline.telemetry.model import Series

#: One colour per event kind; noise is drawn small and grey.
KIND_COLOURS: dict[str, str] = {
    ev.ALERT: "#d64545",
    ev.IMPACT: "#a61b1b",
    ev.PAGE: "#e8833a",
    ev.CUSTOMER: "#8e44ad",
    ev.DETECTED: "#e8833a",
    ev.ACKNOWLEDGED: "#2f6fd0",
    ev.IDENTIFIED: "#138a8a",
    ev.MITIGATED: "#5b8c2a",
    ev.RESOLVED: "#2e9e5b",
    ev.WARNING: "#d4a017",
    ev.UPDATE: "#6b7f99",
    ev.EVENT: "#55606e",
    ev.NOISE: "#b8bec6",
}
MILESTONE_COLOURS: dict[str, str] = {
    "started": "#a61b1b",
    "detected": "#8e44ad",
    "acknowledged": "#2f6fd0",
    "identified": "#138a8a",
    "mitigated": "#5b8c2a",
    "resolved": "#2e9e5b",
}
#: Tick spacings to choose from, in minutes.
_TICKS = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)
#: Above this many events the noise is drawn as one mark per pixel column instead of one per event.
MAX_DOTS = 1500

WIDTH = 960
LEFT = 110
RIGHT = 24
LANE = 26
LABEL_ROW = 15
#: The impact lane: its plot's height, the caption row above it and the gap below it.
IMPACT_LANE = 76
CAPTION_ROW = 16
#: Points of the impact lane's line at most (about one per pixel column).
LANE_POINTS = 800
#: Baseline shown either side of the impact window: as long as the window, at least this (ns).
CONTEXT_NS = 30 * 60 * 10**9
#: Event sources that say nothing about where events came from: their lanes are named by file.
GENERIC_SOURCES = frozenset({"text", "table", "jsonl", "access_log"})


@dataclass(frozen=True)
class ImpactLane:
    """The series drawn as a lane, the window shaded on it (``ended`` ``None``: still open at the end of the
    data) and the caption stating its evidence."""

    series: Series
    began: pd.Timestamp | None = None
    ended: pd.Timestamp | None = None
    caption: str = ""


def _x(times: np.ndarray, start: int, span: int) -> np.ndarray:
    """Nanosecond times to pixel positions."""
    return LEFT + (times - start) / span * (WIDTH - LEFT - RIGHT)


def _ns(ts: pd.Timestamp) -> int:
    return int(ts.value)


def _window(timeline: Timeline, lane: ImpactLane | None = None) -> tuple[int, int] | None:
    """The time range worth drawing: key events and milestones, with a little room either side, and the
    impact window with as much of its baseline either side as it lasts (at least half an hour)."""
    stamps = [v for v in timeline.milestones.as_dict().values() if v is not None]
    frame = timeline.signal_events if len(timeline.signal_events) else timeline.events
    ns = frame["time"].to_numpy(dtype="datetime64[ns]").view("int64")
    points = [int(ns.min()), int(ns.max())] if len(ns) else []
    points += [_ns(s) for s in stamps]
    points += _context(lane)
    if not points:
        return None
    lo, hi = min(points), max(points)
    span = max(hi - lo, 10 * 60 * 10**9)
    pad = span // 20
    return lo - pad, hi + pad


def _context(lane: ImpactLane | None) -> list[int]:
    """The stretch of the lane's series worth showing: the window and its baseline around it."""
    if lane is None or not len(lane.series):
        return []
    first, last = int(lane.series.times[0]), int(lane.series.times[-1])
    if lane.began is None:
        return [first, last]
    began = _ns(lane.began)
    ended = _ns(lane.ended) if lane.ended is not None else last
    context = max(ended - began, CONTEXT_NS)
    return [max(began - context, first), min(ended + context, last), began, ended]


def _tick_minutes(span_ns: int) -> int:
    minutes = span_ns / 60e9
    return next((t for t in _TICKS if minutes / t <= 8), _TICKS[-1])


def _axis(start: int, end: int, zone: str, y: float) -> list[str]:
    step = _tick_minutes(end - start)
    local = pd.Timestamp(start, tz="UTC").tz_convert(zone)
    first = local.floor(f"{min(step, 60)}min") if step <= 60 else local.floor("h")
    ticks = pd.date_range(first, pd.Timestamp(end, tz="UTC").tz_convert(zone), freq=f"{step}min")
    multi_day = (end - start) > 20 * 3600 * 10**9
    out = [f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="axis"/>']
    for tick in ticks:
        t = _ns(tick)
        if t < start:
            continue
        x = float(_x(np.array([t]), start, end - start)[0])
        label = human_time(tick, zone)
        if multi_day:
            label = f"{tick.strftime('%b')} {tick.day} {label}"
        out.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x:.1f}" y2="{y + 4:.1f}" class="axis"/>')
        out.append(
            f'<text x="{x:.1f}" y="{y + 16:.1f}" text-anchor="middle" class="tick">{escape(label)}</text>'
        )
    return out


def _label_box(x: float, text: str) -> tuple[float, float]:
    """Where a centred label of ``text`` sits, kept inside the picture."""
    half = len(text) * 3.3 + 4
    centre = min(max(x, half + 2), WIDTH - half - 2)
    return centre - half, centre + half


def _stagger(boxes: Sequence[tuple[float, float]]) -> list[int]:
    """Label rows for milestone labels (left to right) so that no two in a row overlap."""
    rows: list[int] = []
    right_edge: dict[int, float] = {}
    for left, right in boxes:
        row = next((r for r in range(6) if left >= right_edge.get(r, -1e9) + 6), len(rows) % 6)
        right_edge[row] = right
        rows.append(row)
    return rows


def _dots(frame: pd.DataFrame, start: int, span: int, y: float, zone: str) -> list[str]:
    """One circle per event, with a tooltip; large noise is binned per pixel."""
    if frame.empty:
        return []
    ns = frame["time"].to_numpy(dtype="datetime64[ns]").view("int64")
    xs = _x(ns, start, span)
    inside = (xs >= LEFT - 1) & (xs <= WIDTH - RIGHT + 1)
    noise = (frame["kind"] == ev.NOISE).to_numpy()
    out: list[str] = []
    quiet = inside & noise
    if quiet.sum() > MAX_DOTS // 2:
        columns, counts = np.unique(np.round(xs[quiet]).astype(int), return_counts=True)
        out.extend(
            f'<rect x="{c - 0.5}" y="{y - 3}" width="1.5" height="6" class="noise"><title>{n} '
            "routine events</title></rect>"
            for c, n in zip(columns.tolist(), counts.tolist(), strict=True)
        )
        keep = inside & ~noise
    else:
        keep = inside
    picked = frame[keep]
    if len(picked) > MAX_DOTS:
        picked = picked.iloc[np.linspace(0, len(picked) - 1, MAX_DOTS).astype(int)]
    px = _x(picked["time"].to_numpy(dtype="datetime64[ns]").view("int64"), start, span)
    local = picked["time"].dt.tz_convert(zone).dt.strftime("%H:%M:%S")
    for x, kind, message, when in zip(
        px.tolist(), picked["kind"].tolist(), picked["message"].tolist(), local.tolist(), strict=True
    ):
        radius = 2.5 if kind == ev.NOISE else 5
        colour = KIND_COLOURS.get(kind, KIND_COLOURS[ev.EVENT])
        tip = escape(f"{when} · {kind} · {message[:160]}")
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{colour}"><title>{tip}</title></circle>'
        )
    return out


def _event_lanes(events: pd.DataFrame, *, skip_impact: bool) -> dict[str, tuple[str, np.ndarray]]:
    """Lane label -> (tooltip, row mask): one lane per source; a generic source's rows by their file."""
    source = events["source"].astype(str)
    pairs = events[["source", "file"]].astype(str).drop_duplicates()
    lanes: dict[str, tuple[str, np.ndarray]] = {}
    for name, file in sorted(zip(pairs["source"].tolist(), pairs["file"].tolist(), strict=True)):
        if skip_impact and name == IMPACT_SOURCE:
            continue
        if name in GENERIC_SOURCES:
            label = file.replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1] or name
            tip = f"{label} ({name})"
            mask = ((source == name) & (events["file"].astype(str) == file)).to_numpy()
        else:
            label, tip, mask = name, name, (source == name).to_numpy()
        if label in lanes:  # two files of one name: one lane
            tip, mask = f"{lanes[label][0]}, {tip}", lanes[label][1] | mask
        lanes[label] = (tip, mask)
    return dict(sorted(lanes.items())) or {"events": ("events", np.zeros(len(events), dtype=bool))}


def _nice_ticks(low: float, high: float) -> list[float]:
    """Two or three round values from ``low`` to ``high`` for the lane's y scale."""
    span = high - low
    if span <= 0 or not math.isfinite(span):
        return [low]
    raw = span / 2
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def _lane_path(series: Series, start: int, span: int, top: float, scale: tuple[float, float]) -> str:
    """The series as one SVG path (a gap where it has no values), clipped to the chart's time range."""
    times = np.asarray(series.times, dtype=np.int64)
    inside = (times >= start) & (times <= start + span)
    if not inside.any():
        return ""
    shown = np.flatnonzero(inside)
    shown = np.arange(max(shown[0] - 1, 0), min(shown[-1] + 2, len(times)))
    small = downsample(replace(series, times=times[shown], values=series.values[shown]), LANE_POINTS)
    low, high = scale
    xs = np.clip(_x(np.asarray(small.times, dtype=np.int64), start, span), LEFT, WIDTH - RIGHT)
    values = np.asarray(small.values, dtype=np.float64)
    ys = top + IMPACT_LANE - (values - low) / (high - low) * IMPACT_LANE
    parts: list[str] = []
    pen_down = False
    for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
        if not math.isfinite(y):
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
        pen_down = True
    return "".join(parts)


def _impact_lane(lane: ImpactLane, start: int, end: int, top: float, zone: str) -> list[str]:
    """The lane: caption, window shading, y scale, the line, and its name and unit in the gutter."""
    series, span = lane.series, end - start
    values = np.asarray(series.values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    high = float(finite.max()) if len(finite) else 1.0
    low = min(float(finite.min()), 0.0) if len(finite) else 0.0
    high = high * 1.1 if high > 0 else low + 1.0
    plot = top + CAPTION_ROW
    out = [
        f'<text x="{LEFT}" y="{top + 11:.1f}" class="caption">{escape(lane.caption)}</text>',
        f'<rect x="{LEFT}" y="{plot:.1f}" width="{WIDTH - LEFT - RIGHT}" height="{IMPACT_LANE}" '
        'class="lane-bg"/>',
    ]
    out.extend(_shading(lane, start, end, plot, zone))
    for tick in _nice_ticks(low, high):
        y = plot + IMPACT_LANE - (tick - low) / (high - low) * IMPACT_LANE
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT + 3}" y="{y - 2:.1f}" class="ytick">'
            f"{escape(format_value(tick, series.unit))}</text>"
        )
    path = _lane_path(series, start, span, plot, (low, high))
    tip = f"{series.name} ({series.unit or 'no unit'}) from {series.source}"
    if path:
        out.append(f'<path d="{path}" class="pm-lane-line"><title>{escape(tip)}</title></path>')
    unit = {"ratio": "%", "": ""}.get(series.unit, series.unit)
    middle = plot + IMPACT_LANE / 2
    out.append(
        f'<text x="{LEFT - 10}" y="{middle:.1f}" text-anchor="end" class="lane"><title>{escape(tip)}</title>'
        f"{escape(series.name[:16])}</text>"
    )
    if unit:
        out.append(
            f'<text x="{LEFT - 10}" y="{middle + 14:.1f}" text-anchor="end" class="tick">'
            f"{escape(unit)}</text>"
        )
    return out


def _shading(lane: ImpactLane, start: int, end: int, top: float, zone: str) -> list[str]:
    """The impact window on the lane (to the end of the data when it never closed)."""
    if lane.began is None:
        return []
    last = int(lane.series.times[-1]) if len(lane.series) else end
    ended = lane.ended
    right_ns = _ns(ended) if ended is not None else min(last, end)
    x0, x1 = (float(v) for v in _x(np.array([_ns(lane.began), right_ns]), start, end - start))
    x0, x1 = max(x0, LEFT), min(max(x1, x0 + 1), WIDTH - RIGHT)
    until = human_time(ended, zone) if ended is not None else "the end of the data (not back)"
    return [
        f'<rect x="{x0:.1f}" y="{top:.1f}" width="{x1 - x0:.1f}" height="{IMPACT_LANE}" '
        f'class="pm-impact-window" data-began="{iso_utc(lane.began)}" data-ended="{iso_utc(ended) or ""}">'
        f"<title>Impact window: {escape(human_time(lane.began, zone))} to {escape(until)}</title></rect>"
    ]


def timeline_svg(
    timeline: Timeline, *, tz: str = "UTC", width: str = "100%", lane: ImpactLane | None = None
) -> str:
    """The chart as SVG markup, ``width`` wide (CSS; it keeps its proportions as it scales)."""
    zone = resolve_zone(tz).key
    window = _window(timeline, lane)
    if window is None:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} 60" width="{width}" role="img">'
            '<text x="20" y="34" fill="#6b7280" font-family="sans-serif" font-size="13">'
            "No events yet: import an export to see the timeline.</text></svg>"
        )
    start, end = window
    span = end - start
    sources = _event_lanes(timeline.events, skip_impact=lane is not None)
    milestones = {k: v for k, v in timeline.milestones.as_dict().items() if v is not None}
    mx = {name: float(_x(np.array([_ns(ts)]), start, span)[0]) for name, ts in milestones.items()}
    ordered = sorted(mx, key=lambda n: (mx[n], NAMES.index(n)))
    texts = {n: f"{n} {human_time(milestones[n], zone)}" for n in ordered}
    boxes = {n: _label_box(mx[n], texts[n]) for n in ordered}
    rows = dict(zip(ordered, _stagger([boxes[n] for n in ordered]), strict=True))
    top = 8 + LABEL_ROW * (max(rows.values(), default=0) + 1) + 22
    lane_top = top
    if lane is not None:
        top += CAPTION_ROW + IMPACT_LANE + 10
    lanes_bottom = top + LANE * len(sources)
    height = lanes_bottom + 44
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{width}" '
        f'style="max-width:{WIDTH}px;height:auto" role="img" aria-label="Incident timeline chart" '
        f'font-family="system-ui, -apple-system, Segoe UI, sans-serif">',
        "<style>.axis{stroke:#9aa3ad;stroke-width:1}.tick{font-size:11px;fill:#4b5563}"
        ".lane{font-size:12px;fill:#374151}.ms{font-size:11px;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}"
        ".band{font-size:11px;fill:#7c2d12;paint-order:stroke;stroke:#fff;stroke-width:3px}.noise{fill:#b8bec6}"
        ".caption{font-size:11px;fill:#7f1d1d;font-weight:600}.ytick{font-size:10px;fill:#6b7280}"
        ".grid{stroke:#e5e7eb;stroke-width:1}.lane-bg{fill:#fafafa;stroke:#e5e7eb}"
        ".pm-impact-window{fill:#d64545;fill-opacity:0.16;stroke:#d64545;stroke-opacity:0.5}"
        ".pm-lane-line{fill:none;stroke:#1f4e8c;stroke-width:1.5;stroke-linejoin:round}</style>",
    ]
    started, detected, resolved = (milestones.get(n) for n in ("started", "detected", "resolved"))
    if started is not None and resolved is not None and resolved >= started:
        x0, x1 = mx["started"], mx["resolved"]
        parts.append(
            f'<rect x="{x0:.1f}" y="{lane_top - 6}" width="{max(x1 - x0, 1):.1f}" '
            f'height="{lanes_bottom - lane_top + 12}" '
            f'fill="#fdecec"><title>Incident: {escape(human_duration((resolved - started).to_pytimedelta()))}'
            "</title></rect>"
        )
    if started is not None and detected is not None and detected > started:
        x0, x1 = mx["started"], mx["detected"]
        lag = (
            human_duration((detected - started).to_pytimedelta())
            .replace("minutes", "min")
            .replace("minute", "min")
        )
        parts.append(
            f'<rect x="{x0:.1f}" y="{lane_top - 6}" width="{x1 - x0:.1f}" '
            f'height="{lanes_bottom - lane_top + 12}" '
            f'fill="#fbd9a5" opacity="0.55"><title>Detection lag: {escape(lag)}</title></rect>'
        )
        parts.append(
            f'<text x="{(x0 + x1) / 2:.1f}" y="{lane_top - 9}" text-anchor="middle" class="band">'
            f"{escape(lag)} to detect</text>"
        )
    if lane is not None:
        parts.extend(_impact_lane(lane, start, end, lane_top, zone))
    for i, (label, (tip, mask)) in enumerate(sources.items()):
        y = top + LANE * i + LANE / 2
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{LEFT - 10}" y="{y + 4:.1f}" text-anchor="end" '
            f'class="lane"><title>{escape(tip)}</title>{escape(label[:16])}</text>'
        )
        parts.extend(_dots(timeline.events[mask], start, span, y, zone))
    for name in ordered:
        x, colour = mx[name], MILESTONE_COLOURS[name]
        label_y = 8 + LABEL_ROW * (rows[name] + 1)
        left, right = boxes[name]
        parts.append(
            f'<line x1="{x:.1f}" y1="{label_y + 3}" x2="{x:.1f}" y2="{lanes_bottom + 4}" stroke="{colour}" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{(left + right) / 2:.1f}" y="{label_y}" text-anchor="middle" class="ms" '
            f'fill="{colour}">'
            f"{escape(texts[name])}</text>"
        )
    parts.extend(_axis(start, end, zone, lanes_bottom + 6))
    label = zone_label(zone, milestones.get("started"))
    parts.append(
        f'<text x="{WIDTH - RIGHT}" y="{height - 4}" text-anchor="end" class="tick">times in '
        f"{escape(label)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["KIND_COLOURS", "MILESTONE_COLOURS", "ImpactLane", "timeline_svg"]
