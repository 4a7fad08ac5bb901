"""Every exception the package raises on purpose: one root, subclasses that say where and what to do.

Every error a user can cause carries the file, line or column and a hint, so the CLI and the workspace
can show one clear line instead of a traceback. The tree::

    PostmortemError
    ├── InputError                   an input cannot be read as a timeline
    │   ├── EmptyInputError          ... it holds nothing
    │   ├── BinaryInputError         ... it is not text
    │   ├── UnknownFormatError       ... no importer recognised it
    │   ├── MissingColumnError       ... a table lacks a column it needs
    │   ├── TimestampError           ... its times cannot be read or make no sense
    │   │   └── NaiveTimeError       ... they have no zone and none was given
    │   ├── NotAFileError            ... it is a FIFO, a device or a socket, not a file
    │   └── LimitError               ... it is bigger (deeper, longer) than a limit allows
    ├── LimitSettingError            an import limit set to something that is not a size or a number
    ├── TimeZoneError                an unknown time-zone name
    ├── MilestoneError               a milestone override that cannot be applied
    ├── IncidentError                an incident file that cannot be read
    ├── RosterError                  a roster of names that cannot be read
    ├── JargonError                  a jargon list that cannot be read
    ├── InstructionListError         a list of instruction-like patterns that cannot be read
    ├── PreventionListError          a list of vague and concrete prevention phrases that cannot be read
    ├── WordListError                a list of words the sentence rules read that cannot be read
    ├── IgnoreError                  a review finding to ignore that is written wrong or has no reason
    ├── UnreadableDraftError         a draft file the reviewer cannot read as text
    ├── DraftError                   a draft could not be generated (never holds the API key)
    │   ├── DraftConfigError         ... a setting is missing
    │   ├── DraftAuthError           ... the server refused the key (401, 403)
    │   ├── DraftModelNotFoundError  ... the server has no such model (404)
    │   ├── DraftRateLimitError      ... rate limited (429)
    │   ├── DraftServerError         ... the server failed (5xx)
    │   ├── DraftRequestError        ... the request was rejected (another 4xx)
    │   ├── DraftConnectionError     ... the server cannot be reached
    │   ├── DraftTimeoutError        ... no answer in time
    │   │   └── DraftDeadlineError   ... the whole draft took longer than its deadline
    │   └── DraftInterruptedError    ... the stream stopped midway
    ├── ExportError                  a report could not be exported
    │   ├── UnknownExportFormatError ... a format we do not write
    │   ├── ReviewBlockedError       ... the draft has review errors
    │   └── ReportTooLargeError      ... the report is past a limit of its format (say, a PDF's)
    ├── DraftStoreError              the drafts folder cannot be read or written as asked
    │   ├── DraftVersionNotFoundError ... no version with that number
    │   ├── DraftPermissionError     ... the file system refuses to let us read or write there
    │   └── DraftConflictError       ... someone saved since; both texts are kept
    └── CollabError                  the shared document of a file could not be joined
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol


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

    def __init__(self, message: str, *, tried: list[str], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.tried = tried


class MissingColumnError(InputError):
    """A table lacks a column the importer needs."""

    def __init__(self, message: str, *, columns: list[str], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.columns = columns


class TimestampError(InputError):
    """Timestamps that cannot be parsed or make no sense."""

    def __init__(self, message: str, *, rows: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.rows = rows or []


class NaiveTimeError(TimestampError):
    """Naive timestamps and no time zone to read them in."""


class NotAFileError(InputError):
    """The input is a FIFO, a device or a socket: reading it could block for ever or never end."""


class LimitError(InputError):
    """The input goes past one of the import limits (bytes, zip expansion, JSON depth, files, line length).

    ``limit`` names the limit (``max_member_bytes``), ``value`` is its setting and ``found`` what the input
    has (when it is known), so a front-end can offer to raise it.
    """

    def __init__(
        self, message: str, *, limit: str, value: float, found: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.limit = limit
        self.value = value
        self.found = found


class LimitSettingError(PostmortemError):
    """An import limit (``POSTMORTEM_MAX_*``, ``--max-*``) set to something that is not a positive size or
    number."""


class TimeZoneError(PostmortemError):
    """An unknown IANA time-zone name."""


class MilestoneError(PostmortemError):
    """A milestone override that cannot be applied."""


class IncidentError(PostmortemError):
    """An incident file that cannot be read: bad YAML, an unknown key or a value of the wrong type."""

    def __init__(self, message: str, *, key: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.key = key

    def where(self) -> str:
        where = super().where()
        if self.key is not None:
            where = f"{where} (key {self.key!r})" if where else f"key {self.key!r}"
        return where


class RosterError(PostmortemError):
    """The roster file cannot be read."""


class JargonError(PostmortemError):
    """A jargon list line is not ``term<TAB>plainer words``."""


class InstructionListError(PostmortemError):
    """A line of an instruction-pattern list is not ``pattern<TAB>what it is``, or not a valid pattern."""


class PreventionListError(PostmortemError):
    """A list of vague and concrete prevention phrases that cannot be read."""


class WordListError(PostmortemError):
    """A line of the sentence rules' word list is not ``role<TAB>words`` with a known role."""


