"""Keyword classification of free text (hand-written timelines, chat, generic logs).

Vendor importers know their events' meaning from the source (a PagerDuty ``acknowledge_log_entry`` is an
acknowledgement). Free text does not, so it is classified here by documented keyword rules, the first
matching rule winning:

==================  ================================================================================
resolved            resolved, restored, recovered, back to normal, fully operational, all clear
mitigated           rollback / rolled back, revert, failover, restart, scaled up/out, flag disabled,
                    fix deployed / applied, hotfix, mitigated, workaround
identified          root cause identified / found, identified the cause, cause found
acknowledged        acknowledged, engineering / on-call alerted / notified / paged, investigation began,
                    began investigating
customer_report     customer, support ticket, reported by a user
detected            detected, alert fired, alerted, paged, noticed
impact_start        impact began / started, outage began, errors began, degradation started
==================  ================================================================================

Negated phrases ("failure mode not yet detected") are removed before matching. Text that matches no rule
gets the caller's default: ``event`` for a hand-written timeline (the author wrote it for a reason),
``noise`` for chat and machine logs.

The work is vectorised with pyarrow compute: one combined regex, run over runs of rows glued together
and spread over the cores, finds the few candidate rows, and only those are tested rule by rule, so a
million log lines cost one scan.
"""

from __future__ import annotations

import functools
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import events as ev

RULES: tuple[tuple[str, str], ...] = (
    (
        ev.RESOLVED,
        r"\b(?:resolved|resolution confirmed|restored|recovered|recovery complete|back to normal"
        r"|fully operational|all clear|incident (?:closed|over))\b",
    ),
    (
        ev.MITIGATED,
        r"\b(?:roll(?:ed|ing)?[ -]?back|rollback|revert(?:ed|ing)?|fail(?:ed|ing)?[ -]?over"
        r"|restart(?:ed|ing)?|scal(?:ed|ing) (?:up|out)|(?:disabled?|turned off)\b.{0,40}\bflag"
        r"|flag\b.{0,40}\b(?:disabled|turned off)|fix (?:deployed|applied|rolled out|shipped)|hotfix"
        r"|mitigat(?:ed|ion|ing)|workaround)",
    ),
    (
        ev.IDENTIFIED,
        r"\b(?:root cause (?:was |has been )?(?:identified|found|determined|confirmed)"
        r"|identified the (?:root )?cause|cause (?:identified|found)|found the (?:root )?cause)\b",
    ),
    (
        ev.ACKNOWLEDGED,
        r"\b(?:acknowledged|ack'?d|(?:engineering|engineers?|on-?call|sre|team)(?: team| engineer)?"
        r" (?:was |were )?(?:alerted|notified|paged|engaged)|investigation (?:begins|began|started)"
        r"|(?:began|begins|started|starts) investigating)\b",
    ),
    (
        ev.CUSTOMER,
        r"\b(?:customers? (?:reported|report|ticket|complain)|support ticket|customer[- ]submitted"
        r"|first (?:customer|support) (?:ticket|report)|reported by (?:a )?(?:customer|user)s?"
        r"|users? reported|ticket (?:received|opened|filed))",
    ),
    (
        ev.DETECTED,
        r"\b(?:detected|alert(?:ed| fired| triggered)|(?:we were )?paged|noticed"
        r"|monitoring (?:caught|flagged))\b",
    ),
    (
        ev.IMPACT,
        r"\b(?:impact (?:began|begins|started|starts)|outage (?:began|begins|started|starts)"
        r"|errors? (?:began|begin|started|start|spiked)|degradation (?:began|started)|began failing)\b",
    ),
)

_NEGATION = (
    r"\b(?:not|never|no longer|wasn't|weren't|isn't|hasn't|hadn't|without|before)\s+"
    r"(?:yet\s+|been\s+|being\s+)?[a-z'-]+(?:\s+(?:up|out|over|back))?"
)
_ANY = "|".join(f"(?:{pattern})" for _, pattern in RULES)
_RULE_CODES = ev.kind_codes([kind for kind, _ in RULES])


