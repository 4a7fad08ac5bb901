"""``postmortem draft INCIDENT.yaml``: stream a draft to stdout, or write it to a file.

With ``-o FILE`` the draft is written atomically and only when it is complete: a model failure (or a
stream cut off midway) leaves an earlier FILE untouched, and partial text goes to ``FILE.partial``.

With the model drafter, ``--revise N`` (default: the incident file's ``budget.rounds``, else 2; 0 turns it
off) runs the check-and-mend rounds
(:mod:`~postmortem_widgets.revision`): each round is a version in the incident's drafts store, one line per
round goes to stderr, and the kept draft goes to stdout (once the rounds are over) or to FILE. Ctrl-C stops
the round being streamed; the best draft so far is still kept.

``--from DRAFT.md --section NAME`` redrafts one section of DRAFT.md and prints the whole draft, every other
byte as it was.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .._fs import atomic_write_text
from ..errors import InputError
from ..writing.drafters import DRAFTERS, finish, get_drafter
from ._common import load_inputs, max_events
from .prompt import add_incident_options, assemble

if TYPE_CHECKING:
    from ..incident.record import Incident
    from ..revision import Budget, Rounds
    from ..timeline.merge import Timeline
    from ..writing.drafters import Drafter, DraftResult, Outcome
    from ..writing.prompt import Prompt

EXIT_INCOMPLETE = 1
_ME = "postmortem draft"


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
    parser.add_argument(
        "--revise",
        type=int,
        metavar="N",
        help="with a model: check the draft and send its errors back to be mended, up to N rounds "
        "(default: the incident's budget.rounds, else 2; 0 turns it off); each round is a version in drafts/",
    )
    parser.add_argument(
        "--revise-warning",
        metavar="RULE",
        action="append",
        default=[],
        help="also send this rule's warnings back to be mended (repeatable), e.g. --revise-warning jargon",
    )
    parser.add_argument(
        "--token-budget",
        type=int,
        metavar="TOKENS",
        help="the most tokens (prompts and answers) the rounds may spend; no round starts past it "
        "(default: the incident's budget.tokens, else no limit)",
    )
    parser.add_argument("--from", dest="source", metavar="DRAFT.md", help="the draft to redraft a section of")
    parser.add_argument(
        "--section", metavar="NAME", help="with --from: redraft this section (its slug or heading) only"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write the draft here instead of stdout")
    parser.set_defaults(func=run)


def _section_error(name: str) -> InputError:
    from ..sections import SECTIONS

    listed = ", ".join(f"{s.key} ({s.heading})" for s in SECTIONS)
    return InputError(f"no section {name!r}; the sections are {listed}", hint="pass a slug or a heading")


def _checked_options(args: argparse.Namespace) -> None:
    if (args.source is None) != (args.section is None):
        raise InputError("--from and --section go together", hint="--from DRAFT.md --section NAME")
    if args.revise is not None and args.revise < 0:
        raise InputError(f"--revise must be 0 or more, not {args.revise}")
    if args.token_budget is not None and args.token_budget <= 0:
        raise InputError(f"--token-budget must be a positive number of tokens, not {args.token_budget}")


def run(args: argparse.Namespace) -> int:
    _checked_options(args)
    if args.section is not None:
        from ..sections import section_named

        try:
            section_named(args.section)
        except KeyError:
            raise _section_error(args.section) from None
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
    for warning in timeline.warnings:
        print(f"{_ME}: warning: {warning}", file=sys.stderr)
    if args.section is not None:
        return _redraft(args, drafter, incident, timeline, prompt)
    from ..revision import budget_for

    budget = budget_for(incident, rounds=args.revise, tokens=args.token_budget)
    if args.drafter != "offline" and budget.rounds > 0:
        return _rounds(args, drafter, incident, timeline, prompt, budget)
    return _single(args, drafter, incident, timeline, prompt)


def _tokens(result: DraftResult, prompt: Prompt, label: str = "call") -> None:
    """One line on stderr: the size of a model call (the server's counts, else estimates)."""
    from ..revision import Tokens
    from ..writing.prompt import estimate_tokens

    usage = result.usage
    if usage is not None:
        tokens = Tokens(usage.prompt_tokens, usage.completion_tokens, measured=True)
    else:
        tokens = Tokens(prompt.estimated_tokens, estimate_tokens(result.text))
    print(f"{_ME}: {label}: {tokens.describe()}", file=sys.stderr)


def _single(
    args: argparse.Namespace, drafter: Drafter, incident: Incident, timeline: Timeline, prompt: Prompt
) -> int:
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
    if args.drafter != "offline":
        _tokens(result, prompt)
    return _deliver(args, finish(result, text=result.text))


def _deliver(args: argparse.Namespace, outcome: Outcome, *, printed: bool = True) -> int:
    """Write a complete draft to ``-o`` (or stdout when not ``printed`` yet); an incomplete one aside."""
    if not outcome.accepted:
        where = ""
        if args.output:
            partial = Path(args.output + ".partial")
            atomic_write_text(partial, outcome.text)
            where = f"; the partial text is in {partial}, and {args.output} was left as it was"
        print(f"{_ME}: error: the draft is incomplete: {outcome.problem}{where}", file=sys.stderr)
        return EXIT_INCOMPLETE
    text = outcome.text if outcome.text.endswith("\n") else outcome.text + "\n"
    if args.output:
        atomic_write_text(Path(args.output), text)
        print(f"{_ME}: wrote {args.output} ({len(outcome.text):,} characters)", file=sys.stderr)
    elif not printed:
        sys.stdout.write(text)
    return 0


def _redraft(
    args: argparse.Namespace, drafter: Drafter, incident: Incident, timeline: Timeline, prompt: Prompt
) -> int:
    from ..review import load_draft
    from ..sections import section_named
    from ..writing.redraft import section_stream, splice_section

    draft = load_draft(args.source)
    section = section_named(args.section)
    result = section_stream(drafter, incident, timeline, prompt, draft, section).collect()
    if args.drafter != "offline":
        _tokens(result, prompt, f"section {section.key}")
    outcome = finish(result, text=result.text)
    if outcome.accepted:
        outcome = finish(result, text=splice_section(draft, section, result.text))
    return _deliver(args, outcome, printed=False)


def _rounds(
    args: argparse.Namespace,
    drafter: Drafter,
    incident: Incident,
    timeline: Timeline,
    prompt: Prompt,
    budget: Budget,
) -> int:
    from ..review import check_draft
    from ..revision import Rounds
    from ..store import DraftStore

    rounds = Rounds(
        drafter,
        incident,
        timeline,
        prompt,
        check=lambda text: check_draft(
            text,
            incident,
            timeline,
            roster=tuple(incident.responders),
            audience=args.audience,
            evidence_limit=max_events(args),
        ),
        budget=budget,
        warn_rules=frozenset(args.revise_warning),
        store=DraftStore.for_incident(args.incident),
        meta={
            "drafter": drafter.name,
            "model": getattr(drafter, "model", None),
            "prompt_hash": prompt.digest,
        },
        on_round=lambda r: print(f"{_ME}: {r.describe()}", file=sys.stderr),
    )
    try:
        rounds.run()
    except KeyboardInterrupt:
        rounds.close()
    return _after_rounds(args, rounds)


def _after_rounds(args: argparse.Namespace, rounds: Rounds) -> int:
    best = rounds.best
    if rounds.ended:
        print(f"{_ME}: {rounds.ended}", file=sys.stderr)
    if best is not None:
        version = f" (version {best.version.number})" if best.version is not None else ""
        errors = best.errors or 0
        print(
            f"{_ME}: kept round {best.number}{version}, {errors} error{'' if errors == 1 else 's'}; "
            f"{rounds.tokens:,} tokens in {len(rounds.rounds)} call(s)",
            file=sys.stderr,
        )
    return _deliver(args, rounds.outcome(), printed=False)
