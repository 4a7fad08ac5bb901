"""The draft reviewer: fact-checks a postmortem against its timeline, applies the seed's quality rules,
and redacts internal details. Errors are what is certainly wrong or unsafe; style is a warning.

>>> from postmortem_widgets.incident.record import Incident
>>> draft = "## Summary\\nWe apologize for any inconvenience. Priya from our support team fixed it."
>>> review = check_draft(draft, Incident(timezone="America/New_York"))
>>> sorted(review.rules()), review.errors
(['person-name', 'section-missing', 'summary-length', 'tone-performative'], 1)
"""

from __future__ import annotations

from ..privacy.names import load_roster, parse_roster, people_names
from ..privacy.redact import Redaction, redact, redactor
from ..wordlists import load_jargon, parse_jargon
from .check import check_draft, load_draft
from .model import RULES, Finding, Ignore, Review, Rule

__all__ = [
    "RULES",
    "Finding",
    "Ignore",
    "Redaction",
    "Review",
    "Rule",
    "check_draft",
    "load_draft",
    "load_jargon",
    "load_roster",
    "parse_jargon",
    "parse_roster",
    "people_names",
    "redact",
    "redactor",
]
