"""Atlassian Statuspage incidents (Manage API incident JSON, or the public ``incidents.json``).

Accepted shapes: one incident object, a list of incidents, or ``{"incidents": [...]}`` (the public
status API, with its ``page``). Every entry of ``incident_updates`` is an event, at ``display_at`` (the
time the author chose to show) falling back to ``created_at``; their local offsets (``-05:00``) are
honoured. The update's ``status`` decides the kind:

=================  ==============  =========================================================
``investigating``  ``update``      the first public acknowledgement is communication, not a
                                   response milestone
``identified``     ``identified``
``monitoring``     ``mitigated``   a fix is in place and being watched
``resolved``       ``resolved``
``postmortem``     ``noise``       published after the fact
anything else      ``update``      (``update``, scheduled-maintenance statuses ...)
=================  ==============  =========================================================

``message`` is ``Status page <status>: <body>`` (prefixed with ``[incident name]`` when the file holds
several incidents); ``actor`` is empty, as the JSON does not say who posted. ``line`` counts
updates across the file, 1-based, in the order they appear.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...errors import InputError
from .. import events as ev
from ..sources import Source
from . import Importer, ImportOptions, register
from ._json import (
    Record,
    build,
    check_records,
    describe,
    document,
    empty_result,
    join,
    record_times,
    result,
    sample,
    score,
    shape_error,
    text,
)

NAME = "statuspage"
EXPECTED = (
    "Statuspage incidents: an incident with 'incident_updates', a list of them, or {'incidents': [...]}"
)

STATUSES: dict[str, str] = {
    "investigating": ev.UPDATE,
    "identified": ev.IDENTIFIED,
    "monitoring": ev.MITIGATED,
    "resolved": ev.RESOLVED,
    "postmortem": ev.NOISE,
}


def _incidents(doc: Any) -> Any:
    if isinstance(doc, dict) and isinstance(doc.get("incidents"), list):
        return doc["incidents"]
    if isinstance(doc, dict) and "incident_updates" in doc and ("name" in doc or "status" in doc):
        return [doc]
    if isinstance(doc, dict) and isinstance(doc.get("incident"), dict):
        return [doc["incident"]]
    return doc if isinstance(doc, list) else None


def _is_incident(record: Record) -> bool:
    return isinstance(record.get("incident_updates"), list)


def sniff(source: Source) -> int:
    incidents = _incidents(source.json)
    if incidents is None:
        return 0
    return score(sample(incidents), _is_incident, sure=95, some=70)


def parse_statuspage(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    items = _incidents(doc)
    if items is None or (items and not any(isinstance(i, dict) and _is_incident(i) for i in items)):
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    incidents = check_records(items, source=source, what="incident")
    updates: list[Record] = []
    names: list[str] = []
    for number, incident in enumerate(incidents, start=1):
        mine = incident.get("incident_updates") or []
        if not isinstance(mine, list):
            raise InputError(
                f"incident {number} has 'incident_updates' that is {describe(mine)}, not a list",
                file=source.name,
                column="incident_updates",
            )
        updates.extend(check_records(mine, source=source, what="incident update"))
        names.extend([str(incident.get("name") or "")] * len(mine))
    if not updates:
        return empty_result(source, NAME, "the export holds no incident updates")
    shown = [u.get("display_at") or u.get("created_at") for u in updates]
    times, warnings = record_times(shown, file=source.name, field="display_at/created_at", tz=options.tz)
    status = text(updates, "status").str.lower()
    kind = status.map(STATUSES).fillna(ev.UPDATE).astype("str")
    label = pd.Series(np.where(status != "", "Status page " + status + ":", "Status page:"), dtype="str")
    message = join(label, text(updates, "body"))
    if len(set(names)) > 1:
        name = pd.Series(names, dtype="str")
        message = join(name.where(name == "", "[" + name + "]"), message)
    events = build(format=NAME, source=source, records=updates, times=times, kind=kind, message=message)
    return result(source, NAME, [events], warnings)


IMPORTER = register(
    Importer(
        name=NAME,
        description="Atlassian Statuspage incident JSON (investigating, identified, monitoring, resolved)",
        sniff=sniff,
        parse=parse_statuspage,
    )
)

__all__ = ["IMPORTER", "STATUSES", "parse_statuspage", "sniff"]
