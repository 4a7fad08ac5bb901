"""A model draft that is checked and mended before a person reads it: the check-and-mend rounds.

Round 1 is the model's draft. The reviewer checks it; its errors (and the warnings of the rules the author
chose) go back to the model with the draft and the instruction to change only what they name
(``templates/prompts/revise.j2``). Each revision is checked again and kept only when it is better: a revision
that adds an error (one the draft it mends did not have) or has more errors is rejected, and so is one that
mends nothing. The next round always starts from the best draft so far, which is what the rounds give back.

The rounds stop when nothing is left to mend, after ``revise`` revisions, when the token budget would be
passed, when a round fails, and when the author stops: closing the stream (:meth:`Rounds.close`, what the
workspace's Stop and the generation thread do) ends the round being streamed, which is kept as a stopped
version, and the best complete draft so far is still the result.

Every round is saved as a version in the drafts store, with its findings, its verdict and its token counts.
Tokens are the server's counts when it reports them (``usage``), else estimates (4 characters a token).

This room sits above ``writing/`` (the drafter, the prompts), ``review/`` (the check) and ``store`` (the
versions), which may not import each other; ``app/`` and ``cli/`` both drive it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Generator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .review import Finding, Review
from .writing.drafters.base import (
    COMPLETE,
    FAILED,
    INCOMPLETE,
    STOPPED,
    Drafter,
    DraftStream,
    Outcome,
    finish,
)
from .writing.prompt import Prompt, estimate_tokens, revision_prompt

if TYPE_CHECKING:
    from .incident.record import Incident
    from .store import DraftStore, DraftVersion
    from .timeline.merge import Timeline

#: Revisions after the first draft unless told otherwise (``--revise N``; 0 turns them off).
DEFAULT_REVISE = 2

#: What became of a round.
FIRST, KEPT, REJECTED = "first draft", "kept", "rejected"


@dataclass(frozen=True)
class Budget:
    """The most one incident's rounds may spend: revisions after the first draft, and tokens in all calls
    (prompts and answers; ``None``: no limit)."""

    rounds: int = DEFAULT_REVISE
    tokens: int | None = None


def budget_for(incident: Incident, *, rounds: int | None = None, tokens: int | None = None) -> Budget:
    """An incident's budget: the arguments (``--revise``, ``--token-budget``) over its file's ``budget:``
    (``rounds``, ``tokens``), over :data:`DEFAULT_REVISE` rounds and no token limit."""
    own = incident.budget
    return Budget(
        rounds=rounds if rounds is not None else own.get("rounds", DEFAULT_REVISE),
        tokens=tokens if tokens is not None else own.get("tokens"),
    )


@dataclass(frozen=True)
class Tokens:
    """One call's size: the prompt and the answer, as the server counted them or estimated."""

    prompt: int
    completion: int
    #: True when the server reported them (``usage``), False when they are estimates.
    measured: bool = False

    @property
    def total(self) -> int:
        return self.prompt + self.completion

    def describe(self) -> str:
        how = "from the server" if self.measured else "estimated"
        return f"prompt {self.prompt:,} tokens, answer {self.completion:,} ({how})"


@dataclass
class Round:
    """One call to the model and what the reviewer made of its answer."""

    number: int
    text: str
    outcome: Outcome
    tokens: Tokens
    review: Review | None = None
    #: :data:`FIRST`, :data:`KEPT`, :data:`REJECTED`, or the outcome's kind (stopped, incomplete, failed).
    verdict: str = FIRST
    #: Why it was rejected or not finished, in a few words ("" when there is nothing to say).
    reason: str = ""
    #: Errors of the draft this round mended (``None`` for the first draft).
    errors_before: int | None = None
    version: DraftVersion | None = None

    @property
    def errors(self) -> int | None:
        return None if self.review is None else self.review.errors

    def describe(self) -> str:
        """``round 2: 1 error before, 0 after: kept``, the line the CLI and the workspace show."""
        label = "first draft" if self.number == 1 else "revision"
        if self.errors is None:
            checked = "not checked"
        elif self.errors_before is None:
            checked = f"{_errors(self.errors)}"
        else:
            checked = f"{_errors(self.errors_before)} before, {self.errors} after"
        verdict = "" if self.verdict == FIRST else f": {self.verdict}"
        why = f" ({self.reason})" if self.reason else ""
        return f"round {self.number} ({label}): {checked}{verdict}{why}; {self.tokens.describe()}"


