"""``postmortem prompt INCIDENT.yaml``: print the prompt a model would be given for this incident."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ..sections import AUDIENCES
from ._common import add_max_events_option, add_timeline_options, load_inputs, max_events

if TYPE_CHECKING:
    from ..incident.record import Incident
    from ..timeline.merge import Timeline
    from ..writing.prompt import Prompt


def add_incident_options(parser: argparse.ArgumentParser) -> None:
    """The incident file and the timeline options shared by ``prompt`` and ``draft``."""
    parser.add_argument("incident", metavar="INCIDENT.yaml", help="the incident file")
    add_timeline_options(parser)
    add_max_events_option(parser)
    parser.add_argument(
        "--audience",
        choices=AUDIENCES,
        default="customer",
        help="customer (default): the seed's customer postmortem; internal: the engineering team's, "
        "with names, hosts and the full timeline (never for customers)",
    )
    parser.add_argument(
        "--no-redact",
        dest="redact",
        action="store_false",
        help="keep names, emails, hosts and secrets in event messages (they are redacted by default)",
    )


def assemble(args: argparse.Namespace, incident: Incident, timeline: Timeline) -> Prompt:
    """The prompt for ``prompt`` and ``draft`` (``--nonce`` only exists on ``prompt``)."""
    from ..writing.prompt import build_prompt

    return build_prompt(
        incident,
        timeline,
        nonce=getattr(args, "nonce", None),
        max_events=max_events(args),
        redact=args.redact,
        audience=getattr(args, "audience", "customer"),
    )


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "prompt",
        help="print the prompt assembled for an incident",
        description="Assemble the seed's postmortem prompt from an incident file and its timeline; print it.",
    )
    add_incident_options(parser)
    parser.add_argument("--nonce", metavar="HEX", help="fix the data block's nonce (for reproducible output)")
    parser.add_argument("--json", action="store_true", help="print {system, user, nonce, digest} as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    incident, timeline = load_inputs(args)
    prompt = assemble(args, incident, timeline)
    if args.json:
        payload = {
            "system": prompt.system,
            "user": prompt.user,
            "nonce": prompt.nonce,
            "digest": prompt.digest,
        }
        json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(prompt.text)
    for warning in timeline.warnings:
        print(f"postmortem prompt: warning: {warning}", file=sys.stderr)
    return 0
