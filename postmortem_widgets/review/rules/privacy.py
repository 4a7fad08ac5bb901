"""Privacy rules: one finding per email, IP, internal host or URL, ticket ID or secret in the draft."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...privacy.spans import EMAIL, HOST, IP, SECRET, TICKET, URL, Span, internal_host, is_role_address
from ..model import WARNING, Finding, Severity, finding

if TYPE_CHECKING:
    from ..context import ReviewContext


_RULE = {SECRET: "privacy-secret", EMAIL: "privacy-email", URL: "privacy-host", HOST: "privacy-host",
         IP: "privacy-ip", TICKET: "privacy-ticket"}  # fmt: skip


def _message(span: Span) -> tuple[str, str]:
    if span.kind == SECRET:
        return (
            f"{_shorten(span.text)!r} looks like a secret or API key",
            "Remove it now and rotate the credential: anything in this draft may be published.",
        )
    if span.kind == EMAIL:
        return (
            f"email address {span.text!r}",
            'Remove it; refer to a role ("our on-call engineer") instead.',
        )
    if span.kind in (URL, HOST):
        return (
            f"{span.text!r} is {span.why}",
            'Describe the system in plain words ("our reporting database") instead of naming the host.',
        )
    if span.kind == IP:
        return (
            f"IP address {span.text!r} ({span.why})",
            'Remove it; say "one of our servers" if it matters.',
        )
    return (
        f"internal ticket ID {span.text!r}",
        "Remove it; customers cannot open internal tickets. Link a public status page entry instead.",
    )


def _shorten(text: str) -> str:
    return text if len(text) <= 12 else f"{text[:8]}…"


def _own_domain(ctx: ReviewContext, domain: str) -> bool:
    """Whether an address's domain is the product's or company's own ("help@crates.io" for crates.io)."""
    labels = domain.lower().split(".")
    return len(labels) >= 2 and labels[-2] in ctx.vocabulary


def check_privacy(ctx: ReviewContext) -> list[Finding]:
    """One finding per internal detail (found once per review, in :attr:`ReviewContext.spans`)."""
    doc = ctx.doc
    out = []
    for span in ctx.spans:
        message, suggestion = _message(span)
        severity: Severity | None = None
        domain = span.text.split("@", 1)[1] if span.kind == EMAIL else ""
        public_role = span.kind == EMAIL and is_role_address(span.text) and not internal_host(domain)
        if public_role and _own_domain(ctx, domain):
            continue  # the company's own support or security address: meant for customers
        if public_role:
            severity = WARNING
            message += " (a role address: fine if it is public)"
            suggestion = "Keep it only if customers are meant to write to it."
        out.append(
            finding(
                _RULE[span.kind],
                doc.line_at(span.start),
                message,
                suggestion,
                section=doc.section_at(span.start),
                severity=severity,
            )
        )
    return out


__all__ = ["check_privacy"]
