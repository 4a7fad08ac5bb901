"""Shareable reports: HTML and PDF through nbconvert, GitHub-flavoured Markdown and email.

>>> from postmortem_widgets.export import export_report  # doctest: +SKIP
>>> html = export_report(draft, incident, to="html")  # doctest: +SKIP
"""

from __future__ import annotations

from .api import (
    FORMATS,
    ExportError,
    ReviewBlockedError,
    UnknownExportFormatError,
    export_report,
    format_for_path,
    review_draft,
    write_report,
)

__all__ = [
    "FORMATS",
    "ExportError",
    "ReviewBlockedError",
    "UnknownExportFormatError",
    "export_report",
    "format_for_path",
    "review_draft",
    "write_report",
]
