"""What an unrecognised file looks like, and what to export instead, for the "could not recognise" error.

A responder often exports the wrong view of the right tool: PagerDuty's incidents list (one row per
incident) instead of its log entries (the history), Statuspage's ``summary.json`` instead of
``incidents.json``. Each rule here reads the parsed JSON (never the whole of a large text file) and
returns what the file is and what to export, or ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..sources import Source


@dataclass(frozen=True)
class Lookalike:
    """What the file looks like (``a PagerDuty incidents list (2 incidents)``) and what to export instead."""

    what: str
    export: str


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


_PD_EXPORT = (
    "it has each incident's start and resolve time but not its history: export the log entries instead "
    "(GET /incidents/{id}/log_entries, or GET /log_entries?since=...&until=... for all incidents)"
)


def _pagerduty_incidents(doc: Any) -> Lookalike | None:
    listed = _items(doc.get("incidents")) if isinstance(doc, dict) else _items(doc)
    incidents = [i for i in listed if i.get("type") == "incident" or "incident_number" in i]
    if incidents and len(incidents) == len(listed):
        return Lookalike(f"a PagerDuty incidents list ({_count(len(incidents), 'incident')})", _PD_EXPORT)
    one = doc.get("incident") if isinstance(doc, dict) else None
    if isinstance(one, dict) and ("incident_number" in one or one.get("type") == "incident"):
        return Lookalike("a single PagerDuty incident", _PD_EXPORT)
    return None


def _opsgenie_incidents(doc: Any) -> Lookalike | None:
    data = _items(doc.get("data")) if isinstance(doc, dict) else []
    if data and all("impactedServices" in i or ("tinyId" in i and "message" in i) for i in data):
        return Lookalike(
            f"an Opsgenie incidents list ({_count(len(data), 'incident')})",
            "export the alerts instead (GET /v2/alerts, the 'data' list with createdAt and report)",
        )
    return None


def _statuspage_summary(doc: Any) -> Lookalike | None:
    if isinstance(doc, dict) and isinstance(doc.get("page"), dict) and "incidents" not in doc:
        shown = ", ".join(k for k in doc if k != "page") or "only the page"
        return Lookalike(
            f"a Statuspage page status without incidents (it holds {shown})",
            "export /api/v2/incidents.json, whose incidents carry their incident_updates",
        )
    return None


RULES: tuple[Callable[[Any], Lookalike | None], ...] = (
    _pagerduty_incidents,
    _opsgenie_incidents,
    _statuspage_summary,
)


def _shape(doc: Any) -> str:
    """A JSON document's outline: ``a JSON object with keys incident`` or ``a JSON list of 3 objects ...``."""
    if isinstance(doc, dict):
        keys = list(doc)
        shown = ", ".join(map(str, keys[:8])) + (", ..." if len(keys) > 8 else "")
        return f"a JSON object with keys {shown}" if keys else "an empty JSON object"
    if isinstance(doc, list):
        objects = _items(doc)
        if not objects:
            return f"a JSON list of {_count(len(doc), 'value')}"
        keys = list(dict.fromkeys(k for item in objects[:20] for k in item))
        shown = ", ".join(map(str, keys[:8])) + (", ..." if len(keys) > 8 else "")
        return f"a JSON list of {_count(len(objects), 'object')} with keys {shown}"
    return f"a JSON {type(doc).__name__}"


def _text_shape(source: Source) -> str | None:
    head = source.head.lstrip()
    if head[:15].lower().startswith(("<!doctype html", "<html")):
        return "an HTML page"
    if head.startswith("<?xml") or head.startswith("<"):
        return "an XML or HTML document"
    return None


def looks_like(source: Source) -> tuple[str, str | None] | None:
    """What ``source`` looks like and, where a rule knows it, what to export instead."""
    if source.is_bundle:
        return None
    doc = source.json
    if doc is None:
        shape = _text_shape(source)
        return (shape, "export the data as JSON or CSV rather than a page") if shape else None
    for rule in RULES:
        found = rule(doc)
        if found is not None:
            return found.what, found.export
    return _shape(doc), None


__all__ = ["Lookalike", "looks_like"]
