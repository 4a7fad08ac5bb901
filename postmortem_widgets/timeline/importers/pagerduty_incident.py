"""PagerDuty incidents API (``GET /incidents/{id}``: ``{"incident": {...}}``; ``GET /incidents``:
``{"incidents": [...], "more"}``; or one incident object).

An incident object holds only its coarse history, so each gives up to three events:

* ``page`` at ``created_at``: the incident was triggered and its on-call paged (actor: the service);
* ``acknowledged`` at each ``acknowledgements[].at``, by its ``acknowledger``; an ``acknowledged``
  incident whose list is empty uses ``last_status_change_at``;
* ``resolved`` at ``resolved_at`` (else ``last_status_change_at``) when ``status`` is ``resolved``.

PagerDuty empties ``acknowledgements`` when an incident resolves, so a resolved incident says nothing
of its acknowledgement: a warning asks for the log entries (``--format pagerduty`` reads them), which
hold the whole history.
"""

from __future__ import annotations

from typing import Any

from .. import events as ev
from ..sources import Source
from . import Importer, ImportOptions, register
from ._json import Record, check_records, describe, document, empty_result, sample, score, shape_error
from ._rows import Row, field, next_page, objects, rows_result, when

NAME = "pagerduty_incident"
EXPECTED = "a PagerDuty incident: {'incident': {...}}, {'incidents': [...]} or one incident object"


def _is_incident(record: Record) -> bool:
    return record.get("type") == "incident" or ("incident_number" in record and "status" in record)


def _incidents(doc: Any) -> list[Any] | None:
    if not isinstance(doc, dict) or "log_entries" in doc:
        return None
    if isinstance(doc.get("incident"), dict):
        return [doc["incident"]]
    if isinstance(doc.get("incidents"), list):
        return list(doc["incidents"])
    return [doc] if _is_incident(doc) else None


def sniff(source: Source) -> int:
    incidents = _incidents(source.json)
    if incidents is None:
        return 0
    return score(sample(incidents), _is_incident, sure=90, some=65)


def _rows(incident: Record, line: int, several: bool) -> list[Row]:
    number = field(incident, "incident_number")
    title = field(incident, "title") or field(incident, "summary")
    if several and number and not title.startswith("["):
        title = f"[#{number}] {title}"
    service = field(incident, "service.summary")
    rows = [
        Row(
            when(incident.get("created_at")),
            ev.PAGE,
            f"Triggered: {title}" + (f" ({service})" if service else ""),
            incident,
            line,
            service,
        )
    ]
    acks = objects(incident.get("acknowledgements"))
    for ack in acks:
        rows.append(
            Row(
                when(ack.get("at")),
                ev.ACKNOWLEDGED,
                f"Acknowledged: {title}",
                ack,
                line,
                field(ack, "acknowledger.summary"),
            )
        )
    status = field(incident, "status").lower()
    changed_by = field(incident, "last_status_change_by.summary")
    if status == "acknowledged" and not acks:
        rows.append(
            Row(
                when(incident.get("last_status_change_at")),
                ev.ACKNOWLEDGED,
                f"Acknowledged: {title}",
                incident,
                line,
                changed_by,
            )
        )
    if status == "resolved":
        at = when(incident.get("resolved_at")) or when(incident.get("last_status_change_at"))
        rows.append(Row(at, ev.RESOLVED, f"Resolved: {title}", incident, line, changed_by))
    return rows


def parse_pagerduty_incident(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    items = _incidents(doc)
    if items is None or (items and not any(isinstance(i, dict) and _is_incident(i) for i in items)):
        entries = isinstance(doc, dict) and "log_entries" in doc
        found = "PagerDuty log entries (use --format pagerduty)" if entries else describe(doc)
        raise shape_error(source, found=found, format=NAME, expected=EXPECTED)
    incidents = check_records(items, source=source, what="incident")
    warnings = next_page(doc, "more", what="incidents")
    if not incidents:
        return empty_result(source, NAME, "the export holds no incidents")
    rows = [row for n, inc in enumerate(incidents, start=1) for row in _rows(inc, n, len(incidents) > 1)]
    unacked = [
        n
        for n, inc in enumerate(incidents, start=1)
        if field(inc, "status").lower() == "resolved" and not objects(inc.get("acknowledgements"))
    ]
    if unacked:
        warnings.append(
            f"resolved incident(s) list no acknowledgements (records {', '.join(map(str, unacked[:10]))}): "
            "PagerDuty clears them on resolve; import the incident's log entries for the full history"
        )
    return rows_result(
        source, NAME, rows, tz=options.tz, field="created_at/at/resolved_at", warnings=warnings
    )


IMPORTER = register(
    Importer(
        name=NAME,
        description="PagerDuty incidents API JSON (triggered, acknowledgements, resolved)",
        sniff=sniff,
        parse=parse_pagerduty_incident,
    )
)

__all__ = ["IMPORTER", "parse_pagerduty_incident", "sniff"]
