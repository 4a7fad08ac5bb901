"""AWS CloudWatch alarm history (``aws cloudwatch describe-alarm-history`` JSON).

Accepted shapes: ``{"AlarmHistoryItems": [...], "NextToken"?}`` or a bare list of history items.
``Timestamp`` is ISO 8601 (``Z`` or ``+00:00``). The kind comes from ``HistoryItemType`` and, for a
``StateUpdate``, from the new state in ``HistoryData`` (a JSON *string*; when it cannot be read, the
"Alarm updated from OK to ALARM" of ``HistorySummary`` is used):

=======================  ============  =========================================================
``ALARM``                ``alert``
``OK``                   ``resolved``  when it left ``ALARM`` (or the old state is unknown);
                         ``noise``     when it left ``INSUFFICIENT_DATA``: nothing had fired
``INSUFFICIENT_DATA``    ``warning``
``ConfigurationUpdate``  ``noise``     someone created or edited the alarm
``Action``               ``noise``     the alarm's SNS / Auto Scaling action ran
=======================  ============  =========================================================

``actor`` is the alarm name; ``message`` is ``AlarmName: HistorySummary``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from .. import events as ev
from ..sources import Source
from . import Importer, ImportOptions, register
from ._json import (
    Record,
    build,
    check_records,
    describe,
    document,
    has_any,
    join,
    listed,
    record_times,
    result,
    sample,
    score,
    shape_error,
    text,
    values,
)

NAME = "cloudwatch"
EXPECTED = "CloudWatch alarm history: {'AlarmHistoryItems': [...]}"

STATES: dict[str, str] = {"ALARM": ev.ALERT, "OK": ev.RESOLVED, "INSUFFICIENT_DATA": ev.WARNING}
_SUMMARY_RE = r"from\s+(?P<old>[A-Z_]+)\s+to\s+(?P<new>[A-Z_]+)"


def _is_item(record: Record) -> bool:
    return "HistoryItemType" in record and "Timestamp" in record


def sniff(source: Source) -> int:
    doc = source.json
    if isinstance(doc, dict) and isinstance(doc.get("AlarmHistoryItems"), list):
        return 95
    return score(sample(doc), _is_item, sure=85, some=60) if isinstance(doc, list) else 0


def _state_change(history_data: Any) -> tuple[str, str]:
    """(old, new) state values from a ``HistoryData`` JSON string; empty when unreadable."""
    if isinstance(history_data, str):
        try:
            history_data = json.loads(history_data)
        except json.JSONDecodeError:
            return "", ""
    if not isinstance(history_data, dict):
        return "", ""
    old = history_data.get("oldState")
    new = history_data.get("newState")
    old_value = old.get("stateValue") if isinstance(old, dict) else None
    new_value = new.get("stateValue") if isinstance(new, dict) else None
    return str(old_value or ""), str(new_value or "")


def parse_cloudwatch(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    items = listed(doc, "AlarmHistoryItems")
    if items is None or (items and not has_any(items, "HistoryItemType", "AlarmName", "Timestamp")):
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    records = check_records(items, source=source, what="history item")
    warnings: list[str] = []
    if isinstance(doc, dict) and doc.get("NextToken"):
        warnings.append("the export has a NextToken: later history items are missing")
    if not records:
        warnings.append("the export holds no alarm history items")
        return result(source, NAME, [], warnings)
    times, time_warnings = record_times(
        values(records, "Timestamp"), file=source.name, field="Timestamp", tz=options.tz
    )
    item_type = text(records, "HistoryItemType")
    summary = text(records, "HistorySummary")
    changes = [_state_change(r.get("HistoryData")) for r in records]
    old = pd.Series([c[0] for c in changes], dtype="str")
    new = pd.Series([c[1] for c in changes], dtype="str")
    from_summary = summary.str.extract(_SUMMARY_RE)
    old = old.where(old != "", from_summary["old"].fillna("")).str.upper()
    new = new.where(new != "", from_summary["new"].fillna("")).str.upper()

    is_state = (item_type == "StateUpdate").to_numpy()
    kind = new.map(STATES).fillna(ev.NOISE).to_numpy(dtype=object, copy=True)
    kind[(kind == ev.RESOLVED) & (old == "INSUFFICIENT_DATA").to_numpy()] = ev.NOISE
    kind[~is_state] = ev.NOISE
    unreadable = is_state & (new == "").to_numpy()
    if unreadable.any():
        shown = ", ".join(str(int(i) + 1) for i in np.flatnonzero(unreadable)[:10])
        warnings.append(f"state update(s) without a readable new state kept as noise (records {shown})")

    alarm = text(records, "AlarmName")
    message = join(alarm, summary, sep=": ")
    events = build(
        format=NAME, source=source, records=records, times=times, kind=kind, message=message, actor=alarm
    )
    return result(source, NAME, [events], warnings + time_warnings)


IMPORTER = register(
    Importer(
        name=NAME,
        description="AWS CloudWatch describe-alarm-history JSON (ALARM / OK state changes)",
        sniff=sniff,
        parse=parse_cloudwatch,
    )
)

__all__ = ["IMPORTER", "STATES", "parse_cloudwatch", "sniff"]
