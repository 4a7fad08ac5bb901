"""A drafter for any OpenAI-compatible chat-completions server: OpenAI, Azure, Ollama, vLLM, llama.cpp.

Configuration comes from arguments or from ``OPENAI_API_KEY``, ``OPENAI_BASE_URL`` and ``POSTMORTEM_MODEL``.
The timeout is 60 s (not the SDK's 10 minutes) and retries are bounded; the SDK retries 429 (honouring
``Retry-After``), 5xx and dropped connections. Every failure becomes a specific
:class:`~postmortem_widgets.errors.DraftError` whose message never contains the API key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import openai

from ...errors import (
    DraftAuthError,
    DraftConfigError,
    DraftConnectionError,
    DraftError,
    DraftInterruptedError,
    DraftModelNotFoundError,
    DraftRateLimitError,
    DraftRequestError,
    DraftServerError,
    DraftTimeoutError,
)
from .base import DraftResult, DraftStream

if TYPE_CHECKING:
    from ...incident.record import Incident
    from ...timeline.merge import Timeline
    from ..prompt import Prompt

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2
#: Servers on these hosts need no key (Ollama, llama.cpp, vLLM on the same machine).
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
#: Things shaped like API keys, masked wherever they appear in a message from a server.
_KEY_LIKE = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-*]{6,}")
_PLACEHOLDER_KEY = "not-needed"


def scrub(text: str, secret: str | None) -> str:
    """``text`` with the secret (and anything shaped like an API key) replaced by ``[redacted]``.

    >>> scrub("Incorrect API key provided: sk-abc123456789", "sk-abc123456789")
    'Incorrect API key provided: [redacted]'
    """
    if secret and len(secret) >= 4:
        text = text.replace(secret, "[redacted]")
    return _KEY_LIKE.sub("[redacted]", text)


def _display_url(url: str) -> str:
    """A base URL without credentials, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, Mapping):
        error = body.get("error", body)
        if isinstance(error, Mapping) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return ""


def _retry_after(exc: openai.APIStatusError) -> float | None:
    headers = exc.response.headers
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return float(value) / divisor
        except ValueError:
            continue
    return None


class OpenAIDrafter:
    """Streams a draft from a chat-completions model. ``client`` can be any ``openai.OpenAI``-like object."""

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
        stream: bool = True,
        max_tokens: int | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if env is None else env
        self.model = model or env.get("POSTMORTEM_MODEL") or ""
        if not self.model:
            raise DraftConfigError(
                "no model name", hint="pass --model NAME or set POSTMORTEM_MODEL (e.g. gpt-4o-mini, llama3.1)"
            )
        self.timeout = timeout
        self.max_retries = max_retries
        self.use_stream = stream
        self.max_tokens = max_tokens
        if client is not None:
            self._client = client
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
        self._client = openai.OpenAI(
            api_key=key, base_url=self.base_url, timeout=timeout, max_retries=max_retries
        )

    def __repr__(self) -> str:
        return f"OpenAIDrafter(model={self.model!r}, base_url={_display_url(self.base_url)!r})"

    # -- errors -------------------------------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        return scrub(text, self._key)

    def translate(self, exc: Exception) -> DraftError:
        """The specific :class:`DraftError` for an SDK exception, with the key scrubbed from every word."""
        where = _display_url(self.base_url)
        tries = (
            f" after {self.max_retries} retr{'y' if self.max_retries == 1 else 'ies'}"
            if self.max_retries
            else ""
        )
        error: DraftError
        if isinstance(exc, openai.APITimeoutError):
            error = DraftTimeoutError(
                f"the model server at {where} did not answer within {self.timeout:g} seconds{tries}",
                hint="try again, raise the timeout, or use a smaller or faster model",
            )
        elif isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            detail = f" ({self._scrub(str(cause))})" if cause is not None and str(cause) else ""
            error = DraftConnectionError(
                f"cannot reach the model server at {where}{detail}",
                hint="is the server running? check OPENAI_BASE_URL (or --base-url)",
            )
        elif isinstance(exc, openai.APIStatusError):
            error = self._status_error(exc, where, tries)
        elif isinstance(exc, openai.OpenAIError):
            error = DraftError(f"the model client failed: {self._scrub(str(exc))}")
        else:
            error = DraftError(f"the model client failed: {type(exc).__name__}: {self._scrub(str(exc))}")
        return error

    def _status_error(self, exc: openai.APIStatusError, where: str, tries: str) -> DraftError:
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
                f"the model server at {where} is rate limiting requests (HTTP 429){tries}{wait}{detail}",
                retry_after=after,
                hint="wait and run the draft again, or check your plan's rate limits",
            )
        if status >= 500:
            return DraftServerError(
                f"the model server at {where} failed with HTTP {status}{tries}{detail}",
                hint="the problem is on the server's side; try again later",
            )
        return DraftRequestError(
            f"the model server at {where} rejected the request (HTTP {status}){detail}",
            hint="a prompt too long for the model's context is a common cause",
        )

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

    def _create(self, request: dict[str, Any], **options: Any) -> Any:
        """Send the request. ``client`` may be any OpenAI-like object, so whatever it raises is translated."""
        try:
            return self._client.chat.completions.create(**request, **options)
        except Exception as exc:
            raise self.translate(exc) from None

    def _whole(self, request: dict[str, Any], result: DraftResult) -> Iterator[str]:
        completion = self._create(request)
        choice = completion.choices[0] if completion.choices else None
        text = (choice.message.content or "") if choice is not None else ""
        result.finish_reason = getattr(choice, "finish_reason", None)
        if text:
            yield text
        self._finish(result)

    def _streamed(self, request: dict[str, Any], result: DraftResult) -> Iterator[str]:
        response = self._create(request, stream=True)
        produced = False
        try:
            for chunk in response:
                for choice in chunk.choices or ():
                    content = choice.delta.content if choice.delta is not None else None
                    if content:
                        produced = True
                        yield content
                    if choice.finish_reason:
                        result.finish_reason = choice.finish_reason
        except Exception as exc:
            cause = self.translate(exc).message
            if not produced:
                raise DraftInterruptedError(
                    f"the model's stream stopped before any text arrived ({cause})",
                    hint="run the draft again",
                ) from None
            result.error = DraftInterruptedError(
                f"the model's stream stopped midway ({cause}); the {len(result.text):,} characters "
                "received so far are kept but the draft is incomplete",
                hint="run the draft again",
            )
            return
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()
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
