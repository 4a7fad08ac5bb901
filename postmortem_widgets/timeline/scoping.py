"""One incident out of exports that hold several, and inputs kept to the incident's window.

Incident tools export lists: Statuspage's ``incidents.json`` holds the 50 most recent incidents,
PagerDuty's ``GET /log_entries`` mixes every incident's entries, an Opsgenie alert list spans days.
Merged whole they make one "incident" lasting years, so an import is split into incidents
(:func:`incidents_of`) and one is kept (:func:`scope_result`): the one asked for (``--incident ID``), or
the most recent, with a warning that lists the others.

How a format's events are split:

=================  ==========================================================================
``statuspage``     by incident (each update's incident, titled by the incident's ``name``)
``pagerduty``      by the log entry's ``incident.id`` (titled by ``incident.summary``)
``opsgenie``       alerts grouped by time: an alert created more than :data:`ALERT_GAP` after
                   every earlier alert of the group ended starts a new incident, named by the
                   ``tinyId`` of its first alert (any of its alerts' ``tinyId`` or ``id`` picks it)
any other JSON     records of ``type: incident`` (a PagerDuty incidents list) by ``id``, also
                   picked by ``incident_number``
=================  ==========================================================================

Events that belong to no incident (a PagerDuty entry without ``incident``) are kept whichever is chosen.

A window (``--window START..END``, :func:`parse_window`) keeps only the events inside it;
:func:`distant_inputs` warns about inputs whose times lie more than :data:`INPUT_GAP` apart.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from . import events as ev
from .clock import parse_clock
from .sources import Source
from .timeparse import parse_date, resolve_zone

#: An Opsgenie alert this long after the group's last alert ended starts another incident.
ALERT_GAP = pd.Timedelta(hours=1)
#: Inputs further apart than this are probably not the same incident.
INPUT_GAP = pd.Timedelta(hours=24)
#: How many other incidents a warning lists by name.
LISTED = 10


@dataclass(frozen=True)
class IncidentRef:
    """One incident of an input: its id, title, first event (UTC) and the other names that pick it."""

    id: str
    title: str
    start: pd.Timestamp
    aliases: tuple[str, ...] = ()

    def describe(self) -> str:
        """``Q1CHK7X "checkout-api 5xx" (2024-05-12 14:02 UTC)``."""
        title = f' "{self.title}"' if self.title else ""
        return f"{self.id}{title} ({self.start.strftime('%Y-%m-%d %H:%M')} UTC)"

    def matches(self, wanted: str) -> bool:
        """Whether ``--incident wanted`` names this incident (its id or an alias, any case)."""
        key = wanted.strip().lstrip("#").casefold()
        return any(key == name.lstrip("#").casefold() for name in (self.id, *self.aliases))

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "start": self.start.strftime("%Y-%m-%dT%H:%M:%SZ")}


#: One incident and which rows of the event table are its own.
Group = tuple[IncidentRef, np.ndarray]
Splitter = Callable[[Source, pd.DataFrame], list[Group]]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _by_key(events: pd.DataFrame, keys: Sequence[str | None], titles: dict[str, str]) -> list[Group]:
    """Groups of the rows sharing a key (``None``: no incident, left out of every group)."""
    key_array = np.asarray([k if k is not None else "" for k in keys], dtype=object)
    times = events["time"]
    groups: list[Group] = []
    for key in dict.fromkeys(k for k in keys if k):
        mask = key_array == key
        groups.append((IncidentRef(key, titles.get(key, ""), times[mask].min()), mask))
    return groups


def _statuspage(source: Source, events: pd.DataFrame) -> list[Group]:
    doc = source.json
    listed = doc.get("incidents") if isinstance(doc, dict) else doc
    owner: dict[int, str] = {}
    titles: dict[str, str] = {}
    for number, incident in enumerate(listed if isinstance(listed, list) else [], start=1):
        if not isinstance(incident, dict):
            continue
        key = _text(incident.get("id")) or f"incident {number}"
        titles[key] = _text(incident.get("name"))
        for update in incident.get("incident_updates") or []:
            owner[id(update)] = key
    keys = [
        owner.get(id(raw)) or (_text(raw.get("incident_id")) if isinstance(raw, dict) else "") or None
        for raw in events["raw"]
    ]
    return _by_key(events, keys, titles)


def _pagerduty(source: Source, events: pd.DataFrame) -> list[Group]:
    keys: list[str | None] = []
    titles: dict[str, str] = {}
    for raw in events["raw"]:
        incident = raw.get("incident") if isinstance(raw, dict) else None
        key = _text(incident.get("id")) if isinstance(incident, dict) else ""
        keys.append(key or None)
        if key and not titles.get(key):
            titles[key] = _text(incident.get("summary") or incident.get("title"))  # type: ignore[union-attr]
    return _by_key(events, keys, titles)


def _opsgenie(source: Source, events: pd.DataFrame) -> list[Group]:
    """Alerts grouped by time (see the module docstring)."""
    alert_of = np.asarray([id(raw) for raw in events["raw"]], dtype=np.int64)
    times = events["time"].to_numpy(dtype="datetime64[ns]")
    alerts: dict[int, Any] = {id(raw): raw for raw in events["raw"]}
    spans = []
    for key, raw in alerts.items():
        mine = times[alert_of == key]
        spans.append((mine.min(), mine.max(), key, raw))
    spans.sort(key=lambda span: span[0])
    clusters: list[list[tuple[Any, Any, int, Any]]] = []
    end = None
    for span in spans:
        if end is None or span[0] - end > ALERT_GAP.to_timedelta64():
            clusters.append([])
            end = span[1]
        clusters[-1].append(span)
        end = max(end, span[1])
    groups: list[Group] = []
    for cluster in clusters:
        first = cluster[0][3] if isinstance(cluster[0][3], dict) else {}
        names = [_text(r.get(k)) for *_, r in cluster if isinstance(r, dict) for k in ("tinyId", "id")]
        ident = _text(first.get("tinyId")) or _text(first.get("id")) or f"alert {len(groups) + 1}"
        title = _text(first.get("message"))
        if len(cluster) > 1:
            title += f" (+{len(cluster) - 1} alert{'s' if len(cluster) > 2 else ''})"
        mask = np.isin(alert_of, [span[2] for span in cluster])
        start = pd.Timestamp(cluster[0][0], tz="UTC")
        groups.append((IncidentRef(ident, title, start, tuple(n for n in names if n)), mask))
    return groups


def _incident_records(source: Source, events: pd.DataFrame) -> list[Group]:
    """Records that are incidents themselves (``type: incident``), by their ``id``."""
    keys: list[str | None] = []
    titles: dict[str, str] = {}
    numbers: dict[str, str] = {}
    for raw in events["raw"]:
        if not isinstance(raw, dict) or raw.get("type") != "incident" or not _text(raw.get("id")):
            keys.append(None)
            continue
        key = _text(raw["id"])
        keys.append(key)
        titles[key] = _text(raw.get("title") or raw.get("summary"))
        numbers[key] = _text(raw.get("incident_number"))
    groups = _by_key(events, keys, titles)
    return [
        (dataclasses.replace(ref, aliases=(numbers[ref.id],) if numbers[ref.id] else ()), m)
        for ref, m in groups
    ]


SPLITTERS: dict[str, Splitter] = {
    "statuspage": _statuspage,
    "pagerduty": _pagerduty,
    "opsgenie": _opsgenie,
}


def incidents_of(source: Source, result: ev.ImportResult) -> list[Group]:
    """The incidents ``result``'s events belong to, each with the mask of its rows (none: not split)."""
    if not len(result.events):
        return []
    splitter = SPLITTERS.get(result.format)
    if splitter is None:
        first = result.events["raw"].iloc[0]
        splitter = _incident_records if isinstance(first, dict) and first.get("type") == "incident" else None
    return splitter(source, result.events) if splitter is not None else []


