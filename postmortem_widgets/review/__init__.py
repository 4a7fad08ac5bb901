"""The draft reviewer: fact-checks a postmortem against its timeline, applies the seed's quality rules,
and redacts internal details.

>>> from postmortem_widgets.incident.record import Incident
>>> draft = "## Summary\\nWe apologize for any inconvenience."
>>> review = check_draft(draft, Incident(timezone="America/New_York"))
>>> sorted(review.rules()), review.errors
(['section-missing', 'summary-length', 'tone-performative'], 6)
"""

from __future__ import annotations

from ..privacy.names import load_roster, parse_roster, people_names
from ..privacy.redact import Redaction, redact, redactor
from .check import check_draft, load_draft
from .jargon import load_jargon, parse_jargon
from .model import RULES, Finding, Review, Rule

__all__ = [
    "RULES",
    "Finding",
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
