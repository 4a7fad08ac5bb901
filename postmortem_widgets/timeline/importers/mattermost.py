"""Mattermost channel exports: the bulk export (``mmctl export create``: JSON lines, ``{"type": "post",
"post": {...}}``) and the API's posts (``GET /api/v4/channels/{id}/posts``: ``{"order", "posts"}``).

Each post (and each reply nested under a bulk post's ``replies``, and each ``direct_post``) is one event
at ``create_at``, in epoch milliseconds. The actor is the bulk export's ``user`` (a username), or the
API's ``props.override_username`` (a webhook) else its ``user_id``. Text goes through the free-text
rules; chat without milestone words is ``noise``, and so are system posts (a ``type`` starting
``system_``) and deleted ones (``delete_at``). The API's page says other posts exist when it has
``has_next``, a ``next_post_id`` or a ``prev_post_id``: a warning says they are missing.
"""

from __future__ import annotations

import json
from typing import Any

from ...errors import InputError
from .. import events as ev
from ..sources import Source
from . import Importer, ImportOptions, register
from ._json import Record, describe, empty_result, shape_error
from ._rows import Row, classified, field, first_name, next_page, objects, rows_result, when

NAME = "mattermost"
EXPECTED = "a Mattermost bulk export (JSON lines of {'type': 'post', ...}) or API posts {'order', 'posts'}"
BULK_TYPES = frozenset(
    {"version", "info", "scheme", "emoji", "team", "channel", "user", "post", "direct_channel", "direct_post"}
)
POSTS = ("post", "direct_post")


def _line_objects(text: str, *, name: str, limit: int | None = None) -> list[tuple[int, Any]]:
    """The JSON value of each non-blank line (line number, value); a broken line raises, naming it."""
    found: list[tuple[int, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if limit is not None and len(found) >= limit:
            break
        if not line.strip():
            continue
        try:
            found.append((number, json.loads(line)))
        except (ValueError, RecursionError) as error:
            if limit is not None:  # sniffing: the head may end inside a line
                break
            raise InputError(
                f"line {number} is not one JSON object ({type(error).__name__})",
                file=name,
                line=number,
                hint="a Mattermost bulk export has one JSON object a line; export it again",
            ) from None
    return found


def _is_bulk(value: Any) -> bool:
    return isinstance(value, dict) and field(value, "type") in BULK_TYPES and len(value) <= 3


def _is_api(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("posts"), dict) and isinstance(doc.get("order"), list)


def sniff(source: Source) -> int:
    if source.is_bundle:
        return 0
    if _is_api(source.json):
        return 95
    if source.json is not None:
        return 0
    lines = _line_objects(source.head, name=source.name, limit=20)
    if not lines or not all(_is_bulk(v) for _, v in lines):
        return 0
    return 95 if any(v["type"] in (*POSTS, "version") for _, v in lines) else 0


def _post_rows(post: Record, line: int) -> list[Row]:
    rows = []
    for item in [post, *objects(post.get("replies"))]:
        text = field(item, "message")
        system = field(item, "type").startswith("system_") or bool(when(item.get("delete_at")))
        actor = first_name(item, "props.override_username", "user", "user_id")
        kind = ev.NOISE if system or not text else ""
        rows.append(Row(when(item.get("create_at")), kind, text or "(system post)", item, line, actor))
    return rows


def _bulk_rows(source: Source) -> list[Row]:
    lines = _line_objects(source.text, name=source.name)
    if not lines or not all(_is_bulk(v) for _, v in lines[:20]):
        found = describe(lines[0][1]) if lines else "no JSON lines"
        raise shape_error(source, found=f"first line {found}", format=NAME, expected=EXPECTED)
    rows: list[Row] = []
    for number, value in lines:
        kind = value.get("type") if isinstance(value, dict) else None
        if kind in POSTS and isinstance(value.get(kind), dict):
            rows.extend(_post_rows(value[kind], number))
    return rows


def _api_rows(doc: Record) -> list[Row]:
    posts = doc["posts"]
    ids = [i for i in doc["order"] if isinstance(i, str) and isinstance(posts.get(i), dict)]
    ids += [i for i in posts if i not in set(ids) and isinstance(posts[i], dict)]
    return [row for n, i in enumerate(ids, start=1) for row in _post_rows(posts[i], n)]


def parse_mattermost(source: Source, options: ImportOptions) -> ev.ImportResult:
    if source.is_bundle:
        raise InputError(
            "this is a folder export, not one file",
            file=source.name,
            hint=f"the {NAME} importer reads {EXPECTED}",
        )
    doc = source.json
    warnings: list[str] = []
    if _is_api(doc):
        rows = _api_rows(doc)
        warnings = next_page(doc, "has_next", "prev_post_id", "next_post_id", what="posts")
    elif doc is not None:
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    else:
        rows = _bulk_rows(source)
    if not rows:
        return empty_result(source, NAME, "the export holds no posts")
    rows = classified(rows, default=ev.NOISE)
    return rows_result(source, NAME, rows, tz=options.tz, field="create_at", warnings=warnings)


IMPORTER = register(
    Importer(
        name=NAME,
        description="Mattermost bulk export JSONL or API posts JSON (create_at in milliseconds)",
        sniff=sniff,
        parse=parse_mattermost,
        role="chat",
    )
)

__all__ = ["IMPORTER", "parse_mattermost", "sniff"]