def _choose(groups: list[Group], wanted: Sequence[str], file: str, *, windowed: bool) -> tuple[Group, str]:
    """The group asked for (and the id that asked), else the most recent (and ``""``).

    Asking for ids none of the groups has raises, listing theirs."""
    for group in groups:
        asked = next((w for w in wanted if group[0].matches(w)), None)
        if asked is not None:
            return group, asked.strip()
    if wanted:
        newest = sorted((ref for ref, _ in groups), key=lambda r: r.start, reverse=True)
        ids = ", ".join(ref.id for ref in newest[:LISTED]) + (" ..." if len(newest) > LISTED else "")
        raise InputError(
            f"no incident {' or '.join(wanted)} among the {len(groups)} incidents of this file"
            + (" inside the window" if windowed else ""),
            file=file,
            hint=f"its incidents: {ids}; pass --incident once for each file that holds several",
        )
    return max(groups, key=lambda g: g[0].start), ""


def _listed(refs: Sequence[IncidentRef]) -> str:
    shown = "; ".join(ref.describe() for ref in refs[:LISTED])
    return shown + (f"; and {len(refs) - LISTED} more" if len(refs) > LISTED else "")


def scope_result(
    source: Source, result: ev.ImportResult, wanted: Sequence[str] = (), *, windowed: bool = False
) -> ev.ImportResult:
    """``result`` kept to one of its incidents when it holds several (see the module docstring).

    The warning says which was used and why, and lists the others (id, title, date). ``windowed``: the
    events were kept to a window first (an error then says the incident asked for is not inside it).
    """
    groups = incidents_of(source, result)
    if len(groups) < 2:
        return result
    (chosen, mask), asked = _choose(groups, wanted, result.file, windowed=windowed)
    orphans = np.ones(len(result.events), dtype=bool)
    for _, rows in groups:
        orphans &= ~rows
    events = result.events[mask | orphans].reset_index(drop=True)
    if chosen.title and result.format == "statuspage":
        prefix = f"[{chosen.title}] "
        events["message"] = events["message"].str.removeprefix(prefix)
    others = sorted((ref for ref, _ in groups if ref is not chosen), key=lambda r: r.start, reverse=True)
    why = f"--incident {asked}" if asked else "the most recent; pass --incident ID for another"
    warning = (
        f"holds {len(groups)} incidents; using {chosen.describe()} ({why}); the others: {_listed(others)}"
    )
    return dataclasses.replace(
        result,
        events=events,
        warnings=[*result.warnings, warning],
        incident=chosen,
        incidents=[ref for ref, _ in sorted(groups, key=lambda g: g[0].start, reverse=True)],
    )


