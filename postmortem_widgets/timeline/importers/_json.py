"""Shared reading of vendor JSON exports: the document, its records, nested fields, their times.

Every vendor importer does the same few things: get the parsed document (or say exactly where the JSON
is broken), check that its records are objects, pull dotted fields out of them, parse one time field per
record, and turn the records it keeps into canonical events. Those steps live here so each format module
only states its shape and its meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ...errors import InputError
from .. import events as ev
from ..sources import Source
from ..timeparse import parse_times

Record = dict[str, Any]


def document(source: Source, *, format: str, expected: str) -> Any:
    """The parsed JSON document; an :class:`InputError` with the JSON line and column when it is broken."""
    hint = f"the {format} importer reads {expected}"
    if source.is_bundle:
        raise InputError("this is a folder export, not one JSON file", file=source.name, hint=hint)
    doc = source.json
    if doc is None:
        error = source.json_error
        if error:
            raise InputError(error, file=source.name, hint=f"{hint}; fix the file or export it again")
        raise InputError("this is not JSON", file=source.name, hint=hint)
    return doc


def shape_error(source: Source, *, found: str, format: str, expected: str) -> InputError:
    """The error for a JSON document that is valid but not this format's shape."""
    return InputError(
        f"not in the {format} format: expected {expected}, found {found}",
        file=source.name,
        hint="check the export, or pass another --format (or none, to detect it)",
    )


def describe(doc: Any) -> str:
    """A short description of a JSON value for error messages: ``an object with keys 'a', 'b'``."""
    if isinstance(doc, dict):
        keys = ", ".join(repr(k) for k in list(doc)[:6])
        return f"an object with keys {keys}" if keys else "an empty object"
    if isinstance(doc, list):
        return f"a list of {len(doc)} item(s)"
    if isinstance(doc, str):
        return f"the string {doc[:40]!r}"
    if isinstance(doc, bool) or doc is None:
        return f"the value {'null' if doc is None else str(doc).lower()}"
    return f"the number {doc!r}"


def has_any(items: Sequence[Any], *keys: str) -> bool:
    """Whether some record has one of the keys that mark this vendor's records (time field aside)."""
    return any(isinstance(i, dict) and any(k in i for k in keys) for i in items)


def check_records(items: Sequence[Any], *, source: Source, what: str) -> list[Record]:
    """The records as a list of objects; a record that is not an object raises, naming its number."""
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InputError(
                f"{what} {number} is {describe(item)}, not an object",
                file=source.name,
                line=number,
                hint=f"each {what} must be a JSON object; check the export",
            )
    return list(items)


def dig(record: Any, path: str) -> Any:
    """A nested field by dotted path (``agent.summary``); ``None`` when any step is missing."""
    value = record
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def values(records: Sequence[Record], path: str) -> list[Any]:
    """One field of every record (``None`` where missing): :func:`dig` with the path split once."""
    first, *rest = path.split(".")
    found = [r.get(first) if isinstance(r, dict) else None for r in records]
    for key in rest:
        found = [v.get(key) if isinstance(v, dict) else None for v in found]
    return found


def text(records: Sequence[Record], path: str) -> pd.Series:
    """One field of every record as text: ``""`` where missing, whitespace collapsed to one line.

    A value that repeats (a type, an agent's name) is collapsed once; values that are not strings
    (numbers, objects) take the way of :func:`one_line`.
    """
    found = values(records, path)
    collapsed: dict[str, str] = {}
    others: list[int] = []
    for index, value in enumerate(found):
        if value.__class__ is str:
            line = collapsed.get(value)
            if line is None:
                line = collapsed[value] = " ".join(value.split())
            found[index] = line
        elif value is None:
            found[index] = ""
        else:
            others.append(index)
    if others:
        odd = pd.Series([found[i] for i in others], dtype="object")
        for index, line in zip(others, one_line(odd.where(odd.notna(), "")), strict=True):
            found[index] = line
    return pd.Series(found, dtype="str")


def one_line(series: pd.Series) -> pd.Series:
    """Collapse newlines and runs of spaces: events are one line each."""
    return series.astype("str").str.replace(r"\s+", " ", regex=True).str.strip()


def join(*parts: pd.Series, sep: str = " ") -> pd.Series:
    """Join text columns, skipping empty parts (no doubled or dangling separators)."""
    result = parts[0].reset_index(drop=True).astype("str")
    for part in parts[1:]:
        part = part.reset_index(drop=True).astype("str")
        gap = pd.Series(np.where((result != "") & (part != ""), sep, ""), dtype="str")
        result = result + gap + part
    return result


