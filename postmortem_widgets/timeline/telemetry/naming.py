"""What a metric's name says it measures: its kind (which way is worse) and its unit.

Metric exports name their series freely ("checkout error ratio", "p95 latency (ms)", "CPU %",
``5XXError``, ``CPUUtilization``, ``http_requests_total``) and often give no unit. The first rule that
matches wins:

=============  ==============================================================  ===========================
kind           name (or the export's unit) says                                 unit when none is given
=============  ==============================================================  ===========================
status_ratio   5xx / status, as a ratio, share or %                             ``ratio`` (values <= 1), ``%``
error_ratio    error / fail / exception, as a ratio, share or %                 ``ratio`` (values <= 1), ``%``
error_rate     error / fail / exception / 5xx as a count or rate                ``/s``, ``/min`` when it says
latency        latency, duration, response time, p50-p99, a time unit           ``ms`` or ``s`` when it says
saturation     cpu, memory, disk, heap, queue, load, utilisation, connections   ``%`` when it says
request_rate   request, rps, qps, throughput, traffic, hits, calls, ``_total``  ``/s``, ``/min`` when it says
metric         anything else                                                    the name's ``(unit)``, if any
=============  ==============================================================  ===========================

>>> guess("checkout error ratio", [0.001, 0.3]), guess("p95 latency (ms)", [120.0]), guess("CPU %", [40.0])
(('error_ratio', 'ratio'), ('latency', 'ms'), ('saturation', '%'))
>>> guess("requests per minute", [6000.0]), guess("queue depth", [3.0]), guess("p99", [0.2], unit="s")
(('request_rate', '/min'), ('saturation', ''), ('latency', 's'))
>>> [guess(n, [1.0])[0] for n in ("5XXError", "CPUUtilization", "http_requests_total", "temperature")]
['error_rate', 'saturation', 'request_rate', 'metric']
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_ERROR = re.compile(r"5xx|5\d\d|error|fail|exception|fault|unavailable", re.IGNORECASE)
_STATUS = re.compile(r"5xx|5\d\d|status", re.IGNORECASE)
_SHARE = re.compile(r"ratio|percent|pct|share|fraction|%", re.IGNORECASE)
_LATENCY = re.compile(
    r"latenc|duration|response.?time|elapsed|\bp(?:50|75|90|95|99|999)\b|percentile|quantile|_seconds"
    r"|time.?taken|\brtt\b",
    re.IGNORECASE,
)
_SATURATION = re.compile(
    r"cpu|memory|mem_|\bmem\b|utili[sz]ation|saturation|disk|heap|\bload\b|queue|backlog|throttl|pool"
    r"|connections|inflight|in_flight|usage",
    re.IGNORECASE,
)
_REQUESTS = re.compile(
    r"request|throughput|\brpm\b|\brps\b|\bqps\b|invocations|\bhits\b|\bcount\b|_total|traffic|calls|\bops\b",
    re.IGNORECASE,
)
TIME_UNITS = frozenset({"ns", "µs", "us", "ms", "s", "min", "h"})


def _rate_unit(name: str) -> str:
    if re.search(r"per ?min|/ ?min|\brpm\b|per minute", name):
        return "/min"
    if re.search(r"per ?s(?:ec(?:ond)?)?\b|/ ?s\b|\brps\b|\bqps\b", name):
        return "/s"
    return ""


def _share_unit(name: str, values: Sequence[float] | np.ndarray) -> str:
    if "%" in name or "percent" in name or "pct" in name:
        return "%"
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return "ratio" if not len(finite) or float(np.max(np.abs(finite))) <= 1 else "%"


def _kind(text: str, unit: str) -> str:
    share = unit in ("%", "ratio") or bool(_SHARE.search(text))
    if _ERROR.search(text):
        if not share:
            return "error_rate"
        return "status_ratio" if _STATUS.search(text) else "error_ratio"
    if unit in TIME_UNITS or _LATENCY.search(text):
        return "latency"
    if _SATURATION.search(text):
        return "saturation"
    if _REQUESTS.search(text) or re.match(r"(?:/|req|ops|rp[sm]\b|qps)", unit):
        return "request_rate"
    return "metric"


def guess(name: str, values: Sequence[float] | np.ndarray, *, unit: str = "") -> tuple[str, str]:
    """``(kind, unit)`` for a series called ``name`` with these values; ``unit`` is the export's, if any."""
    text = name.lower()
    kind = _kind(text, unit)
    if unit:
        return kind, unit
    if kind in ("error_ratio", "status_ratio"):
        return kind, _share_unit(text, values)
    if kind == "latency":  # a unit only when the name says it: 0.2 may be seconds, 200 milliseconds
        if re.search(r"\(ms\)|\bms\b|_ms\b|millis", text):
            return kind, "ms"
        return kind, "s" if re.search(r"\(s\)|\bseconds?\b|_s\b|\bsec\b", text) else ""
    if kind == "saturation":
        return kind, "%" if "%" in text or "percent" in text else ""
    if kind in ("request_rate", "error_rate"):
        return kind, _rate_unit(text)
    written = re.search(r"\(([^)]{1,12})\)\s*$", name)
    return kind, written.group(1) if written else ""


__all__ = ["TIME_UNITS", "guess"]
