"""FireHydrant API: an incident (``GET /v1/incidents/{id}``, or ``{"data": [...]}`` of them) and its
timeline (``GET /v1/incidents/{id}/events``: ``{"data": [...], "pagination"}``).

An incident gives one event per reached milestone, from ``milestones[]`` (``type``, ``occurred_at``)
and ``lifecycle_phases[].milestones[]`` (``slug``, ``occurred_at``; the same milestone in both counts
once). Milestone slugs are configurable; the defaults mean:

================================================  ==================
``started``                                       ``impact_start``
``detected``                                      ``detected``
``acknowledged``                                  ``acknowledged``
``identified``                                    ``identified``
``mitigated``                                     ``mitigated``
``resolved``                                      ``resolved``
``investigating`` and any other slug              ``update``
``closed``, ``retrospective_*``, ``postmortem_*``  ``noise``: after the fact
================================================  ==================

Without milestones, ``started_at`` is the impact start and ``created_at`` the detection. A timeline
event at ``occurred_at`` (actor ``author.name``) is a milestone when its ``data.milestone`` names one;
a ``note`` is an ``update``; other text (chat messages, status updates) goes through the free-text
rules and is ``noise`` when none matches. ``pagination.next`` means later pages are missing.
"""

from __future__ import annotations

from typing import Any

from .. import events as ev
from ..sources import Source
from . import Importer, ImportOptions, register
from ._json import Record, check_records, describe, document, empty_result, sample, score, shape_error
from ._rows import Row, classified, field, first_name, next_page, obj, objects, rows_result, when

NAME = "firehydrant"
EXPECTED = "a FireHydrant incident (with 'milestones') or its events {'data': [...], 'pagination': ...}"
SLUGS: dict[str, str] = {
    "started": ev.IMPACT,
    "detected": ev.DETECTED,
    "acknowledged": ev.ACKNOWLEDGED,
    "identified": ev.IDENTIFIED,
    "mitigated": ev.MITIGATED,
    "resolved": ev.RESOLVED,
    "closed": ev.NOISE,
}
AFTER_THE_FACT = ("retrospective", "postmortem", "post_incident")


def _is_incident(record: Record) -> bool:
    return "current_milestone" in record or (
        "started_at" in record
        and isinstance(record.get("milestones") or record.get("lifecycle_phases"), list)
    )


def _is_event(record: Record) -> bool:
    return (
        "occurred_at" in record
        and "incident_id" in record
        and "type" in record
        and "attributes" not in record
    )


def _records(doc: Any) -> list[Any] | None:
    if isinstance(doc, dict) and _is_incident(doc):
        return [doc]
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        return list(doc["data"])
    return None


def sniff(source: Source) -> int:
    records = _records(source.json)
    if records is None:
        return 0
    return score(sample(records), lambda r: _is_incident(r) or _is_event(r), sure=90, some=65)


def slug_kind(slug: str) -> str:
    slug = slug.lower().replace("-", "_").replace(" ", "_")
    if slug.startswith(AFTER_THE_FACT):
        return ev.NOISE
    return SLUGS.get(slug, ev.UPDATE)


def _incident_rows(incident: Record, line: int) -> list[Row]:
    title = field(incident, "name")
    seen: set[tuple[str, str]] = set()
    rows = []
    lifecycle = [
        m for phase in objects(incident.get("lifecycle_phases")) for m in objects(phase.get("milestones"))
    ]
    for milestone in [*objects(incident.get("milestones")), *lifecycle]:
        slug = field(milestone, "type") or field(milestone, "slug")
        time = when(milestone.get("occurred_at"))
        if not slug or time is None or (slug, str(time)) in seen:
            continue
        seen.add((slug, str(time)))
        label = field(milestone, "name") or slug.replace("_", " ").capitalize()
        actor = field(milestone, "updated_by.name")
        rows.append(Row(time, slug_kind(slug), f"{label}: {title}", milestone, line, actor))
    if not rows:
        rows.append(Row(when(incident.get("started_at")), ev.IMPACT, f"Started: {title}", incident, line))
        rows.append(Row(when(incident.get("created_at")), ev.DETECTED, f"Opened: {title}", incident, line))
    return rows


def _event_row(event: Record, line: int) -> Row:
    kind_of = field(event, "type").lower()
    data = obj(event.get("data"))
    milestone = field(data, "milestone")
    text = first_name(data, "body", "message", "note", "description")
    kind = slug_kind(milestone) if milestone else (ev.UPDATE if kind_of == "note" else "")
    if milestone:
        text = f"Milestone {milestone}" + (f": {text}" if text else "")
    actor = field(event, "author.name")
    return Row(when(event.get("occurred_at")), kind, text or kind_of.replace("_", " "), event, line, actor)


def parse_firehydrant(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    items = _records(doc)
    if items is None or (
        items and not any(isinstance(i, dict) and (_is_incident(i) or _is_event(i)) for i in items)
    ):
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    records = check_records(items, source=source, what="record")
    warnings = next_page(doc, "pagination.next", what="records")
    if not records:
        return empty_result(source, NAME, "the export holds no incidents or events")
    rows: list[Row] = []
    for line, record in enumerate(records, start=1):
        if _is_incident(record):
            rows.extend(_incident_rows(record, line))
        elif _is_event(record):
            rows.append(_event_row(record, line))
    rows = classified(rows, default=ev.NOISE)
    return rows_result(source, NAME, rows, tz=options.tz, field="occurred_at", warnings=warnings)


IMPORTER = register(
    Importer(
        name=NAME,
        description="FireHydrant incident JSON (milestones) and incident events JSON (timeline)",
        sniff=sniff,
        parse=parse_firehydrant,
    )
)

__all__ = ["IMPORTER", "SLUGS", "parse_firehydrant", "slug_kind", "sniff"]
