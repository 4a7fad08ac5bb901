"""Options shared by several subcommands."""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from ..incident.record import Incident
    from ..review import Ignore, Review
    from ..timeline.merge import Timeline


def add_timeline_options(parser: argparse.ArgumentParser, *, paths: bool = False) -> None:
    """``--tz``, ``--format``, ``--date``, ``--set`` (and ``--timeline PATH`` unless paths are positional)."""
    if not paths:
        parser.add_argument(
            "--timeline", metavar="PATH", action="append", default=[], help="timeline export (repeatable)"
        )
    parser.add_argument(
        "--tz", metavar="ZONE", help="IANA time zone for naive timestamps, e.g. America/New_York"
    )
    parser.add_argument("--format", metavar="NAME", help="skip detection and read every input as this format")
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help="the date for a pasted timeline of bare clock times"
    )
    parser.add_argument(
        "--set",
        metavar="MILESTONE=ISO",
        action="append",
        default=[],
        help="override a milestone, e.g. --set detected=2025-03-03T14:09:55Z (repeatable; NAME= clears it)",
    )


def parse_sets(values: list[str], tz: str | None) -> tuple[dict[str, pd.Timestamp | None], str | None]:
    """``--set`` values as milestone overrides, plus ``detected_by`` if given."""
    from ..timeline.milestones import parse_override

    overrides: dict[str, pd.Timestamp | None] = {}
    detected_by: str | None = None
    for value in values:
        name, _, raw = value.partition("=")
        if name.strip() == "detected_by":
            detected_by = raw.strip()
            continue
        key, ts = parse_override(value, tz=tz)
        overrides[key] = ts
    return overrides, detected_by


def load_inputs(args: argparse.Namespace) -> tuple[Incident, Timeline]:
    """The incident and its timeline, with ``--timeline``, ``--tz``, ``--format`` and ``--set`` applied."""
    from ..incident.record import load_incident
    from ..incident.timeline import incident_timeline

    incident = load_incident(args.incident)
    changes: dict[str, Any] = {"timezone": args.tz} if args.tz else {}
    if args.date and not incident.incident_date.strip():
        changes["incident_date"] = args.date
    incident = dataclasses.replace(incident, **changes)
    overrides, detected_by = parse_sets(args.set, incident.timezone)
    timeline = incident_timeline(
        incident,
        extra_paths=args.timeline,
        format=args.format,
        overrides=overrides,
        detected_by=detected_by,
    )
    return incident, timeline


def add_ignore_option(parser: argparse.ArgumentParser) -> None:
    """``--ignore RULE[:LINE]=REASON``, repeatable."""
    parser.add_argument(
        "--ignore",
        metavar="RULE[:LINE]=REASON",
        action="append",
        default=[],
        help="set a review finding aside, with the reason (repeatable), e.g. "
        "--ignore 'jargon:16=Redis is what we sell'; without :LINE, every finding of the rule",
    )


def parse_ignores(values: list[str], draft: str) -> list[Ignore]:
    """``--ignore`` values, each with its reason and pinned to the text of its line."""
    from ..errors import IgnoreError
    from ..review import Ignore

    lines = draft.replace("\r\n", "\n").split("\n")
    out = []
    for value in values:
        ignore = Ignore.parse(value)
        if not ignore.reason:
            raise IgnoreError(
                f"--ignore {value}: say why the finding can be ignored",
                hint=f"--ignore '{value}=why it is fine'; the reason is kept with the draft version",
            )
        out.append(ignore.pinned(lines))
    return out


def kept_ignores(incident_path: str, draft: str) -> list[Ignore]:
    """The ignores saved with the draft version that holds exactly this text (none for another text)."""
    from pathlib import Path

    from ..review import Ignore
    from ..store import DraftStore

    if not Path(incident_path).is_file():
        return []
    version = DraftStore.for_incident(incident_path).find(draft)
    return [Ignore.from_json(item) for item in version.ignores] if version is not None else []


def describe_ignored(review: Review) -> list[str]:
    """One line per ignored finding: ``ignored: line 16: [jargon] ... (Redis is what we sell)``."""
    return [f"ignored: {f.describe()} ({i.reason})" for f, i in review.ignored]
