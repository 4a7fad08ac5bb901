"""What the telemetry importer tests compare: rows and series as plain JSON, and each format's reader."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from postmortem_widgets.timeline.importers import (
    access_log,
    cloudwatch_metrics,
    datadog_logs,
    datadog_metrics,
    grafana_csv,
    journald,
    jsonl,
    k8s_events,
    kibana,
    logs_insights,
    loki,
    newrelic,
    prometheus,
    splunk,
)
from postmortem_widgets.timeline.telemetry.model import SEVERITIES, LogRows, Series
from tests.support.paths import DATA as TEST_DATA

DATA = TEST_DATA / "telemetry"

#: Every telemetry format and its reader (``read(source, options)``).
LOG_READERS: dict[str, Callable[..., Any]] = {
    "jsonl": jsonl.read_jsonl,
    "journald": journald.read_journald,
    "access_log": access_log.read_access_log,
    "kibana_csv": kibana.read_kibana,
    "splunk_csv": splunk.read_splunk,
    "datadog_logs_csv": datadog_logs.read_datadog_logs,
    "cloudwatch_insights": logs_insights.read_insights,
    "loki": loki.read_loki,
    "k8s_events": k8s_events.read_events,
}
METRIC_READERS: dict[str, Callable[..., Any]] = {
    "prometheus": prometheus.read_prometheus,
    "datadog_metrics": datadog_metrics.read_datadog_metrics,
    "cloudwatch_metrics": cloudwatch_metrics.read_metric_data,
    "grafana_csv": grafana_csv.read_grafana_csv,
    "newrelic_nrql": newrelic.read_nrql,
}
READERS = {**LOG_READERS, **METRIC_READERS}


def iso(nanos: int) -> str:
    """A UTC time to the nanosecond, as the expectations write it: ``2024-05-19T06:10:35.743Z``."""
    stamp = pd.Timestamp(int(nanos), unit="ns", tz="UTC")
    text = stamp.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{stamp.microsecond * 1000 + stamp.nanosecond:09d}".rstrip("0")
    return f"{text}.{fraction}Z" if fraction else f"{text}Z"


def severity_name(code: int) -> str:
    return SEVERITIES[code] if code >= 0 else "unknown"


def number(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 9)


def row_dicts(batches: Iterable[LogRows]) -> tuple[list[dict[str, Any]], list[str], int]:
    """Every row of every batch as a dict (optional columns only when the batch has them)."""
    out: list[dict[str, Any]] = []
    warnings: list[str] = []
    count = 0
    for batch in batches:
        count += 1
        warnings.extend(batch.warnings)
        labels = {name: values.to_pylist() for name, values in batch.labels.items()}
        messages = batch.message.to_pylist()
        for i in range(len(batch)):
            row: dict[str, Any] = {
                "time": iso(batch.time[i]),
                "severity": severity_name(int(batch.severity[i])),
                "message": messages[i],
                "line": int(batch.line[i]),
            }
            if batch.status is not None:
                row["status"] = int(batch.status[i])
            if batch.latency is not None:
                row["latency"] = number(batch.latency[i])
            if batch.count is not None:
                row["count"] = int(batch.count[i])
            if labels:
                row["labels"] = {name: values[i] for name, values in labels.items()}
            out.append(row)
    return out, warnings, count


def series_dicts(series: list[Series]) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "unit": s.unit,
            "kind": s.kind,
            "labels": dict(s.labels),
            "times": [iso(t) for t in s.times],
            "values": [number(v) for v in s.values],
            **({"warnings": list(s.warnings)} if s.warnings else {}),
        }
        for s in series
    ]
