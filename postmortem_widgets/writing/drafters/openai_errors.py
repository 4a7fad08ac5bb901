"""What went wrong with an OpenAI-compatible server, as one specific :class:`DraftError`.

Every message names the server (without credentials), how many attempts were made and why a failure was
not retried; the API key and anything shaped like a secret are scrubbed from every word the server or the
SDK said, so no file, version or screen ever holds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import openai

from ...errors import (
    DraftAuthError,
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
from .base import DraftResult
from .openai_retry import retry_after
from .scrubbing import scrub

__all__ = ["ErrorWords", "display_url", "retries", "server_message"]

_KEPT = "the {n:,} characters received so far are kept but the draft is incomplete"


def display_url(url: str) -> str:
    """A base URL without credentials, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def server_message(exc: openai.APIError) -> str:
    """The message in an OpenAI-style error body (``{"error": {"message": ...}}``), or ""."""
    body = exc.body
    if isinstance(body, Mapping):
        error = body.get("error", body)
        if isinstance(error, Mapping) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return ""


def retries(attempts: int) -> str:
    """`` after 2 retries`` for three attempts; "" for one."""
    retried = attempts - 1
    return f" after {retried} retr{'y' if retried == 1 else 'ies'}" if retried else ""


@dataclass(frozen=True)
class ErrorWords:
    """The errors of one drafter's requests: its server, model, key (to scrub), timeout and deadline."""

    base_url: str
    model: str
    key: str
    timeout: float
    deadline: float

    def scrub(self, text: str) -> str:
        return scrub(text, self.key)

    def translate(
        self, exc: Exception, *, attempts: int = 1, why_not: str = "", timeout: float | None = None
    ) -> DraftError:
        """The specific :class:`DraftError` for an SDK exception (see ``OpenAIDrafter.translate``)."""
        where = display_url(self.base_url)
        tries = retries(attempts)
        if isinstance(exc, openai.APITimeoutError):
            return DraftTimeoutError(
                f"the model server at {where} did not answer within {timeout or self.timeout:g} seconds"
                f"{tries} (a timeout is not retried: the request may still be running on the server)",
                hint="try again, raise the timeout (--timeout), or use a smaller or faster model",
            )
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            detail = f" ({self.scrub(str(cause))})" if cause is not None and str(cause) else ""
            return DraftConnectionError(
                f"cannot reach the model server at {where}{detail}{tries}{why_not}",
                hint="is the server running? check OPENAI_BASE_URL (or --base-url)",
            )
        if isinstance(exc, openai.APIStatusError):
            return self._status_error(exc, where, tries, why_not)
        if isinstance(exc, openai.OpenAIError):
            return DraftError(f"the model client failed: {self.scrub(str(exc))}")
        return DraftError(f"the model client failed: {type(exc).__name__}: {self.scrub(str(exc))}")

    def _status_error(self, exc: openai.APIStatusError, where: str, tries: str, why_not: str) -> DraftError:
        status = exc.status_code
        said = self.scrub(server_message(exc))[:300]
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
            return self._rate_limited(exc, where, tries, why_not, detail)
        if status >= 500:
            return DraftServerError(
                f"the model server at {where} failed with HTTP {status}{tries}{why_not}{detail}",
                hint="the problem is on the server's side; try again later",
            )
        return DraftRequestError(
            f"the model server at {where} rejected the request (HTTP {status}){tries}{why_not}{detail}",
            hint="a prompt too long for the model's context is a common cause",
        )

    @staticmethod
    def _rate_limited(
        exc: openai.APIStatusError, where: str, tries: str, why_not: str, detail: str
    ) -> DraftRateLimitError:
        after = retry_after(exc)
        wait = f"; it asked us to retry after {after:g} seconds (Retry-After)" if after is not None else ""
        return DraftRateLimitError(
            f"the model server at {where} is rate limiting requests (HTTP 429){tries}{wait}{why_not}{detail}",
            retry_after=after,
            hint="wait and run the draft again, or check your plan's rate limits",
        )

    def deadline_passed(self, attempts: int) -> DraftDeadlineError:
        """No answer before the deadline, after ``attempts`` requests."""
        return DraftDeadlineError(
            f"the model server at {display_url(self.base_url)} had not answered when the "
            f"{self.deadline:g}-second deadline passed{retries(attempts)}",
            hint="try again later, raise the deadline (--deadline or POSTMORTEM_DEADLINE), or use a faster "
            "model",
        )

    def stopped(self, result: DraftResult, problem: Exception | None, *, late: bool, timeout: float) -> None:
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
        cause = self.stream_cause(problem, timeout)
        if not result.text:
            raise DraftInterruptedError(
                f"the model's stream stopped before any text arrived ({cause}; not retried)",
                hint="run the draft again",
            ) from None
        result.error = DraftInterruptedError(
            f"the model's stream stopped midway ({cause}; not retried); {_KEPT.format(n=len(result.text))}",
            hint="run the draft again",
        )

    def stream_cause(self, exc: Exception, timeout: float) -> str:
        """Why a stream that had begun stopped, in a few words."""
        if isinstance(exc, openai.APITimeoutError):
            return f"it hung: no data for {timeout:g} seconds"
        if isinstance(exc, openai.APIConnectionError):
            return "the connection dropped"
        if isinstance(exc, openai.APIError):
            said = self.scrub(server_message(exc) or str(exc))[:300]
            return f"the server reported an error: {said}"
        return self.translate(exc).message
