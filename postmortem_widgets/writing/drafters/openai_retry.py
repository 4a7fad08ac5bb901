"""When the OpenAI-compatible drafter tries a request again, and the deadline that bounds a whole draft.

The drafter retries by itself (the SDK's client runs with ``max_retries=0``) so that it knows how many
attempts it made: 408, 409, 429, 5xx and dropped connections are retried with a backoff of 0.5 s, 1 s,
2 s ... (at most 8 s), or after the server's ``Retry-After``, never past the deadline. A timeout is not
retried: the request may still be running on a server that is already too slow.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable

import openai

#: The wait before the first retry when the server names none; it doubles each time, up to BACKOFF_MAX.
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 8.0
#: Statuses worth another attempt (besides 5xx): request timeout, lock conflict, rate limit.
RETRY_STATUSES = frozenset({408, 409, 429})

__all__ = [
    "BACKOFF_FIRST",
    "BACKOFF_MAX",
    "RETRY_STATUSES",
    "Deadline",
    "retry_after",
    "retry_wait",
    "retryable",
]


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


def retry_after(exc: openai.APIStatusError) -> float | None:
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


def retryable(exc: Exception) -> bool:
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
    return exc.status_code in RETRY_STATUSES or exc.status_code >= 500


def retry_wait(
    exc: Exception, attempts: int, *, max_retries: int, deadline: Deadline
) -> tuple[float | None, str]:
    """How long to wait before the next attempt (``None``: no next attempt), and, when a retryable
    failure is not retried, why (the words the error message ends with)."""
    if not retryable(exc):
        return None, ""
    if attempts > max_retries:
        return None, "" if max_retries else "; not retried (max_retries is 0)"
    after = retry_after(exc) if isinstance(exc, openai.APIStatusError) else None
    wait = after if after else min(BACKOFF_FIRST * 2.0 ** (attempts - 1), BACKOFF_MAX)
    if wait < deadline.remaining():
        return wait, ""
    again = " again" if attempts > 1 else ""
    if after:
        return None, f", past the {deadline.seconds:g}-second deadline, so it was not retried{again}"
    return None, f"; the {deadline.seconds:g}-second deadline left no time to retry{again}"
