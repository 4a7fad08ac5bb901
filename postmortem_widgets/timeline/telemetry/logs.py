"""A machine log summarised: per-bin series by severity and the few rows worth a person's attention."""

from __future__ import annotations

from collections.abc import Iterable

from ..events import ImportResult
from ..importers import ImportOptions
from .model import LogRows


def summarise_log(
    batches: Iterable[LogRows], *, file: str, format: str, options: ImportOptions
) -> ImportResult:
    """Series and key events of a log read in batches (memory bounded by the batch, not the file)."""
    raise NotImplementedError("telemetry core: to be written")
