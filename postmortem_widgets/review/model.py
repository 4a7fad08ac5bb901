"""Findings, the rules that produce them, and the review that collects them.

Every rule has a stable id (used by ``--json``, by the tests' flawed drafts and by anyone who wants to
filter), a concern (the reviewer's module that owns it) and a default severity. An error means the
draft says something false, unsafe or missing; a warning means a careful human should look again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .document import Document

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(frozen=True)
class Rule:
    id: str
    concern: str
    severity: Severity
    summary: str


_RULES: tuple[Rule, ...] = (
    Rule("section-missing", "structure", ERROR, "one of the seed's six section headings is missing"),
    Rule("section-order", "structure", ERROR, "the six sections are out of the seed's order, or repeated"),
    Rule("summary-length", "structure", WARNING, "the Summary is not 3-5 sentences"),
    Rule("apology-length", "structure", WARNING, "the Apology and Commitment is not 2-3 sentences"),
    Rule("timeline-bullet", "structure", WARNING, "a timeline bullet does not start with a time"),
    Rule("fact-time", "facts", ERROR, "a clock time matches no event of the incident"),
    Rule("fact-date", "facts", ERROR, "a date is not a day of the incident"),
    Rule("fact-duration", "facts", ERROR, "a duration disagrees with the timeline"),
    Rule(
        "fact-resolution", "facts", ERROR, "the stated resolution time is not when the incident was resolved"
    ),
    Rule("timeline-order", "facts", ERROR, "the timeline bullets are not in chronological order"),
    Rule("fact-impact", "facts", ERROR, "a stated impact start or end disagrees with the monitoring data"),
    Rule(
        "detection-admission", "detection", ERROR, "a customer told us first, and the draft does not say so"
    ),
    Rule(
        "detection-claim",
        "detection",
        ERROR,
        "the draft says our monitoring caught an incident a customer reported",
    ),
    Rule("detection-timeline", "detection", WARNING, "the timeline leaves out when the customer reported it"),
    Rule("prevention-vague", "prevention", ERROR, "a commitment without a concrete measure"),
    Rule("prevention-empty", "prevention", ERROR, "What We're Changing names no concrete change"),
    Rule("blame-language", "blame", ERROR, "language that blames a person"),
    Rule("person-name", "blame", ERROR, "a responder's or team member's name"),
    Rule("jargon", "language", WARNING, "a term a customer should not need to know"),
    Rule("privacy-email", "privacy", ERROR, "an email address"),
    Rule("privacy-ip", "privacy", ERROR, "an IP address"),
    Rule("privacy-host", "privacy", ERROR, "an internal host name or URL"),
    Rule("privacy-ticket", "privacy", ERROR, "an internal ticket ID"),
    Rule("privacy-secret", "privacy", ERROR, "something that looks like a secret or API key"),
    Rule(
        "prompt-injection",
        "injection",
        ERROR,
        "text addressed to a language model (an instruction from event data), not to a customer",
    ),
    Rule("tone-performative", "tone", ERROR, "a performative or conditional apology"),
    Rule("tone-defensive", "tone", WARNING, "defensive or minimising language"),
)

#: Every rule, by id, in the order the reviewer runs them.
RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


@dataclass(frozen=True)
class Finding:
    """One problem at one line of the draft (1-based), with what to do about it."""

    rule: str
    severity: Severity
    line: int
    message: str
    suggestion: str = ""
    #: The seed section the line is in ("" before the first heading).
    section: str = ""

    def describe(self) -> str:
        """``line 12: [names-engineer] message``, the one-line form errors and the CLI print."""
        where = f"line {self.line}: " if self.line else ""
        return f"{where}[{self.rule}] {self.message}"

    def to_json(self) -> dict[str, object]:
        """The CLI's ``--json`` shape for one finding."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "line": self.line,
            "message": self.message,
            "suggestion": self.suggestion,
        }


def finding(
    rule: str,
    line: int,
    message: str,
    suggestion: str = "",
    *,
    section: str = "",
    severity: Severity | None = None,
) -> Finding:
    """A finding with its rule's default severity unless one is given."""
    return Finding(
        rule=rule,
        severity=severity or RULES[rule].severity,
        line=max(1, line),
        message=message,
        suggestion=suggestion,
        section=section,
    )


def phrase_findings(
    doc: Document, patterns: Iterable[re.Pattern[str]], rule: str, says: str, suggestion: str
) -> list[Finding]:
    """One finding per match of each pattern in the draft: "'<the phrase>' <says>", at its line."""
    return [
        finding(
            rule,
            doc.line_at(m.start()),
            f"{' '.join(m.group().split())!r} {says}",
            suggestion,
            section=doc.section_at(m.start()),
        )
        for pattern in patterns
        for m in pattern.finditer(doc.plain)
    ]


@dataclass
class Review:
    """Everything the reviewer found in one draft, sorted by line."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    @property
    def ok(self) -> bool:
        """True when nothing blocks sending the draft (warnings allowed)."""
        return self.errors == 0

    def rules(self) -> set[str]:
        """The ids of the rules that fired."""
        return {f.rule for f in self.findings}

    def by_section(self) -> dict[str, list[Finding]]:
        """Findings grouped by section, sections in the order they first appear in the draft."""
        groups: dict[str, list[Finding]] = {}
        for f in sorted(self.findings, key=lambda f: f.line):
            groups.setdefault(f.section, []).append(f)
        return groups

    def to_json(self) -> dict[str, object]:
        """The CLI contract: ``{"findings": [...], "errors": N, "warnings": N}``."""
        return {
            "findings": [f.to_json() for f in self.findings],
            "errors": self.errors,
            "warnings": self.warnings,
        }
