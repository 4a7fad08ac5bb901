"""A drafter for any OpenAI-compatible chat-completions server: OpenAI, Azure, Ollama, vLLM, llama.cpp.

Configuration comes from arguments or from ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``POSTMORTEM_MODEL`` and
``POSTMORTEM_DEADLINE``. Each request times out after 60 s (not the SDK's 10 minutes), and the whole draft
(every attempt, every wait between them and the stream) after the deadline, 5 minutes by default.

The drafter does its own retrying (the SDK's client runs with ``max_retries=0``), so it knows how many
attempts it made and can say so: 408, 409, 429, 5xx and dropped connections are retried with a backoff of
0.5 s, 1 s, 2 s ... (at most 8 s), or after the server's ``Retry-After``, but never past the deadline. A
timeout is not retried (the request may still be running on a server that is already too slow, and a
retry would only double the wait), and neither is a stream that stopped midway.

Every failure becomes a specific :class:`~postmortem_widgets.errors.DraftError`. The API key and anything
shaped like a secret are scrubbed from messages and from the stream itself
(:mod:`~postmortem_widgets.writing.drafters.scrubbing`), so no file or version ever holds them.

This module is the configuration and the stream; :mod:`.openai_retry` decides when to try again and keeps
the deadline, :mod:`.openai_errors` turns what went wrong into words.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import openai

from ...errors import DraftConfigError, DraftError, DraftInterruptedError
from .base import DraftResult, DraftStream, Usage
from .openai_errors import ErrorWords, display_url
from .openai_retry import Deadline, retry_wait
from .scrubbing import StreamScrubber, scrub

if TYPE_CHECKING:
    from ...incident.record import Incident
    from ...timeline.merge import Timeline
    from ..prompt import Prompt

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_DEADLINE = 300.0
#: Servers on these hosts need no key (Ollama, llama.cpp, vLLM on the same machine).
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
_PLACEHOLDER_KEY = "not-needed"


def _seconds(value: float, name: str) -> float:
    if not (math.isfinite(value) and value > 0):
        raise DraftConfigError(f"the {name} must be a positive number of seconds, not {value!r}")
    return value


def _env_deadline(env: Mapping[str, str]) -> float:
    text = env.get("POSTMORTEM_DEADLINE", "").strip()
    if not text:
        return DEFAULT_DEADLINE
    try:
        return float(text)
    except ValueError:
        raise DraftConfigError(
            f"POSTMORTEM_DEADLINE is not a number of seconds: {text!r}",
            hint="set it to e.g. 300, or unset it for the default of 5 minutes",
        ) from None


def _usage(value: Any) -> Usage | None:
    """The token counts of a response's ``usage``, when it has whole numbers for them."""
    prompt = getattr(value, "prompt_tokens", None)
    completion = getattr(value, "completion_tokens", None)
    if isinstance(prompt, int) and isinstance(completion, int):
        return Usage(prompt, completion)
    return None