@dataclass(frozen=True)
class Window:
    """The span of time an incident's events are kept to (inclusive, UTC)."""

    start: pd.Timestamp
    end: pd.Timestamp
    text: str

    def contains(self, times: pd.Series) -> np.ndarray:
        return ((times >= self.start) & (times <= self.end)).to_numpy(dtype=bool)


_WINDOW_HINT = (
    "write START..END as ISO times (2024-05-12T14:00Z..2024-05-12T16:00Z) or clock times (14:00..16:30)"
)


def _bound(text: str, *, day: Any, zone: Any, raw: str) -> tuple[pd.Timestamp, bool]:
    """One end of a window in UTC, and whether it was a clock time on the incident's date."""
    clock = parse_clock(text)
    if clock is not None:
        if day is None:
            raise InputError(
                f"--window {raw}: {text!r} is a clock time and there is no incident date",
                hint="pass --date YYYY-MM-DD, or write full ISO times",
            )
        local = pd.Timestamp(day.year, day.month, day.day, *clock)
        return local.tz_localize(zone).tz_convert("UTC"), True
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError):
        raise InputError(f"--window {raw}: cannot read {text!r} as a time", hint=_WINDOW_HINT) from None
    if pd.isna(stamp) or not re.search(r"\d{1,2}:\d{2}", text):
        raise InputError(f"--window {raw}: {text!r} has no time of day", hint=_WINDOW_HINT)
    stamp = stamp.tz_localize(zone) if stamp.tzinfo is None else stamp
    return stamp.tz_convert("UTC"), False


