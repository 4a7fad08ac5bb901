"""Severity as each tool writes it, to one scale: debug, info, warning, error, fatal.

Logs spell levels every way (``ERROR``, ``err``, ``E``, ``warn``, ``CRITICAL``, ``panic``), pino and bunyan
write numbers (30 info, 40 warn, 50 error, 60 fatal), journald writes syslog priorities (``"3"`` is err),
and an access log has only its HTTP status (5xx is an error, 4xx a warning). Each becomes an ``int8`` code
of :data:`~.model.SEVERITIES`, ``UNKNOWN`` (-1) when a value says nothing; all vectorised.

>>> from_text(pa.array(["ERROR", "warn", "Info", "critical", "", None])).tolist()
[3, 2, 1, 4, -1, -1]
>>> from_pino(np.array([30, 40, 50, 60, 10])).tolist(), from_syslog(pa.array(["3", "6", "0"])).tolist()
([1, 2, 3, 4, 0], [3, 1, 4])
>>> from_http_status(np.array([200, 404, 503, 0])).tolist()
[1, 2, 3, -1]
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .model import DEBUG, ERROR, FATAL, INFO, UNKNOWN, WARNING

#: Lower-cased level names and the code each means.
NAMES: dict[str, int] = {
    **dict.fromkeys(("trace", "debug", "dbg", "d", "t", "verbose", "v", "fine", "finer", "finest"), DEBUG),
    **dict.fromkeys(("info", "information", "informational", "i", "notice", "ok", "success", "n"), INFO),
    **dict.fromkeys(("warn", "warning", "w", "wrn"), WARNING),
    **dict.fromkeys(("error", "err", "e", "eror", "severe", "failure", "failed"), ERROR),
    **dict.fromkeys(("fatal", "critical", "crit", "c", "f", "alert", "emerg", "emergency", "panic"), FATAL),
}
_NAME_KEYS = pa.array(list(NAMES), type=pa.large_string())
_NAME_CODES = np.array(list(NAMES.values()), dtype=np.int8)
#: syslog priorities 0-7 (journald's ``PRIORITY``): emerg, alert, crit, err, warning, notice, info, debug.
SYSLOG: tuple[int, ...] = (FATAL, FATAL, FATAL, ERROR, WARNING, INFO, INFO, DEBUG)


def from_text(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Codes for level names (any case, surrounding spaces and brackets ignored, e.g. ``[ERROR]``)."""
    text = values.cast(pa.large_string()) if not pa.types.is_large_string(values.type) else values
    key = pc.utf8_lower(pc.utf8_trim(text, characters=" \t[]<>:"))
    found = pc.index_in(key, value_set=_NAME_KEYS)
    positions = np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    codes = np.full(len(positions), UNKNOWN, dtype=np.int8)
    hit = positions >= 0
    codes[hit] = _NAME_CODES[positions[hit]]
    return codes


def from_pino(values: np.ndarray) -> np.ndarray:
    """Codes for pino / bunyan numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal."""
    numbers = np.asarray(values, dtype=np.float64)
    codes = np.full(len(numbers), UNKNOWN, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        codes[numbers < 30] = DEBUG
        codes[(numbers >= 30) & (numbers < 40)] = INFO
        codes[(numbers >= 40) & (numbers < 50)] = WARNING
        codes[(numbers >= 50) & (numbers < 60)] = ERROR
        codes[numbers >= 60] = FATAL
    codes[np.isnan(numbers)] = UNKNOWN
    return codes


def from_syslog(values: pa.Array | pa.ChunkedArray | np.ndarray) -> np.ndarray:
    """Codes for syslog priorities ``0``-``7`` (numbers or digit strings); anything else is unknown."""
    if isinstance(values, np.ndarray):
        numbers = values.astype(np.float64)
    else:
        numbers = np.asarray(
            pc.cast(values, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
            if pa.types.is_integer(values.type) or pa.types.is_floating(values.type)
            else _digits(values),
            dtype=np.float64,
        )
    codes = np.full(len(numbers), UNKNOWN, dtype=np.int8)
    valid = ~np.isnan(numbers) & (numbers >= 0) & (numbers <= 7)
    codes[valid] = np.asarray(SYSLOG, dtype=np.int8)[numbers[valid].astype(np.int64)]
    return codes


def _digits(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    text = pc.utf8_trim_whitespace(values.cast(pa.large_string()))
    digit = pc.match_substring_regex(text, r"^\d+$")
    numbers = pc.if_else(digit, text, pa.scalar(None, pa.large_string()))
    return np.asarray(pc.cast(numbers, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def from_http_status(values: np.ndarray) -> np.ndarray:
    """Codes for HTTP status codes: 5xx error, 4xx warning, 1xx-3xx info, 0 or missing unknown."""
    status = np.asarray(values, dtype=np.int64)
    codes = np.full(len(status), UNKNOWN, dtype=np.int8)
    codes[(status >= 100) & (status < 400)] = INFO
    codes[(status >= 400) & (status < 500)] = WARNING
    codes[status >= 500] = ERROR
    return codes


__all__ = ["NAMES", "SYSLOG", "from_http_status", "from_pino", "from_syslog", "from_text"]
