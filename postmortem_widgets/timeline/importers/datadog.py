"""Datadog events: the v1 event stream (format ``datadog``) and the v2 events API (``datadog_v2``).

**v1** (``GET /api/v1/events``): ``{"events": [...]}`` or a list; ``date_happened`` in epoch seconds.
A monitor notification's title starts with its transition, which decides the kind:

====================================  ==========  =============================================
``[Triggered]``                        ``alert``
``[Recovered]``                        ``resolved``
``[Warn]``, ``[No Data]``              ``warning``
``[Re-Triggered]``, ``[Renotify]``     ``noise``   a reminder that it is *still* alerting: the
                                                   onset was the first trigger
``[Warn Recovered]``, ``[No Data       ``noise``   the end of a warning is not the end of an
Recovered]``                                       outage
====================================  ==========  =============================================

A title may carry the group (``[Triggered on {host:web-1}]``) and a priority (``[P1]``). Without a
transition in the title, ``alert_type`` decides: ``error`` is an alert, ``warning`` a warning,
``success`` a recovery; ``info`` events (deploys, config changes, comments) go through the free-text
rules of :mod:`postmortem_widgets.timeline.classify` so that "Rolled back ..." counts as a mitigation, and are
noise otherwise.

**v2** (``GET /api/v2/events``): ``{"data": [{"id", "type": "event", "attributes": {"timestamp",
"message", "tags", "attributes": {"title", "status", "monitor": {"transition": {"transition_type"}}}}}]}``;
``attributes.timestamp`` is ISO 8601. The monitor's ``transition_type`` decides the kind (``alert``,
``alert recovery``, ``warning``, ``renotify`` ...) with the same meanings as above; events without one
fall back to the title and then to ``status`` like v1. A page with ``links.next`` or
``meta.page.after`` is not the whole export: a warning says later events are missing.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from .. import events as ev
from ..classify import classify_text
from ..sources import Source
from . import Importer, ImportOptions, register
from ._json import (
    Record,
    build,
    check_records,
    describe,
    dig,
    document,
    empty_result,
    has_any,
    listed,
    record_times,
    result,
    sample,
    score,
    shape_error,
    text,
    values,
)
from ._rows import next_page

NAME = "datadog"
NAME_V2 = "datadog_v2"
EXPECTED = "Datadog v1 events: {'events': [...]} or a list of events with 'date_happened'"
EXPECTED_V2 = "Datadog v2 events: {'data': [{'attributes': {'timestamp': ...}}]}"

#: Monitor transitions, as written in v1 titles and v2 ``transition_type`` (lower case, normalised).
TRANSITIONS: dict[str, str] = {
    "triggered": ev.ALERT,
    "alert": ev.ALERT,
    "recovered": ev.RESOLVED,
    "alert recovery": ev.RESOLVED,
    "recovery": ev.RESOLVED,
    "warn": ev.WARNING,
    "warning": ev.WARNING,
    "no data": ev.WARNING,
    "re-triggered": ev.NOISE,
    "retriggered": ev.NOISE,
    "renotify": ev.NOISE,
    "re-notify": ev.NOISE,
    "warn recovered": ev.NOISE,
    "warn recovery": ev.NOISE,
    "warning recovery": ev.NOISE,
    "warning recovered": ev.NOISE,
    "no data recovered": ev.NOISE,
    "no data recovery": ev.NOISE,
}
#: ``alert_type`` (v1) or ``status`` (v2) when there is no transition.
STATUSES: dict[str, str] = {
    "error": ev.ALERT,
    "failure": ev.ALERT,
    "warning": ev.WARNING,
    "success": ev.RESOLVED,
}
_TITLE_RE = re.compile(
    r"^\s*(?:\[P\d\]\s*)?\[(?P<state>Triggered|Recovered|Warn(?:ing)?(?: Recover(?:ed|y))?|Re-?Triggered"
    r"|Re-?notify|No Data(?: Recover(?:ed|y))?)(?: on [^\]]*)?\]",
    re.IGNORECASE,
)


def _events_v1(doc: Any) -> list[Any] | None:
    return listed(doc, "events", "event")


def _events_v2(doc: Any) -> list[Any] | None:
    return listed(doc, "data", "data")


def _is_v1(record: Record) -> bool:
    return "date_happened" in record and ("title" in record or "alert_type" in record)


def _is_v2(record: Record) -> bool:
    attributes = record.get("attributes")
    return (
        isinstance(attributes, dict)
        and "timestamp" in attributes
        and (record.get("type") == "event" or isinstance(attributes.get("attributes"), dict))
    )


def sniff(source: Source) -> int:
    items = _events_v1(source.json)
    return 0 if items is None else score(sample(items), _is_v1, sure=90, some=65)


def sniff_v2(source: Source) -> int:
    items = _events_v2(source.json)
    return 0 if items is None else score(sample(items), _is_v2, sure=90, some=65)


def title_transition(titles: pd.Series) -> pd.Series:
    """The transition named at the start of each title, lower case (``""`` when none)."""
    state = titles.str.extract(_TITLE_RE, expand=False)
    return state.fillna("").astype("str").str.lower()


def _kinds(transition: pd.Series, status: pd.Series, messages: pd.Series) -> np.ndarray:
    """The transition's kind; else the status's; else the free-text rules (``noise`` by default)."""
    by_transition = transition.str.lower().str.strip().map(TRANSITIONS)
    by_status = status.str.lower().str.strip().map(STATUSES)
    kinds = by_transition.fillna(by_status).to_numpy(dtype=object, copy=True)
    rest = pd.isna(kinds)
    if rest.any():
        kinds[rest] = classify_text(messages[rest].tolist(), default=ev.NOISE)
    return kinds


def _strip_markdown(texts: pd.Series) -> pd.Series:
    """Datadog wraps Markdown bodies in ``%%%`` fences; they are not part of the message."""
    return texts.str.replace(r"^\s*%%%\s*|\s*%%%\s*$", "", regex=True)


def parse_datadog(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    items = _events_v1(doc)
    if items is None or (items and not has_any(items, "date_happened", "alert_type")):
        found = describe(doc)
        if _events_v2(doc) is not None and any(_is_v2(r) for r in sample(_events_v2(doc))):
            found = "a Datadog v2 events export (use --format datadog_v2)"
        raise shape_error(source, found=found, format=NAME, expected=EXPECTED)
    records = check_records(items, source=source, what="event")
    if not records:
        return empty_result(source, NAME, "the export holds no events")
    times, warnings = record_times(
        values(records, "date_happened"), file=source.name, field="date_happened", tz=options.tz
    )
    title = text(records, "title")
    body = _strip_markdown(text(records, "text"))
    message = title.where(title != "", body)
    kind = _kinds(title_transition(title), text(records, "alert_type"), message)
    actor = text(records, "host")
    actor = actor.where(actor != "", text(records, "source_type_name"))
    events = build(
        format=NAME, source=source, records=records, times=times, kind=kind, message=message, actor=actor
    )
    return result(source, NAME, [events], warnings)


def parse_datadog_v2(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME_V2, expected=EXPECTED_V2)
    items = _events_v2(doc)
    if items is None or (items and not any(isinstance(dig(i, "attributes"), dict) for i in items)):
        found = describe(doc)
        if _events_v1(doc) is not None and any(_is_v1(r) for r in sample(_events_v1(doc))):
            found = "a Datadog v1 events export (use --format datadog)"
        raise shape_error(source, found=found, format=NAME_V2, expected=EXPECTED_V2)
    records = check_records(items, source=source, what="event")
    paging = next_page(doc, "links.next", "meta.page.after", what="events")
    if not records:
        return result(source, NAME_V2, [], ["the export holds no events", *paging])
    times, warnings = record_times(
        values(records, "attributes.timestamp"), file=source.name, field="attributes.timestamp", tz=options.tz
    )
    warnings = paging + warnings
    inner = "attributes.attributes."
    title = text(records, inner + "title")
    title = title.where(title != "", text(records, inner + "monitor.name"))
    message = title.where(title != "", _strip_markdown(text(records, "attributes.message")))
    transition = text(records, inner + "monitor.transition.transition_type")
    transition = transition.where(transition != "", title_transition(title))
    kind = _kinds(transition, text(records, inner + "status"), message)
    actor = text(records, inner + "hostname")
    actor = actor.where(actor != "", text(records, inner + "service"))
    actor = actor.where(actor != "", pd.Series([_tag(r, "service") for r in records], dtype="str"))
    events = build(
        format=NAME_V2, source=source, records=records, times=times, kind=kind, message=message, actor=actor
    )
    return result(source, NAME_V2, [events], warnings)


def _tag(record: Record, key: str) -> str:
    """The value of a ``key:value`` tag on a v2 event."""
    for tag in dig(record, "attributes.tags") or []:
        if isinstance(tag, str) and tag.startswith(key + ":"):
            return tag.split(":", 1)[1]
    return ""


IMPORTER = register(
    Importer(
        name=NAME,
        description="Datadog v1 event stream JSON (monitor triggered / recovered / warn, deploys)",
        sniff=sniff,
        parse=parse_datadog,
    )
)
IMPORTER_V2 = register(
    Importer(
        name=NAME_V2,
        description="Datadog v2 events API JSON (monitor transitions)",
        sniff=sniff_v2,
        parse=parse_datadog_v2,
    )
)

__all__ = ["IMPORTER", "IMPORTER_V2", "STATUSES", "TRANSITIONS", "parse_datadog", "parse_datadog_v2"]