def parse_window(text: str, *, date: str | None = None, tz: str | None = None) -> Window:
    """``START..END`` as a :class:`Window`.

    Each end is an ISO time (naive ones are in ``tz``, else UTC) or a clock time on ``date`` (the
    incident's date) in ``tz``; a clock-time end before its start is on the next day. Raises
    :class:`InputError` for anything else, or an end before the start.

    >>> w = parse_window("14:00..16:30", date="2024-05-12", tz="Europe/Berlin")
    >>> str(w.start), str(w.end)
    ('2024-05-12 12:00:00+00:00', '2024-05-12 14:30:00+00:00')
    """
    raw = text.strip()
    first, sep, last = raw.partition("..")
    if not sep or not first.strip() or not last.strip():
        raise InputError(f"--window {raw!r}: expected START..END", hint=_WINDOW_HINT)
    zone = resolve_zone(tz) if tz else "UTC"
    day = parse_date(date) if date else None
    start, _ = _bound(first.strip(), day=day, zone=zone, raw=raw)
    end, clock = _bound(last.strip(), day=day, zone=zone, raw=raw)
    if end < start and clock:
        end += pd.Timedelta(days=1)
    if end <= start:
        raise InputError(f"--window {raw}: the end is not after the start", hint=_WINDOW_HINT)
    return Window(start, end, raw)


def window_result(result: ev.ImportResult, window: Window) -> ev.ImportResult:
    """``result`` with only the events (and series points) inside ``window``, saying how many were left."""
    keep = window.contains(result.events["time"])
    series = [_window_series(s, window) for s in result.series]
    if keep.all() and all(len(a) == len(b) for a, b in zip(series, result.series, strict=True)):
        return result
    dropped = int((~keep).sum())
    warning = f"--window {window.text}: kept {int(keep.sum())} of {len(keep)} event(s), {dropped} outside"
    return dataclasses.replace(
        result,
        events=result.events[keep].reset_index(drop=True),
        series=series,
        warnings=[*result.warnings, warning],
    )


def _window_series(series: Any, window: Window) -> Any:
    keep = (series.times >= window.start.value) & (series.times <= window.end.value)
    if keep.all():
        return series
    return dataclasses.replace(series, times=series.times[keep], values=series.values[keep])


def _span(result: ev.ImportResult) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    times = [t for t in (result.events["time"].min(), result.events["time"].max()) if pd.notna(t)]
    for s in result.series:
        if len(s.times):
            times += [pd.Timestamp(int(s.times.min()), tz="UTC"), pd.Timestamp(int(s.times.max()), tz="UTC")]
    return (min(times), max(times)) if times else None


def _gap_words(gap: pd.Timedelta) -> str:
    days = gap / pd.Timedelta(days=1)
    if days >= 365:
        return f"{days / 365.25:.1f} years"
    if days >= 2:
        return f"{days:.0f} days"
    return f"{gap / pd.Timedelta(hours=1):.0f} hours"


def _day(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d %H:%M")


def distant_inputs(results: Iterable[ev.ImportResult], gap: pd.Timedelta = INPUT_GAP) -> list[str]:
    """A warning for each break of more than ``gap`` between the inputs' time ranges, naming both sides."""
    spans = sorted((span, r.file) for r in results if (span := _span(r)) is not None)
    warnings: list[str] = []
    if not spans:
        return warnings
    (_, end), last = spans[0]
    for (begin, finish), file in spans[1:]:
        if begin - end > gap:
            warnings.append(
                f"{last} (up to {_day(end)} UTC) and {file} (from {_day(begin)} UTC) lie "
                f"{_gap_words(begin - end)} apart: they may not be the same incident; "
                "pass --window START..END to keep one incident's events"
            )
        if finish > end:
            end, last = finish, file
    return warnings


__all__ = [
    "ALERT_GAP",
    "INPUT_GAP",
    "IncidentRef",
    "Window",
    "distant_inputs",
    "incidents_of",
    "parse_window",
    "scope_result",
    "window_result",
]