class IgnoreError(PostmortemError):
    """A review finding to ignore that is written wrong (``RULE[:LINE]``) or comes without a reason."""


class UnreadableDraftError(PostmortemError):
    """A draft file the reviewer cannot read: missing, a folder, binary, not UTF-8 or empty."""


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

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class DraftServerError(DraftError):
    """The model server failed (HTTP 5xx), even after the retries."""


class DraftRequestError(DraftError):
    """The model server rejected the request (another HTTP 4xx, e.g. a prompt too long for the model)."""


class DraftConnectionError(DraftError):
    """The model server could not be reached (connection refused, DNS, TLS)."""


class DraftTimeoutError(DraftError):
    """The model server did not answer within the timeout."""


class DraftDeadlineError(DraftTimeoutError):
    """The whole draft (every attempt, every wait and the stream) took longer than its overall deadline."""


class DraftInterruptedError(DraftError):
    """The model's stream stopped midway; the text received so far is kept and marked incomplete."""


class ExportError(PostmortemError):
    """A report could not be exported."""


class UnknownExportFormatError(ExportError):
    """Asked for a format we do not write."""


class Described(Protocol):
    """A review finding, as far as an error message needs it."""

    def describe(self) -> str: ...


class ReviewBlockedError(ExportError):
    """The draft has review errors; publishing it needs ``force=True`` (``--force``)."""

    def __init__(self, errors: Sequence[Described], *, file: str | None = None) -> None:
        super().__init__(
            f"the draft has {len(errors)} review error(s), so it was not exported",
            file=file,
            hint="fix them, or pass --force (force=True) to export it anyway",
        )
        self.errors = list(errors)

    def __str__(self) -> str:
        return super().__str__() + "".join(f"\n  {f.describe()}" for f in self.errors)


class ReportTooLargeError(ExportError):
    """The report is past a limit of its format: laying it out would take minutes, or it cannot be read."""

    def __init__(self, message: str, *, limit: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.limit = limit


class DraftStoreError(PostmortemError):
    """The drafts folder cannot be read or written as asked."""


class DraftVersionNotFoundError(DraftStoreError):
    """No draft version with that number."""


class DraftPermissionError(DraftStoreError):
    """The file system refuses to let us read or write in the drafts folder (permissions, read-only)."""


class SavedVersion(Protocol):
    """A saved draft version, as far as a conflict needs it."""

    @property
    def number(self) -> int: ...

    def read_text(self) -> str: ...


class DraftConflictError(DraftStoreError):
    """Someone saved a newer version since the text was loaded; both texts are kept."""

    def __init__(
        self,
        message: str,
        *,
        mine: str,
        theirs: SavedVersion,
        kept_at: Path,
        base: int | None,
        diff: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.mine = mine
        self.theirs = theirs
        self.kept_at = kept_at
        self.base = base
        self._diff = diff

    @property
    def theirs_text(self) -> str:
        return self.theirs.read_text()

    def diff(self) -> str:
        """Unified diff from their latest version to your text."""
        return self._diff


class CollabError(PostmortemError):
    """The shared (real-time collaboration) document of a file could not be joined or was lost.

    The workspace then edits the file itself, through the store's hash-checked write that merges.
    """
