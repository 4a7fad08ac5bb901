"""A machine log summarised: per-bin series by severity and the few rows worth a person's attention.

Batches are aggregated as they come and then dropped, so memory is bounded by the batch, not the file:

* **Series** (:func:`log_series`): error ratio (error and fatal rows over the rows with a known severity),
  error rate, the rate of rows (``request rate`` when the rows are requests: the log has a status or a
  latency), the 5xx share when there is a status, latency p50 / p95 / p99 when there is a latency. The bin
  size adapts to the log's span (:func:`~.series.nice_step`).
* **Events**, at most :data:`MAX_EVENTS` a log: deploys, config and feature-flag changes (``change``) and
  rollbacks (``mitigated``, see :mod:`.changes`); and the first occurrence of each error template
  (:mod:`.templates`) not seen in the log's baseline, kind ``warning``. The baseline is the log before its
  own impact window (:mod:`.impact`), or, when it shows none, its first tenth.

No other row is an event: "worker restarted" or "connection recovered" in a log sets no milestone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import events as ev
from ..importers import ImportOptions
from ..progress import Progress
from .changes import ROLLBACK, find_changes
from .counts import Binned, LogCounts
from .impact import find_impacts
from .model import ERROR, LOG, LogRows, Series
from .series import SECOND, nice_step
from .templates import mask

#: Events one log may give (changes first, then new error templates).
MAX_EVENTS = 200
MAX_CHANGES = 100
#: Distinct error templates followed; past this, new ones are counted but not followed.
MAX_TEMPLATES = 10_000
#: Repeats of one change line (same template) within this span count once.
CHANGE_REPEAT_NS = 300 * SECOND
#: Without an impact window, the baseline for error templates is this first share of the log's span.
BASELINE_SHARE = 0.1


@dataclass
class _Template:
    """An error template's first occurrence and how often it occurred."""

    time: int
    line: int
    message: str
    count: int = 0


@dataclass
class _Found:
    """What the batches left behind: counts, change lines, error templates."""

    counts: LogCounts = field(default_factory=LogCounts)
    changes: list[tuple[int, int, int, str]] = field(default_factory=list)  # time, line, code, message
    templates: dict[str, _Template] = field(default_factory=dict)
    dropped_templates: int = 0
    rows: int = 0


def summarise_log(
    batches: Iterable[LogRows], *, file: str, format: str, options: ImportOptions
) -> ev.ImportResult:
    """Series and key events of a log read in batches (memory bounded by the batch, not the file)."""
    found = _Found()
    for batch in batches:
        _add(found, batch)
        if options.progress is not None:
            options.progress(Progress(file=file, done=found.rows, unit="rows", rows=found.rows))
    warnings: list[str] = []
    if found.counts.empty:
        warnings.append("no log rows with a time")
        return ev.ImportResult(
            file=file, format=format, events=ev.empty_events(), warnings=warnings, role=LOG, rows=0
        )
    assert found.counts.first is not None and found.counts.last is not None
    binned = found.counts.binned(nice_step(found.counts.last - found.counts.first))
    series = log_series(binned, source=file)
    impacts = find_impacts(series, tz=None)
    cut = (
        impacts[0].began
        if impacts
        else found.counts.first + int(BASELINE_SHARE * (found.counts.last - found.counts.first))
    )
    events = _events(found, cut=cut, file=file, format=format)
    if found.dropped_templates:
        warnings.append(
            f"more than {MAX_TEMPLATES:,} distinct error messages; "
            f"{found.dropped_templates:,} error row(s) of later ones were counted but not followed"
        )
    return ev.ImportResult(
        file=file, format=format, events=events, warnings=warnings, role=LOG, series=series, rows=found.rows
    )


def _add(found: _Found, batch: LogRows) -> None:
    """Count one batch, and keep its change lines and its error templates' first occurrences."""
    found.rows += len(batch)
    if not len(batch):
        return
    times = np.asarray(batch.time, dtype=np.int64)
    found.counts.add(times, np.asarray(batch.severity), batch.status, batch.latency)
    messages = batch.message
    if len(found.changes) < MAX_CHANGES * 20:
        rows, codes = find_changes(messages)
        if len(rows):
            text = pc.take(messages, pa.array(rows)).to_pylist()
            for row, code, message in zip(rows.tolist(), codes.tolist(), text, strict=True):
                found.changes.append((int(times[row]), int(batch.line[row]), int(code), message or ""))
    errors = np.flatnonzero(np.asarray(batch.severity) >= ERROR)
    if len(errors):
        _add_templates(found, times, np.asarray(batch.line), messages, errors)


