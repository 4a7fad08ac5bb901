"""``postmortem export DRAFT.md --incident INCIDENT.yaml --to html|pdf|md|email [-o FILE] [--force]``.

The draft is reviewed against the incident's whole timeline (its ``timeline:`` inputs plus any
``--timeline PATH``, telemetry included), which also gives the report its impact figure
(``--no-figure`` leaves it out).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from ..errors import PostmortemError
from ..export.api import FORMATS, export_report, format_for_path, review_draft, split_review
from ..sections import AUDIENCES
from ._common import (
    add_ignore_option,
    add_max_events_option,
    add_timeline_options,
    describe_ignored,
    kept_ignores,
    load_inputs,
    max_events,
    parse_ignores,
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "export",
        help="export a reviewed draft as HTML, PDF, Markdown (status page) or email",
        description="Review the draft against the incident, then export it. A draft with review errors "
        "is refused unless --force; warnings are listed on stderr. Findings ignored with a reason (--ignore, "
        "or kept with the draft's saved version) do not count.",
    )
    parser.add_argument("draft", metavar="DRAFT.md", help="the draft, Markdown")
    parser.add_argument("--incident", metavar="INCIDENT.yaml", required=True, help="the incident file")
    parser.add_argument(
        "--to",
        choices=list(FORMATS),
        help="output format (default: from the -o suffix; md is GitHub-flavoured, email an .eml message)",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write here (atomically); default: stdout for text formats"
    )
    parser.add_argument("--force", action="store_true", help="export even if the review finds errors")
    add_ignore_option(parser)
    add_max_events_option(parser, checking=True)
    parser.add_argument("--status", default="Resolved", help="status shown in the header (default: Resolved)")
    parser.add_argument(
        "--title", help="report title (default: the draft's '# Title', else '<product> service incident')"
    )
    parser.add_argument(
        "--page-size", default="A4", help="print/PDF page size, e.g. A4 or Letter (default: A4)"
    )
    parser.add_argument("--from", dest="sender", metavar="ADDRESS", help="email: the From address")
    parser.add_argument(
        "--mail-to", metavar="ADDRESS", action="append", default=[], help="email: a recipient"
    )
    parser.add_argument(
        "--no-figure",
        dest="figure",
        action="store_false",
        help="leave out the impact figure (HTML, PDF) and its line of evidence (Markdown, email)",
    )
    parser.add_argument(
        "--keep-names",
        action="store_true",
        help="show the signal's own series name and labels in the figure (default: plain words only)",
    )
    parser.add_argument(
        "--audience",
        choices=AUDIENCES,
        default="customer",
        help="customer (default): citations removed, customer rules applied; internal: the engineering "
        "team's version, marked INTERNAL on every page",
    )
    add_timeline_options(parser)
    parser.set_defaults(func=run)


def refuse_internal_draft(path: str, draft: str, incident_path: str) -> None:
    """A customer export never takes from the internal version: not a file from ``drafts/internal/``,
    nor a text saved there."""
    from pathlib import Path

    from ..store import DraftStore

    internal = DraftStore.for_incident(incident_path, audience="internal")
    inside = Path(path).resolve().parent == internal.folder.resolve()
    if inside or (Path(incident_path).is_file() and internal.find(draft) is not None):
        raise PostmortemError(
            "this draft is the internal version, not for customers",
            file=path,
            hint="export it with --audience internal, or export a customer draft",
        )


def run(args: argparse.Namespace) -> int:
    from ..export.markdown import TOO_DEEP, render_markdown
    from ..review import load_draft

    fmt = args.to or (format_for_path(args.output) if args.output and args.output != "-" else None)
    if fmt is None:
        raise PostmortemError("no output format", hint="pass --to html|pdf|md|email or -o FILE.<ext>")
    to_stdout = not args.output or args.output == "-"
    if to_stdout and fmt == "pdf" and sys.stdout.isatty():
        raise PostmortemError("a PDF is not written to a terminal", hint="pass -o report.pdf")

    draft = load_draft(args.draft)
    if args.audience == "customer":
        refuse_internal_draft(args.draft, draft, args.incident)
    incident, timeline = load_inputs(args)
    ignores = [*kept_ignores(args.incident, draft, args.audience), *parse_ignores(args.ignore, draft)]
    review = review_draft(
        draft, incident, timeline, ignore=ignores, audience=args.audience, evidence_limit=max_events(args)
    )
    errors, warnings = split_review(review)
    for finding in warnings:
        print(f"{args.draft}: warning: {finding.describe()}", file=sys.stderr)
    for text in describe_ignored(review):
        print(f"{args.draft}: {text}", file=sys.stderr)
    for removed in render_markdown(draft).removed:
        if removed == TOO_DEEP:
            print(f"{args.draft}: warning: {removed}", file=sys.stderr)
            continue
        print(
            f"{args.draft}: warning: left out {removed}: only https/mailto links and embedded "
            "PNG/JPEG/GIF/WebP images are published",
            file=sys.stderr,
        )
    content = export_report(
        draft,
        incident,
        to=fmt,
        review=review,
        force=args.force,
        draft_name=args.draft,
        timeline=timeline,
        status=args.status,
        title=args.title,
        page_size=args.page_size,
        sender=args.sender,
        recipients=args.mail_to,
        date=datetime.now(UTC) if fmt == "email" else None,
        figure=args.figure,
        keep_names=args.keep_names,
        audience=args.audience,
    )
    if args.force:
        for finding in errors:
            print(f"{args.draft}: error (forced): {finding.describe()}", file=sys.stderr)
    data = content.encode("utf-8") if isinstance(content, str) else content
    if to_stdout:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        from .._fs import atomic_write_bytes

        atomic_write_bytes(args.output, data)
        print(f"wrote {args.output} ({fmt}, {len(data)} bytes)", file=sys.stderr)
    return 0
