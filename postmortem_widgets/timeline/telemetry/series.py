"""Series helpers: a metric export's result, bins, downsampling."""

from __future__ import annotations

from ..events import ImportResult
from .model import Series


def metric_result(series: list[Series], *, file: str, format: str) -> ImportResult:
    """The import result of a metric export: its series and no events."""
    raise NotImplementedError("telemetry core: to be written")
