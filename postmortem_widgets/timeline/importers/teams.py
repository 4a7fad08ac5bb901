"""Microsoft Teams channel messages (Microsoft Graph ``GET /teams/{id}/channels/{id}/messages``:
``{"value": [chatMessage...], "@odata.nextLink"}``, or a bare list of chatMessage objects).

Each message (and each reply listed under ``replies``, as ``$expand=replies`` gives them) is one event
at ``createdDateTime``; the actor is ``from.user.displayName`` (``from.application.displayName`` for a
bot). ``body.content`` is HTML: it is read as text only (tags dropped, ``<script>`` and ``<style>``
contents never kept, entities decoded, ``<at>`` mentions kept as the name), so markup in a message can
reach no report. Text goes through the free-text rules; chat without milestone words is ``noise``.
System events (``systemEventMessage``, a message without ``from``) and deleted messages are
``noise``. ``@odata.nextLink`` (or ``replies@odata.nextLink``) means later messages are missing.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from .. import events as ev
from ..sources import Source
from . import Importer, ImportOptions, register
from ._json import Record, check_records, describe, document, empty_result, sample, score, shape_error
from ._rows import Row, classified, field, first_name, next_page, obj, objects, rows_result, when

NAME = "teams"
EXPECTED = "Microsoft Teams channel messages: {'value': [...]} of Graph chatMessage objects"
#: Elements whose text is never message text.
_HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "math"})


class _TextOnly(HTMLParser):
    """The text of an HTML fragment, one space between blocks; nothing executable survives."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(content: str) -> str:
    """The words of an HTML message body on one line."""
    parser = _TextOnly()
    parser.feed(content)
    parser.close()
    return " ".join("".join(parser.parts).split())


def _messages(doc: Any) -> list[Any] | None:
    if isinstance(doc, dict) and isinstance(doc.get("value"), list):
        return list(doc["value"])
    return list(doc) if isinstance(doc, list) else None


def _is_message(record: Record) -> bool:
    return "createdDateTime" in record and ("body" in record or "messageType" in record)


def sniff(source: Source) -> int:
    messages = _messages(source.json)
    return 0 if messages is None else score(sample(messages), _is_message, sure=95, some=70)


def _row(message: Record, line: int) -> Row:
    body = obj(message.get("body"))
    content = field(body, "content") if isinstance(body.get("content"), str) else ""
    text = html_text(content) if field(body, "contentType").lower() != "text" else content
    subject = field(message, "subject")
    text = f"{subject}: {text}" if subject and text else subject or text
    actor = first_name(message, "from.user.displayName", "from.application.displayName")
    system = field(message, "messageType") not in ("", "message") or not isinstance(message.get("from"), dict)
    deleted = when(message.get("deletedDateTime")) is not None
    kind = ev.NOISE if system or deleted or not text else ""
    return Row(when(message.get("createdDateTime")), kind, text or "(system event)", message, line, actor)


def parse_teams(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    items = _messages(doc)
    if items is None or (items and not any(isinstance(i, dict) and _is_message(i) for i in items)):
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    messages = check_records(items, source=source, what="message")
    warnings = next_page(doc, "@odata.nextLink", what="messages")
    if not messages:
        return empty_result(source, NAME, "the export holds no messages")
    rows: list[Row] = []
    for line, message in enumerate(messages, start=1):
        rows.append(_row(message, line))
        rows.extend(_row(reply, line) for reply in objects(message.get("replies")))
        if not warnings:
            warnings = next_page(message, "replies@odata.nextLink", what="replies")
    rows = classified(rows, default=ev.NOISE)
    return rows_result(source, NAME, rows, tz=options.tz, field="createdDateTime", warnings=warnings)


IMPORTER = register(
    Importer(
        name=NAME,
        description="Microsoft Teams channel messages JSON (Graph chatMessage; HTML read as text)",
        sniff=sniff,
        parse=parse_teams,
        role="chat",
    )
)

__all__ = ["IMPORTER", "html_text", "parse_teams", "sniff"]
