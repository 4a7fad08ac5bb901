"""Merge imports into one timeline, then find its milestones and metrics.

>>> tl = parse_timeline(b"9:14am: Deploy\\n9:42am: Customer support ticket received\\n11:47am: Resolved",
...                     name="notes.txt", tz="America/New_York", date="2024-04-15")
>>> tl.milestones.detected_by, tl.metrics.duration
('customer', datetime.timedelta(seconds=9180))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from . import events as ev
from .batches import Batch, batched, import_batch
from .importers import ImportOptions, detect, import_source
from .limits import Limits
from .metrics import Metrics, compute_metrics, shown_metrics
from .milestones import Milestones, find_milestones
from .progress import ProgressCallback
from .scoping import Window, distant_inputs, parse_window
from .sources import Source, expand_paths, source_from_bytes
from .telemetry.impact import find_impacts
from .telemetry.model import Impact, Series

#: ``signal=NO_SIGNAL`` (``--signal none``): the analyst rejects the impact window; telemetry sets nothing.
NO_SIGNAL = "none"
#: The source named on the events that mark the impact window.
IMPACT_SOURCE = "impact"

__all__ = [
    "NO_SIGNAL",
    "Timeline",
    "build_timeline",
    "load_timeline",
    "merge_events",
    "parse_timeline",
    "signal_key",
]

#: Key events in the JSON contract, whatever the input size.
KEY_EVENT_LIMIT = 200


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
    #: Every series' impact window, the clearest first (see :mod:`.telemetry.impact`).
    impacts: list[Impact] = field(default_factory=list)
    #: The impact window the milestones read (its beginning and end are events of the table), or ``None``.
    impact: Impact | None = None
    #: The signal asked for by name (``None``: the clearest; :data:`NO_SIGNAL`: none).
    signal: str | None = None
    #: The zone the evidence shows times in (``None``: UTC).
    tz: str | None = None

    @property
    def series(self) -> list[Series]:
        """Every input's series (a log's per-bin signals, a metric export's), in input order."""
        return [s for r in self.imports for s in r.series]

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
        handwritten = frozenset(f for r in self.imports if r.handwritten for f in r.file_names)
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

    @cached_property
    def shown_metrics(self) -> Metrics:
        """The metrics as a reader computes them from the clock times a document shows (to the minute)."""
        return shown_metrics(self.milestones)

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
            impacts=self.impacts,
            impact=self.impact,
            signal=self.signal,
            tz=self.tz,
        )

    def with_signal(self, name: str | None, *, source: str | None = None) -> Timeline:
        """The same inputs with the impact window taken from the series ``name`` (of file ``source``).

        ``None`` goes back to the clearest signal; :data:`NO_SIGNAL` drops the impact window. Raises
        :class:`~postmortem_widgets.errors.InputError` naming the signals there are when none is called
        ``name``.
        """
        return build_timeline(
            self.imports,
            overrides=self.overrides,
            detected_by=self.detected_by_override,
            signal=signal_key(name, source),
            tz=self.tz,
        )

    def to_json(self, *, key_event_limit: int = KEY_EVENT_LIMIT) -> dict[str, object]:
        """The CLI's ``--json`` contract (see :mod:`.report`)."""
        from .report import timeline_json

        return timeline_json(self, key_event_limit=key_event_limit)


def signal_key(name: str | None, source: str | None = None) -> str | None:
    """What :func:`build_timeline` takes as ``signal``: the series ``name``, of the file ``source`` if given.

    >>> signal_key("error ratio"), signal_key("error ratio", "app.csv"), signal_key(NO_SIGNAL, "app.csv")
    ('error ratio', 'error ratio\\x00app.csv', 'none')
    """
    return name if source is None or name in (None, NO_SIGNAL) else f"{name}\0{source}"


def build_timeline(
    results: Iterable[ev.ImportResult],
    *,
    overrides: Mapping[str, pd.Timestamp | None] | None = None,
    detected_by: str | None = None,
    signal: str | None = None,
    tz: str | None = None,
) -> Timeline:
    """A timeline from import results (already parsed inputs).

    The inputs' series give the impact window (the clearest signal's, or the one named ``signal``, see
    :meth:`Timeline.with_signal`); its beginning and end join the events as ``impact_start`` and
    ``resolved``, with the evidence as their message, so the milestone rules read them like any other.
    ``tz`` is the zone the evidence states its times in (UTC when ``None``).
    """
    results = list(results)
    impacts = find_impacts([s for r in results for s in r.series], tz=tz)
    impact, note = _chosen(impacts, results, signal)
    frames = [r.events for r in results]
    if impact is not None:
        frames.append(_impact_events(impact))
    events, dropped = merge_events(frames)
    warnings = [f"{dropped} duplicate event(s) across inputs were merged"] if dropped else []
    warnings += [note] if note else []
    warnings += distant_inputs(results)
    return Timeline(
        events=events,
        imports=results,
        overrides=dict(overrides or {}),
        detected_by_override=detected_by,
        merge_warnings=warnings,
        impacts=impacts,
        impact=impact,
        signal=signal,
        tz=tz,
    )


