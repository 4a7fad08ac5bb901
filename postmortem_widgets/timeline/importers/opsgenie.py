"""Opsgenie alerts (the List Alerts API response ``{"data": [...]}``, a bare list, or one alert).

Each alert gives up to three events:

* ``page`` at ``createdAt``: the alert was created and its responders notified;
* ``acknowledged`` at ``createdAt + report.ackTime`` (milliseconds), by ``report.acknowledgedBy``,
  unless the alert says ``"acknowledged": false``: that flag is the alert's own word, so an ``ackTime``
  next to it is left out with a warning (set the milestone by hand if the alert was acknowledged and
  the flag was cleared later);
* ``resolved`` at ``createdAt + report.closeTime`` (milliseconds), by ``report.closedBy``, only when
  ``status`` is ``closed``: an open alert has not ended whatever its report says. A closed alert
  without ``report.closeTime`` uses ``updatedAt``, with a warning.

``paging.next`` means later alerts are on another page: a warning says they are missing. The alert
CSV export (format ``opsgenie_csv``) is read into the same records and gives the same events.

The message carries the priority (``[P1] Checkout 5xx rate above 5%``); the actor of the creation is
the alert's ``source`` (the integration or person that raised it).
"""

from __future__ import annotations

from functools import partial
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
    offset_times,
    record_times,
    result,
    sample,
    score,
    shape_error,
    text,
    values,
)
from ._rows import next_page

NAME = "opsgenie"
EXPECTED = "Opsgenie alerts: {'data': [...]}, a list of alerts, or one alert"


def _alerts(doc: Any) -> list[Any] | None:
    if isinstance(doc, dict) and "data" not in doc and _is_alert(doc):
        return [doc]
    return listed(doc, "data", "data")


def _is_alert(record: Record) -> bool:
    if "createdAt" not in record or "message" not in record:
        return False
    priority = str(record.get("priority", ""))
    return "tinyId" in record or "report" in record or (len(priority) == 2 and priority[0] == "P")


def sniff(source: Source) -> int:
    alerts = _alerts(source.json)
    if alerts is None:
        return 0
    return score(sample(alerts), _is_alert, sure=90, some=65)


def parse_opsgenie(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    items = _alerts(doc)
    if items is None or (items and not has_any(items, "createdAt", "tinyId", "alias", "report")):
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    records = check_records(items, source=source, what="alert")
    paging = next_page(doc, "paging.next", what="alerts")
    if not records:
        return result(source, NAME, [], ["the export holds no alerts", *paging])
    frames, warnings = alert_events(source, records, options, format=NAME)
    return result(source, NAME, frames, paging + warnings)


def _unacknowledged(records: list[Record], acked: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Which acknowledgements count: not those of alerts that say ``"acknowledged": false``."""
    said_no = np.array([r.get("acknowledged") is False for r in records], dtype=bool)
    refused = said_no & acked.notna().to_numpy()
    if not refused.any():
        return ~said_no, []
    shown = ", ".join(str(int(i) + 1) for i in np.flatnonzero(refused)[:10])
    return ~said_no, [
        f"alert(s) with 'acknowledged: false' and a report.ackTime were not counted as acknowledged "
        f"(records {shown}); set the acknowledged milestone by hand if they were"
    ]


def alert_events(
    source: Source, records: list[Record], options: ImportOptions, *, format: str
) -> tuple[list[pd.DataFrame], list[str]]:
    """The events of alert records in the API's shape (the JSON list, or CSV rows read into it)."""
    created, warnings = record_times(
        values(records, "createdAt"), file=source.name, field="createdAt", tz=options.tz
    )
    acked, ack_warnings = offset_times(
        created, values(records, "report.ackTime"), file=source.name, field="report.ackTime"
    )
    counted, refused = _unacknowledged(records, acked)
    closed_after, close_warnings = offset_times(
        created, values(records, "report.closeTime"), file=source.name, field="report.closeTime"
    )
    status = text(records, "status").str.lower()
    is_closed = (status == "closed").to_numpy()
    without_close = is_closed & closed_after.isna().to_numpy() & created.notna().to_numpy()
    if without_close.any():
        updated, _ = record_times(
            values(records, "updatedAt"), file=source.name, field="updatedAt", tz=options.tz, required=False
        )
        closed_after = closed_after.where(~pd.Series(without_close), updated)
        shown = ", ".join(str(int(i) + 1) for i in np.flatnonzero(without_close)[:10])
        warnings.append(f"closed alert(s) without report.closeTime used updatedAt (records {shown})")

    priority = text(records, "priority")
    title = join(priority.where(priority == "", "[" + priority + "]"), text(records, "message"))
    events = partial(build, format=format, source=source, records=records)
    frames = [
        events(
            times=created, kind=ev.PAGE, message=title + " (alert created)", actor=text(records, "source")
        ),
        events(
            times=acked,
            kind=ev.ACKNOWLEDGED,
            message=title + " (acknowledged)",
            actor=text(records, "report.acknowledgedBy"),
            keep=counted,
        ),
        events(
            times=closed_after,
            kind=ev.RESOLVED,
            message=title + " (closed)",
            actor=text(records, "report.closedBy"),
            keep=is_closed,
        ),
    ]
    return frames, warnings + ack_warnings + refused + close_warnings


IMPORTER = register(
    Importer(
        name=NAME,
        description="Opsgenie alert list JSON (created, acknowledged, closed)",
        sniff=sniff,
        parse=parse_opsgenie,
    )
)

__all__ = ["IMPORTER", "alert_events", "parse_opsgenie", "sniff"]
