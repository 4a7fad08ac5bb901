"""``postmortem timeline PATH...``: key events, milestones and metrics of one incident."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ._common import add_timeline_options, parse_sets

if TYPE_CHECKING:
    import pandas as pd

    from ..timeline.merge import Timeline

#: How many key events the readable table shows before it summarises the rest.
TABLE_LIMIT = 60


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "timeline",
        help="import exports and show the merged timeline, milestones and metrics",
        description="Import monitoring and incident exports (files, folders, zips), merge them and "
        "compute the incident's milestones, duration and detection lag.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="export files, folders or zips")
    add_timeline_options(parser, paths=True)
    parser.add_argument("--json", action="store_true", help="print one JSON object (the stable contract)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..timeline.merge import load_timeline

    overrides, detected_by = parse_sets(args.set, args.tz)
    timeline = load_timeline(
        args.paths,
        tz=args.tz,
        date=args.date,
        format=args.format,
        overrides=overrides,
        detected_by=detected_by,
    )
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


def render_table(timeline: Timeline, *, tz: str | None = None) -> str:
    """The human-readable report the CLI prints."""
    import pandas as pd

    from ..timeline.humanize import human_duration
    from ..timeline.milestones import NAMES

    lines: list[str] = []
    for result in timeline.imports:
        lines.append(f"{result.file}: {result.format}, {result.count} event(s)")
    key = timeline.signal_events
    lines.append("")
    lines.append(f"Key events ({len(key)} of {len(timeline.events)}):")
    shown = key.head(TABLE_LIMIT)
    for time, kind, source, text in zip(
        shown["time"],
        shown["kind"].astype(str),
        shown["source"].astype(str),
        shown["message"].astype(str),
        strict=True,
    ):
        message = text if len(text) <= 90 else text[:87] + "..."
        lines.append(f"  {_local(pd.Timestamp(time), tz)}  {kind:<15} {source:<12} {message}")
    if len(key) > TABLE_LIMIT:
        lines.append(f"  ... and {len(key) - TABLE_LIMIT} more (use --json for all)")
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
