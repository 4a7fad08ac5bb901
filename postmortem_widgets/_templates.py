"""Where the templates live, and one jinja2 Environment per purpose.

Templates are files under ``templates/`` (a link at the top of the checkout to
``postmortem_widgets/templates``, so they ship inside the wheel). Every environment uses
``StrictUndefined``, so a missing value is an error, never a silent blank. Prompts and Markdown
are not escaped; HTML reports are rendered by nbconvert's environment, which
:class:`~postmortem_widgets.export.exporters.PostmortemHTMLExporter` sets to autoescape.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2


def templates_dir() -> Path:
    """The templates folder inside the installed package."""
    return Path(__file__).resolve().parent / "templates"


@cache
def text_environment() -> jinja2.Environment:
    """For prompts, Markdown drafts and plain text: no escaping, strict, whitespace-controlled."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
