"""Merge imports into one timeline, then find its milestones and metrics.

>>> tl = parse_timeline(b"9:14am: Deploy\\n9:42am: Customer support ticket received\\n11:47am: Resolved",
...                     name="notes.txt", tz="America/New_York", date="2024-04-15")
>>> tl.milestones.detected_by, tl.metrics.duration
('customer', datetime.timedelta(seconds=9180))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import events as ev
from .importers import ImportOptions, import_source
from .limits import Limits
from .metrics import Metrics, compute_metrics
from .milestones import Milestones, find_milestones, iso_utc
from .sources import Source, expand_paths, source_from_bytes

__all__ = ["Timeline", "build_timeline", "load_timeline", "merge_events", "parse_timeline"]


def merge_events(frames: Sequence[pd.DataFrame]) -> tuple[pd.DataFrame, int]:
    """Concatenate the inputs' events, sort them by time (stable) and merge events repeated across inputs.

    Returns the table and how many rows were dropped.

    A duplicate is the same event (time, kind, message and actor) in more than one input, e.g. the same
    alert in two overlapping exports, or a file given twice. Repeats inside one input are events in their
    own right (a log that says "payment failed" twice in the same millisecond recorded two failures), so
    an event that one input holds ``n`` times is kept as often as the input that holds it most often.
    Only rows that share a timestamp with a row of another input are compared, so one input costs nothing
    and a large log a pass.
    """
    frames = [f for f in frames if len(f)]
    if not frames:
        return ev.empty_events(), 0
    merged = ev.concat_events(frames)
    times = merged["time"].to_numpy(dtype="datetime64[ns]").view("int64")
    order = None if len(times) < 2 or (times[1:] >= times[:-1]).all() else np.argsort(times, kind="stable")
    if order is not None:
        merged = merged.take(order).reset_index(drop=True)
    if len(frames) == 1:
        return merged, 0
    inputs = np.repeat(np.arange(len(frames), dtype=np.int32), [len(f) for f in frames])
    if order is not None:
        times, inputs = times[order], inputs[order]
    drop = _duplicates(times, inputs, merged)
    if not len(drop):
        return merged, 0
    keep = np.ones(len(merged), dtype=bool)
    keep[drop] = False
    return merged[keep].reset_index(drop=True), len(drop)


def _duplicates(times: np.ndarray, inputs: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """Positions of rows that repeat a row of an earlier input (``times`` sorted, ``inputs`` per row).

    The k-th copy of an event in one input matches the k-th copy in another, so the copies kept are as
    many as the input with the most of them holds. Only runs of equal times that span inputs are
    looked at, and only their rows whose message length occurs twice in the run are compared in full.
    """
    none = np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, times[1:] != times[:-1]])
    lengths = np.diff(np.r_[starts, len(times)])
    first, last = np.minimum.reduceat(inputs, starts), np.maximum.reduceat(inputs, starts)
    spanning = (lengths > 1) & (first != last)
    if not spanning.any():
        return none
    run = np.repeat(np.arange(len(starts)), lengths)
    candidates = np.flatnonzero(np.repeat(spanning, lengths))
    message = pa.array(events["message"].iloc[candidates])
    size = np.asarray(pc.fill_null(pc.binary_length(message), 0), dtype=np.int64)
    key = pd.DataFrame({"run": run[candidates], "size": size})
    candidates = candidates[key.duplicated(keep=False).to_numpy()]
    if not len(candidates):
        return none
    rows = events.iloc[candidates]
    subset = pd.DataFrame(
        {
            "time": times[candidates],
            "kind": ev.kind_codes(rows["kind"]),
            "message": rows["message"].to_numpy(dtype=object),
            "actor": rows["actor"].to_numpy(dtype=object),
        }
    )
    subset["copy"] = subset.groupby([*subset.columns, inputs[candidates]], sort=False).cumcount().to_numpy()
    return np.asarray(candidates[subset.duplicated(keep="first").to_numpy()])


@dataclass
class Timeline:
    """A merged, sorted event table with its milestones and metrics."""

    events: pd.DataFrame
    imports: list[ev.ImportResult] = field(default_factory=list)
    overrides: Mapping[str, pd.Timestamp | None] = field(default_factory=dict)
    detected_by_override: str | None = None
    merge_warnings: list[str] = field(default_factory=list)

    @cached_property
    def signal_events(self) -> pd.DataFrame:
        """Every event that carries a signal (not noise), in time order; a log with no noise is not copied.

        Not to be confused with the few *key events* a document shows
        (:func:`~postmortem_widgets.timeline.keyevents.select_key_events` ranks them from these).
        """
        noise = ev.kind_codes(self.events["kind"]) == ev.KINDS.index(ev.NOISE)
        if not noise.any():
            return self.events.copy(deep=False)
        signals: pd.DataFrame = self.events[~noise].reset_index(drop=True)
        return signals

    @cached_property
    def _found(self) -> tuple[Milestones, list[str]]:
        handwritten = frozenset(r.file for r in self.imports if r.handwritten)
        return find_milestones(
            self.signal_events,
            handwritten_files=handwritten,
            overrides=self.overrides,
            detected_by=self.detected_by_override,
        )

    @property
    def milestones(self) -> Milestones:
        return self._found[0]

    @cached_property
    def metrics(self) -> Metrics:
        return compute_metrics(self.milestones)

    @property
    def warnings(self) -> list[str]:
        per_file = [f"{r.file}: {w}" for r in self.imports for w in r.warnings]
        return per_file + self.merge_warnings + self._found[1]

    def with_overrides(
        self, overrides: Mapping[str, pd.Timestamp | None], *, detected_by: str | None = None
    ) -> Timeline:
        """The same events with milestones set by hand (merged over any earlier overrides)."""
        return Timeline(
            events=self.events,
            imports=self.imports,
            overrides={**self.overrides, **overrides},
            detected_by_override=detected_by or self.detected_by_override,
            merge_warnings=self.merge_warnings,
        )

    def to_json(self, *, key_event_limit: int | None = None) -> dict[str, object]:
        """The CLI's ``--json`` contract."""
        key = self.signal_events if key_event_limit is None else self.signal_events.head(key_event_limit)
        return {
            "milestones": self.milestones.to_json(),
            "detected_by": self.milestones.detected_by,
            "metrics": self.metrics.to_json(),
            "event_count": len(self.events),
            "key_events": [
                {
                    "time": iso_utc(t),
                    "source": s,
                    "kind": k,
                    "message": m,
                    "actor": a,
                    "file": f,
                    "line": int(n),
                }
                for t, s, k, m, a, f, n in zip(
                    key["time"],
                    key["source"],
                    key["kind"],
                    key["message"],
                    key["actor"],
                    key["file"],
                    key["line"],
                    strict=True,
                )
            ],
            "inputs": [{"file": r.file, "format": r.format, "events": r.count} for r in self.imports],
            "warnings": self.warnings,
        }


