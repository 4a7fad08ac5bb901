"""Plain language: one warning per jargon term or code-like pattern, at its first use."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Finding, finding

if TYPE_CHECKING:
    from ..context import ReviewContext


def check_language(ctx: ReviewContext) -> list[Finding]:
    """One warning per term or pattern, at its first use (the message lists further lines)."""
    doc = ctx.doc
    seen: dict[str, list[int]] = {}
    first: dict[str, tuple[str, str, str]] = {}

    def note(key: str, start: int, end: int, label: str, suggestion: str) -> None:
        if ctx.claimed(start, end):
            return
        line = doc.line_at(start)
        if key in seen:
            if line not in seen[key]:
                seen[key].append(line)
            return
        seen[key] = [line]
        first[key] = (label, suggestion, doc.section_of_line(line))

    for block in doc.blocks:
        if block.kind == "code":
            note(
                f"code@{block.line}",
                block.start,
                block.start,
                "a code block",
                "remove it; a customer-facing postmortem has no code, logs or traces",
            )
    text = doc.text
    for start, end, matched, plainer in ctx.jargon.finditer(text):
        if doc.is_code(start):
            continue
        note(
            matched.lower(),
            start,
            end,
            f"{' '.join(matched.split())!r} is jargon",
            f"say {plainer!r} instead",
        )
    for label, pattern, suggestion in _PATTERNS:
        for m in pattern.finditer(text):
            if doc.is_code(m.start()):
                continue
            note(m.group(), m.start(), m.end(), f"{m.group().strip()!r} is {label}", suggestion)
    out = []
    for key, (label, suggestion, section) in first.items():
        lines = seen[key]
        more = (
            f" (also line{'s' if len(lines) > 2 else ''} {', '.join(map(str, lines[1:]))})"
            if len(lines) > 1
            else ""
        )
        out.append(
            finding(
                "jargon", lines[0], f"{label}{more}", suggestion[0].upper() + suggestion[1:], section=section
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


__all__ = ["check_language"]
