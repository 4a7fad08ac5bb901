"""``postmortem check DRAFT.md --incident INCIDENT.yaml``: review a draft before it goes to customers.

Prints the findings grouped by section (or ``--json``), and exits 1 when there is any error, 0 otherwise.
``--redact -o FILE`` writes a copy with internal details and names replaced, then reviews that copy.
``--ignore RULE[:LINE]=REASON`` sets a finding aside; a draft saved as a version in the incident's drafts
folder brings the ignores kept with it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .._fs import atomic_write_text
from ..errors import PostmortemError
from ..sections import AUDIENCES
from ._common import (
    add_ignore_option,
    add_max_events_option,
    add_timeline_options,
    kept_ignores,
    load_inputs,
    max_events,
    parse_ignores,
)

if TYPE_CHECKING:
    from ..review import Review

EXIT_ERRORS = 1


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "check",
        help="review a draft: facts against the timeline, the seed's quality rules, internal details",
        description="Check a postmortem draft against its incident and timeline: every time, date and "
        "duration, the six sections, detection honesty, specific prevention, no blame, plain language, "
        "internal details, instructions addressed to a model, and tone. Exits 1 when there is any error.",
    )
    parser.add_argument("draft", metavar="DRAFT.md", help="the draft to check (Markdown)")
    parser.add_argument("--incident", metavar="INCIDENT.yaml", required=True, help="the incident file")
    add_timeline_options(parser)
    parser.add_argument("--roster", metavar="FILE", help="names the draft must not contain, one a line")
    parser.add_argument(
        "--jargon",
        metavar="FILE",
        action="append",
        default=[],
        help="extra jargon list, term<TAB>plainer words",
    )
    parser.add_argument(
        "--instructions",
        metavar="FILE",
        action="append",
        default=[],
        help="extra instruction-like patterns (prompt injection), pattern<TAB>what it is",
    )
    parser.add_argument(
        "--prevention",
        metavar="FILE",
        action="append",
        default=[],
        help="extra vague/concrete prevention phrases, kind<TAB>regex<TAB>example",
    )
    add_ignore_option(parser)
    add_max_events_option(parser, checking=True)
    parser.add_argument(
        "--json", action="store_true", help='print {"findings": [...], "errors": N, "warnings": N}'
    )
    parser.add_argument(
        "--audience",
        choices=AUDIENCES,
        default="customer",
        help="customer (default): every rule; internal: the engineering team's version, facts rules only",
    )
    parser.add_argument("--redact", action="store_true", help="write a redacted copy of the draft (needs -o)")
    parser.add_argument("-o", "--output", metavar="FILE", help="where --redact writes the redacted draft")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..review import check_draft, load_draft, load_roster, people_names, redact

    if args.redact != bool(args.output):
        raise PostmortemError(
            "--redact and -o FILE go together",
            hint="postmortem check DRAFT.md --incident X --redact -o clean.md",
        )
    draft = load_draft(args.draft)
    incident, timeline = load_inputs(args)
    roster = load_roster(args.roster) if args.roster else []
    if args.redact:
        from ..review.context import incident_vocabulary

        names = people_names(incident.responders, timeline, roster)
        keep = [n for n in (incident.product_name, incident.company) if n.strip()]
        redaction = redact(draft, roster=names, keep=keep, exclude=sorted(incident_vocabulary(incident)))
        atomic_write_text(Path(args.output), redaction.text)
        kinds = ", ".join(f"{n} {kind}" for kind, n in redaction.summary().items()) or "nothing to replace"
        print(
            f"postmortem check: wrote {args.output}, redacted {redaction.count} item(s): {kinds}",
            file=sys.stderr,
        )
        draft = redaction.text
    for warning in timeline.warnings:
        print(f"postmortem check: warning: {warning}", file=sys.stderr)
    ignores = [*kept_ignores(args.incident, draft, args.audience), *parse_ignores(args.ignore, draft)]
    review = check_draft(
        draft,
        incident,
        timeline,
        roster=roster,
        jargon=args.jargon,
        prevention=args.prevention,
        instructions=args.instructions,
        ignore=ignores,
        audience=args.audience,
        evidence_limit=max_events(args),
    )
    if args.json:
        json.dump(review.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_review(review, name=args.output or args.draft))
    return EXIT_ERRORS if review.errors else 0


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_review(review: Review, *, name: str) -> str:
    """The readable report: a count, then the findings under their section, each with what to do."""
    lines = [f"{name}: {_count(review.errors, 'error')}, {_count(review.warnings, 'warning')}"]
    for section, findings in review.by_section().items():
        lines.append("")
        lines.append(section or "(before the first section)")
        for f in findings:
            lines.append(f"  {name}:{f.line}: {f.severity} [{f.rule}] {f.message}")
            if f.suggestion:
                lines.append(f"      {f.suggestion}")
    if review.ignored:
        lines.append("")
        lines.append(f"Ignored, with the author's reasons ({len(review.ignored)})")
        for f, ignore in review.ignored:
            lines.append(f"  {name}:{f.line}: ignored [{f.rule}] {f.message}")
            lines.append(f"      Reason: {ignore.reason}")
    return "\n".join(lines) + "\n"