def build_timeline(
    results: Iterable[ev.ImportResult],
    *,
    overrides: Mapping[str, pd.Timestamp | None] | None = None,
    detected_by: str | None = None,
) -> Timeline:
    """A timeline from import results (already parsed inputs)."""
    results = list(results)
    events, dropped = merge_events([r.events for r in results])
    warnings = [f"{dropped} duplicate event(s) across inputs were merged"] if dropped else []
    return Timeline(
        events=events,
        imports=results,
        overrides=dict(overrides or {}),
        detected_by_override=detected_by,
        merge_warnings=warnings,
    )


def import_sources(
    sources: Iterable[Source], *, tz: str | None = None, date: str | None = None, format: str | None = None
) -> list[ev.ImportResult]:
    """Import each source; the first bad one raises with its file name."""
    options = ImportOptions(tz=tz, date=date)
    return [import_source(s, format=format, options=options) for s in sources]


def parse_timeline(
    data: bytes,
    *,
    name: str = "upload",
    tz: str | None = None,
    date: str | None = None,
    format: str | None = None,
    overrides: Mapping[str, pd.Timestamp | None] | None = None,
    limits: Limits | None = None,
) -> Timeline:
    """A timeline from one upload's bytes (a zip may hold many exports), read within ``limits``."""
    sources = source_from_bytes(data, name=name, limits=limits)
    results = import_sources(sources, tz=tz, date=date, format=format)
    return build_timeline(results, overrides=overrides)


def load_timeline(
    paths: Iterable[str | Path],
    *,
    tz: str | None = None,
    date: str | None = None,
    format: str | None = None,
    overrides: Mapping[str, pd.Timestamp | None] | None = None,
    detected_by: str | None = None,
    limits: Limits | None = None,
) -> Timeline:
    """A timeline from files, folders and zips on disk, read within ``limits`` (by default
    :func:`~postmortem_widgets.timeline.limits.default_limits`: the defaults and ``POSTMORTEM_MAX_*``)."""
    results = import_sources(expand_paths(paths, limits=limits), tz=tz, date=date, format=format)
    return build_timeline(results, overrides=overrides, detected_by=detected_by)
