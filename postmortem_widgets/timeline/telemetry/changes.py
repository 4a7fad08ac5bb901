"""Changes written in a machine log: deploys, config changes, feature flags, and rollbacks.

These are the only lines of a log that become events by their words, and only these kinds:

==========  ===============================================================  =============
rollback    rolled back / rolling back / rollback, reverted a deploy,        ``mitigated``
            release, commit, change, config, version, build or flag
deploy      deploy / deployed / deployment / redeploy, rollout / rolled
            out, release or upgrade to a version                              ``change``
config      config(uration) changed / updated / reloaded / pushed / applied  ``change``
flag        (feature) flag enabled / disabled / toggled / flipped / set to   ``change``
==========  ===============================================================  =============

A database's "rolling back transaction" is no rollback of a deploy: lines naming a transaction, a
savepoint or SQL are left out. Everything else a log says ("worker restarted", "connection recovered",
"cache restored") sets nothing: a routine line is no milestone.

>>> change_codes(["Deploy of checkout-api v2.14.0 completed", "Rollback of checkout-api to v2.13.2 started",
...               "worker 7 restarted", "rolling back transaction 42", "flag new_checkout enabled for 10%"])
[1, 2, 0, 0, 1]
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..classify import candidate_rows

NONE, CHANGE, ROLLBACK = 0, 1, 2

_VERSION = r"v?\d+(?:\.\d+)+\S*"
ROLLBACK_RE = (
    r"\b(?:roll(?:ed|ing|s)?[ -]?back|rollbacks?)\b"
    r"|\brevert(?:ed|ing|s)?\b.{0,40}\b(?:deploy\w*|release\w*|commit\w*|change\w*|config\w*|version"
    r"|build|flag|" + _VERSION + r")"
)
CHANGE_RE = (
    r"\b(?:re)?deploy(?:ed|ing|ment|s)?\b|\broll(?:ed|ing)?[ -]?out\b|\brollouts?\b"
    r"|\b(?:releas(?:e|ed|ing)|upgrad(?:e|ed|ing))\b.{0,40}\b" + _VERSION + r"|\bconfig(?:uration)?\b.{0,40}"
    r"\b(?:changed?|changes|updated?|reload(?:ed)?|push(?:ed)?|applied|modified)\b"
    r"|\b(?:changed|updated|reloaded|pushed|applied|modified)\b.{0,40}\bconfig(?:uration)?\b"
    r"|\bflags?\b.{0,40}\b(?:enabled|disabled|turned (?:on|off)|toggled|flipped|set to|changed|updated)\b"
    r"|\b(?:enabled|disabled|toggled|flipped)\b.{0,40}\bflags?\b"
)
#: Lines about a database transaction are never a deploy's rollback.
NOT_A_CHANGE_RE = r"\b(?:transactions?|txn?|savepoints?|sql)\b"
#: The scan over runs of glued rows: matches wherever either pattern could (case-insensitive).
_LOOSE = r"deploy|roll.?back|revert|roll.?out|releas|upgrad|config|flag"


def change_codes(messages: pa.Array | pa.ChunkedArray | list[str]) -> list[int]:
    """Each message's change code (:data:`NONE`, :data:`CHANGE`, :data:`ROLLBACK`), as a list."""
    array = pa.array(messages, type=pa.large_string()) if isinstance(messages, list) else messages
    codes = np.zeros(len(array), dtype=np.int8)
    rows, found = find_changes(array)
    codes[rows] = found
    return [int(c) for c in codes]


def find_changes(messages: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Rows (ascending) that are changes, and their codes: one scan of all rows, exact tests on a few."""
    rows = candidate_rows(messages, _LOOSE)
    if not len(rows):
        return rows, np.zeros(0, dtype=np.int8)
    chunked = messages if isinstance(messages, pa.ChunkedArray) else pa.chunked_array([messages])
    text = pc.utf8_lower(pc.fill_null(pc.take(chunked, pa.array(rows)), ""))
    rollback = _matches(text, ROLLBACK_RE)
    change = _matches(text, CHANGE_RE)
    excluded = _matches(text, NOT_A_CHANGE_RE)
    codes = np.where(rollback, ROLLBACK, np.where(change, CHANGE, NONE)).astype(np.int8)
    codes[excluded] = NONE
    keep = codes != NONE
    return rows[keep], codes[keep]


def _matches(text: pa.Array | pa.ChunkedArray, pattern: str) -> np.ndarray:
    return np.asarray(pc.match_substring_regex(text, pattern).to_numpy(zero_copy_only=False), dtype=bool)


__all__ = ["CHANGE", "CHANGE_RE", "NONE", "ROLLBACK", "ROLLBACK_RE", "change_codes", "find_changes"]
