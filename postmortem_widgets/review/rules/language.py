"""Plain language: one warning per jargon term or code-like pattern, at its first use.

A term that names what the product is or sells is not jargon there (DNS for a DNS provider, Redis for a
Redis service): the words of the product name, the company and the affected scope, and the incident's
``allow:`` list, are the product's own. Link targets and URLs are not prose.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Finding, finding

if TYPE_CHECKING:
    from ..context import ReviewContext


def check_language(ctx: ReviewContext) -> list[Finding]:
    """One warning per term or pattern, at its first use (the message lists further lines)."""
    uses = _Uses(ctx)
    doc, text = ctx.doc, ctx.doc.reading
    for block in doc.blocks:
        if block.kind == "code":
            uses.note(
                f"code@{block.line}",
                block.start,
                block.start,
                "a code block",
                "remove it; a customer-facing postmortem has no code, logs or traces",
            )
    for start, end, matched, plainer in ctx.jargon.finditer(text):
        if not doc.is_code(start) and not ctx.own_term(matched):
            uses.note(
                matched.lower(),
                start,
                end,
                f"{' '.join(matched.split())!r} is jargon",
                f"say {plainer!r} instead",
            )
    for label, pattern, suggestion in _PATTERNS:
        for m in pattern.finditer(text):
            if not doc.is_code(m.start()) and not _public_name(m.group()) and not ctx.own_term(m.group()):
                written = doc.text[m.start() : m.end()].strip()  # as written, emphasis markers and all
                uses.note(m.group(), m.start(), m.end(), f"{written!r} is {label}", suggestion)
    return uses.findings()


class _Uses:
    """Each term's first use (its message and section) and the lines of every use."""

    def __init__(self, ctx: ReviewContext) -> None:
        self.ctx = ctx
        self.lines: dict[str, list[int]] = {}
        self.first: dict[str, tuple[str, str, str]] = {}

    def note(self, key: str, start: int, end: int, label: str, suggestion: str) -> None:
        if self.ctx.claimed(start, end):
            return
        doc = self.ctx.doc
        line = doc.line_at(start)
        if key in self.lines:
            if line not in self.lines[key]:
                self.lines[key].append(line)
            return
        self.lines[key] = [line]
        self.first[key] = (label, suggestion, doc.section_of_line(line))

    def findings(self) -> list[Finding]:
        out = []
        for key, (label, suggestion, section) in self.first.items():
            lines = self.lines[key]
            more = (
                f" (also line{'s' if len(lines) > 2 else ''} {', '.join(map(str, lines[1:]))})"
                if len(lines) > 1
                else ""
            )
            out.append(
                finding(
                    "jargon",
                    lines[0],
                    f"{label}{more}",
                    suggestion[0].upper() + suggestion[1:],
                    section=section,
                )
            )
        return out


_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "an exception class name",
        re.compile(r"\b(?:[a-z_][\w]*\.)*[A-Z][A-Za-z0-9]*[a-z0-9](?:Exception|Error|Fault)\b"),
        'say what went wrong in plain words ("a software bug", "a timeout")',
    ),
    (
        "a stack trace",
        re.compile(
            r"Traceback \(most recent call last\)|^\s*at [\w.$<>]+\([\w.]*:\d+\)|File \"[^\"]+\", line \d+"
            r"|\b[\w/]+\.(?:java|py|go|js|ts|rb|cs|cpp|rs|kt|scala):\d+\b",
            re.M,
        ),
        "remove the trace; describe the failure in one plain sentence",
    ),
    (
        "a code identifier",
        re.compile(
            r"(?<![\w./@-])(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]{2,}[a-z0-9]*[A-Z][a-z0-9]+[A-Za-z0-9]*)(?:\(\))?(?![\w./@-])"
        ),
        "describe what the component does instead of naming it",
    ),
    (
        "an internal service or host name",
        re.compile(
            r"(?<![\w./@-])[a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?:prod|production|staging|stg|dev|qa|svc|service|worker|"
            r"db|api|cache|node|host|srv|cluster|primary|replica|master|\d+[a-z]?)(?![\w@-])"
        ),
        'describe the system in plain words ("our reporting service") instead of its internal name',
    ),
    ("code formatting", re.compile(r"`[^`\n]+`"), "write it as plain text a customer can read"),
)


#: Public names that look like internal ones: cloud regions ("us-east-1", "non-us-east-1", "eu-west-2").
_REGION = re.compile(
    r"^(?:non-)?(?:us|eu|ap|sa|ca|me|af|il|mx|cn|uk|europe|asia|australia|northamerica|southamerica)"
    r"(?:-gov)?-(?:north|south|east|west|central|northeast|southeast|northwest|southwest|east-central)+\d?"
    r"(?:-\d+[a-z]?)?$",
    re.I,
)


def _public_name(text: str) -> bool:
    return bool(_REGION.match(text.strip("`").strip()))


__all__ = ["check_language"]
