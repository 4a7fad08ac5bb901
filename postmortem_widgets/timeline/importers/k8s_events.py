"""Kubernetes events, as ``kubectl get events -o json`` writes them: ``{"kind": "List", "items": [...]}``.

Each event has a ``type`` (``Normal`` or ``Warning``), a ``reason`` (``BackOff``, ``Killing``,
``Unhealthy`` ...), a ``message`` and the object it is about (``involvedObject``: kind, name, namespace).
Events that repeat are folded into one with a ``count`` between ``firstTimestamp`` and ``lastTimestamp``
(newer events carry ``eventTime`` and ``series`` instead). A row's time is when the event was first seen
(``firstTimestamp``, else ``eventTime``, else ``lastTimestamp``, else ``metadata.creationTimestamp``);
its ``count`` says how many times it happened.

The severity: ``Warning`` events are warnings, and errors for reasons that mean something failed
(:data:`ERROR_REASONS`); ``Normal`` events are info. The message carries the reason and the object:
``BackOff pod/api-7d9 Back-off restarting failed container``. The labels are ``namespace``, ``object``,
``reason``, ``component`` (who reported it) and ``last_seen``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from ...errors import InputError
from ..sources import Source
from ..telemetry.formats import log_format
from ..telemetry.model import ERROR, INFO, UNKNOWN, WARNING, LogRows
from . import ImportOptions, register
from ._json import check_records, describe, dig, document, shape_error, text
from ._telemetry import Skipped, empty_rows, parse_nanos, rows, slices, sort_by_time, with_notes

NAME = "k8s_events"
EXPECTED = "Kubernetes events: kubectl get events -o json, {'kind': 'List', 'items': [...]}"
TIME_FIELDS: tuple[str, ...] = ("firstTimestamp", "eventTime", "lastTimestamp", "metadata.creationTimestamp")
#: Warning reasons that say something failed, not merely that it is slow or retried.
ERROR_REASONS = frozenset(
    {
        "BackOff",
        "CrashLoopBackOff",
        "Failed",
        "FailedCreate",
        "FailedCreatePodSandBox",
        "FailedKillPod",
        "FailedMount",
        "FailedAttachVolume",
        "FailedScheduling",
        "Evicted",
        "OOMKilling",
        "SystemOOM",
        "Unhealthy",
        "NodeNotReady",
        "NetworkNotReady",
        "ErrImagePull",
        "ImagePullBackOff",
    }
)


def _items(doc: Any) -> list[Any] | None:
    if isinstance(doc, dict) and isinstance(doc.get("items"), list):
        items: list[Any] = doc["items"]
        return items
    return None


def _is_event(item: Any) -> bool:
    return isinstance(item, dict) and "involvedObject" in item and "reason" in item


def sniff(source: Source) -> int:
    """95 for a list whose items are events (``involvedObject`` and ``reason``)."""
    items = _items(source.json)
    if items is None:
        return 0
    if not items:
        return 60 if source.json.get("kind") in ("List", "EventList") else 0
    sampled = items[:20]
    return 95 if all(_is_event(i) for i in sampled) else 0


def read_events(source: Source, options: ImportOptions) -> Iterator[LogRows]:
    """The events, oldest first (by when they were first seen)."""
    doc = document(source, format=NAME, expected=EXPECTED)
    items = _items(doc)
    if items is None or (items and not any(_is_event(i) for i in items)):
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    records = check_records(items, source=source, what="event")
    if not records:
        empty = empty_rows()
        empty.warnings.append("the export holds no events")
        return iter([empty])
    lines = np.arange(1, len(records) + 1, dtype=np.int64)
    raw_times = [next((v for f in TIME_FIELDS if (v := dig(r, f))), None) for r in records]
    time, warnings = parse_nanos(
        raw_times, tz=options.tz, file=source.name, column="firstTimestamp", lines=lines
    )
    kind = text(records, "involvedObject.kind").str.lower()
    obj = (kind + "/" + text(records, "involvedObject.name")).where(
        kind != "", text(records, "involvedObject.name")
    )
    reason = text(records, "reason")
    message = (
        (reason + " " + obj + " " + text(records, "message")).str.replace(r"\s+", " ", regex=True).str.strip()
    )
    component = text(records, "source.component")
    component = component.where(component != "", text(records, "reportingComponent"))
    namespace = text(records, "involvedObject.namespace")
    namespace = namespace.where(namespace != "", text(records, "metadata.namespace"))
    last_seen = text(records, "lastTimestamp")
    last_seen = last_seen.where(last_seen != "", text(records, "series.lastObservedTime"))
    skipped = Skipped("without a time")
    batch = rows(
        time=time,
        severity=_severity(text(records, "type").tolist(), reason.tolist()),
        message=pa.array(message.tolist(), pa.large_string()),
        line=lines,
        count=_counts(records, source=source),
        labels={
            name: pa.array(values.tolist(), pa.large_string())
            for name, values in (
                ("namespace", namespace),
                ("object", obj),
                ("reason", reason),
                ("component", component),
                ("last_seen", last_seen),
            )
        },
        skipped=skipped,
    )
    return with_notes(slices(sort_by_time(batch)), lambda: [*warnings, skipped.warning() or ""])


def _severity(types: list[str], reasons: list[str]) -> np.ndarray:
    codes = np.full(len(types), UNKNOWN, dtype=np.int8)
    for i, (kind, reason) in enumerate(zip(types, reasons, strict=True)):
        if kind == "Warning":
            codes[i] = ERROR if reason in ERROR_REASONS else WARNING
        elif kind == "Normal":
            codes[i] = INFO
    return codes


def _counts(records: list[dict[str, Any]], *, source: Source) -> np.ndarray:
    """How many times each event happened: ``count``, else ``series.count``, else once."""
    out = np.ones(len(records), dtype=np.int64)
    for i, record in enumerate(records):
        value = record.get("count") or dig(record, "series.count")
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            out[i] = value
        elif value is not None and not isinstance(value, int):
            raise InputError(
                f"event {i + 1} has a count of {value!r}, not a whole number",
                file=source.name,
                line=i + 1,
                column="count",
                hint="pass the output of kubectl get events -o json as it is",
            )
    return out


IMPORTER = register(
    log_format(NAME, "Kubernetes events, kubectl get events -o json", sniff=sniff, read=read_events)
)

__all__ = ["ERROR_REASONS", "IMPORTER", "read_events", "sniff"]
