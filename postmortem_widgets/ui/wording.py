"""The library's hints speak for the command line (``pass --tz ZONE``); the form says where to click.

The errors stay front-end neutral enough for the CLI; this table rewords the flags the form has a
control for, so a message in the form never asks for a flag nobody can pass there.
"""

from __future__ import annotations

import re

#: (pattern, the form's words): applied in order to every error message the form shows.
FORM_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"pass --force \(force=True\) to export it anyway"), "tick “Export even with review errors”"),
    (
        re.compile(r"pass --date YYYY-MM-DD \(or set incident_date in the incident file\)"),
        "set the Incident date",
    ),
    (
        re.compile(r"(?:add a date column, or )?pass --date YYYY-MM-DD"),
        "set the Incident date on the Import step",
    ),
    (re.compile(r"e\.g\. --date 2024-04-15"), "e.g. 2024-04-15"),
    (re.compile(r"pass --tz ZONE(?: \(an IANA name such as America/New_York\))?"), "pick the Time zone"),
    (re.compile(r"add Z or an offset, or pass --tz ZONE"), "add Z or an offset"),
    (
        re.compile(r"pass --format NAME if you know what exported it"),
        "check that the file is an export we read",
    ),
    (re.compile(r", \.\.\. or pass --format"), ""),
    (re.compile(r"pass --model NAME or set POSTMORTEM_MODEL"), "type a model name in Model"),
)


def in_form_words(text: str) -> str:
    """``text`` with the command-line flags the form has controls for said as those controls.

    >>> in_form_words("times but no date. Hint: pass --date YYYY-MM-DD")
    'times but no date. Hint: set the Incident date on the Import step'
    """
    for pattern, words in FORM_WORDS:
        text = pattern.sub(words, text)
    return text


__all__ = ["FORM_WORDS", "in_form_words"]
