"""Opsgenie alert CSV export (the alert list's export), read as the API's alerts.

Opsgenie does not document the export's header, so columns are matched by name without case, spaces or
punctuation, to the API's field names: ``TinyId`` / ``Tiny ID``, ``Message``, ``Status``,
``Acknowledged``, ``CreatedAt`` / ``Created At``, ``UpdatedAt``, ``Priority``, ``Source``, and the
report's ``AckTime``, ``CloseTime`` (milliseconds after creation), ``AcknowledgedBy``, ``ClosedBy``
(with or without a ``Report`` prefix). ``CreatedAt`` and ``Message`` are required, with ``TinyId`` or
``Alias``. Each row is turned into the API's alert and gives the events of :mod:`.opsgenie`: created,
acknowledged (unless ``Acknowledged`` is ``false``), closed. ``line`` is the row's file line.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from ...errors import MissingColumnError
from .. import events as ev
from ..sources import Source
from . import Importer, ImportOptions, register
from ._csv import layout_of, read_text_table, sniff_layout
from ._json import Record, combine
from .opsgenie import alert_events

NAME = "opsgenie_csv"
#: The API field each header names (by its folded form: lower case, letters and digits only).
FIELDS: dict[str, str] = {
    "tinyid": "tinyId",
    "alias": "alias",
    "message": "message",
    "status": "status",
    "acknowledged": "acknowledged",
    "createdat": "createdAt",
    "updatedat": "updatedAt",
    "priority": "priority",
    "source": "source",
    "acktime": "report.ackTime",
    "closetime": "report.closeTime",
    "acknowledgedby": "report.acknowledgedBy",
    "closedby": "report.closedBy",
}


def fold(name: str) -> str:
    folded = re.sub(r"[^a-z0-9]", "", name.lower())
    return folded.removeprefix("report") if folded != "report" else folded


def _columns(columns: tuple[str, ...]) -> dict[str, str]:
    """API field -> header, for the headers this export may have."""
    found: dict[str, str] = {}
    for column in columns:
        target = FIELDS.get(fold(column))
        if target is not None:
            found.setdefault(target, column)
    return found


def _is_alert_export(found: dict[str, str]) -> bool:
    return {"createdAt", "message"} <= set(found) and bool({"tinyId", "alias"} & set(found))


def sniff(source: Source) -> int:
    if source.is_bundle or source.json is not None:
        return 0
    layout = sniff_layout(source.head)
    if layout is None or not layout.header:
        return 0
    found = _columns(layout.columns)
    return 90 if _is_alert_export(found) and len(found) >= 4 else 0


def _value(target: str, raw: Any) -> Any:
    """A CSV cell as the API writes that field: booleans and millisecond counts as JSON values."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return None
    if target == "acknowledged":
        return {"true": True, "false": False}.get(text.lower(), text)
    if target in ("report.ackTime", "report.closeTime"):
        return int(text) if text.isdigit() else text
    return text


def _record(row: dict[str, Any], found: dict[str, str]) -> Record:
    record: Record = {}
    for target, column in found.items():
        value = _value(target, row.get(column))
        if value is None:
            continue
        if target.startswith("report."):
            record.setdefault("report", {})[target.removeprefix("report.")] = value
        else:
            record[target] = value
    return record


def parse_opsgenie_csv(source: Source, options: ImportOptions) -> ev.ImportResult:
    hint = "export the alert list as CSV from Opsgenie, or pass another --format"
    layout = layout_of(source, problem="not an Opsgenie alert export: no CSV header found", hint=hint)
    found = _columns(layout.columns)
    if not _is_alert_export(found):
        raise MissingColumnError(
            "not an Opsgenie alert export: it needs CreatedAt, Message and TinyId (or Alias) columns; "
            f"found {', '.join(repr(c) for c in layout.columns[:20])}",
            columns=list(layout.columns),
            file=source.name,
            hint=hint,
        )
    wanted = list(found.values())
    rows, warnings = read_text_table(source, layout, wanted, empty="the export has a header but no alerts")
    table = rows.table.to_pandas()
    records = [_record(row, found) for row in table.to_dict("records")]
    frames, more = alert_events(source, records, options, format=NAME)
    events = combine(frames)
    lines = pd.Series(rows.lines, dtype="int64")
    events["line"] = lines.iloc[events["line"].to_numpy() - 1].to_numpy()
    events["raw"] = None
    return ev.ImportResult(file=source.name, format=NAME, events=events, warnings=warnings + more)


IMPORTER = register(
    Importer(
        name=NAME,
        description="Opsgenie alert list CSV export (created, acknowledged, closed)",
        sniff=sniff,
        parse=parse_opsgenie_csv,
    )
)

__all__ = ["FIELDS", "IMPORTER", "parse_opsgenie_csv", "sniff"]