#: The candidate scan without word boundaries, run case-insensitively over runs of rows glued together: it
#: can only match more than :data:`_ANY` does, so rows in runs it rejects cannot match any rule.
_LOOSE = _ANY.replace(r"\b", "")
#: Rows per run in that scan, and the table size from which it runs on every core.
_RUN = 128
_PARALLEL_FROM = 200_000
#: Up to this many messages (ASCII ones) are tested one by one with Python's regexes: each Arrow regex call
#: compiles its pattern, about 0.7 ms, so a file of a few lines would pay for up to nine compiles.
_ONE_BY_ONE_UP_TO = 64
#: The regex is compiled (and its DFA built) once per chunk, about 0.7 ms of CPU each: up to this many
#: chunks per thread of the scan cost less than joining them, a copy of all the text.
_MAX_CHUNKS = 16


def classify_text(messages: pd.Series | list[str], *, default: str = ev.NOISE) -> np.ndarray:
    """Kinds (an object array) for free-text messages, by the keyword rules above.

    >>> list(classify_text(["Cache rollback initiated", "lunch?"], default="noise"))
    ['mitigated', 'noise']
    """
    return np.asarray(np.asarray(ev.KINDS, dtype=object)[classify_codes(messages, default=default)])


def classify_kinds(
    messages: pd.Series | list[str] | pa.Array | pa.ChunkedArray, *, default: str = ev.NOISE
) -> pa.Array:
    """Kinds as a pyarrow string array: :func:`classify_text` without a Python object per row."""
    labels = pa.array(ev.KINDS, type=pa.large_string())
    return pc.take(labels, pa.array(classify_codes(messages, default=default)))


def classify_codes(
    messages: pd.Series | list[str] | pa.Array | pa.ChunkedArray, *, default: str = ev.NOISE
) -> np.ndarray:
    """Kinds as int8 positions in :data:`~postmortem_widgets.timeline.events.KINDS`: no string per row at all.

    :func:`~postmortem_widgets.timeline.events.kinds_from_codes` makes the event table's ``kind`` column
    of them.
    Large tables are scanned in runs of rows glued together (one regex call per run instead of one per
    row, spread over the cores); only the rows of runs that hit are lowered and tested rule by rule.
    """
    array = _as_arrow(messages)
    codes = np.full(len(array), ev.kind_codes(default, 1)[0], dtype=np.int8)
    if len(array) <= _ONE_BY_ONE_UP_TO:
        texts = array.to_pylist()
        if all(isinstance(text, str) and text.isascii() for text in texts):
            _classify_one_by_one(texts, codes)
            return codes
    rows = _candidate_rows(array)
    if len(rows):
        lowered = pc.utf8_lower(_take(array, rows))
        hit = np.flatnonzero(pc.match_substring_regex(lowered, _ANY).to_numpy(zero_copy_only=False))
        subset = pc.replace_substring_regex(pc.take(lowered, pa.array(hit)), _NEGATION, "")
        chosen = codes[rows[hit]]
        unset = np.ones(len(hit), dtype=bool)
        for code, pattern in zip(_RULE_CODES, (pattern for _, pattern in RULES), strict=True):
            match = pc.match_substring_regex(subset, pattern).to_numpy(zero_copy_only=False) & unset
            chosen[match] = code
            unset &= ~match
        codes[rows[hit]] = chosen
    return codes


def candidate_rows(messages: pa.Array | pa.ChunkedArray, pattern: str) -> np.ndarray:
    """Rows (ascending) that may match ``pattern``: a superset found in one scan of runs of rows glued
    together (see :func:`_candidate_rows`); test them with the exact pattern afterwards."""
    return _candidate_rows(_as_arrow(messages), pattern)


@functools.cache
def _python_rules() -> tuple[re.Pattern[str], re.Pattern[str], list[re.Pattern[str]]]:
    """The rules as Python regexes that read ASCII text exactly as RE2 does (ASCII ``\\b``, RE2's ``\\s``)."""

    def compiled(pattern: str) -> re.Pattern[str]:
        return re.compile(pattern.replace(r"\s", r"[\t\n\f\r ]"), re.ASCII)

    return compiled(_ANY), compiled(_NEGATION), [compiled(pattern) for _, pattern in RULES]


