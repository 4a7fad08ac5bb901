"""HTML fragments the workspace shows: the events table, the metrics cards, the per-file status list.

Pure functions of library objects (no widgets), escaped, and vectorised over the event table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from ..timeline.humanize import human_duration, human_time
from ..timeline.timeparse import resolve_zone, zone_label
from .chart import KIND_COLOURS
from .wording import in_form_words

if TYPE_CHECKING:
    from ..app.session import InputStatus
    from ..timeline.merge import Timeline

#: The events table shows at most this many rows; the rest are counted.
TABLE_ROWS = 400


def filter_events(
    events: pd.DataFrame, *, sources: Sequence[str] = (), kinds: Sequence[str] = ()
) -> pd.DataFrame:
    """Rows of ``events`` whose source and kind are picked (an empty pick means all)."""
    mask = pd.Series(True, index=events.index)
    if sources:
        mask &= events["source"].isin(list(sources))
    if kinds:
        mask &= events["kind"].isin(list(kinds))
    return events[mask]


def table_html(headings: Sequence[str], rows: Iterable[str], *, style: str = "") -> str:
    """A scrolling ``pm-table``: the headings escaped, each row already ``<tr>`` markup."""
    wrap = f' style="{style}"' if style else ""
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    return (
        f'<div class="pm-table-wrap"{wrap}><table class="pm-table"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></div>"
    )


def events_table(events: pd.DataFrame, *, tz: str, total: int | None = None, limit: int = TABLE_ROWS) -> str:
    """The events as a readable table, times in the incident's zone."""
    if events.empty:
        return '<div class="pm-empty">No events match. Import an export, or widen the filters.</div>'
    shown = events.head(limit)
    zone = resolve_zone(tz)
    local = shown["time"].dt.tz_convert(zone)
    multi_day = local.dt.date.nunique() > 1
    fmt = "%b %d %H:%M:%S" if multi_day else "%H:%M:%S"
    times = local.dt.strftime(fmt).tolist()
    where = (shown["file"].astype(str) + ":" + shown["line"].astype(str)).tolist()
    who = bool((shown["actor"] != "").any())
    rows = [
        f'<tr class="pm-kind-{escape(k)}"><td class="pm-time" title="{escape(w)}">{t}</td>'
        f"<td>{escape(s)}</td>"
        '<td><span class="pm-badge" '
        f'style="background:{KIND_COLOURS.get(k, "#55606e")}">{escape(k)}</span></td>'
        f"<td>{escape(m)}</td>{f'<td>{escape(a)}</td>' if who else ''}</tr>"
        for t, w, s, k, m, a in zip(
            times,
            where,
            shown["source"].tolist(),
            shown["kind"].tolist(),
            shown["message"].tolist(),
            shown["actor"].tolist(),
            strict=True,
        )
    ]
    label = zone_label(zone, shown["time"].iloc[0])
    count = len(events) if total is None else total
    more = (
        f'<div class="pm-note">Showing the first {limit} of {len(events)} matching events.</div>'
        if len(events) > limit
        else f'<div class="pm-note">{len(events)} of {count} events.</div>'
    )
    headings = [f"Time ({label})", "Source", "Kind", "Message", *(["Who"] if who else [])]
    return table_html(headings, rows) + more


def _card(label: str, value: str, detail: str = "", *, key: str) -> str:
    return (
        f'<div class="pm-card" data-metric="{key}"><div class="pm-card-label">{escape(label)}</div>'
        f'<div class="pm-card-value">{escape(value)}</div><div '
        f'class="pm-card-detail">{escape(detail)}</div></div>'
    )


def metrics_cards(timeline: Timeline, *, tz: str) -> str:
    """Duration, detection lag, times to acknowledge / mitigate / resolve, and who detected it."""
    m, x = timeline.milestones, timeline.metrics

    def span(start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
        if start is None or end is None:
            return "needs both milestones"
        return f"{human_time(start, tz)} → {human_time(end, tz)}"

    def value(delta: object) -> str:
        return "—" if delta is None else human_duration(delta)  # type: ignore[arg-type]

    detected_by = {
        "customer": "A customer",
        "monitoring": "Our monitoring",
        "unknown": "Unknown",
    }.get(m.detected_by, m.detected_by)
    cards = [
        _card("Duration", value(x.duration), span(m.started, m.resolved), key="duration"),
        _card("Detection lag", value(x.time_to_detect), span(m.started, m.detected), key="time_to_detect"),
        _card(
            "Time to acknowledge",
            value(x.time_to_acknowledge),
            span(m.started, m.acknowledged),
            key="time_to_acknowledge",
        ),
        _card(
            "Time to mitigate",
            value(x.time_to_mitigate),
            span(m.started, m.mitigated),
            key="time_to_mitigate",
        ),
        _card(
            "Time to resolve", value(x.time_to_resolve), span(m.started, m.resolved), key="time_to_resolve"
        ),
        _card(
            "Detected by",
            detected_by,
            "a gap worth owning" if m.detected_by == "customer" else "",
            key="detected_by",
        ),
    ]
    return '<div class="pm-cards">' + "".join(cards) + "</div>"


def input_statuses(statuses: Sequence[InputStatus]) -> str:
    """One line per input: the format, events and series found and a log's rows read, or the exact error."""
    if not statuses:
        return '<div class="pm-empty">No exports yet. Upload files, type a path, or load a sample.</div>'
    rows = []
    for s in statuses:
        if s.ok:
            detail = f"{escape(s.format)} · {s.events:,} event{'s' if s.events != 1 else ''}"
            if s.series:
                detail += f" · {s.series} series"
            if s.rows is not None:
                detail += f" · {s.rows:,} row{'s' if s.rows != 1 else ''} read"
            warn = "".join(f'<div class="pm-warn">⚠ {escape(w)}</div>' for w in s.warnings[:5])
            rows.append(
                f'<li class="pm-input pm-input-ok" data-name="{escape(s.name)}"><span class="pm-ok">✓</span> '
                f"<b>{escape(s.name)}</b> — {detail}{warn}</li>"
            )
        else:
            rows.append(
                f'<li class="pm-input pm-input-error" data-name="{escape(s.name)}"><span '
                'class="pm-bad">✖</span> '
                f"<b>{escape(s.name)}</b> — not imported<div "
                f'class="pm-error-text">{escape(in_form_words(s.error))}</div></li>'
            )
    return '<ul class="pm-inputs">' + "".join(rows) + "</ul>"


__all__ = ["TABLE_ROWS", "events_table", "filter_events", "input_statuses", "metrics_cards", "table_html"]