def _chosen(
    impacts: list[Impact], results: list[ev.ImportResult], signal: str | None
) -> tuple[Impact | None, str]:
    """The impact window asked for, and a warning when the named signal shows no clear change."""
    if signal is None:
        return (impacts[0] if impacts else None), ""
    if signal == NO_SIGNAL:
        return None, ""
    name, _, source = signal.partition("\0")
    series = [s for r in results for s in r.series if s.name == name and (not source or s.source == source)]
    if not series:
        known = sorted({f"{s.name!r} ({s.source})" for r in results for s in r.series})
        raise InputError(
            f"no signal called {name!r}" + (f" in {source}" if source else ""),
            hint=f"choose one of: {', '.join(known)}, or none" if known else "the inputs have no series",
        )
    mine = [i for i in impacts if i.signal == name and (not source or i.source == source)]
    if not mine:
        return None, f"{name} ({series[0].source}) shows no clear change: no impact window"
    return mine[0], ""


def _impact_events(impact: Impact) -> pd.DataFrame:
    """The impact window's beginning (``impact_start``) and, once the signal came back, its end."""
    began, _, ended = impact.evidence.partition("; ")
    times = [impact.began] + ([impact.ended] if impact.ended is not None else [])
    kinds = [ev.IMPACT, ev.RESOLVED][: len(times)]
    messages = [f"impact began: {began}", f"impact ended: {impact.signal} {ended}"][: len(times)]
    return ev.make_events(
        pd.DatetimeIndex(np.asarray(times, dtype="datetime64[ns]"), tz="UTC"),
        source=IMPACT_SOURCE,
        kind=kinds,
        message=messages,
        file=impact.source,
        line=np.zeros(len(times), dtype=np.int64),
    )


def import_sources(
    sources: Iterable[Source],
    *,
    tz: str | None = None,
    date: str | None = None,
    format: str | None = None,
    roles: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
    incident: Iterable[str] = (),
    window: str | Window | None = None,
) -> list[ev.ImportResult]:
    """Import each source; the first bad one raises with its file name.

    ``roles`` (input name -> role) overrides what each input's content suggests; ``progress`` is told how
    far a long import has got. ``incident`` (ids) picks the incident of an input that holds several;
    ``window`` (``START..END``, clock times on ``date``, see :func:`.scoping.parse_window`) keeps only the
    events inside it. Many small CSV files of one shape in a folder are read as one table (see
    :mod:`.batches`): one result for them all, each event still naming its own file and line.
    """
    span = parse_window(window, date=date, tz=tz) if isinstance(window, str) else window
    options = ImportOptions(
        tz=tz,
        date=date,
        roles=dict(roles or {}),
        progress=progress,
        incident=tuple(incident),
        window=span,
    )
    results: list[ev.ImportResult] = []
    for item in batched(sources, roles=options.role_of):
        if isinstance(item, Batch):
            results.extend(_import_batch(item, format=format, options=options))
        else:
            results.append(import_source(item, format=format, options=options))
    return results


def _import_batch(batch: Batch, *, format: str | None, options: ImportOptions) -> list[ev.ImportResult]:
    """A batch read as one table, as the role its files were given (which the joined table is not)."""
    joined = (
        options if batch.role is None else replace(options, roles={**options.roles, batch.name: batch.role})
    )
    return import_batch(
        batch,
        read=lambda source, name: import_source(source, format=name or format, options=options),
        read_joined=lambda source, name: import_source(
            source, format=name, options=replace(joined, window=None)
        ),
        detect=lambda source: format or detect(source).name,
        window=options.window,
    )


def parse_timeline(
    data: bytes,
    *,
    name: str = "upload",
    tz: str | None = None,
    date: str | None = None,
    format: str | None = None,
    overrides: Mapping[str, pd.Timestamp | None] | None = None,
    roles: Mapping[str, str] | None = None,
    incident: Iterable[str] = (),
    window: str | Window | None = None,
    limits: Limits | None = None,
) -> Timeline:
    """A timeline from one upload's bytes (a zip may hold many exports), read within ``limits``."""
    results = import_sources(
        source_from_bytes(data, name=name, limits=limits),
        tz=tz,
        date=date,
        format=format,
        roles=roles,
        incident=incident,
        window=window,
    )
    return build_timeline(results, overrides=overrides, tz=tz)


def load_timeline(
    paths: Iterable[str | Path],
    *,
    tz: str | None = None,
    date: str | None = None,
    format: str | None = None,
    overrides: Mapping[str, pd.Timestamp | None] | None = None,
    detected_by: str | None = None,
    roles: Mapping[str, str] | None = None,
    signal: str | None = None,
    progress: ProgressCallback | None = None,
    limits: Limits | None = None,
    incident: Iterable[str] = (),
    window: str | Window | None = None,
) -> Timeline:
    """A timeline from files, folders and zips on disk.

    ``roles`` maps a path to the role it has (``log``, ``metric``, ``timeline``, ...) when its content
    would suggest another; ``signal`` names the series the impact window comes from (see
    :meth:`Timeline.with_signal`); ``progress`` is told how far long imports have got; ``incident`` and
    ``window`` keep one incident's events (see :func:`import_sources`). Inputs are read within ``limits``
    (by default :func:`~postmortem_widgets.timeline.limits.default_limits`: the defaults and
    ``POSTMORTEM_MAX_*``).
    """
    results = import_sources(
        expand_paths(paths, limits=limits),
        tz=tz,
        date=date,
        format=format,
        roles=roles,
        progress=progress,
        incident=incident,
        window=window,
    )
    return build_timeline(results, overrides=overrides, detected_by=detected_by, signal=signal, tz=tz)