def _classify_one_by_one(texts: list[str], codes: np.ndarray) -> None:
    """:func:`classify_codes` for a few ASCII messages, without an Arrow regex call (and its compile)."""
    any_rule, negation, rules = _python_rules()
    for row, text in enumerate(texts):
        lowered = text.lower()
        if not any_rule.search(lowered):
            continue
        stripped = negation.sub("", lowered)
        code = next((c for c, rule in zip(_RULE_CODES, rules, strict=True) if rule.search(stripped)), None)
        if code is not None:
            codes[row] = code


def _as_arrow(messages: pd.Series | list[str] | pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    array = (
        messages
        if isinstance(messages, pa.Array | pa.ChunkedArray)
        else pa.array(pd.Series(messages, dtype="str"))
    )
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = array.cast(pa.large_string())
    if array.null_count:
        array = pc.fill_null(array, "")
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array], type=array.type)


def _take(array: pa.ChunkedArray, rows: np.ndarray) -> pa.Array:
    """``rows`` (ascending) of a chunked array, chunk by chunk: ``pc.take`` would join the chunks first."""
    bounds = np.cumsum([0, *(len(chunk) for chunk in array.chunks)])
    chunk_of = np.searchsorted(bounds, rows, side="right") - 1
    parts = [
        pc.take(array.chunk(i), pa.array(rows[chunk_of == i] - bounds[i]))
        for i in np.unique(chunk_of).tolist()
    ]
    return pa.concat_arrays(parts) if parts else pa.array([], type=array.type)


def _runs(array: pa.Array) -> pa.Array:
    """The rows glued into runs of :data:`_RUN` rows, over the array's own data buffer (no copy)."""
    _, offset_buffer, data = array.buffers()
    offset_type = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(offset_buffer, dtype=offset_type)[array.offset : array.offset + len(array) + 1]
    bounds = np.ascontiguousarray(offsets[::_RUN])
    if len(array) % _RUN:
        bounds = np.append(bounds, offsets[-1])
    return pa.Array.from_buffers(array.type, len(bounds) - 1, [None, pa.py_buffer(bounds), data])


def _scan(runs: pa.ChunkedArray, pattern: str = _LOOSE) -> np.ndarray:
    return np.asarray(
        pc.match_substring_regex(runs, pattern, ignore_case=True).to_numpy(zero_copy_only=False)
    )


def _candidate_rows(array: pa.ChunkedArray, pattern: str = _LOOSE) -> np.ndarray:
    """Rows (ascending) of the runs in which the loose scan finds a keyword.

    Each regex call compiles the pattern once per chunk, so many small chunks are joined first (a copy);
    a few large ones (a few per core) are scanned where they are. ``pattern`` (matched case-insensitively)
    must match nothing across a row boundary that it would not match inside a row: no anchors, and no
    ``\\b`` that a glued neighbour could satisfy wrongly (see :data:`_LOOSE`).
    """
    workers = min(pa.cpu_count(), 8) if len(array) >= _PARALLEL_FROM else 1
    if array.num_chunks > _MAX_CHUNKS * workers:
        if pa.types.is_string(array.type) and array.nbytes >= 2**31 - 2**24:
            array = array.cast(pa.large_string())  # 32-bit offsets cannot span the joined text
        array = pa.chunked_array([array.combine_chunks()])
    runs: list[pa.Array] = []
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    first = 0
    for chunk in array.chunks:
        if len(chunk) and chunk.buffers()[2] is not None:
            runs.append(_runs(chunk))
            local = np.arange(0, len(chunk), _RUN)
            starts.append(first + local)
            ends.append(first + np.minimum(local + _RUN, len(chunk)))
        first += len(chunk)
    if not runs:
        return np.zeros(0, dtype=np.int64)
    glued = pa.chunked_array(runs, type=array.type)
    if workers > 1:
        step = -(-len(glued) // workers)
        parts = [glued.slice(i, step) for i in range(0, len(glued), step)]
        with ThreadPoolExecutor(workers) as pool:
            hits = np.concatenate(list(pool.map(lambda part: _scan(part, pattern), parts)))
    else:
        hits = _scan(glued, pattern)
    start, end = np.concatenate(starts)[hits], np.concatenate(ends)[hits]
    if not len(start):
        return np.zeros(0, dtype=np.int64)
    lengths = end - start
    return np.asarray(np.arange(lengths.sum()) + np.repeat(start - (np.cumsum(lengths) - lengths), lengths))
