"""Timestamps from any export into tz-aware UTC, never guessing a zone.

Rules:

* ISO 8601 with an offset (``Z``, ``+02:00``, ``-0500``) is exact.
* Naive times need a zone (``tz``); without one :class:`NaiveTimeError` names the file and column.
* Numbers are epoch times. The unit (s, ms, us, ns) is read from each value's magnitude, and the result must
  fall between 1990 and 2100; values outside are dropped with a warning that lists their rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
import pandas as pd

from ..errors import InputError, NaiveTimeError, TimestampError, TimeZoneError

#: Plausible bounds for an incident: anything outside is a broken or misread value.
MIN_TIME = pd.Timestamp("1990-01-01", tz="UTC")
MAX_TIME = pd.Timestamp("2100-01-01", tz="UTC")

#: Short names people write for the zones they live in.
ZONE_ALIASES: dict[str, str] = {
    "ET": "America/New_York",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CT": "America/Chicago",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "MT": "America/Denver",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PT": "America/Los_Angeles",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "UTC": "UTC",
    "GMT": "UTC",
    "Z": "UTC",
}
#: The generic abbreviation customers know, instead of the DST-specific one.
ZONE_LABELS: dict[str, str] = {
    "America/New_York": "ET",
    "America/Chicago": "CT",
    "America/Denver": "MT",
    "America/Los_Angeles": "PT",
    "UTC": "UTC",
    "Etc/UTC": "UTC",
}

# Epoch magnitude bands: a value below the bound is in that unit.
_EPOCH_UNITS: tuple[tuple[float, str], ...] = ((1e11, "s"), (1e14, "ms"), (1e17, "us"), (float("inf"), "ns"))
_UNIT_FACTORS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}
_OFFSET_RE = r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?|\s(?:UTC|GMT))\s*$"
_DECIMAL_RE = r"[+-]?\d{1,19}(?:\.\d*)?"


def resolve_zone(name: str) -> ZoneInfo:
    """An IANA zone from a name or a common alias (``ET``, ``PT``, ``UTC``).

    >>> resolve_zone("ET").key
    'America/New_York'
    """
    key = ZONE_ALIASES.get(name.strip().upper(), name.strip())
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        close = sorted(z for z in available_timezones() if name.strip().lower() in z.lower())[:5]
        hint = f"did you mean {', '.join(close)}?" if close else "use an IANA name such as Europe/Berlin"
        raise TimeZoneError(f"unknown time zone {name!r}", hint=hint) from None


def zone_label(zone: ZoneInfo | str, at: pd.Timestamp | None = None) -> str:
    """The short label customers read after a time: ``ET``, ``UTC``, ``CET``."""
    key = zone if isinstance(zone, str) else zone.key
    if key in ZONE_LABELS:
        return ZONE_LABELS[key]
    when = at if at is not None else pd.Timestamp.now(tz="UTC")
    name = when.tz_convert(key).tzname() or key
    return name if name[0].isalpha() else f"UTC{name}"


@dataclass
class ParsedTimes:
    """Parsed times (UTC; ``NaT`` where dropped) and what to tell the user about them."""

    times: pd.Series
    warnings: list[str] = field(default_factory=list)
    #: Positions (0-based) of values dropped as out of range.
    dropped: list[int] = field(default_factory=list)


def _row_numbers(
    positions: np.ndarray, first_row: int, labels: np.ndarray | None, limit: int = 50
) -> list[int]:
    """The file rows of the first ``limit`` positions: their ``labels``, or counted from ``first_row``."""
    return [int(labels[p]) if labels is not None else int(p) + first_row for p in positions[:limit]]


def _rows(positions: np.ndarray, first_row: int, limit: int = 8, labels: np.ndarray | None = None) -> str:
    rows = _row_numbers(positions, first_row, labels, limit)
    more = len(positions) - limit
    return ", ".join(map(str, rows)) + (f" and {more} more" if more > 0 else "")


def epoch_to_utc(values: np.ndarray, fraction: np.ndarray | None = None) -> tuple[pd.Series, list[str]]:
    """Epoch numbers to UTC, each value's unit read from its magnitude.

    Integers (and floats holding whole numbers) are converted exactly, so nanosecond epochs keep every
    digit; ``fraction`` is an optional sub-unit part (``0 <= fraction < 1``) read separately from text.
    """
    raw = np.asarray(values)
    numbers = raw.astype("float64")
    magnitude = np.abs(numbers)
    factor = np.ones(len(numbers), dtype="int64")
    lower = 0.0
    found: list[str] = []
    for bound, unit in _EPOCH_UNITS:
        band = (magnitude >= lower) & (magnitude < bound)
        if band.any():
            found.append(unit)
            factor[band] = _UNIT_FACTORS[unit]
        lower = bound
    with np.errstate(invalid="ignore", over="ignore"):
        valid = np.isfinite(numbers) & (magnitude * factor < 9.2e18)
        if raw.dtype.kind in "iu":
            whole = np.where(valid, raw, 0).astype("int64")
        else:
            whole = np.where(valid & (magnitude < 2.0**53), np.trunc(numbers), 0).astype("int64")
            part = np.where(valid, numbers - whole, 0.0)
            fraction = part if fraction is None else fraction + part
        nanos = whole * np.where(valid, factor, 0)
        if fraction is not None:
            nanos = nanos + np.round(np.where(valid, fraction, 0.0) * factor).astype("int64")
    times = pd.Series(pd.to_datetime(nanos, unit="ns", utc=True)).where(valid)
    warnings = []
    if len(found) > 1:
        warnings.append(f"mixed epoch units ({', '.join(found)}); each value was converted by its magnitude")
    return times, warnings


def parse_times(
    values: pd.Series,
    *,
    tz: str | None,
    file: str,
    column: str,
    first_row: int = 1,
    rows: np.ndarray | None = None,
) -> ParsedTimes:
    """Parse a column of timestamps (strings or numbers) into UTC.

    ``first_row`` is the file row of ``values[0]``, so errors name real rows; ``rows`` gives each
    value's row instead when they are not consecutive (a table with blank or skipped lines).
    Raises :class:`TimestampError` for unparseable values and :class:`NaiveTimeError`
    for naive times without ``tz``.
    """
    series = pd.Series(values).reset_index(drop=True)
    labels = None if rows is None else np.asarray(rows)
    warnings: list[str] = []
    far = np.zeros(len(series), dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        missing = np.isnat(series.to_numpy(dtype=f"datetime64[{series.dt.unit}]"))
        if getattr(series.dt, "tz", None) is None:
            series = _localize(series, tz, file=file, column=column)
        times = series.dt.tz_convert("UTC")
        if missing.any():
            warnings.append(f"{int(missing.sum())} empty time value(s) in column {column!r} skipped")
    elif pd.api.types.is_numeric_dtype(series.dtype):
        missing = series.isna().to_numpy()
        exact = pd.api.types.is_integer_dtype(series.dtype) and not missing.any()
        times, warnings = epoch_to_utc(
            series.to_numpy() if exact else series.to_numpy("float64", na_value=np.nan)
        )
        if missing.any():
            warnings.append(f"{int(missing.sum())} empty time value(s) in column {column!r} skipped")
    else:
        times, warnings, far = _parse_strings(
            series, tz=tz, file=file, column=column, first_row=first_row, labels=labels
        )
    outside = _outside(times) | far
    outside_positions = np.flatnonzero(outside)
    if len(outside_positions):
        times = times.where(~outside)
    if times.dtype != "datetime64[ns, UTC]":
        times = times.astype("datetime64[ns, UTC]")
    if len(outside_positions):
        if len(outside_positions) == len(times):
            compact = _compact_dates(series)
            raise TimestampError(
                f"every timestamp is outside 1990-2100 (first: {_shown(series.iloc[0])})"
                + ("; the values look like yymmdd dates, not epoch times" if compact else ""),
                file=file,
                column=column,
                rows=_row_numbers(outside_positions, first_row, labels),
                hint="name the column 'date' next to a 'time' column (hhmmss or hh:mm:ss) to read them as "
                "dates, or export ISO 8601 times"
                if compact
                else "check the time column and its unit",
            )
        sample = series.iloc[outside_positions[0]]
        warnings.append(
            f"{len(outside_positions)} timestamp(s) in column {column!r} outside 1990-2100 were left out "
            f"(rows {_rows(outside_positions, first_row, labels=labels)}; first value {_shown(sample)})"
        )
    return ParsedTimes(times=times, warnings=warnings, dropped=[int(p) for p in outside_positions])


def _compact_dates(values: pd.Series) -> bool:
    """Whether numbers read as epochs are really ``yymmdd`` or ``yyyymmdd`` dates (``81109``: 2008-11-09)."""
    text = values.dropna().astype(str).str.strip().str.removesuffix(".0")
    if not len(text) or not text.str.fullmatch(r"\d{5,6}|\d{8}").all():
        return False
    digits = text.where(text.str.len() == 8, text.str.zfill(6).radd("20")).str[-4:]
    month, day = digits.str[:2].astype(int), digits.str[2:].astype(int)
    return bool(month.between(1, 12).all() and day.between(1, 31).all())


def _outside(times: pd.Series) -> np.ndarray:
    """Which times lie outside 1990-2100 (``NaT`` does not), compared as integers in their own unit."""
    if not isinstance(times.dtype, pd.DatetimeTZDtype):
        return ((times < MIN_TIME) | (times > MAX_TIME)).to_numpy(dtype=bool, na_value=False)
    unit = times.dt.unit
    values = times.to_numpy(dtype=f"datetime64[{unit}]").view("int64")
    low, high = (np.datetime64(t.tz_convert(None), unit).astype("int64") for t in (MIN_TIME, MAX_TIME))
    return np.asarray(((values < low) | (values > high)) & (values != np.iinfo(np.int64).min))  # min: NaT


def _shown(value: object) -> str:
    """A value for a message: strings quoted, numbers and times plain (never ``np.int64(0)``)."""
    return repr(value) if isinstance(value, str) else str(value)


def _localize(series: pd.Series, tz: str | None, *, file: str, column: str) -> pd.Series:
    if not tz:
        raise NaiveTimeError(
            "timestamps have no time zone",
            file=file,
            column=column,
            hint="pass --tz ZONE (an IANA name such as America/New_York) to say which zone they are in",
        )
    zone = resolve_zone(tz)
    localized: pd.Series = series.dt.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward")
    return localized


def _parse_strings(
    series: pd.Series, *, tz: str | None, file: str, column: str, first_row: int, labels: np.ndarray | None
) -> tuple[pd.Series, list[str], np.ndarray]:
    """Text times to UTC, with a mask of those that parsed but lie outside 1990-2100."""
    text = series.astype("str").str.strip()
    blank = series.isna().to_numpy() | (text == "").to_numpy()
    warnings: list[str] = []
    far = np.zeros(len(series), dtype=bool)
    decimal = text.str.fullmatch(_DECIMAL_RE).to_numpy(dtype=bool, na_value=False)
    numeric = None
    if not (decimal | blank).all():
        numeric = pd.to_numeric(text.where(~pd.Series(blank)), errors="coerce")
    if (decimal | blank).all() and decimal.any():
        times, warnings = _decimal_epochs(text, blank)
    elif numeric is not None and numeric.notna().sum() == (~blank).sum() and (~blank).any():
        times, warnings = epoch_to_utc(numeric.to_numpy(dtype="float64", na_value=np.nan))
    else:
        aware = text.str.contains(_OFFSET_RE, regex=True).to_numpy() & ~blank
        times = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns, UTC]")
        if aware.any():
            times[aware], far[aware] = _fit(_to_datetime(text[aware], utc=True))
        naive = ~aware & ~blank
        if naive.any():
            parsed = _to_datetime(text[naive], utc=False)
            bad_naive = parsed.isna().to_numpy()
            if (~bad_naive).any():
                if getattr(parsed.dt, "tz", None) is None:
                    parsed = _localize(parsed, tz, file=file, column=column)
                times[naive], far[naive] = _fit(parsed.dt.tz_convert("UTC"))
    bad = times.isna().to_numpy() & ~blank & ~far
    if bad.any():
        positions = np.flatnonzero(bad)
        raise TimestampError(
            f"{len(positions)} timestamp(s) could not be read, "
            f"rows {_rows(positions, first_row, labels=labels)} "
            f"(first: {series.iloc[positions[0]]!r})",
            file=file,
            column=column,
            rows=_row_numbers(positions, first_row, labels),
            hint="use ISO 8601 (2024-04-15T09:14:00-04:00) or epoch numbers, or fix those rows",
        )
    if blank.any():
        warnings.append(f"{int(blank.sum())} empty time value(s) in column {column!r} skipped")
    return times, warnings, far


def _fit(times: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Times in nanoseconds, and which were outside 1990-2100 (left empty: a year 3000 has no ns value)."""
    far = ((times < MIN_TIME) | (times > MAX_TIME)).to_numpy(dtype=bool, na_value=False)
    return times.where(~far).astype("datetime64[ns, UTC]"), far


