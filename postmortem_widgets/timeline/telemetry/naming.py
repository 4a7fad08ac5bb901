"""What a metric's name says it measures: its kind (which way is worse) and its unit.

Metric exports name their series freely ("checkout error ratio", "p95 latency (ms)", "CPU %"). The first
rule that matches the lower-cased name wins:

=============  =======================================================  ===============================
kind           name mentions                                            unit
=============  =======================================================  ===============================
status_ratio   5xx with ratio / rate / share / %                         ``ratio`` (values <= 1) or ``%``
error_ratio    error / fail with ratio / share / percent / %             ``ratio`` (values <= 1) or ``%``
latency        latency, duration, response time, p50 / p90 / p95 / p99   ``ms`` (or ``s`` when it says so)
saturation     cpu, memory, mem, disk, saturation, utilisation, load     ``%`` when it says so
request_rate   request, rps, qps, throughput, traffic, hits             ``/s``, ``/min`` when it says so
error_rate     error, fail, 5xx (a count or rate)                        ``/s``, ``/min`` when it says so
metric         anything else                                             the name's ``(unit)``, if any
=============  =======================================================  ===============================

>>> guess("checkout error ratio", [0.001, 0.3]), guess("p95 latency (ms)", [120.0]), guess("CPU %", [40.0])
(('error_ratio', 'ratio'), ('latency', 'ms'), ('saturation', '%'))
>>> guess("requests per minute", [6000.0]), guess("queue depth", [3.0])
(('request_rate', '/min'), ('metric', ''))
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_RATIO = r"ratio|rate|share|percent|pct|%"


def _rate_unit(name: str) -> str:
    if re.search(r"per ?min|/ ?min|\brpm\b|per minute", name):
        return "/min"
    if re.search(r"per ?s(?:ec(?:ond)?)?\b|/ ?s\b|\brps\b|\bqps\b", name):
        return "/s"
    return ""


def _share_unit(name: str, values: Sequence[float] | np.ndarray) -> str:
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if "%" in name or "percent" in name or "pct" in name:
        return "%"
    return "ratio" if not len(finite) or float(np.max(np.abs(finite))) <= 1 else "%"


def guess(name: str, values: Sequence[float] | np.ndarray) -> tuple[str, str]:
    """``(kind, unit)`` for a metric called ``name`` with these values (see the table above)."""
    text = name.lower()
    if re.search(r"5xx|5\d\d\b", text) and re.search(_RATIO, text):
        return "status_ratio", _share_unit(text, values)
    if re.search(r"error|fail", text) and re.search(r"ratio|share|percent|pct|%", text):
        return "error_ratio", _share_unit(text, values)
    if re.search(r"latenc|duration|response.?time|\bp(?:50|75|90|95|99|999)\b", text):
        return "latency", "s" if re.search(r"\(s\)|\bseconds?\b|_s\b|\bsec\b", text) else "ms"
    if re.search(r"\bcpu|memory|\bmem\b|disk|saturation|utili[sz]ation|\bload\b", text):
        return "saturation", "%" if "%" in text or "percent" in text else ""
    if re.search(r"request|\brps\b|\bqps\b|throughput|traffic|\bhits\b", text):
        return "request_rate", _rate_unit(text)
    if re.search(r"error|fail|5xx", text):
        return "error_rate", _rate_unit(text)
    unit = re.search(r"\(([^)]{1,12})\)\s*$", name)
    return "metric", unit.group(1) if unit else ""


__all__ = ["guess"]
