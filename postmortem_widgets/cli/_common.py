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
    """``--tz``, ``--format``, ``--date``, ``--window``, ``--set``, ``--role``, ``--signal`` (and ``--timeline
    PATH`` unless paths are positional)."""
    if not paths:
        parser.add_argument(
            "--timeline", metavar="PATH", action="append", default=[], help="timeline export (repeatable)"
        )
    parser.add_argument(
        "--tz", metavar="ZONE", help="IANA time zone for naive timestamps, e.g. America/New_York"
    )
    parser.add_argument("--format", metavar="NAME", help="skip detection and read every input as this format")
    parser.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="the date for a pasted timeline of bare clock times, --window clock times, and the year of a "
        "table whose dates are month and day columns",
    )
    parser.add_argument(
        "--window",
        metavar="START..END",
        help="keep only events inside this span: ISO times, or clock times on the incident date "
        "(e.g. 2024-05-12T14:00Z..2024-05-12T16:00Z, or 14:00..16:30 with --date)",
    )
    parser.add_argument(
        "--set",
        metavar="MILESTONE=ISO",
        action="append",
        default=[],
        help="override a milestone, e.g. --set detected=2025-03-03T14:09:55Z (repeatable; NAME= clears it)",
    )
    parser.add_argument(
        "--role",
        metavar="PATH=ROLE",
        action="append",
        default=[],
        help="what an input is when its content suggests otherwise: incident, log, metric, timeline, chat "
        "or tickets (repeatable), e.g. --role notes.csv=timeline",
    )
    parser.add_argument(
        "--signal",
        metavar="NAME",
        help="take the impact window from this series (e.g. 'error ratio'; 'none' drops it) instead of "
        "the clearest one (over an incident file's signal:)",
    )


def add_max_events_option(parser: argparse.ArgumentParser, *, checking: bool = False) -> None:
    """``--max-events N``: how many events the prompt numbers (``E1``...). A draft's citations name them,
    so ``check`` and ``export`` are told the number the draft was written with (read it with
    :func:`max_events`: the default is the library's, known once the timeline modules are loaded)."""
    parser.add_argument(
        "--max-events",
        type=int,
        metavar="N",
        help="how many events the draft's prompt numbered, as given to draft --max-events (default 40)"
        if checking
        else "most events in the prompt's data block, numbered E1, E2... (default 40)",
    )


def max_events(args: argparse.Namespace) -> int:
    """``--max-events``, or the prompt's default when it was not given."""
    from ..timeline.evidence import EVIDENCE_LIMIT

    given: int | None = args.max_events
    return EVIDENCE_LIMIT if given is None else given


def parse_roles(values: list[str]) -> dict[str, str]:
    """``--role PATH=ROLE`` values as ``{path: role}``; a value without ``=`` or an unknown role raises."""
    from ..errors import InputError
    from ..timeline.telemetry.model import ROLES

    roles: dict[str, str] = {}
    for value in values:
        path, sep, role = value.rpartition("=")
        role = role.strip().lower()
        if not sep or not path.strip():
            raise InputError(f"expected PATH=ROLE, got {value!r}", hint="e.g. --role app.csv=log")
        if role not in ROLES:
            raise InputError(f"unknown role {role!r} for {path}", hint=f"choose one of: {', '.join(ROLES)}")
        roles[path.strip()] = role
    return roles


class StderrProgress:
    """Progress of long imports on stderr: nothing for the first ``after`` seconds, then one line.

    On a terminal the line is redrawn in place (and erased when the import is done); elsewhere (a CI
    log) a line is written at most every ``every`` seconds. Short imports print nothing.
    """

    def __init__(self, stream: Any = None, *, after: float = 2.0, every: float = 10.0) -> None:
        import sys
        import time

        self._stream = stream if stream is not None else sys.stderr
        self._clock = time.monotonic
        self._start = self._clock()
        self._after, self._every = after, every
        self._last = -1e9
        self._tty = bool(getattr(self._stream, "isatty", lambda: False)())
        self._drawn = False
        #: The last size-based report of each file: a reader's bytes beat a summary's row count.
        self._sized: dict[str, Any] = {}

    def __call__(self, progress: Any) -> None:
        if progress.total:
            self._sized[progress.file] = progress
        else:
            progress = self._sized.get(progress.file, progress)
        now = self._clock()
        if now - self._start < self._after or (not self._tty and now - self._last < self._every):
            return
        self._last = now
        name = str(progress.file).rsplit("/", 1)[-1]
        if progress.fraction is not None:
            shown = f"{progress.fraction:4.0%} of {progress.total / 1e6:,.0f} MB"
        else:
            shown = f"{progress.done:,} {progress.unit}"
        rows = f", {progress.rows:,} rows" if progress.rows and progress.unit != "rows" else ""
        text = f"reading {name}: {shown}{rows}"
        if self._tty:
            self._stream.write(f"\r{text[:100]:<100}")
            self._drawn = True
        else:
            self._stream.write(text + "\n")
        self._stream.flush()

    def close(self) -> None:
        """Erase the terminal line, if one was drawn."""
        if self._drawn:
            self._stream.write("\r" + " " * 100 + "\r")
            self._stream.flush()
            self._drawn = False


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
    """The incident and its timeline, with ``--timeline``, ``--tz``, ``--format``, ``--set``, ``--role``,
    ``--window`` and ``--signal`` applied (over the file's ``milestones:``, ``roles:``, ``window:`` and
    ``signal:``)."""
    from ..incident.record import load_incident
    from ..incident.timeline import incident_timeline

    incident = load_incident(args.incident)
    changes: dict[str, Any] = {"timezone": args.tz} if args.tz else {}
    if args.date and not incident.incident_date.strip():
        changes["incident_date"] = args.date
    incident = dataclasses.replace(incident, **changes)
    overrides, detected_by = parse_sets(args.set, incident.timezone)
    progress = StderrProgress()
    try:
        timeline = incident_timeline(
            incident,
            extra_paths=args.timeline,
            format=args.format,
            overrides=overrides,
            detected_by=detected_by,
            roles=parse_roles(getattr(args, "role", [])),
            signal=getattr(args, "signal", None),
            progress=progress,
            window=getattr(args, "window", None),
        )
    finally:
        progress.close()
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


def kept_ignores(incident_path: str, draft: str, audience: str = "customer") -> list[Ignore]:
    """The ignores saved with the draft version that holds exactly this text (none for another text),
    in the store of the draft's audience."""
    from pathlib import Path

    from ..review import Ignore
    from ..store import DraftStore

    if not Path(incident_path).is_file():
        return []
    version = DraftStore.for_incident(incident_path, audience=audience).find(draft)
    return [Ignore.from_json(item) for item in version.ignores] if version is not None else []


def describe_ignored(review: Review) -> list[str]:
    """One line per ignored finding: ``ignored: line 16: [jargon] ... (Redis is what we sell)``."""
    return [f"ignored: {f.describe()} ({i.reason})" for f, i in review.ignored]
