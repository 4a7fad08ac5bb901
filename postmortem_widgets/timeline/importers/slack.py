"""Slack export: the incident channel's conversation, as a folder or a zip.

An export holds ``users.json``, ``channels.json`` and one folder per channel of ``YYYY-MM-DD.json`` day
files (:mod:`~postmortem_widgets.timeline.sources` turns the folder or zip into one bundle). Each message
has ``ts``
(epoch seconds as text, microseconds after the dot), ``user`` (an ID resolved through ``users.json``:
real name, else display name, else user name), ``text`` and an optional ``subtype``.

* Join, leave and similar membership messages (``channel_join``, ``channel_leave``, ...) are left out,
  with a count in the warnings; so are edits and deletions of earlier messages.
* Text is classified by the keyword rules of :mod:`~postmortem_widgets.timeline.classify`; chat without
  milestone words is ``noise``, kept for traceability but never a key event.
* Mentions read as names (``<@U024BE7LH>`` becomes ``@Ana Ruiz``), links as their label, and the
  message is prefixed with its channel: ``#inc-anchor: rolled back the cache``.

A single channel's day file (a JSON list of messages) is read too, with user IDs resolved where the
messages carry a ``user_profile``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import EmptyInputError, InputError
from .. import events as ev
from .._reading import load_json
from ..classify import classify_codes
from ..limits import Limits
from ..sources import Source, decode_text, expand_paths, source_from_bytes
from ..timeparse import parse_times
from . import Importer, ImportOptions, register

NAME = "slack"
#: Membership and housekeeping subtypes that are not part of the conversation.
IGNORED_SUBTYPES = frozenset(
    {
        "channel_join",
        "channel_leave",
        "group_join",
        "group_leave",
        "member_joined_channel",
        "member_left_channel",
        "channel_archive",
        "channel_unarchive",
        "group_archive",
        "group_unarchive",
        "message_changed",
        "message_deleted",
    }
)
_DAY_FILE = re.compile(r"^(?P<channel>[^/]+)/(?P<day>\d{4}-\d{2}-\d{2})\.json$")
#: Slack markup: ``<@U123>``, ``<@U123|name>``, ``<#C123|general>``, ``<!here>``,
#: ``<!subteam^S1|@oncall>``, ``<https://x|label>``.
_MARKUP = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")
_SEPARATOR = "\x1f"


@dataclass
class _Directory:
    """Names for the IDs a message refers to."""

    users: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)


def _user_name(user: Mapping[str, Any]) -> str:
    profile = user.get("profile") or {}
    for value in (
        user.get("real_name"),
        profile.get("real_name"),
        profile.get("display_name"),
        user.get("name"),
    ):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return str(user.get("id", ""))


def _load_json(data: bytes, *, name: str, limits: Limits) -> Any:
    try:
        return load_json(decode_text(data, name=name), name=name, limits=limits)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            file=name,
            line=exc.lineno,
            hint="export the workspace from Slack again",
        ) from None


def _directory(members: Mapping[str, bytes], *, name: str, limits: Limits) -> _Directory:
    directory = _Directory()
    for path in ("users.json", "channels.json", "groups.json", "mpims.json", "dms.json"):
        if path not in members:
            continue
        entries = _load_json(members[path], name=f"{name}/{path}", limits=limits)
        if not isinstance(entries, list):
            raise InputError(
                f"{path} is not a list", file=f"{name}/{path}", hint="export the workspace again"
            )
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                continue
            if path == "users.json":
                directory.users[entry["id"]] = _user_name(entry)
            elif isinstance(entry.get("name"), str):
                directory.channels[entry["id"]] = entry["name"]
    return directory


def _is_message_list(doc: Any) -> bool:
    sample = doc[:20] if isinstance(doc, list) else []
    return bool(sample) and all(
        isinstance(m, dict) and isinstance(m.get("ts"), str) and m.get("type") == "message" for m in sample
    )


def sniff(source: Source) -> int:
    """95 for an export bundle with day files; 85 for one channel's day file."""
    if source.is_bundle:
        members = source.members or {}
        has_days = any(_DAY_FILE.match(path) for path in members)
        return 95 if "users.json" in members and "channels.json" in members and has_days else 0
    return 85 if _is_message_list(source.json) else 0


def parse_slack(data: bytes, *, name: str = "slack.zip") -> ev.ImportResult:
    """A Slack export zip (or one day file's JSON) as canonical events."""
    sources = source_from_bytes(data, name=name)
    if len(sources) != 1:
        raise InputError("not a Slack export: users.json and channels.json are missing", file=name)
    return _parse(sources[0], ImportOptions())


def load_slack(path: str | Path) -> ev.ImportResult:
    """A Slack export folder or zip (or one day file) as canonical events."""
    sources = list(expand_paths([path]))
    if len(sources) != 1:
        raise InputError("not a Slack export: users.json and channels.json are missing", file=str(path))
    return _parse(sources[0], ImportOptions())


