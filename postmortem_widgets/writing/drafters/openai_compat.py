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
"""

from __future__ import annotations

import email.utils
import math
import os
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import openai

from ...errors import (
    DraftAuthError,
    DraftConfigError,
    DraftConnectionError,
    DraftDeadlineError,
    DraftError,
    DraftInterruptedError,
    DraftModelNotFoundError,
    DraftRateLimitError,
    DraftRequestError,
    DraftServerError,
    DraftTimeoutError,
)
from .base import DraftResult, DraftStream, Usage
from .scrubbing import StreamScrubber, scrub

if TYPE_CHECKING:
    from ...incident.record import Incident
    from ...timeline.merge import Timeline
    from ..prompt import Prompt

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_DEADLINE = 300.0
#: The wait before the first retry when the server names none; it doubles each time, up to BACKOFF_MAX.
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 8.0
#: Statuses worth another attempt (besides 5xx): request timeout, lock conflict, rate limit.
_RETRY_STATUSES = frozenset({408, 409, 429})
#: Servers on these hosts need no key (Ollama, llama.cpp, vLLM on the same machine).
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
_PLACEHOLDER_KEY = "not-needed"
_KEPT = "the {n:,} characters received so far are kept but the draft is incomplete"


def _display_url(url: str) -> str:
    """A base URL without credentials, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _server_message(exc: openai.APIError) -> str:
    body = exc.body
    if isinstance(body, Mapping):
        error = body.get("error", body)
        if isinstance(error, Mapping) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return ""


def _retry_after(exc: openai.APIStatusError) -> float | None:
    """The server's ``Retry-After`` (or ``retry-after-ms``) in seconds: a number or an HTTP date."""
    headers = exc.response.headers
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is None:
                continue
            seconds = email.utils.mktime_tz(parsed) - time.time()
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    return None


def _retryable(exc: Exception) -> bool:
    """Worth another attempt: a dropped connection, or a status the server means to be temporary."""
    if isinstance(exc, openai.APITimeoutError):
        return False
    if isinstance(exc, openai.APIConnectionError):
        return True
    if not isinstance(exc, openai.APIStatusError):
        return False
    said = exc.response.headers.get("x-should-retry")
    if said in ("true", "false"):
        return said == "true"
    return exc.status_code in _RETRY_STATUSES or exc.status_code >= 500


def _retries(attempts: int) -> str:
    """`` after 2 retries`` for three attempts; "" for one."""
    retries = attempts - 1
    return f" after {retries} retr{'y' if retries == 1 else 'ies'}" if retries else ""


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


