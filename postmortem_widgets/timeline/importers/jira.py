"""Jira Cloud issues with their changelog (``GET /rest/api/3/issue/{key}?expand=changelog``, or a search
result ``{"issues": [...]}`` made with ``expand=changelog``).

An incident ticket gives a ``detected`` event at ``fields.created`` (someone declared it, the
``reporter``) and one event per status transition in ``changelog.histories[].items`` (``field`` is
``status``), at the history's ``created``, by its ``author``. The status it moves *to* decides:

=====================================================  ================
``acknowledged``, ``investigating``, ``in progress``   ``acknowledged``
``identified``                                         ``identified``
``mitigated``, ``monitoring``                          ``mitigated``
``resolved``, ``done``, ``fixed``                      ``resolved``
``closed``, ``post-incident review`` and the rest      ``update``
=====================================================  ================

Without a transition to a resolved status, ``fields.resolutiondate`` is the resolution. Jira writes
offsets without a colon (``+0000``). An embedded changelog is a page: when ``total`` is more than it
holds, a warning says later transitions are missing (``GET /issue/{key}/changelog`` has them all).
"""

from __future__ import annotations

from typing import Any

from .. import events as ev
from ..sources import Source
from . import Importer, ImportOptions, register
from ._json import Record, check_records, describe, document, empty_result, sample, score, shape_error
from ._rows import Row, field, next_page, obj, objects, rows_result, when

NAME = "jira"
EXPECTED = "a Jira issue with 'fields' and 'changelog' (expand=changelog), or {'issues': [...]}"
#: Words of a status name and what moving to it means, checked in this order.
STATUS_WORDS: tuple[tuple[str, str], ...] = (
    ("resolved", ev.RESOLVED),
    ("done", ev.RESOLVED),
    ("fixed", ev.RESOLVED),
    ("mitigated", ev.MITIGATED),
    ("monitoring", ev.MITIGATED),
    ("identified", ev.IDENTIFIED),
    ("acknowledged", ev.ACKNOWLEDGED),
    ("investigating", ev.ACKNOWLEDGED),
    ("in progress", ev.ACKNOWLEDGED),
)


def _is_issue(record: Record) -> bool:
    fields = record.get("fields")
    return isinstance(fields, dict) and "key" in record and ("created" in fields or "changelog" in record)


def _issues(doc: Any) -> list[Any] | None:
    if isinstance(doc, dict) and isinstance(doc.get("issues"), list):
        return list(doc["issues"])
    return [doc] if isinstance(doc, dict) and isinstance(doc.get("fields"), dict) else None


def sniff(source: Source) -> int:
    issues = _issues(source.json)
    if issues is None:
        return 0
    return score(sample(issues), lambda r: _is_issue(r) and "changelog" in r, sure=95, some=0) or score(
        sample(issues), _is_issue, sure=80, some=60
    )


def status_kind(name: str) -> str:
    lowered = name.lower()
    return next((kind for word, kind in STATUS_WORDS if word in lowered), ev.UPDATE)


def _issue_rows(issue: Record, line: int) -> tuple[list[Row], list[str]]:
    fields = issue["fields"]
    title = " ".join(p for p in (field(issue, "key"), field(fields, "summary")) if p)
    rows = [
        Row(
            when(fields.get("created")),
            ev.DETECTED,
            f"Ticket created: {title}",
            issue,
            line,
            field(fields, "reporter.displayName"),
        )
    ]
    changelog = obj(issue.get("changelog"))
    histories = objects(changelog.get("histories"))
    for history in histories:
        for item in objects(history.get("items")):
            if field(item, "field").lower() != "status":
                continue
            to = field(item, "toString")
            before = field(item, "fromString")
            message = f"Status changed {f'from {before} ' if before else ''}to {to}: {title}"
            rows.append(
                Row(
                    when(history.get("created")),
                    status_kind(to),
                    message,
                    history,
                    line,
                    field(history, "author.displayName"),
                )
            )
    if not any(r.kind == ev.RESOLVED for r in rows):
        rows.append(Row(when(fields.get("resolutiondate")), ev.RESOLVED, f"Resolved: {title}", issue, line))
    total = changelog.get("total")
    held = int(changelog.get("startAt") or 0) if isinstance(changelog.get("startAt"), int) else 0
    warnings = []
    if isinstance(total, int) and not isinstance(total, bool) and total > held + len(histories):
        warnings.append(
            f"the changelog of {field(issue, 'key') or f'issue {line}'} holds {len(histories)} of {total} "
            "changes; later transitions are missing (export GET /issue/{key}/changelog)"
        )
    return rows, warnings


def _more_issues(doc: Record, held: int) -> list[str]:
    """A search result is a page: ``total`` beyond ``startAt`` plus what it holds, or a ``nextPageToken``."""
    total, start = doc.get("total"), doc.get("startAt")
    start = start if isinstance(start, int) and not isinstance(start, bool) else 0
    if isinstance(total, int) and not isinstance(total, bool) and total > start + held:
        return [f"the export says more issues follow (total {total}, {held} held); later issues are missing"]
    return next_page(doc, "nextPageToken", what="issues")


def parse_jira(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    items = _issues(doc)
    if items is None or (items and not any(isinstance(i, dict) and _is_issue(i) for i in items)):
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    issues = check_records(items, source=source, what="issue")
    warnings: list[str] = []
    if isinstance(doc, dict) and "issues" in doc:
        warnings.extend(_more_issues(doc, len(issues)))
    if not issues:
        return empty_result(source, NAME, "the export holds no issues")
    rows: list[Row] = []
    for line, issue in enumerate(issues, start=1):
        if _is_issue(issue):
            mine, notes = _issue_rows(issue, line)
            rows.extend(mine)
            warnings.extend(notes)
    return rows_result(source, NAME, rows, tz=options.tz, field="created", warnings=warnings)


IMPORTER = register(
    Importer(
        name=NAME,
        description="Jira issue JSON with its changelog (status transitions as milestones)",
        sniff=sniff,
        parse=parse_jira,
    )
)

__all__ = ["IMPORTER", "STATUS_WORDS", "parse_jira", "sniff", "status_kind"]