def _decimal_epochs(text: pd.Series, blank: np.ndarray) -> tuple[pd.Series, list[str]]:
    """Decimal epoch text ("1713186840.000200"): whole and fraction read apart, so no digit is lost."""
    parts = text.where(~pd.Series(blank), "0").str.partition(".")
    try:
        whole = parts[0].astype("int64").to_numpy()
    except (ValueError, OverflowError):
        return epoch_to_utc(pd.to_numeric(text.where(~pd.Series(blank)), errors="coerce").to_numpy("float64"))
    digits = parts[2].str.slice(0, 9)
    fraction = pd.to_numeric(("0." + digits).where(digits != "", "0")).to_numpy("float64")
    fraction = np.where(parts[0].str.startswith("-").to_numpy(dtype=bool), -fraction, fraction)
    times, warnings = epoch_to_utc(whole, fraction)
    return times.where(~blank), warnings


def _to_datetime(text: pd.Series, *, utc: bool) -> pd.Series:
    try:
        return pd.to_datetime(text, utc=utc, format="ISO8601", errors="raise")
    except (ValueError, TypeError):
        pass
    try:
        return pd.to_datetime(text, utc=utc, format="mixed", errors="coerce")
    except (ValueError, TypeError):
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]" if utc else "datetime64[ns]")


def parse_date(text: str) -> Date:
    """The incident's date from ISO or written forms ("April 15, 2024")."""
    try:
        return pd.Timestamp(text.strip()).date()
    except (ValueError, TypeError):
        raise InputError(
            f"cannot read {text!r} as a date", hint="use YYYY-MM-DD, e.g. --date 2024-04-15"
        ) from None
