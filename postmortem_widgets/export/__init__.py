"""Shareable reports: HTML and PDF through nbconvert, GitHub-flavoured Markdown and email.

Usage::

    from postmortem_widgets.export import export_report

    html = export_report(draft, incident, to="html")
"""

from __future__ import annotations

from ..errors import ExportError, ReportTooLargeError, ReviewBlockedError, UnknownExportFormatError
from .api import (
    FORMATS,
    export_report,
    format_for_path,
    review_draft,
    warm_up_pdf,
    write_report,
)

__all__ = [
    "FORMATS",
    "ExportError",
    "ReportTooLargeError",
    "ReviewBlockedError",
    "UnknownExportFormatError",
    "export_report",
    "format_for_path",
    "review_draft",
    "warm_up_pdf",
    "write_report",
]
