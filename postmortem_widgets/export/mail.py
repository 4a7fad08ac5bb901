"""The postmortem as an email: a subject, a text/plain part and a text/html part (RFC 5322, MIME).

Readers whose client shows only text get the GitHub-flavoured Markdown, which reads as plain text; the
others get the same sanitised HTML as the web report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING

from .plain import render_gfm

if TYPE_CHECKING:
    from ..incident.record import Incident

__all__ = ["build_email", "email_subject"]


def email_subject(incident: Incident) -> str:
    """``Anchor Analytics: postmortem of the April 15, 2024 incident``; one line, whatever the fields hold."""
    product = " ".join(incident.product_name.split())
    date = " ".join(incident.incident_date.split())
    subject = f"postmortem of the {date} incident" if date else "incident postmortem"
    return f"{product}: {subject}" if product else subject[:1].upper() + subject[1:]


def build_email(
    draft: str,
    incident: Incident,
    *,
    html: str,
    status: str = "Resolved",
    title: str | None = None,
    subject: str | None = None,
    sender: str | None = None,
    recipients: Sequence[str] = (),
    date: datetime | None = None,
    evidence: str | None = None,
    internal: bool = False,
) -> EmailMessage:
    """A ``multipart/alternative`` message; ``date`` (tz-aware) is injected so output is reproducible.

    An ``internal`` one says so first in its subject and its text part (the HTML carries its banner)."""
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = ("[INTERNAL] " if internal else "") + (subject or email_subject(incident))
    if sender:
        message["From"] = sender
    if recipients:
        message["To"] = ", ".join(recipients)
    if date is not None:
        message["Date"] = format_datetime(date)
    text = render_gfm(draft, incident, status=status, title=title, header=True, evidence=evidence)
    if internal:
        text = f"INTERNAL: written for the engineering team; not for customers.\n\n{text}"
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    # A boundary from the content, not random: the same report gives the same bytes. Quoted-printable
    # parts encode every "=", so "=_" can never occur inside them.
    digest = hashlib.sha256(draft.encode("utf-8") + html.encode("utf-8")).hexdigest()[:32]
    message.set_boundary(f"=_postmortem_{digest}")
    return message