def _errors(n: int) -> str:
    return f"{n} error{'' if n == 1 else 's'}"


def _error_keys(review: Review) -> dict[tuple[str, str], int]:
    """Each error, by rule and message (lines move when a revision adds or removes one), counted."""
    keys: dict[tuple[str, str], int] = {}
    for f in review.findings:
        if f.severity == "error":
            keys[(f.rule, f.message)] = keys.get((f.rule, f.message), 0) + 1
    return keys


def added_errors(before: Review, after: Review) -> list[tuple[str, str]]:
    """The errors ``after`` has that ``before`` did not: what a revision broke."""
    old = _error_keys(before)
    return [key for key, n in _error_keys(after).items() if n > old.get(key, 0)]


def to_mend(review: Review, warn_rules: Collection[str] = ()) -> list[Finding]:
    """What goes back to the model: every error, and the warnings of the chosen rules."""
    return [f for f in review.findings if f.severity == "error" or f.rule in warn_rules]


def judge(best: Review, revised: Review, warn_rules: Collection[str] = ()) -> tuple[bool, str]:
    """Whether a revision replaces the best draft so far, and if not, why."""
    added = added_errors(best, revised)
    if added:
        rule, message = added[0]
        return False, f"adds an error: [{rule}] {message}"
    if revised.errors > best.errors:
        return False, f"{_errors(revised.errors)}, more than the {best.errors} it was to mend"
    if len(to_mend(revised, warn_rules)) >= len(to_mend(best, warn_rules)):
        return False, "mends nothing"
    return True, ""


def notes(findings: list[Finding]) -> list[str]:
    """The findings as the revision prompt lists them: where, which rule, what, and what to do."""
    out = []
    for f in findings:
        hint = f" Suggestion: {f.suggestion}" if f.suggestion else ""
        out.append(f"{f.describe()}{hint}")
    return out


