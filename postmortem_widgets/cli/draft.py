"""``postmortem draft INCIDENT.yaml``: stream a draft to stdout, or write it to a file.

With ``-o FILE`` the draft is written atomically and only when it is complete: a model failure (or a
stream cut off midway) leaves an earlier FILE untouched, and partial text goes to ``FILE.partial``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._fs import atomic_write_text
from ..writing.drafters import DRAFTERS, finish, get_drafter
from ._common import load_inputs
from .prompt import add_incident_options, assemble

EXIT_INCOMPLETE = 1


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "draft",
        help="write a draft, customer-facing or (--audience internal) for the team, offline or with a model",
        description="Draft the postmortem: offline from the facts (the default, no network), or with any "
        "OpenAI-compatible model (OPENAI_API_KEY, OPENAI_BASE_URL, POSTMORTEM_MODEL, POSTMORTEM_DEADLINE).",
    )
    add_incident_options(parser)
    parser.add_argument("--drafter", choices=DRAFTERS, default="offline", help="offline (default) or openai")
    parser.add_argument("--model", metavar="NAME", help="model name (default: $POSTMORTEM_MODEL)")
    parser.add_argument(
        "--base-url", metavar="URL", help="OpenAI-compatible server (default: $OPENAI_BASE_URL)"
    )
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="per request (60)")
    parser.add_argument(
        "--deadline",
        type=float,
        metavar="SECONDS",
        help="for the whole draft, retries and waits included (default: $POSTMORTEM_DEADLINE, else 300)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write the draft here instead of stdout")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    incident, timeline = load_inputs(args)
    drafter = get_drafter(
        args.drafter,
        model=args.model,
        base_url=args.base_url,
        timeout=args.timeout,
        deadline=args.deadline,
        audience=args.audience,
    )
    prompt = assemble(args, incident, timeline)
    stream = drafter.stream(incident, timeline, prompt)
    if args.output:
        result = stream.collect()
    else:
        for chunk in stream:
            sys.stdout.write(chunk)
            sys.stdout.flush()
        result = stream.result
        if result.text and not result.text.endswith("\n"):
            sys.stdout.write("\n")
    for warning in timeline.warnings:
        print(f"postmortem draft: warning: {warning}", file=sys.stderr)
    outcome = finish(result, text=result.text)
    if not outcome.accepted:
        where = ""
        if args.output:
            partial = Path(args.output + ".partial")
            atomic_write_text(partial, outcome.text)
            where = f"; the partial text is in {partial}, and {args.output} was left as it was"
        print(f"postmortem draft: error: the draft is incomplete: {outcome.problem}{where}", file=sys.stderr)
        return EXIT_INCOMPLETE
    if args.output:
        atomic_write_text(
            Path(args.output), result.text if result.text.endswith("\n") else result.text + "\n"
        )
        print(f"postmortem draft: wrote {args.output} ({len(result.text):,} characters)", file=sys.stderr)
    return 0
