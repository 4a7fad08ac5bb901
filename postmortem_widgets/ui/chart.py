"""The timeline as a picture: an inline SVG with one lane per source and the milestones marked.

Plain SVG text, no JavaScript and nothing fetched, so it renders the same in JupyterLab, in an exported
report and in a test. The incident window (started to resolved) is shaded, the detection lag is drawn
as its own band because it is the number customers ask about, and every dot has a tooltip.

>>> import pandas as pd
>>> from postmortem_widgets.timeline.merge import parse_timeline
>>> tl = parse_timeline(b"9:14am: Deploy\\n9:42am: Customer support ticket received\\n11:47am: Resolved",
...                     tz="America/New_York", date="2024-04-15")
>>> svg = timeline_svg(tl, tz="America/New_York")
>>> svg.startswith("<svg") and "28 min to detect" in svg
True
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..timeline import events as ev
from ..timeline.humanize import human_duration, human_time
from ..timeline.milestones import NAMES
from ..timeline.timeparse import resolve_zone, zone_label

if TYPE_CHECKING:
    from ..timeline.merge import Timeline

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


def _x(times: np.ndarray, start: int, span: int) -> np.ndarray:
    """Nanosecond times to pixel positions."""
    return LEFT + (times - start) / span * (WIDTH - LEFT - RIGHT)


def _ns(ts: pd.Timestamp) -> int:
    return int(ts.value)


def _window(timeline: Timeline) -> tuple[int, int] | None:
    """The time range worth drawing: key events and milestones, with a little room either side."""
    stamps = [v for v in timeline.milestones.as_dict().values() if v is not None]
    frame = timeline.signal_events if len(timeline.signal_events) else timeline.events
    ns = frame["time"].to_numpy(dtype="datetime64[ns]").view("int64")
    points = [int(ns.min()), int(ns.max())] if len(ns) else []
    points += [_ns(s) for s in stamps]
    if not points:
        return None
    lo, hi = min(points), max(points)
    span = max(hi - lo, 10 * 60 * 10**9)
    pad = span // 20
    return lo - pad, hi + pad


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


#: Importers whose source name says only the format: their lane is named after the file instead.
_FORMAT_SOURCES = frozenset({"text", "table", "csv"})


def lane_label(source: str, events: pd.DataFrame) -> str:
    """A lane's label: the source, or for a pasted or plain file (source ``text``) the file's name."""
    if source not in _FORMAT_SOURCES:
        return source
    files = events.loc[events["source"] == source, "file"].astype(str).unique().tolist()
    if len(files) != 1:
        return "timeline" if source == "text" else source
    name = files[0].replace("\\", "/").rsplit("/", 1)[-1]
    return "typed timeline" if "(response_timeline)" in name else name


def timeline_svg(timeline: Timeline, *, tz: str = "UTC", width: str = "100%") -> str:
    """The chart as SVG markup, ``width`` wide (CSS; it keeps its proportions as it scales)."""
    zone = resolve_zone(tz).key
    window = _window(timeline)
    if window is None:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} 60" width="{width}" role="img">'
            '<text x="20" y="34" fill="#6b7280" font-family="sans-serif" font-size="13">'
            "No events yet: import an export to see the timeline.</text></svg>"
        )
    start, end = window
    span = end - start
    sources = sorted(timeline.events["source"].unique().tolist()) or ["events"]
    milestones = {k: v for k, v in timeline.milestones.as_dict().items() if v is not None}
    mx = {name: float(_x(np.array([_ns(ts)]), start, span)[0]) for name, ts in milestones.items()}
    ordered = sorted(mx, key=lambda n: (mx[n], NAMES.index(n)))
    texts = {n: f"{n} {human_time(milestones[n], zone)}" for n in ordered}
    boxes = {n: _label_box(mx[n], texts[n]) for n in ordered}
    rows = dict(zip(ordered, _stagger([boxes[n] for n in ordered]), strict=True))
    top = 8 + LABEL_ROW * (max(rows.values(), default=0) + 1) + 22
    lanes_bottom = top + LANE * len(sources)
    height = lanes_bottom + 44
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{width}" '
        f'style="max-width:{WIDTH}px;height:auto" role="img" aria-label="Incident timeline chart" '
        f'font-family="system-ui, -apple-system, Segoe UI, sans-serif">',
        "<style>.axis{stroke:#9aa3ad;stroke-width:1}.tick{font-size:11px;fill:#4b5563}"
        ".lane{font-size:12px;fill:#374151}.ms{font-size:11px;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}"
        ".band{font-size:11px;fill:#7c2d12;paint-order:stroke;stroke:#fff;stroke-width:3px}.noise{fill:#b8bec6}</style>",
    ]
    started, detected, resolved = (milestones.get(n) for n in ("started", "detected", "resolved"))
    if started is not None and resolved is not None and resolved >= started:
        x0, x1 = mx["started"], mx["resolved"]
        parts.append(
            f'<rect x="{x0:.1f}" y="{top - 6}" width="{max(x1 - x0, 1):.1f}" '
            f'height="{lanes_bottom - top + 12}" '
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
            f'<rect x="{x0:.1f}" y="{top - 6}" width="{x1 - x0:.1f}" height="{lanes_bottom - top + 12}" '
            f'fill="#fbd9a5" opacity="0.55"><title>Detection lag: {escape(lag)}</title></rect>'
        )
        parts.append(
            f'<text x="{(x0 + x1) / 2:.1f}" y="{top - 9}" text-anchor="middle" class="band">'
            f"{escape(lag)} to detect</text>"
        )
    for i, source in enumerate(sources):
        y = top + LANE * i + LANE / 2
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{LEFT - 10}" y="{y + 4:.1f}" text-anchor="end" '
            f'class="lane">{escape(lane_label(source, timeline.events)[:16])}</text>'
        )
        parts.extend(_dots(timeline.events[timeline.events["source"] == source], start, span, y, zone))
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


__all__ = ["KIND_COLOURS", "MILESTONE_COLOURS", "timeline_svg"]