@dataclass
class Rounds:
    """The rounds, run by iterating (the text chunks of every round, as they arrive) or by :meth:`run`.

    ``check`` reviews a draft (the session's check, with the author's ignores); ``store``, when given,
    receives every round as a version, with ``meta`` (drafter, model, prompt hash) and its findings.
    ``on_round`` hears about each round as it ends.
    """

    drafter: Drafter
    incident: Incident
    timeline: Timeline
    prompt: Prompt
    check: Callable[[str], Review]
    budget: Budget = field(default_factory=Budget)
    warn_rules: Collection[str] = ()
    store: DraftStore | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    on_round: Callable[[Round], None] | None = None
    rounds: list[Round] = field(default_factory=list)
    #: Why the rounds ended before their number ran out ("" when they did not).
    ended: str = ""
    #: The text of the round being streamed, so far.
    current: str = ""
    stopped: bool = False
    _chunks: Generator[str] | None = None

    # -- what the rounds gave ------------------------------------------------------------------------

    @property
    def best(self) -> Round | None:
        """The kept draft: the last round judged better than all before it."""
        kept = [r for r in self.rounds if r.verdict in (FIRST, KEPT) and r.outcome.accepted]
        return kept[-1] if kept else None

    @property
    def tokens(self) -> int:
        return sum(r.tokens.total for r in self.rounds)

    def outcome(self) -> Outcome:
        """What the rounds mean for a front-end: the best draft when there is one (complete, even when a
        later round was stopped or failed), else the first round's outcome."""
        best = self.best
        if best is not None:
            return best.outcome
        if self.rounds:
            return self.rounds[0].outcome
        return (
            Outcome(STOPPED, "", "stopped before the model answered")
            if self.stopped
            else Outcome(INCOMPLETE, "", "the draft is incomplete")
        )

    # -- running -------------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[str]:
        if self._chunks is None:
            self._chunks = self._run()
        return self._chunks

    def close(self) -> None:
        """Stop: the round being streamed ends (kept as a stopped version) and no other begins."""
        self.stopped = True
        if self._chunks is not None:
            self._chunks.close()

    def run(self, on_chunk: Callable[[str], None] | None = None) -> Rounds:
        """Every round to the end; ``on_chunk`` hears each piece of text."""
        for chunk in self:
            if on_chunk is not None:
                on_chunk(chunk)
        return self

    def _run(self) -> Generator[str]:
        prompt: Prompt = self.prompt
        while not self.stopped:
            number = len(self.rounds) + 1
            yield from self._one(number, prompt)
            best = self.best
            next_prompt = self._next_prompt(best)
            if next_prompt is None:
                return
            prompt = next_prompt

    def _next_prompt(self, best: Round | None) -> Prompt | None:
        """The prompt of the next revision, or ``None`` (with :attr:`ended` saying why) when there is none."""
        last = self.rounds[-1]
        if best is None or best.review is None or last.verdict in (STOPPED, FAILED, INCOMPLETE):
            return None
        mend = to_mend(best.review, self.warn_rules)
        if not mend:
            return None
        if len(self.rounds) - 1 >= self.budget.rounds:
            return None
        prompt = revision_prompt(self.prompt, best.text, notes(mend))
        if self.budget.tokens is not None:
            need = prompt.estimated_tokens + estimate_tokens(best.text)
            if self.tokens + need > self.budget.tokens:
                self.ended = (
                    f"the token budget ({self.budget.tokens:,}) leaves no room for another round: "
                    f"{self.tokens:,} spent, about {need:,} needed"
                )
                return None
        return prompt

    def _one(self, number: int, prompt: Prompt) -> Iterator[str]:
        """One call streamed, then judged and saved; a failure before any text ends the rounds (and is
        raised from the first one, as a single draft's would be)."""
        self.current = ""
        error: BaseException | None = None
        stream: DraftStream | None = None
        stopped = raising = False
        try:
            stream = self.drafter.stream(self.incident, self.timeline, prompt)
            for chunk in stream:
                self.current += chunk
                yield chunk
        except (GeneratorExit, KeyboardInterrupt):  # Stop, or Ctrl-C on the command line
            stopped = True
            raise
        except Exception as exc:
            if number == 1 and not self.current:
                raising = True
                raise
            error = exc
        finally:
            if stream is not None and (stopped or error is not None):
                stream.close()
            if not raising:
                result = stream.result if stream is not None else None
                outcome = finish(result, text=self.current, error=error, stopped=stopped)
                self._record(number, prompt, outcome, result.usage if result is not None else None)

    def _record(self, number: int, prompt: Prompt, outcome: Outcome, usage: Any) -> None:
        if usage is not None:
            tokens = Tokens(usage.prompt_tokens, usage.completion_tokens, measured=True)
        else:
            tokens = Tokens(prompt.estimated_tokens, estimate_tokens(outcome.text))
        best = self.best
        found = Round(number, outcome.text, outcome, tokens)
        if number > 1 and best is not None and best.review is not None:
            found.errors_before = best.review.errors
        if not outcome.accepted:
            found.verdict, found.reason = outcome.kind, outcome.problem or ""
        else:
            found.review = self.check(outcome.text)
            if number > 1 and best is not None and best.review is not None:
                better, why = judge(best.review, found.review, self.warn_rules)
                found.verdict, found.reason = (KEPT, "") if better else (REJECTED, why)
        if outcome.kind == STOPPED:
            self.stopped = True
            self.ended = f"stopped in round {number}"
        elif outcome.kind in (FAILED, INCOMPLETE) and number > 1:
            self.ended = f"round {number} did not finish: {outcome.problem}"
        self.rounds.append(found)
        self._save(found)
        if self.on_round is not None:
            self.on_round(found)

    def _save(self, found: Round) -> None:
        if self.store is None or not found.text.strip():
            return
        findings = [f.to_json() for f in found.review.findings] if found.review is not None else None
        extra: dict[str, Any] = {
            "round": found.number,
            "verdict": found.verdict,
            "tokens": {
                "prompt": found.tokens.prompt,
                "completion": found.tokens.completion,
                "measured": found.tokens.measured,
            },
        }
        if findings is not None:
            extra["findings"] = findings
        note = found.describe().split(";")[0]
        if found.outcome.kind != COMPLETE:
            note += "; not in the editor"
        found.version = self.store.save(found.text, review=found.review, note=note, extra=extra, **self.meta)


__all__ = [
    "DEFAULT_REVISE",
    "FIRST",
    "KEPT",
    "REJECTED",
    "Budget",
    "Round",
    "Rounds",
    "Tokens",
    "added_errors",
    "budget_for",
    "judge",
    "notes",
    "to_mend",
]
