"""Zendesk ticket CSV export: each ticket is a customer telling us something is wrong.

The export's columns include ``Id, Requester, Subject, Status, Priority, Via, Ticket type, Created at,
Updated at, Solved at, Group, Tags``. Its times carry no zone (they are in the account's zone), so
``--tz`` is required.

* ``Created at`` becomes a ``customer_report`` event: actor the requester, message
  ``Ticket #Id: Subject``. The earliest one can make the incident "detected by customer".
* ``Solved at`` becomes ``noise``: support closes tickets on its own schedule (often hours after the
  fix, after the customer confirms), so a solved ticket says nothing about when the incident ended and
  must never set "resolved". It stays in the table for traceability.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import MissingColumnError
from .. import events as ev
from ..sources import FileSource, Source
from ..timeparse import parse_times
from . import Importer, ImportOptions, register
from ._csv import layout_of, read_text_table, sniff_layout

NAME = "zendesk"
REQUIRED: tuple[str, ...] = ("Id", "Subject", "Created at")
#: Columns only a Zendesk ticket export has together; three of them besides the required ones make it sure.
MARKERS: tuple[str, ...] = (
    "Requester",
    "Status",
    "Priority",
    "Via",
    "Ticket type",
    "Updated at",
    "Solved at",
    "Group",
    "Tags",
    "Assignee",
    "Submitter",
    "Organization",
)


def _lookup(columns: tuple[str, ...]) -> dict[str, str]:
    """Header names by their lower-case form (exports differ in case)."""
    return {name.strip().lower(): name for name in columns}


def sniff(source: Source) -> int:
    if source.is_bundle or source.json is not None:
        return 0
    layout = sniff_layout(source.head)
    if layout is None or not layout.header:
        return 0
    names = _lookup(layout.columns)
    if not all(required.lower() in names for required in REQUIRED):
        return 0
    return 90 if sum(marker.lower() in names for marker in MARKERS) >= 3 else 0


def parse_zendesk(data: bytes, *, name: str = "tickets.csv", tz: str | None = None) -> ev.ImportResult:
    """A Zendesk ticket export's bytes as canonical events."""
    return _parse(Source(name=name, data=data), ImportOptions(tz=tz))


def load_zendesk(path: str | Path, *, tz: str | None = None) -> ev.ImportResult:
    """A Zendesk ticket export file as canonical events."""
    return _parse(FileSource(Path(path)), ImportOptions(tz=tz))


def _parse(source: Source, options: ImportOptions) -> ev.ImportResult:
    layout = layout_of(
        source,
        problem="not a Zendesk ticket export: no CSV header found",
        hint="export the tickets as CSV from Zendesk, or pass another --format",
    )
    names = _lookup(layout.columns)
    missing = [required for required in REQUIRED if required.lower() not in names]
    if missing:
        raise MissingColumnError(
            f"not a Zendesk ticket export: no {', '.join(repr(m) for m in missing)} column "
            f"among the columns found: {', '.join(repr(c) for c in layout.columns)}",
            columns=list(layout.columns),
            file=source.name,
            hint="export the tickets as CSV from Zendesk, or pass another --format",
        )
    wanted = [
        names[n.lower()] for n in (*REQUIRED, "Requester", "Solved at", "Assignee") if n.lower() in names
    ]
    rows, warnings = read_text_table(source, layout, wanted, empty="the export has a header but no tickets")
    table = rows.table.to_pandas()

    def text(column: str) -> pd.Series:
        key = names.get(column.lower())
        return table[key].fillna("").str.strip() if key else pd.Series("", index=table.index, dtype="str")

    ticket = "Ticket #" + text("Id")
    created = parse_times(
        table[names["created at"]],
        tz=options.tz,
        file=source.name,
        column=names["created at"],
        rows=rows.lines,
    )
    warnings.extend(created.warnings)
    parts = [
        (created.times, ev.CUSTOMER, ticket + ": " + text("Subject"), text("Requester")),
    ]
    if "solved at" in names:
        solved = parse_times(
            table[names["solved at"]],
            tz=options.tz,
            file=source.name,
            column=names["solved at"],
            rows=rows.lines,
        )
        # An unsolved ticket has no "Solved at": that is normal, not worth a warning.
        warnings.extend(w for w in solved.warnings if "empty time value" not in w)
        parts.append((solved.times, ev.NOISE, ticket + " solved: " + text("Subject"), text("Assignee")))
    frames = []
    for times, kind, message, actor in parts:
        keep = times.notna().to_numpy()
        frames.append(
            ev.make_events(
                times[keep],
                source=NAME,
                kind=kind,
                message=message[keep],
                actor=actor[keep],
                file=source.name,
                line=rows.lines[keep],
            )
        )
    events = ev.concat_events(frames)
    order = np.argsort(events["time"].to_numpy(dtype="datetime64[ns]"), kind="stable")
    events = events.take(order).reset_index(drop=True)
    return ev.ImportResult(file=source.name, format=NAME, events=events, warnings=warnings)


IMPORTER = register(
    Importer(
        name=NAME,
        description="Zendesk ticket CSV export (needs --tz: its times are in the account's zone)",
        sniff=sniff,
        parse=_parse,
        role="tickets",
    )
)