def _parse(source: Source, options: ImportOptions) -> ev.ImportResult:
    if source.is_bundle:
        members = source.members or {}
        directory = _directory(members, name=source.name, limits=source.limits)
        days = sorted(path for path in members if _DAY_FILE.match(path))
        if not days:
            raise EmptyInputError(
                "the Slack export has no channel day files (CHANNEL/YYYY-MM-DD.json)",
                file=source.name,
                hint="export the workspace with the incident channel's history",
            )
        glue = "!" if source.name.endswith(".zip") else "/"
        records: list[tuple[str, str, int, dict[str, Any]]] = []
        for path in days:
            day_name = f"{source.name}{glue}{path}"
            messages = _load_json(members[path], name=day_name, limits=source.limits)
            if not isinstance(messages, list):
                raise InputError("a day file must hold a list of messages", file=day_name)
            channel = _DAY_FILE.match(path)["channel"]  # type: ignore[index]
            records.extend(
                (day_name, channel, number, m)
                for number, m in enumerate(messages, start=1)
                if isinstance(m, dict)
            )
    else:
        doc = source.json
        if not _is_message_list(doc):
            raise InputError(
                "not a Slack export: expected a folder or zip with users.json, channels.json and day files",
                file=source.name,
                hint="export the workspace from Slack, or pass another --format",
            )
        directory = _Directory(
            users={
                m["user"]: _user_name({"id": m["user"], "profile": m["user_profile"]})
                for m in doc
                if isinstance(m.get("user"), str) and isinstance(m.get("user_profile"), dict)
            }
        )
        records = [
            (source.name, "", number, m) for number, m in enumerate(doc, start=1) if isinstance(m, dict)
        ]
    return _events(records, directory, source=source, options=options)


def _events(
    records: list[tuple[str, str, int, dict[str, Any]]],
    directory: _Directory,
    *,
    source: Source,
    options: ImportOptions,
) -> ev.ImportResult:
    warnings: list[str] = []
    ignored = [r for r in records if _subtype(r[3]) in IGNORED_SUBTYPES]
    kept = [r for r in records if _subtype(r[3]) not in IGNORED_SUBTYPES]
    if ignored:
        counts = pd.Series([r[3]["subtype"] for r in ignored]).value_counts()
        detail = ", ".join(f"{count} {subtype}" for subtype, count in counts.items())
        warnings.append(f"{len(ignored)} membership or edit message(s) left out ({detail})")
    if not kept:
        raise EmptyInputError("the Slack export has no messages", file=source.name)
    frame = pd.DataFrame(
        {
            "file": [r[0] for r in kept],
            "channel": [r[1] for r in kept],
            "line": [r[2] for r in kept],
            "ts": [r[3].get("ts") for r in kept],
            "text": [_text(r[3]) for r in kept],
            "actor": [_actor(r[3], directory) for r in kept],
        }
    )
    times = parse_times(
        frame["ts"].astype("str"), tz=options.tz, file=source.name, column="ts", rows=frame["line"].to_numpy()
    )
    warnings.extend(times.warnings)
    text = _resolve(frame["text"], directory)
    message = (("#" + frame["channel"] + ": ").where(frame["channel"] != "", "") + text).str.strip()
    keep = times.times.notna().to_numpy()
    raw = [r[3] for r, k in zip(kept, keep, strict=True) if k]
    events = ev.make_events(
        times.times[keep],
        source=NAME,
        kind=ev.kinds_from_codes(classify_codes(text[keep], default=ev.NOISE)),
        message=message[keep],
        actor=frame["actor"][keep],
        file=frame["file"][keep],
        line=frame["line"][keep].to_numpy(),
        raw=raw,
    )
    order = np.argsort(events["time"].to_numpy(dtype="datetime64[ns]"), kind="stable")
    events = events.take(order).reset_index(drop=True)
    return ev.ImportResult(file=source.name, format=NAME, events=events, warnings=warnings)


def _subtype(message: Mapping[str, Any]) -> str:
    """The message's subtype, ``""`` when it has none (or one that is not text)."""
    subtype = message.get("subtype")
    return subtype if isinstance(subtype, str) else ""


def _text(message: Mapping[str, Any]) -> str:
    """The message's text; a bot post without text falls back to its first attachment's."""
    text = message.get("text")
    if isinstance(text, str) and text.strip():
        return text
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            for key in ("fallback", "text", "title", "pretext"):
                if isinstance(attachment.get(key), str) and attachment[key].strip():
                    return str(attachment[key])
    return ""


def _actor(message: Mapping[str, Any], directory: _Directory) -> str:
    user = message.get("user")
    if isinstance(user, str) and user in directory.users:
        return directory.users[user]
    profile = message.get("user_profile") or message.get("bot_profile")
    if isinstance(profile, dict):
        name = _user_name(profile)
        if name:
            return name
    for key in ("username", "user"):
        if isinstance(message.get(key), str):
            return str(message[key])
    return ""


def _resolve(texts: pd.Series, directory: _Directory) -> pd.Series:
    """Slack markup to plain one-line text, in one pass over all messages joined together."""
    joined = _SEPARATOR.join(t.replace(_SEPARATOR, " ") for t in texts)

    def plain(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            return "@" + (label or directory.users.get(target, target))
        if sigil == "#":
            return "#" + (label or directory.channels.get(target, target))
        if sigil == "!":
            return label if label else "@" + target.split("^", 1)[0]
        return label or target

    joined = _MARKUP.sub(plain, joined)
    # Slack escapes only these three; anything else that looks like an entity is what the user typed.
    joined = joined.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    joined = re.sub(r"[^\S\x1f]+", " ", joined)
    return pd.Series(joined.split(_SEPARATOR), index=texts.index, dtype="str").str.strip()


IMPORTER = register(
    Importer(
        name=NAME,
        description="Slack export (a folder or zip with users.json, channels.json and channel day files)",
        sniff=sniff,
        parse=_parse,
        role="chat",
    )
)
