"""One small interface for every drafter: stream text chunks, then say whether the draft is complete."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ...errors import DraftError

if TYPE_CHECKING:
    from ...incident.record import Incident
    from ...timeline.merge import Timeline
    from ..prompt import Prompt


@dataclass(frozen=True)
class Usage:
    """Tokens one call used, as the server counted them (``usage`` in its answer)."""

    prompt_tokens: int
    completion_tokens: int


@dataclass
class DraftResult:
    """What a drafter produced: the text so far, and whether it is the whole draft.

    ``complete`` is false when the stream was cut off (``error`` says how), the model hit its output
    limit (``finish_reason == "length"``) or its content filter stopped it (``"content_filter"``). Partial
    text is kept either way.
    """

    drafter: str
    model: str | None = None
    text: str = ""
    complete: bool = False
    finish_reason: str | None = None
    error: DraftError | None = None
    #: The server's token counts, when it gave them (``None``: estimate from the texts instead).
    usage: Usage | None = None

    @property
    def problem(self) -> str | None:
        """Why the draft is incomplete, in one line, or ``None`` when it is complete."""
        if self.complete:
            return None
        if self.error is not None:
            return str(self.error)
        if self.finish_reason == "length":
            return (
                "the model stopped at its output limit (finish_reason 'length'), so the draft is cut off; "
                "raise the model's output limit or use a model with a larger context"
            )
        if self.finish_reason == "content_filter":
            return (
                "the model's content filter stopped the draft (finish_reason 'content_filter'); the "
                f"{len(self.text):,} characters received so far are kept but the draft is incomplete; "
                "look for event text or fields that could read as harmful, or draft offline"
            )
        return "the draft is incomplete"


@dataclass(frozen=True)
class Outcome:
    """What a finished generation means, decided here for every front-end.

    Only a ``complete`` draft may replace the author's text or be written where a draft is expected;
    a ``stopped``, ``incomplete`` or ``failed`` one is kept aside (a partial file, a version) and said so.
    """

    kind: str
    text: str
    #: Why the text is not a whole draft, in one line (``None`` when it is).
    problem: str | None = None
    error: BaseException | None = None

    @property
    def accepted(self) -> bool:
        return self.kind == COMPLETE


COMPLETE, STOPPED, INCOMPLETE, FAILED = "complete", "stopped", "incomplete", "failed"


def finish(
    result: DraftResult | None, *, text: str, error: BaseException | None = None, stopped: bool = False
) -> Outcome:
    """Judge a generation that has ended: raised ``error``, Stop pressed, or the stream ran out.

    >>> finish(DraftResult("offline", text="## Summary", complete=True), text="## Summary").accepted
    True
    >>> finish(None, text="## Sum", stopped=True).problem
    'stopped after 6 characters'
    """
    if error is not None:
        return Outcome(FAILED, text, str(error), error)
    if stopped:
        return Outcome(STOPPED, text, f"stopped after {len(text):,} characters")
    if result is None or not result.complete:
        problem = result.problem if result is not None else "the draft is incomplete"
        return Outcome(INCOMPLETE, text, problem, result.error if result is not None else None)
    return Outcome(COMPLETE, text)


class DraftStream(Iterator[str]):
    """Text chunks as they arrive; :attr:`result` holds the text so far and, once exhausted, the outcome.

    Errors before any text is produced are raised from iteration. A failure after some text ends the
    stream instead, with the partial text kept and ``result.complete`` false.
    """

    def __init__(self, chunks: Callable[[DraftResult], Iterator[str]], result: DraftResult) -> None:
        self.result = result
        self._chunks = chunks(result)

    def __iter__(self) -> DraftStream:
        return self

    def __next__(self) -> str:
        chunk = next(self._chunks)
        self.result.text += chunk
        return chunk

    def close(self) -> None:
        """Stop early (e.g. the author pressed Stop); the draft so far stays in :attr:`result`."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()

    def collect(self) -> DraftResult:
        """Read the stream to its end and return the result."""
        for _ in self:
            pass
        return self.result


class Drafter(Protocol):
    """Anything that turns an incident, its timeline and the assembled prompt into a draft."""

    name: str

    def stream(self, incident: Incident, timeline: Timeline, prompt: Prompt) -> DraftStream: ...


def generate_draft(
    drafter: Drafter,
    incident: Incident,
    timeline: Timeline,
    prompt: Prompt,
    *,
    on_chunk: Callable[[str], None] | None = None,
) -> DraftResult:
    """Run a drafter to the end, calling ``on_chunk`` with each piece of text as it arrives."""
    stream = drafter.stream(incident, timeline, prompt)
    for chunk in stream:
        if on_chunk is not None:
            on_chunk(chunk)
    return stream.result