class Deadline:
    """The time one draft may take in all, on an injectable clock, counted from its first request."""

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.seconds = seconds
        self.clock = clock
        self.started = clock()

    def remaining(self) -> float:
        return self.seconds - (self.clock() - self.started)

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0


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
                    f"no API key for {_display_url(self.base_url)}",
                    hint="set OPENAI_API_KEY, or point OPENAI_BASE_URL at a local server such as "
                    "http://localhost:11434/v1 (Ollama)",
                )
            key = _PLACEHOLDER_KEY
        self._key = key
        self._client = openai.OpenAI(api_key=key, base_url=self.base_url, timeout=timeout, max_retries=0)

    def __repr__(self) -> str:
        return f"OpenAIDrafter(model={self.model!r}, base_url={_display_url(self.base_url)!r})"

    # -- errors -------------------------------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        return scrub(text, self._key)

    def translate(
        self, exc: Exception, *, attempts: int = 1, why_not: str = "", timeout: float | None = None
    ) -> DraftError:
        """The specific :class:`DraftError` for an SDK exception, with the key scrubbed from every word.

        ``attempts`` is how many requests were made, ``why_not`` why a retryable failure was not retried
        (again), ``timeout`` the time the last attempt was given.
        """
        where = _display_url(self.base_url)
        tries = _retries(attempts)
        if isinstance(exc, openai.APITimeoutError):
            return DraftTimeoutError(
                f"the model server at {where} did not answer within {timeout or self.timeout:g} seconds"
                f"{tries} (a timeout is not retried: the request may still be running on the server)",
                hint="try again, raise the timeout (--timeout), or use a smaller or faster model",
            )
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            detail = f" ({self._scrub(str(cause))})" if cause is not None and str(cause) else ""
            return DraftConnectionError(
                f"cannot reach the model server at {where}{detail}{tries}{why_not}",
                hint="is the server running? check OPENAI_BASE_URL (or --base-url)",
            )
        if isinstance(exc, openai.APIStatusError):
            return self._status_error(exc, where, tries, why_not)
        if isinstance(exc, openai.OpenAIError):
            return DraftError(f"the model client failed: {self._scrub(str(exc))}")
        return DraftError(f"the model client failed: {type(exc).__name__}: {self._scrub(str(exc))}")

    def _status_error(self, exc: openai.APIStatusError, where: str, tries: str, why_not: str) -> DraftError:
        status = exc.status_code
        said = self._scrub(_server_message(exc))[:300]
        detail = f": {said}" if said else ""
        if status in (401, 403):
            return DraftAuthError(
                f"the model server at {where} refused the API key (HTTP {status}){detail}",
                hint="check OPENAI_API_KEY (or the key you entered) for this server",
            )
        if status == 404:
            return DraftModelNotFoundError(
                f"the model server at {where} has no model {self.model!r} (HTTP 404){detail}",
                hint="check --model / POSTMORTEM_MODEL against the server's models, and that the base URL "
                "ends in /v1",
            )
        if status == 429:
            after = _retry_after(exc)
            wait = (
                f"; it asked us to retry after {after:g} seconds (Retry-After)" if after is not None else ""
            )
            return DraftRateLimitError(
                f"the model server at {where} is rate limiting requests (HTTP 429){tries}{wait}{why_not}"
                f"{detail}",
                retry_after=after,
                hint="wait and run the draft again, or check your plan's rate limits",
            )
        if status >= 500:
            return DraftServerError(
                f"the model server at {where} failed with HTTP {status}{tries}{why_not}{detail}",
                hint="the problem is on the server's side; try again later",
            )
        return DraftRequestError(
            f"the model server at {where} rejected the request (HTTP {status}){tries}{why_not}{detail}",
            hint="a prompt too long for the model's context is a common cause",
        )

    def _deadline_error(self, attempts: int) -> DraftDeadlineError:
        return DraftDeadlineError(
            f"the model server at {_display_url(self.base_url)} had not answered when the "
            f"{self.deadline:g}-second deadline passed{_retries(attempts)}",
            hint="try again later, raise the deadline (--deadline or POSTMORTEM_DEADLINE), or use a faster "
            "model",
        )

    # -- requests and retries -----------------------------------------------------------------------------

    def _retry_wait(self, exc: Exception, attempts: int, deadline: Deadline) -> tuple[float | None, str]:
        """How long to wait before the next attempt (``None``: no next attempt), and, when a retryable
        failure is not retried, why."""
        if not _retryable(exc):
            return None, ""
        if attempts > self.max_retries:
            return None, "" if self.max_retries else "; not retried (max_retries is 0)"
        after = _retry_after(exc) if isinstance(exc, openai.APIStatusError) else None
        wait = after if after else min(BACKOFF_FIRST * 2.0 ** (attempts - 1), BACKOFF_MAX)
        if wait < deadline.remaining():
            return wait, ""
        again = " again" if attempts > 1 else ""
        if after:
            return None, f", past the {self.deadline:g}-second deadline, so it was not retried{again}"
        return None, f"; the {self.deadline:g}-second deadline left no time to retry{again}"

    def _open(self, request: dict[str, Any], deadline: Deadline, **options: Any) -> tuple[Any, float]:
        """Send the request, retrying as :meth:`_retry_wait` says; the response and the timeout it had.

        ``client`` may be any OpenAI-like object, so whatever it raises is translated.
        """
        attempts = 0
        while True:
            remaining = deadline.remaining()
            if remaining <= 0:
                raise self._deadline_error(attempts) from None
            attempts += 1
            timeout = min(self.timeout, remaining)
            try:
                return self._client.chat.completions.create(**request, **options, timeout=timeout), timeout
            except Exception as exc:
                if isinstance(exc, openai.APITimeoutError) and deadline.expired:
                    raise self._deadline_error(attempts) from None
                wait, why_not = self._retry_wait(exc, attempts, deadline)
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
            self._stopped(result, problem, late=late, timeout=timeout)
            return
        self._finish(result)

    def _stopped(self, result: DraftResult, problem: Exception | None, *, late: bool, timeout: float) -> None:
        """A stream that ended early: raise when no text arrived, else keep the text and say why."""
        if late:
            if not result.text:
                raise DraftDeadlineError(
                    f"the model sent no text within the {self.deadline:g}-second deadline (not retried)",
                    hint="try again later, raise the deadline (--deadline or POSTMORTEM_DEADLINE)",
                ) from None
            result.error = DraftDeadlineError(
                f"the draft did not finish within the {self.deadline:g}-second deadline (the model was "
                f"still writing; not retried); {_KEPT.format(n=len(result.text))}",
                hint="raise the deadline (--deadline or POSTMORTEM_DEADLINE), or use a faster model",
            )
            return
        assert problem is not None
        cause = self._stream_cause(problem, timeout)
        if not result.text:
            raise DraftInterruptedError(
                f"the model's stream stopped before any text arrived ({cause}; not retried)",
                hint="run the draft again",
            ) from None
        result.error = DraftInterruptedError(
            f"the model's stream stopped midway ({cause}; not retried); {_KEPT.format(n=len(result.text))}",
            hint="run the draft again",
        )

    def _stream_cause(self, exc: Exception, timeout: float) -> str:
        """Why a stream that had begun stopped, in a few words."""
        if isinstance(exc, openai.APITimeoutError):
            return f"it hung: no data for {timeout:g} seconds"
        if isinstance(exc, openai.APIConnectionError):
            return "the connection dropped"
        if isinstance(exc, openai.APIError):
            said = self._scrub(_server_message(exc) or str(exc))[:300]
            return f"the server reported an error: {said}"
        return self.translate(exc).message

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
