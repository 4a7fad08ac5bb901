"""``postmortem timeline PATH...``: key events, milestones and metrics of one incident."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ._common import StderrProgress, add_timeline_options, parse_roles, parse_sets

if TYPE_CHECKING:
    import pandas as pd

    from ..timeline.limits import Limits
    from ..timeline.merge import Timeline

#: How many key events the readable table shows (the most relevant, milestones first).
TABLE_LIMIT = 40


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "timeline",
        help="import exports and show the merged timeline, milestones and metrics",
        description="Import monitoring and incident exports (files, folders, zips), merge them and "
        "compute the incident's milestones, duration and detection lag.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="export files, folders or zips")
    add_timeline_options(parser, paths=True)
    parser.add_argument(
        "--incident",
        metavar="ID",
        dest="incident_id",
        action="append",
        default=[],
        help="the incident to keep of a file that holds several (its id, as the warning lists them; "
        "repeatable, one per file); without it, the most recent",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (the stable contract)")
    add_limit_options(parser)
    parser.set_defaults(func=run)


#: What each import limit bounds, for ``--help`` (see :mod:`postmortem_widgets.timeline.limits`).
_LIMIT_HELP = {
    "max_import_bytes": "bytes read from one input (a file, a folder, a zip's members); default 4GiB",
    "max_member_bytes": "bytes one zip member may expand to; default 1GiB",
    "max_zip_ratio": "how many times its compressed size a zip member (or zip) may expand; default 100",
    "max_json_bytes": "bytes of one JSON document; default 64MiB",
    "max_json_depth": "nesting depth of a JSON document; default 100",
    "max_files": "files in one folder tree or zip; default 10000",
    "max_line_bytes": "bytes of one line of a table or text timeline; default 1MiB",
    "max_columns": "columns of one table; default 10000",
}


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """``--max-import-bytes SIZE`` and the other import limits, over their ``POSTMORTEM_MAX_*`` variables."""
    from ..timeline.limits import env_name, flag, is_size, names

    group = parser.add_argument_group(
        "import limits", "what one import may read; each also set by its environment variable"
    )
    for name in names():
        group.add_argument(
            flag(name),
            dest=name,
            metavar="SIZE" if is_size(name) else "N",
            help=f"{_LIMIT_HELP[name]} ({env_name(name)})",
        )


def limits_of(args: argparse.Namespace) -> Limits:
    """The limits the command line asks for: its flags over the environment over the defaults."""
    from ..timeline.limits import Limits, names, parse_setting

    given = {name: parse_setting(name, getattr(args, name)) for name in names() if getattr(args, name, None)}
    return Limits.from_env().replace(**given)


def run(args: argparse.Namespace) -> int:
    from ..timeline.merge import load_timeline

    overrides, detected_by = parse_sets(args.set, args.tz)
    progress = StderrProgress()
    try:
        timeline = load_timeline(
            args.paths,
            tz=args.tz,
            date=args.date,
            format=args.format,
            overrides=overrides,
            detected_by=detected_by,
            roles=parse_roles(args.role),
            signal=args.signal,
            progress=progress,
            limits=limits_of(args),
            incident=args.incident_id,
            window=args.window,
        )
    finally:
        progress.close()
    if args.json:
        json.dump(timeline.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_table(timeline, tz=args.tz))
    return 0


def _local(ts: pd.Timestamp | None, tz: str | None) -> str:
    from ..timeline.timeparse import resolve_zone, zone_label

    if ts is None:
        return "-"
    if not tz:
        return ts.strftime("%Y-%m-%d %H:%M:%S UTC")
    zone = resolve_zone(tz)
    return f"{ts.tz_convert(zone).strftime('%Y-%m-%d %H:%M:%S')} {zone_label(zone, ts)}"


def _input_line(result: object) -> str:
    from ..timeline.events import ImportResult

    assert isinstance(result, ImportResult)
    line = f"{result.file}: {result.format}, {result.role or 'incident'}, {result.count} event(s)"
    if result.files:
        line += f" from {len(result.files):,} files"
    if result.rows is not None and result.rows != result.count:
        line += f" of {result.rows:,} row(s)"
    if result.series:
        line += f", {len(result.series)} series"
    if result.incident is not None:
        line += f", incident {result.incident.id} of {len(result.incidents)}"
    return line


def _telemetry_lines(timeline: Timeline, tz: str | None) -> list[str]:
    """The impact window with its evidence, and one line per series (minimum, median, maximum)."""
    from ..timeline.telemetry.series import format_value, summary

    if not timeline.series:
        return []
    lines = ["", "Impact:"]
    impact = timeline.impact
    if impact is None:
        lines.append(
            "  no clear change in the series" if timeline.signal != "none" else "  set aside (--signal none)"
        )
    else:
        lines.append(f"  {impact.evidence}")
        lines.append(f"  signal: {impact.signal} ({impact.source})")
    lines.append("")
    lines.append("Series:")
    width = max(len(s.name) for s in timeline.series)
    for series in timeline.series:
        stats = summary(series)
        if stats is None:
            lines.append(f"  {series.name:<{width}}  no values  {series.source}")
            continue
        low, middle, high = (format_value(v, series.unit) for v in stats)
        lines.append(
            f"  {series.name:<{width}}  min {low:<10} median {middle:<10} max {high:<10} {series.source}"
        )
    return lines


def render_table(timeline: Timeline, *, tz: str | None = None) -> str:
    """The human-readable report the CLI prints: never every row, whatever the input size."""
    from ..timeline.humanize import human_duration
    from ..timeline.keyevents import select_key_events
    from ..timeline.milestones import NAMES

    lines = [_input_line(result) for result in timeline.imports]
    lines.extend(_telemetry_lines(timeline, tz))
    key = select_key_events(timeline, limit=TABLE_LIMIT)
    total = len(timeline.signal_events)
    lines.append("")
    lines.append(f"Key events ({len(key)} of {total}):" if total > len(key) else f"Key events ({len(key)}):")
    for event in key:
        text = event.describe()
        message = text if len(text) <= 90 else text[:87] + "..."
        lines.append(f"  {_local(event.time, tz)}  {event.kind:<15} {event.source:<12} {message}")
    if total > len(key):
        lines.append(f"  ... and {total - len(key)} more (--json lists up to 200)")
    m = timeline.milestones
    lines.append("")
    lines.append("Milestones:")
    for name in NAMES:
        value = getattr(m, name)
        why = m.reasons.get(name, "")
        lines.append(f"  {name:<13} {_local(value, tz):<28} {why[:70]}")
    lines.append(f"  {'detected by':<13} {m.detected_by}")
    metrics = timeline.metrics
    lines.append("")
    lines.append("Metrics:")
    for label, value in (
        ("duration", metrics.duration),
        ("detection lag", metrics.time_to_detect),
        ("to acknowledge", metrics.time_to_acknowledge),
        ("to identify", metrics.time_to_identify),
        ("to mitigate", metrics.time_to_mitigate),
        ("to resolve", metrics.time_to_resolve),
    ):
        lines.append(f"  {label:<15} {human_duration(value) if value is not None else '-'}")
    if timeline.warnings:
        lines.append("")
        lines.append("Warnings:")
        lines.extend(f"  {w}" for w in timeline.warnings)
    return "\n".join(lines) + "\n"
