"""incident.io API v2: an incident (``{"incident": {...}}``), a list (``{"incidents": [...]}``) or its
updates (``GET /v2/incident_updates``: ``{"incident_updates": [...], "pagination_meta"}``).

An incident gives a ``detected`` event at ``created_at`` (it was declared, by its ``creator``) and one
event per set value of ``incident_timestamp_values``. Timestamp names are the organisation's own, so
their words decide:

=============================================  ==================
``resolved``                                   ``resolved``
``fixed``, ``mitigated``                       ``mitigated``
``identified``                                 ``identified``
``accepted``, ``acknowledged``                 ``acknowledged``
``reported``, ``detected``, ``declared``       ``detected``
``impact``, ``started``                        ``impact_start``
anything else (``closed``, comms sent ...)     ``update``
=============================================  ==================

(the first word found decides, in that order).

An update is a status change at ``created_at`` with its ``message``: the first that enters a status of
category ``learning`` (post-incident) or ``closed`` is ``resolved``; a status named ``monitoring`` is
``mitigated``, one named ``identified`` ``identified``; the rest are ``update``. Its actor is whoever
``updater`` names (a user, a workflow, an API key or an alert). ``pagination_meta.after`` means later
pages are missing.
"""

from __future__ import annotations

from typing import Any

from .. import events as ev
from ..sources import Source
from . import Importer, ImportOptions, register
from ._json import Record, check_records, describe, document, empty_result, score, shape_error
from ._rows import Row, field, first_name, next_page, objects, rows_result, when

NAME = "incident_io"
EXPECTED = "incident.io v2 JSON: {'incident': ...}, {'incidents': [...]} or {'incident_updates': [...]}"
#: Checked in this order, so "Impact resolved" resolves and "Mitigation started" mitigates.
TIMESTAMP_WORDS: tuple[tuple[str, str], ...] = (
    ("resolved", ev.RESOLVED),
    ("fixed", ev.MITIGATED),
    ("mitigat", ev.MITIGATED),
    ("identified", ev.IDENTIFIED),
    ("accepted", ev.ACKNOWLEDGED),
    ("acknowledged", ev.ACKNOWLEDGED),
    ("reported", ev.DETECTED),
    ("detected", ev.DETECTED),
    ("declared", ev.DETECTED),
    ("impact", ev.IMPACT),
    ("started", ev.IMPACT),
)
ENDED = frozenset({"learning", "closed"})
ACTOR_PATHS = ("user.name", "workflow.name", "api_key.name", "alert.title")


def _is_incident(record: Any) -> bool:
    return isinstance(record, dict) and ("incident_status" in record or "incident_timestamp_values" in record)


def _is_update(record: Any) -> bool:
    return isinstance(record, dict) and "new_incident_status" in record and "incident_id" in record


def _records(doc: Any) -> tuple[str, list[Any]] | None:
    if not isinstance(doc, dict):
        return None
    if _is_incident(doc.get("incident")):
        return "incident", [doc["incident"]]
    for key in ("incidents", "incident_updates"):
        if isinstance(doc.get(key), list):
            return key, list(doc[key])
    return None


def sniff(source: Source) -> int:
    found = _records(source.json)
    if found is None:
        return 0
    test = _is_update if found[0] == "incident_updates" else _is_incident
    return score([r for r in found[1][:20] if isinstance(r, dict)], test, sure=95, some=70)


def _timestamp_kind(name: str) -> str:
    lowered = name.lower()
    return next((kind for word, kind in TIMESTAMP_WORDS if word in lowered), ev.UPDATE)


def _incident_rows(incident: Record, line: int) -> list[Row]:
    title = " ".join(p for p in (field(incident, "reference"), field(incident, "name")) if p)
    creator = first_name(incident.get("creator"), *ACTOR_PATHS)
    rows = [
        Row(
            when(incident.get("created_at")),
            ev.DETECTED,
            f"Incident declared: {title}",
            incident,
            line,
            creator,
        )
    ]
    for value in objects(incident.get("incident_timestamp_values")):
        name = field(value, "incident_timestamp.name")
        at = value.get("value")
        time = when(at.get("value")) if isinstance(at, dict) else None
        rows.append(Row(time, _timestamp_kind(name), f"{name}: {title}", value, line))
    return rows


def _update_rows(updates: list[Record]) -> list[Row]:
    ordered = sorted(range(len(updates)), key=lambda i: str(updates[i].get("created_at") or ""))
    ended: set[str] = set()
    rows = []
    for i in ordered:
        update = updates[i]
        status = field(update, "new_incident_status.name")
        category = field(update, "new_incident_status.category").lower()
        incident = field(update, "incident_id")
        kind = ev.UPDATE
        if category in ENDED and incident not in ended:
            kind = ev.RESOLVED
            ended.add(incident)
        elif "monitor" in status.lower():
            kind = ev.MITIGATED
        elif "identified" in status.lower():
            kind = ev.IDENTIFIED
        message = " ".join(
            p for p in (f"Status {status}:" if status else "Update:", field(update, "message")) if p
        )
        actor = first_name(update.get("updater"), *ACTOR_PATHS)
        rows.append(Row(when(update.get("created_at")), kind, message, update, i + 1, actor))
    return rows


def parse_incident_io(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    found = _records(doc)
    test = _is_update if found and found[0] == "incident_updates" else _is_incident
    if found is None or (found[1] and not any(test(r) for r in found[1])):
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    records = check_records(found[1], source=source, what=found[0].removesuffix("s").replace("_", " "))
    warnings = next_page(doc, "pagination_meta.after", what=found[0].replace("_", " "))
    if not records:
        return empty_result(source, NAME, f"the export holds no {found[0].replace('_', ' ')}")
    if found[0] == "incident_updates":
        rows = _update_rows(records)
    else:
        rows = [row for n, r in enumerate(records, start=1) for row in _incident_rows(r, n)]
    return rows_result(source, NAME, rows, tz=options.tz, field="created_at/value", warnings=warnings)


IMPORTER = register(
    Importer(
        name=NAME,
        description="incident.io v2 incident and incident updates JSON (timestamps, status changes)",
        sniff=sniff,
        parse=parse_incident_io,
    )
)

__all__ = ["IMPORTER", "TIMESTAMP_WORDS", "parse_incident_io", "sniff"]
