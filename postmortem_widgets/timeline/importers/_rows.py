"""Events gathered one at a time, for vendor exports whose records nest their milestones.

An incident object holds its own acknowledgements, status changes or timestamps: each gives one event,
so these importers walk the record and collect :class:`Row` values rather than pulling one column per
field. :func:`rows_result` parses their times together (so errors still name the record and field) and
builds the canonical events. The small readers here treat a value of the wrong type as missing, so a
changed vendor API gives fewer events or a clear error, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .. import events as ev
from ..classify import classify_text
from ..sources import Source
from ._json import Record, dig, empty_result, record_times, result


@dataclass(frozen=True)
class Row:
    """One event before its time is parsed: the raw time value, what it means, where it came from."""

    time: Any
    kind: str
    message: str
    record: Record
    line: int
    actor: str = ""


def when(value: Any) -> Any:
    """A time value as the export wrote it (ISO text or an epoch number); ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and value == value:  # NaN is not a time
        return value
    return None


def word(value: Any) -> str:
    """A text field on one line; ``""`` when it is missing or not text (a number is shown as written)."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float | str):
        return " ".join(str(value).split())
    return ""


def field(record: Any, path: str) -> str:
    """:func:`word` of a dotted field."""
    return word(dig(record, path))


def obj(value: Any) -> Record:
    """An object field, or an empty one when it is missing or not an object."""
    return value if isinstance(value, dict) else {}


def objects(value: Any) -> list[Record]:
    """The objects in a list field (anything else in it, or a field that is not a list, is skipped)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def first_name(record: Any, *paths: str) -> str:
    """The first non-empty text among dotted fields (an actor written in one of several places)."""
    for path in paths:
        found = field(record, path)
        if found:
            return found
    return ""


def classified(rows: list[Row], *, default: str) -> list[Row]:
    """Rows of kind ``""`` given their kind by the free-text rules (``default`` when none matches)."""
    open_rows = [i for i, r in enumerate(rows) if not r.kind]
    if not open_rows:
        return rows
    kinds = classify_text([rows[i].message for i in open_rows], default=default)
    out = list(rows)
    for i, kind in zip(open_rows, kinds, strict=True):
        r = out[i]
        out[i] = Row(r.time, str(kind), r.message, r.record, r.line, r.actor)
    return out


def next_page(doc: Any, *paths: str, what: str) -> list[str]:
    """A warning when the export says a next page exists at one of ``paths`` (later records are missing).

    A path is a dotted field, or a key holding dots itself (``@odata.nextLink``)."""
    for path in paths:
        value = doc.get(path) if isinstance(doc, dict) and path in doc else dig(doc, path)
        if value not in (None, "", False, [], {}, 0):
            shown = word(value) if not isinstance(value, bool) else "true"
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            return [f"the export is one page of several ({path}: {shown}); {what} on other pages are missing"]
    return []


def rows_result(
    source: Source, format: str, rows: Sequence[Row], *, tz: str | None, field: str, warnings: list[str]
) -> ev.ImportResult:
    """The canonical events of ``rows`` in time order; no rows give an empty result that says so."""
    rows = [r for r in rows if r.time is not None]
    if not rows:
        return empty_result(source, format, f"the export holds no {field} times")
    times, time_warnings = record_times([r.time for r in rows], file=source.name, field=field, tz=tz)
    keep = [i for i in range(len(rows)) if not pd.isna(times.iloc[i])]
    events = ev.make_events(
        pd.DatetimeIndex(times.iloc[keep]),
        source=format,
        kind=[rows[i].kind for i in keep],
        message=[rows[i].message for i in keep],
        actor=[rows[i].actor for i in keep],
        file=source.name,
        line=[rows[i].line for i in keep],
        raw=[rows[i].record for i in keep],
    )
    return result(source, format, [events], [*warnings, *time_warnings])


__all__ = [
    "Row",
    "classified",
    "field",
    "first_name",
    "next_page",
    "obj",
    "objects",
    "rows_result",
    "when",
    "word",
]
