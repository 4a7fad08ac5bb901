"""Sentry: an issue (``GET /api/0/organizations/{org}/issues/{id}/``, or a list of issues) and an issue's
events (``GET .../issues/{id}/events/``: a bare list with ``eventID`` and ``dateCreated``).

An issue gives an ``alert`` at ``firstSeen`` (errors began: the onset) and one event per entry of its
``activity``: ``set_resolved*`` is ``resolved``, a ``note`` goes through the free-text rules (an
``update`` when none matches: "Rolled back ..." is a mitigation), the rest
(``first_seen``, assignment, regressions ...) ``noise``. ``lastSeen`` is an ``update`` (the last error
seen, not a fix). A resolved issue without a resolve activity gets a warning: the export does not say
when it was resolved.

An events list gives, per issue (``groupID``), an ``alert`` at its earliest event and an ``update`` at
its latest; the events between are ``noise`` (each is one error, kept for traceability). Events are
de-duplicated by ``eventID`` (pages saved to one file overlap). Sentry pages with a ``Link`` header
that a saved file does not keep, so nothing here can tell that a page is missing.
"""

from __future__ import annotations

from typing import Any

from .. import events as ev
from ..sources import Source
from . import Importer, ImportOptions, register
from ._json import Record, check_records, describe, document, empty_result, sample, score, shape_error
from ._rows import Row, classified, field, first_name, objects, rows_result, when

NAME = "sentry"
EXPECTED = "a Sentry issue (with 'firstSeen'), a list of issues, or an issue's events (with 'eventID')"


def _is_issue(record: Record) -> bool:
    return "firstSeen" in record and ("shortId" in record or "culprit" in record)


def _is_event(record: Record) -> bool:
    return "eventID" in record and "dateCreated" in record


def _records(doc: Any) -> list[Any] | None:
    if isinstance(doc, dict) and _is_issue(doc):
        return [doc]
    return list(doc) if isinstance(doc, list) else None


def sniff(source: Source) -> int:
    records = _records(source.json)
    if records is None:
        return 0
    return score(sample(records), lambda r: _is_issue(r) or _is_event(r), sure=90, some=65)


def _activity_kind(kind: str) -> str:
    if kind.startswith("set_resolved"):
        return ev.RESOLVED
    return "" if kind == "note" else ev.NOISE


def _issue_rows(issue: Record, line: int) -> tuple[list[Row], bool]:
    title = " ".join(p for p in (field(issue, "shortId"), field(issue, "title")) if p)
    rows = [
        Row(when(issue.get("firstSeen")), ev.ALERT, f"Sentry issue first seen: {title}", issue, line),
        Row(when(issue.get("lastSeen")), ev.UPDATE, f"Sentry issue last seen: {title}", issue, line),
    ]
    for activity in objects(issue.get("activity")):
        kind_of = field(activity, "type")
        note = field(activity, "data.text")
        message = f"Sentry {kind_of.replace('_', ' ')}: " + (note or title)
        actor = first_name(activity, "user.name", "user.email")
        rows.append(
            Row(when(activity.get("dateCreated")), _activity_kind(kind_of), message, activity, line, actor)
        )
    unresolved_time = field(issue, "status").lower() == "resolved" and not any(
        r.kind == ev.RESOLVED for r in rows
    )
    return rows, unresolved_time


def _event_rows(events: list[tuple[int, Record]]) -> list[Row]:
    """Per issue, the earliest event is the onset and the latest an update (ISO times compare as text)."""
    by_group: dict[str, list[tuple[int, Record]]] = {}
    seen: set[str] = set()
    for line, event in events:
        key = field(event, "eventID")
        if key and key in seen:
            continue
        seen.add(key)
        by_group.setdefault(field(event, "groupID"), []).append((line, event))
    rows = []
    for group in by_group.values():
        group.sort(key=lambda pair: str(pair[1].get("dateCreated") or ""))
        for place, (line, event) in enumerate(group):
            kind = ev.ALERT if place == 0 else ev.UPDATE if place == len(group) - 1 else ev.NOISE
            label = "first error" if place == 0 else "last error" if kind == ev.UPDATE else "error"
            message = f"Sentry {label}: {field(event, 'title')}"
            actor = first_name(event, "user.username", "user.email", "user.id")
            rows.append(Row(when(event.get("dateCreated")), kind, message, event, line, actor))
    return rows


def parse_sentry(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    items = _records(doc)
    if items is None or (
        items and not any(isinstance(i, dict) and (_is_issue(i) or _is_event(i)) for i in items)
    ):
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    records = check_records(items, source=source, what="record")
    if not records:
        return empty_result(source, NAME, "the export holds no issues or events")
    rows: list[Row] = []
    undated: list[int] = []
    for line, record in enumerate(records, start=1):
        if _is_issue(record):
            mine, no_resolve_time = _issue_rows(record, line)
            rows.extend(mine)
            undated.extend([line] if no_resolve_time else [])
    rows.extend(
        _event_rows([(n, r) for n, r in enumerate(records, start=1) if _is_event(r) and not _is_issue(r)])
    )
    warnings = []
    if undated:
        warnings.append(
            f"resolved issue(s) without a resolve activity (records {', '.join(map(str, undated[:10]))}): "
            "the export does not say when they were resolved"
        )
    rows = classified(rows, default=ev.UPDATE)
    return rows_result(source, NAME, rows, tz=options.tz, field="firstSeen/dateCreated", warnings=warnings)


IMPORTER = register(
    Importer(
        name=NAME,
        description="Sentry issue JSON (first seen, activity) and issue events JSON (first and last error)",
        sniff=sniff,
        parse=parse_sentry,
    )
)

__all__ = ["IMPORTER", "parse_sentry", "sniff"]
