"""Progress of a long import, reported to whoever shows it (the CLI's stderr line, later the workspace).

An importer that reads a large input in batches calls ``options.progress`` (an
:data:`ProgressCallback`, see :class:`~postmortem_widgets.timeline.importers.ImportOptions`) after each
batch with a :class:`Progress`: bytes read of the file's size when it reads a file, else rows read so far
(``total`` unknown). The callback must be quick; it runs on the importing thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """How far the import of one input has got."""

    file: str
    #: Bytes (``unit == "bytes"``) or rows (``unit == "rows"``) read so far.
    done: int
    #: The input's size in the same unit, when known.
    total: int | None = None
    unit: str = "bytes"
    #: Rows read so far, whatever the unit.
    rows: int = 0

    @property
    def fraction(self) -> float | None:
        """``done / total`` (0-1), or ``None`` when the total is unknown."""
        if not self.total:
            return None
        return min(self.done / self.total, 1.0)


ProgressCallback = Callable[[Progress], None]

__all__ = ["Progress", "ProgressCallback"]
