"""PagerDuty incident log entries (``GET /log_entries`` or ``/incidents/{id}/log_entries``).

Accepted shapes: a list of log entries; the paged response ``{"log_entries": [...], "limit", "offset",
"more"}``; or ``{"incident": {...}, "log_entries": [...]}``. Each entry's ``type`` gives its meaning:

=============================  ===============================================================
``trigger_log_entry``          ``page``: the incident opened and the on-call was paged
``acknowledge_log_entry``      ``acknowledged``
``resolve_log_entry``          ``resolved``
``annotate_log_entry``         ``update``: a note on the incident (the note text is kept)
``escalate_log_entry``         ``update`` when a person escalated (``agent`` is a user: a decision
                               worth a timeline line); ``noise`` when the escalation policy did it
                               on a timeout (routine routing)
``notify_log_entry`` and the   ``noise``: routine routing, notifications, assignments, snoozes
rest
=============================  ===============================================================

``actor`` is ``agent.summary`` (the user notified for a notification without an agent); ``message`` is
the entry's ``summary``, plus the incident title for a trigger and the service's name.
"""

from __future__ import annotations

from typing import Any

from .. import events as ev
from ..sources import Source
from . import Importer, ImportOptions, register
from ._json import (
    Record,
    build,
    check_records,
    describe,
    document,
    join,
    record_times,
    result,
    sample,
    score,
    shape_error,
    text,
)

NAME = "pagerduty"
EXPECTED = "PagerDuty log entries: a list, or an object with 'log_entries'"

KINDS: dict[str, str] = {
    "trigger_log_entry": ev.PAGE,
    "acknowledge_log_entry": ev.ACKNOWLEDGED,
    "resolve_log_entry": ev.RESOLVED,
    "annotate_log_entry": ev.UPDATE,
}


def _entries(doc: Any) -> tuple[Any, dict[str, Any] | None]:
    if isinstance(doc, list):
        return doc, None
    if isinstance(doc, dict) and isinstance(doc.get("log_entries"), list):
        return doc["log_entries"], doc
    return None, None


def _is_entry(record: Record) -> bool:
    return str(record.get("type", "")).endswith("_log_entry")


def sniff(source: Source) -> int:
    entries, envelope = _entries(source.json)
    if entries is None:
        return 0
    if not entries and envelope is not None:
        return 60
    return score(sample(entries), _is_entry, sure=95, some=70)


def parse_pagerduty(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    items, envelope = _entries(doc)
    if items is None:
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    records = check_records(items, source=source, what="log entry")
    warnings: list[str] = []
    if envelope is not None and envelope.get("more") is True:
        warnings.append(
            f"the export says more log entries follow (offset {envelope.get('offset')}, "
            f"limit {envelope.get('limit')}); later entries are missing"
        )
    if not records:
        warnings.append("the export holds no log entries")
        return result(source, NAME, [], warnings)
    unknown = [i + 1 for i, r in enumerate(records) if not _is_entry(r)]
    if len(unknown) == len(records):
        raise shape_error(
            source, found="records without a '*_log_entry' type", format=NAME, expected=EXPECTED
        )

    times, time_warnings = record_times(
        [r.get("created_at") for r in records], file=source.name, field="created_at", tz=options.tz
    )
    types = text(records, "type")
    human = text(records, "agent.type").str.startswith("user")
    kind = types.map(KINDS).fillna(ev.NOISE).astype("str")
    kind = kind.where(~((types == "escalate_log_entry") & human), ev.UPDATE)

    incident_title = text(records, "incident.summary")
    if envelope is not None and isinstance(envelope.get("incident"), dict):
        fallback = str(envelope["incident"].get("title") or envelope["incident"].get("summary") or "")
        incident_title = incident_title.where(incident_title != "", fallback)
    summary = text(records, "summary").str.rstrip(".")
    note = text(records, "channel.summary")
    note = note.where(note != "", text(records, "channel.content"))
    is_note = types == "annotate_log_entry"
    detail = incident_title.where(types == "trigger_log_entry", "").where(lambda title: title != summary, "")
    detail = detail.where(~is_note, note.where(note != summary, ""))
    service = text(records, "service.summary")
    message = join(join(summary, detail, sep=": "), service.where(service == "", "(" + service + ")"))

    actor = text(records, "agent.summary")
    actor = actor.where(actor != "", text(records, "user.summary"))
    events = build(
        format=NAME, source=source, records=records, times=times, kind=kind, message=message, actor=actor
    )
    if unknown:
        warnings.append(f"{len(unknown)} record(s) without a '*_log_entry' type were kept as noise")
    return result(source, NAME, [events], warnings + time_warnings)


IMPORTER = register(
    Importer(
        name=NAME,
        description="PagerDuty incident log entries JSON (trigger, acknowledge, resolve, notes)",
        sniff=sniff,
        parse=parse_pagerduty,
    )
)

__all__ = ["IMPORTER", "KINDS", "parse_pagerduty", "sniff"]