class OpenAIDrafter:
    """Streams a draft from a chat-completions model. ``client`` can be any ``openai.OpenAI``-like object.

    ``timeout`` bounds each request (and each silence in the stream), ``deadline`` the whole draft;
    ``clock`` and ``sleep`` (``time.monotonic`` and ``time.sleep``) are what the deadline and the waits
    between retries use, so tests can run them on a clock of their own.
    """

    name = "openai"

    def __init__(
        self,
        client: Any = None,
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: float | None = None,
        stream: bool = True,
        max_tokens: int | None = None,
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        env = os.environ if env is None else env
        self.model = model or env.get("POSTMORTEM_MODEL") or ""
        if not self.model:
            raise DraftConfigError(
                "no model name", hint="pass --model NAME or set POSTMORTEM_MODEL (e.g. gpt-4o-mini, llama3.1)"
            )
        self.timeout = _seconds(timeout, "timeout")
        self.deadline = _seconds(_env_deadline(env) if deadline is None else deadline, "deadline")
        if max_retries < 0:
            raise DraftConfigError(f"max_retries must be 0 or more, not {max_retries}")
        self.max_retries = max_retries
        self.use_stream = stream
        self.max_tokens = max_tokens
        self.clock = clock
        self.sleep = sleep
        if client is not None:
            # The drafter retries by itself, counting its attempts; the client must not retry underneath.
            with_options = getattr(client, "with_options", None)
            self._client = with_options(max_retries=0) if with_options is not None else client
            self._key = str(getattr(client, "api_key", "") or "")
            self.base_url = str(getattr(client, "base_url", base_url or ""))
            return
        self.base_url = base_url or env.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        key = api_key or env.get("OPENAI_API_KEY") or ""
        if not key:
            if (urlsplit(self.base_url).hostname or "") not in _LOCAL_HOSTS:
                raise DraftConfigError(
                    f"no API key for {display_url(self.base_url)}",
                    hint="set OPENAI_API_KEY, or point OPENAI_BASE_URL at a local server such as "
                    "http://localhost:11434/v1 (Ollama)",
                )
            key = _PLACEHOLDER_KEY
        self._key = key
        self._client = openai.OpenAI(api_key=key, base_url=self.base_url, timeout=timeout, max_retries=0)

    def __repr__(self) -> str:
        return f"OpenAIDrafter(model={self.model!r}, base_url={display_url(self.base_url)!r})"

    # -- errors -------------------------------------------------------------------------------------------

    @property
    def _errors(self) -> ErrorWords:
        return ErrorWords(self.base_url, self.model, self._key, self.timeout, self.deadline)

    def _scrub(self, text: str) -> str:
        return scrub(text, self._key)

    def translate(
        self, exc: Exception, *, attempts: int = 1, why_not: str = "", timeout: float | None = None
    ) -> DraftError:
        """The specific :class:`DraftError` for an SDK exception, with the key scrubbed from every word.

        ``attempts`` is how many requests were made, ``why_not`` why a retryable failure was not retried
        (again), ``timeout`` the time the last attempt was given.
        """
        return self._errors.translate(exc, attempts=attempts, why_not=why_not, timeout=timeout)

    # -- requests and retries -----------------------------------------------------------------------------

    def _open(self, request: dict[str, Any], deadline: Deadline, **options: Any) -> tuple[Any, float]:
        """Send the request, retrying as :func:`.openai_retry.retry_wait` says; the response and the
        timeout it had.

        ``client`` may be any OpenAI-like object, so whatever it raises is translated.
        """
        attempts = 0
        while True:
            remaining = deadline.remaining()
            if remaining <= 0:
                raise self._errors.deadline_passed(attempts) from None
            attempts += 1
            timeout = min(self.timeout, remaining)
            try:
                return self._client.chat.completions.create(**request, **options, timeout=timeout), timeout
            except Exception as exc:
                if isinstance(exc, openai.APITimeoutError) and deadline.expired:
                    raise self._errors.deadline_passed(attempts) from None
                wait, why_not = retry_wait(exc, attempts, max_retries=self.max_retries, deadline=deadline)
                if wait is None:
                    raise self.translate(exc, attempts=attempts, why_not=why_not, timeout=timeout) from None
                self.sleep(wait)

    # -- drafting -----------------------------------------------------------------------------------------

    def _request(self, prompt: Prompt) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self.model, "messages": prompt.messages()}
        if self.max_tokens is not None:
            request["max_tokens"] = self.max_tokens
        return request

    def stream(self, incident: Incident, timeline: Timeline, prompt: Prompt) -> DraftStream:
        request = self._request(prompt)
        result = DraftResult(drafter=self.name, model=self.model)
        chunks = self._streamed if self.use_stream else self._whole
        return DraftStream(lambda r: chunks(request, r), result)

    def _whole(self, request: dict[str, Any], result: DraftResult) -> Iterator[str]:
        completion, _ = self._open(request, Deadline(self.deadline, self.clock))
        choice = completion.choices[0] if completion.choices else None
        text = (choice.message.content or "") if choice is not None else ""
        result.finish_reason = getattr(choice, "finish_reason", None)
        result.usage = _usage(getattr(completion, "usage", None))
        if text:
            yield self._scrub(text)
        self._finish(result)

    @staticmethod
    def _contents(response: Any, result: DraftResult) -> Iterator[str]:
        """Each chunk's text ("" for a chunk without any), noting the finish reason and the usage when
        they come."""
        for chunk in response:
            result.usage = _usage(getattr(chunk, "usage", None)) or result.usage
            texts = []
            for choice in chunk.choices or ():
                content = choice.delta.content if choice.delta is not None else None
                if content:
                    texts.append(content)
                if choice.finish_reason:
                    result.finish_reason = choice.finish_reason
            yield "".join(texts)

    def _streamed(self, request: dict[str, Any], result: DraftResult) -> Iterator[str]:
        deadline = Deadline(self.deadline, self.clock)
        # The usage comes in a last chunk of its own when asked for (OpenAI, vLLM, llama.cpp, Ollama).
        response, timeout = self._open(request, deadline, stream=True, stream_options={"include_usage": True})
        scrubber = StreamScrubber(self._key)
        problem: Exception | None = None
        late = False
        try:
            for content in self._contents(response, result):
                safe = scrubber.feed(content) if content else ""
                if safe:
                    yield safe
                if result.finish_reason is None and deadline.expired:
                    late = True
                    break
        except Exception as exc:
            problem = exc
            late = deadline.expired
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()
        tail = scrubber.flush()
        if tail:
            yield tail
        if late or problem is not None:
            self._errors.stopped(result, problem, late=late, timeout=timeout)
            return
        self._finish(result)

    def _finish(self, result: DraftResult) -> None:
        if result.finish_reason is None:
            result.error = DraftInterruptedError(
                "the model's stream ended without saying it was finished; the text received so far is kept "
                "but may be incomplete",
                hint="run the draft again",
            )
            return
        result.complete = result.finish_reason not in ("length", "content_filter")


__all__ = ["DEFAULT_DEADLINE", "DEFAULT_MAX_RETRIES", "DEFAULT_TIMEOUT", "Deadline", "OpenAIDrafter", "scrub"]