def _add_templates(
    found: _Found,
    times: np.ndarray,
    lines: np.ndarray,
    messages: pa.Array | pa.ChunkedArray,
    rows: np.ndarray,
) -> None:
    rows = rows[np.argsort(times[rows], kind="stable")]
    text = pc.fill_null(pc.take(messages, pa.array(rows)), "")
    table = pa.table({"template": mask(text), "position": pa.array(np.arange(len(rows)))})
    grouped = table.group_by("template").aggregate([("position", "min"), ("position", "count")])
    firsts = grouped["position_min"].to_numpy()
    counts = grouped["position_count"].to_numpy()
    names = grouped["template"].to_pylist()
    known = found.templates
    new = [i for i, name in enumerate(names) if name not in known]
    messages_of: dict[int, str] = {}
    if new:
        sample = pc.take(text, pa.array(firsts[new])).to_pylist()
        messages_of = dict(zip(new, sample, strict=True))
    for i, name in enumerate(names):
        first = int(rows[firsts[i]])
        entry = known.get(name)
        if entry is None:
            if len(known) >= MAX_TEMPLATES:
                found.dropped_templates += int(counts[i])
                continue
            entry = known[name] = _Template(
                time=int(times[first]), line=int(lines[first]), message=messages_of[i]
            )
        elif times[first] < entry.time:
            entry.time, entry.line = int(times[first]), int(lines[first])
            entry.message = str(pc.take(text, pa.array([firsts[i]]))[0].as_py())
        entry.count += int(counts[i])


def _events(found: _Found, *, cut: int, file: str, format: str) -> pd.DataFrame:
    """The log's events: its changes (repeats within minutes once), then its new error templates."""
    rows: list[tuple[int, int, str, str]] = []  # time, line, kind, message
    last_seen: dict[tuple[str, int], int] = {}
    for time, line, code, message in sorted(found.changes):
        key = (str(mask(pa.array([message]))[0].as_py()), code)
        if key in last_seen and time - last_seen[key] < CHANGE_REPEAT_NS:
            continue
        last_seen[key] = time
        rows.append((time, line, ev.MITIGATED if code == ROLLBACK else ev.CHANGE, message))
        if len(rows) >= MAX_CHANGES:
            break
    changed = {line for _, line, _, _ in rows}
    fresh = [t for t in found.templates.values() if t.time >= cut and t.line not in changed]
    fresh.sort(key=lambda t: (-t.count, t.time))
    for template in fresh[: MAX_EVENTS - len(rows)]:
        note = f"new error, {template.count:,} like it" if template.count > 1 else "new error"
        rows.append((template.time, template.line, ev.WARNING, f"{template.message} [{note}]"))
    rows.sort()
    if not rows:
        return ev.empty_events()
    times, lines, kinds, messages = zip(*rows, strict=True)
    return ev.make_events(
        pd.DatetimeIndex(np.asarray(times, dtype="datetime64[ns]"), tz="UTC"),
        source=format,
        kind=list(kinds),
        message=list(messages),
        file=file,
        line=np.asarray(lines, dtype=np.int64),
    )


def log_series(binned: Binned, *, source: str) -> list[Series]:
    """The series a log's counts give (see the module docstring for which, and their units)."""
    times, per_minute = binned.times, 60 * SECOND / binned.step
    series: list[Series] = []
    known = binned.rows - binned.severity[-1]
    errors = binned.severity[ERROR] + binned.severity[ERROR + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        if known.sum():
            ratio = np.where(known > 0, errors / np.maximum(known, 1), np.nan)
            series.append(Series("error ratio", source, "ratio", times, ratio, "error_ratio"))
            series.append(Series("error rate", source, "/min", times, errors * per_minute, "error_rate"))
        name = "request rate" if binned_has_requests(binned) else "log rate"
        series.append(Series(name, source, "/min", times, binned.rows * per_minute, "request_rate"))
        with_status = binned.rows - binned.status[0]
        if with_status.sum():
            share = np.where(with_status > 0, binned.status[5] / np.maximum(with_status, 1), np.nan)
            series.append(Series("5xx ratio", source, "ratio", times, share, "status_ratio"))
    for q, values in binned.latency.items():
        series.append(Series(f"latency p{q}", source, "ms", times, values * 1000, "latency"))
    return series


def binned_has_requests(binned: Binned) -> bool:
    """The rows are requests: they carry an HTTP status or a latency."""
    return bool((binned.rows - binned.status[0]).sum()) or bool(binned.latency)


__all__ = ["MAX_EVENTS", "log_series", "summarise_log"]
