"""Rootly incidents API (JSON:API: ``{"data": {...}}`` or ``{"data": [...], "links", "meta"}``).

Records of ``type`` ``incidents`` give one event per lifecycle time in their ``attributes``:

===================  ==================  ===================================================
``started_at``       ``impact_start``
``detected_at``      ``detected``        (``created_at`` stands in when there is none)
``acknowledged_at``  ``acknowledged``
``mitigated_at``     ``mitigated``       with the ``mitigation_message``
``resolved_at``      ``resolved``        with the ``resolution_message``
``in_triage_at``,    ``update``          bookkeeping around the response, not a milestone
``closed_at``,
``cancelled_at``
===================  ==================  ===================================================

Records of ``type`` ``incident_events`` (``GET /v1/incidents/{id}/events``) are timeline entries at
``occurred_at``: their ``event`` text goes through the free-text rules (``update`` when none matches),
marked ``(public)`` when ``visibility`` is ``external``. ``links.next`` or ``meta.next_page`` means
later pages are missing.
"""

from __future__ import annotations

from typing import Any

from .. import events as ev
from ..sources import Source
from . import Importer, ImportOptions, register
from ._json import Record, check_records, describe, document, empty_result, sample, score, shape_error
from ._rows import Row, classified, field, next_page, rows_result, when

NAME = "rootly"
EXPECTED = (
    "Rootly JSON:API incidents or incident events: {'data': [{'type': 'incidents', 'attributes': ...}]}"
)
TYPES = frozenset({"incidents", "incident_events"})
LIFECYCLE: tuple[tuple[str, str, str, str], ...] = (
    ("in_triage_at", ev.UPDATE, "in triage", ""),
    ("started_at", ev.IMPACT, "started", ""),
    ("detected_at", ev.DETECTED, "detected", ""),
    ("acknowledged_at", ev.ACKNOWLEDGED, "acknowledged", ""),
    ("mitigated_at", ev.MITIGATED, "mitigated", "mitigation_message"),
    ("resolved_at", ev.RESOLVED, "resolved", "resolution_message"),
    ("closed_at", ev.UPDATE, "closed", ""),
    ("cancelled_at", ev.UPDATE, "cancelled", "cancellation_message"),
)


def _records(doc: Any) -> list[Any] | None:
    if not isinstance(doc, dict):
        return None
    data = doc.get("data")
    if isinstance(data, dict):
        return [data]
    return list(data) if isinstance(data, list) else None


def _is_rootly(record: Record) -> bool:
    return field(record, "type") in TYPES and isinstance(record.get("attributes"), dict)


def sniff(source: Source) -> int:
    records = _records(source.json)
    return 0 if records is None else score(sample(records), _is_rootly, sure=95, some=70)


def _incident_rows(record: Record, line: int) -> list[Row]:
    attributes = record["attributes"]
    title = field(attributes, "title")
    rows = []
    for key, kind, label, detail in LIFECYCLE:
        note = field(attributes, detail) if detail else ""
        message = f"Incident {label}: {title}" + (f" ({note})" if note else "")
        rows.append(Row(when(attributes.get(key)), kind, message, record, line))
    if when(attributes.get("detected_at")) is None:
        rows.append(
            Row(when(attributes.get("created_at")), ev.DETECTED, f"Incident created: {title}", record, line)
        )
    return rows


def _event_row(record: Record, line: int) -> Row:
    attributes = record["attributes"]
    public = field(attributes, "visibility").lower() == "external"
    message = ("(public) " if public else "") + field(attributes, "event")
    return Row(when(attributes.get("occurred_at")), "", message, record, line)


def parse_rootly(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    items = _records(doc)
    if items is None or (items and not any(isinstance(i, dict) and _is_rootly(i) for i in items)):
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    records = check_records(items, source=source, what="record")
    warnings = next_page(doc, "links.next", "meta.next_page", what="records")
    if not records:
        return empty_result(source, NAME, "the export holds no incidents or events")
    rows: list[Row] = []
    for line, record in enumerate(records, start=1):
        if not _is_rootly(record):
            continue
        if record["type"] == "incidents":
            rows.extend(_incident_rows(record, line))
        else:
            rows.append(_event_row(record, line))
    skipped = len(records) - sum(1 for r in records if _is_rootly(r))
    if skipped:
        warnings.append(f"{skipped} record(s) of another type were skipped")
    rows = classified(rows, default=ev.UPDATE)
    return rows_result(source, NAME, rows, tz=options.tz, field="attributes.*_at", warnings=warnings)


IMPORTER = register(
    Importer(
        name=NAME,
        description="Rootly incidents API JSON (lifecycle times: started ... resolved) and incident events",
        sniff=sniff,
        parse=parse_rootly,
    )
)

__all__ = ["IMPORTER", "LIFECYCLE", "parse_rootly", "sniff"]
