"""``postmortem drafts list|show|diff|restore|save INCIDENT.yaml ...``: an incident's versioned drafts."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from ..errors import DraftStoreError, DraftVersionNotFoundError
from ..sections import AUDIENCES
from ..store import DraftStore, DraftVersion


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "drafts",
        help="list, show, diff, restore or save the versioned drafts of an incident",
        description="Every saved draft is a new Markdown file in drafts/ next to the incident file. "
        "Nothing is overwritten: restore makes a new version with the old text.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = actions.add_parser("list", help="the versions, oldest first")
    p.add_argument("incident", metavar="INCIDENT.yaml")
    p.add_argument("--json", action="store_true", help="one JSON array of version metadata")

    p = actions.add_parser("show", help="print a version's text (default: the latest)")
    p.add_argument("incident", metavar="INCIDENT.yaml")
    p.add_argument("version", nargs="?", help="number, file name or 'latest'")
    p.add_argument("--meta", action="store_true", help="print its metadata (JSON) instead of the text")

    p = actions.add_parser("diff", help="unified diff between two versions")
    p.add_argument("incident", metavar="INCIDENT.yaml")
    p.add_argument("old", help="version number or file name")
    p.add_argument("new", nargs="?", help="version number or file name (default: the latest)")
    p.add_argument("-U", "--context", type=int, default=3, help="lines of context (default 3)")

    p = actions.add_parser("restore", help="save an old version's text as the newest version")
    p.add_argument("incident", metavar="INCIDENT.yaml")
    p.add_argument("version", help="version number or file name")
    p.add_argument("--author", help="who restores it (default: $JUPYTERHUB_USER or the login name)")

    p = actions.add_parser("save", help="save a Markdown file as a new version")
    p.add_argument("incident", metavar="INCIDENT.yaml")
    p.add_argument("file", metavar="DRAFT.md")
    p.add_argument(
        "--base", type=int, metavar="N", help="the version you edited (a conflict if it is not the latest)"
    )
    p.add_argument("--author", help="who saves it (default: $JUPYTERHUB_USER or the login name)")
    p.add_argument("--drafter", help="what wrote it, e.g. offline or a model's name")
    p.add_argument("--note", help="a short note")
    p.add_argument(
        "--ignore",
        metavar="RULE[:LINE]=REASON",
        action="append",
        default=[],
        help="a review finding to set aside for this version, with the reason (repeatable)",
    )

    for sub_parser in actions.choices.values():
        sub_parser.add_argument(
            "--audience",
            choices=AUDIENCES,
            default="customer",
            help="customer drafts (default, drafts/) or the internal version's (drafts/internal/)",
        )
    parser.set_defaults(func=run)


def _store(incident: str, audience: str = "customer") -> DraftStore:
    path = Path(incident)
    if not path.is_file():
        raise DraftStoreError(
            "no such incident file", file=incident, hint="drafts live in drafts/ next to it"
        )
    return DraftStore.for_incident(path, audience=audience)


def parse_version(store: DraftStore, text: str | None) -> int | None:
    """``3``, ``0003``, ``0003-2026-11-26T201500Z.md`` or ``latest`` (None) -> a version number."""
    if text is None or text == "latest":
        return None
    match = re.match(r"^(?:.*/)?(\d+)(?:-.*)?$", text.strip())
    if match is None:
        raise DraftStoreError(
            f"not a draft version: {text!r}",
            file=str(store.folder),
            hint="pass a number such as 3, or 'latest'",
        )
    return int(match[1])


def _review(v: DraftVersion) -> str:
    if not v.review:
        return "-"
    return f"{v.review.get('errors', 0)} err, {v.review.get('warnings', 0)} warn"


def run(args: argparse.Namespace) -> int:
    store = _store(args.incident, args.audience)
    action: Callable[[DraftStore, argparse.Namespace, TextIO], None] = ACTIONS[args.action]
    try:
        action(store, args, sys.stdout)
    finally:  # what the store skipped is said even when the action then failed
        for warning in store.warnings:
            print(f"postmortem drafts: warning: {warning}", file=sys.stderr)
    return 0


def _list(store: DraftStore, args: argparse.Namespace, out: TextIO) -> None:
    versions = store.versions()
    if args.json:
        json.dump([v.to_json() for v in versions], out, indent=2)
        out.write("\n")
        return
    if not versions:
        out.write(f"no drafts yet in {store.folder}\n")
    for v in versions:
        by = v.model or v.drafter or "-"
        note = f"  {v.note}" if v.note else ""
        out.write(
            f"{v.number:>4}  {v.created:%Y-%m-%d %H:%M:%S}Z  {v.author or '-':<12} {by:<16} "
            f"{_review(v):<16} {v.sha256[7:19]}{note}\n"
        )
    for leftover in store.leftovers():
        out.write(f"note: {leftover} is an unfinished save (its text is complete); rename it to keep it\n")


def _show(store: DraftStore, args: argparse.Namespace, out: TextIO) -> None:
    number = parse_version(store, args.version)
    version = store.get(number) if number is not None else store.latest()
    if version is None:
        raise DraftVersionNotFoundError("no draft has been saved yet", file=str(store.folder))
    if args.meta:
        json.dump(version.to_json(), out, indent=2)
        out.write("\n")
    else:
        out.write(version.read_text())


def _diff(store: DraftStore, args: argparse.Namespace, out: TextIO) -> None:
    old = parse_version(store, args.old)
    if old is None:
        raise DraftStoreError(
            "the first version of a diff must be a number", hint="e.g. drafts diff INCIDENT 2 5"
        )
    out.write(store.diff(old, parse_version(store, args.new), context=args.context))


def _restore(store: DraftStore, args: argparse.Namespace, out: TextIO) -> None:
    number = parse_version(store, args.version)
    if number is None:
        raise DraftStoreError("restore needs a version number", hint="e.g. drafts restore INCIDENT.yaml 2")
    version = store.restore(number, author=args.author)
    print(f"restored version {number} as version {version.number}: {version.path}", file=sys.stderr)


def _save(store: DraftStore, args: argparse.Namespace, out: TextIO) -> None:
    from ..review import load_draft
    from ._common import parse_ignores

    text = load_draft(args.file)
    version = store.save(
        text,
        base_version=args.base,
        author=args.author,
        drafter=args.drafter,
        note=args.note,
        ignores=[i.to_json() for i in parse_ignores(args.ignore, text)],
    )
    print(f"saved version {version.number}: {version.path}", file=sys.stderr)


ACTIONS: dict[str, Callable[[DraftStore, argparse.Namespace, TextIO], None]] = {
    "list": _list,
    "show": _show,
    "diff": _diff,
    "restore": _restore,
    "save": _save,
}
