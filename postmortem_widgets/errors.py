"""One exception root, with specific subclasses that say where and what to do.

Every error a user can cause carries the file, line or column and a hint, so the CLI and the
workspace can show one clear line instead of a traceback.
"""

from __future__ import annotations


class PostmortemError(Exception):
    """Root of every error this package raises on purpose.

    >>> str(PostmortemError("no time column", file="log.csv", hint="pass --format"))
    'log.csv: no time column. Hint: pass --format'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint

    def where(self) -> str:
        """The location prefix, e.g. ``log.csv:12 (column 'ts')``."""
        where = self.file or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        if self.column is not None:
            where = f"{where} (column {self.column!r})" if where else f"column {self.column!r}"
        return where

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text = f"{text.rstrip('.')}. Hint: {self.hint}"
        return text


class InputError(PostmortemError):
    """An input file could not be read as a timeline."""


class EmptyInputError(InputError):
    """The input holds no data at all."""


class BinaryInputError(InputError):
    """The input is not text (an image, an archive we cannot open, ...)."""


class UnknownFormatError(InputError):
    """No importer recognised the input."""

    def __init__(self, message: str, *, tried: list[str], **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.tried = tried


class MissingColumnError(InputError):
    """A table lacks a column the importer needs."""

    def __init__(self, message: str, *, columns: list[str], **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.columns = columns


class TimestampError(InputError):
    """Timestamps that cannot be parsed or make no sense."""

    def __init__(self, message: str, *, rows: list[int] | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.rows = rows or []


class NaiveTimeError(TimestampError):
    """Naive timestamps and no time zone to read them in."""


class TimeZoneError(PostmortemError):
    """An unknown IANA time-zone name."""


class MilestoneError(PostmortemError):
    """A milestone override that cannot be applied."""


class IncidentError(PostmortemError):
    """An incident file that cannot be read: bad YAML, an unknown key or a value of the wrong type."""

    def __init__(self, message: str, *, key: str | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.key = key

    def where(self) -> str:
        where = super().where()
        if self.key is not None:
            where = f"{where} (key {self.key!r})" if where else f"key {self.key!r}"
        return where


class DraftError(PostmortemError):
    """A draft could not be generated. Messages never contain the API key."""


class DraftConfigError(DraftError):
    """The drafter is missing a setting (a model name, an API key)."""


class DraftAuthError(DraftError):
    """The model server refused the API key (HTTP 401 or 403)."""


class DraftModelNotFoundError(DraftError):
    """The model server does not know the model (HTTP 404)."""


class DraftRateLimitError(DraftError):
    """The model server is rate limiting us (HTTP 429), even after the retries."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class DraftServerError(DraftError):
    """The model server failed (HTTP 5xx), even after the retries."""


class DraftRequestError(DraftError):
    """The model server rejected the request (another HTTP 4xx, e.g. a prompt too long for the model)."""


class DraftConnectionError(DraftError):
    """The model server could not be reached (connection refused, DNS, TLS)."""


class DraftTimeoutError(DraftError):
    """The model server did not answer within the timeout."""


class DraftInterruptedError(DraftError):
    """The model's stream stopped midway; the text received so far is kept and marked incomplete."""