def record_times(
    raw: Sequence[Any],
    *,
    file: str,
    field: str,
    tz: str | None = None,
    required: bool = True,
) -> tuple[pd.Series, list[str]]:
    """Parse one time field per record (ISO strings or epoch numbers) into UTC.

    Missing values are ``NaT``. For a ``required`` field, a file where no record has it raises an
    :class:`InputError` naming the first record and the field; a file where only some lack it keeps the
    others and says which were skipped. Parse errors name the record (as ``line``) and the field.
    """
    present = np.array(
        [v is not None and not (isinstance(v, str) and not v.strip()) for v in raw], dtype=bool
    )
    warnings: list[str] = []
    if required and len(present) and not present.all():
        missing = np.flatnonzero(~present)
        if not present.any():
            raise InputError(
                f"record {missing[0] + 1} has no {field!r} time"
                + ("" if len(present) == 1 else f" (nor does any other of the {len(present)} records)"),
                file=file,
                line=int(missing[0]) + 1,
                column=field,
                hint="export the records with their timestamps, or pass the right --format",
            )
        shown = ", ".join(str(int(m) + 1) for m in missing[:10]) + (" ..." if len(missing) > 10 else "")
        warnings.append(f"{len(missing)} record(s) without {field!r} were skipped (records {shown})")
    if not present.any():
        return pd.Series(pd.NaT, index=range(len(present)), dtype=ev.TIME_DTYPE), warnings
    # Stand the first real value in for the missing ones so rows keep their record numbers.
    fill = raw[int(np.flatnonzero(present)[0])]
    series = pd.Series([v if ok else fill for v, ok in zip(raw, present, strict=True)])
    parsed = parse_times(series, tz=tz, file=file, column=field)
    times = parsed.times.where(pd.Series(present, index=parsed.times.index))
    return times, warnings + parsed.warnings


def offset_times(
    base: pd.Series, raw_ms: Sequence[Any], *, file: str, field: str
) -> tuple[pd.Series, list[str]]:
    """``base`` plus a per-record offset in milliseconds (Opsgenie's ``report.ackTime``); NaT where absent."""
    numbers = pd.to_numeric(pd.Series(list(raw_ms), dtype="object"), errors="coerce")
    given = pd.Series([v is not None for v in raw_ms])
    bad = given & numbers.isna()
    warnings: list[str] = []
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{field!r} must be a number of milliseconds, got {raw_ms[first]!r}",
            file=file,
            line=first + 1,
            column=field,
        )
    negative = numbers < 0
    if negative.any():
        rows = ", ".join(str(int(i) + 1) for i in np.flatnonzero(negative.to_numpy())[:10])
        warnings.append(f"negative {field!r} ignored (records {rows})")
        numbers = numbers.where(~negative)
    delta = pd.to_timedelta(numbers, unit="ms")
    return (base.reset_index(drop=True) + delta).astype("datetime64[ns, UTC]"), warnings


def build(
    *,
    format: str,
    source: Source,
    records: Sequence[Record],
    times: pd.Series,
    kind: str | pd.Series | np.ndarray,
    message: pd.Series,
    actor: str | pd.Series = "",
    keep: pd.Series | np.ndarray | None = None,
) -> pd.DataFrame:
    """Canonical events for the records whose time is known (and ``keep`` is true)."""
    mask = times.notna().to_numpy(copy=True)
    if keep is not None:
        mask &= np.asarray(keep, dtype=bool)
    index = np.flatnonzero(mask)

    def pick(value: Any) -> Any:
        if isinstance(value, str):
            return value
        if isinstance(value, pd.Series):  # Arrow text stays Arrow text: no Python string per row
            return value.reset_index(drop=True) if len(index) == len(value) else value.iloc[index]
        return np.asarray(value, dtype=object)[index]

    return ev.make_events(
        pd.DatetimeIndex(times.iloc[index]),
        source=format,
        kind=pick(kind),
        message=pick(message),
        actor=pick(actor),
        file=source.name,
        line=index + 1,
        raw=[records[int(i)] for i in index],
    )


def result(
    source: Source, format: str, frames: Sequence[pd.DataFrame], warnings: list[str]
) -> ev.ImportResult:
    """The import result of ``frames`` (see :func:`combine`); no frames give an empty event table."""
    return ev.ImportResult(file=source.name, format=format, events=combine(frames), warnings=warnings)


def empty_result(source: Source, format: str, warning: str) -> ev.ImportResult:
    """A valid export with nothing in it: no events, and a warning rather than an error."""
    return result(source, format, [], [warning])


def combine(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """One event table from several, in time order (records in file order on ties)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return ev.empty_events()
    merged = ev.concat_events(frames)
    return merged.sort_values(["time", "line"], kind="stable").reset_index(drop=True)


def listed(doc: Any, key: str, single: str | None = None) -> list[Any] | None:
    """The records of a document: ``doc[key]`` when it is a list, ``[doc[single]]`` when that is one
    object, a bare list as it is; ``None`` for any other shape."""
    if isinstance(doc, dict):
        listed = doc.get(key)
        if isinstance(listed, list):
            return listed
        if single is not None and isinstance(doc.get(single), dict):
            return [doc[single]]
    return doc if isinstance(doc, list) else None


def sample(items: Any, limit: int = 20) -> list[Record]:
    """The first few object records of a list, for sniffing."""
    if not isinstance(items, list):
        return []
    return [i for i in items[:limit] if isinstance(i, dict)]


def score(records: list[Record], test: Callable[[Record], bool], *, sure: int, some: int) -> int:
    """``sure`` when every sampled record passes ``test``, ``some`` when most do, else 0."""
    if not records:
        return 0
    hits = sum(1 for r in records if test(r))
    if hits == len(records):
        return sure
    return some if hits * 2 >= len(records) else 0
