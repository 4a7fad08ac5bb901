"""Findings, the rules that produce them, and the review that collects them.

Every rule has a stable id (used by ``--json``, by the tests' flawed drafts, by ``--ignore`` and by anyone
who wants to filter), a concern (the reviewer's module that owns it) and a default severity. An error means
the draft is certainly wrong or unsafe for customers: a wrong time, date or duration, a false claim about
detection or data, a person's name, a secret, an email, an IP, an internal host. Everything about style
(structure, wording, tone, jargon, vague promises) is a warning: a careful human should look again, and the
export gate lets it through.

An author who has looked and disagrees ignores a finding with a reason (:class:`Ignore`); the review keeps
it apart (:attr:`Review.ignored`) and the reason travels with the draft version.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from ..errors import IgnoreError

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
    Rule("section-missing", "structure", WARNING, "one of the seed's six section headings is missing"),
    Rule("section-order", "structure", WARNING, "the six sections are out of the seed's order, or repeated"),
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
        "detection-admission", "detection", WARNING, "a customer told us first, and the draft does not say so"
    ),
    Rule(
        "detection-claim",
        "detection",
        ERROR,
        "the draft says our monitoring caught an incident a customer reported",
    ),
    Rule(
        "detection-denial",
        "detection",
        ERROR,
        "the draft says our monitoring never caught it, but an alert fired",
    ),
    Rule("detection-timeline", "detection", WARNING, "the timeline leaves out when the customer reported it"),
    Rule(
        "data-impact-contradiction",
        "data",
        ERROR,
        "a claim about lost, corrupted, exposed or wrong data disagrees with the incident's data_impact",
    ),
    Rule(
        "data-impact-summary", "data", WARNING, "the Summary leaves out the data impact the incident states"
    ),
    Rule("prevention-vague", "prevention", WARNING, "a commitment without a concrete measure"),
    Rule("prevention-empty", "prevention", WARNING, "What We're Changing names no concrete change"),
    Rule("blame-language", "blame", WARNING, "language that blames a person"),
    Rule("person-name", "blame", ERROR, "a responder's or team member's name"),
    Rule("jargon", "language", WARNING, "a term a customer should not need to know"),
    Rule("privacy-email", "privacy", ERROR, "an email address"),
    Rule("privacy-ip", "privacy", ERROR, "an IP address"),
    Rule("privacy-host", "privacy", ERROR, "an internal host name or URL"),
    Rule("privacy-ticket", "privacy", WARNING, "an internal ticket ID"),
    Rule("privacy-secret", "privacy", ERROR, "something that looks like a secret or API key"),
    Rule(
        "prompt-injection",
        "injection",
        ERROR,
        "text addressed to a language model (an instruction from event data), not to a customer",
    ),
    Rule("tone-performative", "tone", WARNING, "a performative or conditional apology"),
    Rule("tone-defensive", "tone", WARNING, "defensive or minimising language, or a boast"),
    Rule("citation-missing", "evidence", ERROR, "a citation names an event the prompt never numbered"),
    Rule("citation-time", "evidence", ERROR, "a timeline bullet is not at the time of the event it cites"),
    Rule("citation-none", "evidence", WARNING, "a timeline bullet cites no event, though the others do"),
)

#: Every rule, by id, in the order the reviewer runs them.
RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}
#: Rules about what a customer may read (the seed's six sections, people, hosts, jargon, an apology's tone):
#: an internal draft names people and hosts on purpose, so they do not apply to it. The facts still do, and
#: a secret or an instruction to a model is wrong in any draft.
CUSTOMER_ONLY: frozenset[str] = frozenset({
    "section-missing", "section-order", "summary-length", "apology-length", "detection-admission",
    "person-name", "jargon", "privacy-email", "privacy-ip", "privacy-host", "privacy-ticket",
    "tone-performative", "tone-defensive",
})  # fmt: skip


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
        for m in pattern.finditer(doc.reading)
        if not doc.is_code(m.start())
    ]


@dataclass(frozen=True)
class Ignore:
    """A finding the author looked at and set aside, with the reason (kept with the draft version).

    ``line`` ``None`` ignores the rule everywhere. ``text`` is the line as it read when it was ignored, so
    the ignore follows its line when lines above it are added or removed.

    >>> Ignore.parse("jargon:16=Redis is what we sell")
    Ignore(rule='jargon', line=16, reason='Redis is what we sell', text='')
    """

    rule: str
    line: int | None = None
    reason: str = ""
    text: str = ""

    @classmethod
    def parse(cls, spec: str, *, reason: str = "") -> Ignore:
        """``RULE``, ``RULE:LINE``, either with ``=REASON``; an unknown rule is an :class:`IgnoreError`."""
        head, sep, why = spec.partition("=")
        rule, _, line = head.strip().partition(":")
        rule = rule.strip()
        if rule not in RULES:
            import difflib

            close = difflib.get_close_matches(rule, RULES, n=1)
            raise IgnoreError(
                f"no review rule {rule!r} to ignore",
                hint=f"did you mean {close[0]!r}?"
                if close
                else "rules are listed by `postmortem check --json`",
            )
        number: int | None = None
        if line.strip():
            try:
                number = int(line)
            except ValueError:
                raise IgnoreError(
                    f"{line.strip()!r} is not a line number", hint="write RULE:LINE, e.g. jargon:16"
                ) from None
        return cls(rule, number, (why.strip() if sep else "") or reason.strip())

    def matches(self, finding: Finding, lines: list[str]) -> bool:
        if finding.rule != self.rule:
            return False
        if self.line is None:
            return True
        return finding.line == self.located(lines)

    def located(self, lines: list[str]) -> int | None:
        """The line this ignore points at now: its own, or the nearest that still reads as ``text``."""
        if self.line is None or not self.text:
            return self.line
        if 0 < self.line <= len(lines) and lines[self.line - 1].strip() == self.text:
            return self.line
        same = [i + 1 for i, line in enumerate(lines) if line.strip() == self.text]
        return min(same, key=lambda n: abs(n - (self.line or 0))) if same else None

    def pinned(self, lines: list[str]) -> Ignore:
        """This ignore with the text of its line, so it follows the line through later edits."""
        if self.line is None or not 0 < self.line <= len(lines):
            return self
        return replace(self, text=lines[self.line - 1].strip())

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "line": self.line, "reason": self.reason, "text": self.text}

    @classmethod
    def from_json(cls, data: Any) -> Ignore:
        """An ignore from its JSON form (a version sidecar); a malformed one is an :class:`IgnoreError`."""
        if not isinstance(data, dict) or not isinstance(data.get("rule"), str):
            raise IgnoreError(f"an ignored finding must be a mapping with a rule, not {data!r}")
        line = data.get("line")
        return cls(
            data["rule"],
            int(line) if isinstance(line, int) else None,
            str(data.get("reason") or ""),
            str(data.get("text") or ""),
        )


@dataclass
class Review:
    """Everything the reviewer found in one draft, sorted by line."""

    findings: list[Finding] = field(default_factory=list)
    #: Findings the author ignored, each with the ignore (and its reason); not counted as errors or warnings.
    ignored: list[tuple[Finding, Ignore]] = field(default_factory=list)

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

    def ignoring(self, ignores: Iterable[Ignore], draft: str) -> Review:
        """The review with the findings ``ignores`` match moved to :attr:`ignored`."""
        rules = list(ignores)
        if not rules:
            return self
        lines = draft.replace("\r\n", "\n").split("\n")
        kept: list[Finding] = []
        ignored = list(self.ignored)
        for f in self.findings:
            match = next((i for i in rules if i.matches(f, lines)), None)
            if match is None:
                kept.append(f)
            else:
                ignored.append((f, match))
        return Review(kept, ignored)

    def to_json(self) -> dict[str, object]:
        """The CLI contract: ``{"findings": [...], "errors": N, "warnings": N}``, plus ``"ignored"`` (each
        finding with ``"reason"``) when the author ignored any."""
        payload: dict[str, object] = {
            "findings": [f.to_json() for f in self.findings],
            "errors": self.errors,
            "warnings": self.warnings,
        }
        if self.ignored:
            payload["ignored"] = [{**f.to_json(), "reason": i.reason} for f, i in self.ignored]
        return payload
