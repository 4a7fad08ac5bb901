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

The work is vectorised with pyarrow compute: one combined regex finds the few candidate rows, and only
those are tested rule by rule, so a million log lines cost one scan.
"""

from __future__ import annotations

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
        r"\b(?:detected|alert(?:ed| fired| triggered)|(?:we were )?paged|noticed|monitoring (?:caught|flagged))\b",
    ),
    (
        ev.IMPACT,
        r"\b(?:impact (?:began|begins|started|starts)|outage (?:began|begins|started|starts)"
        r"|errors? (?:began|begin|started|start|spiked)|degradation (?:began|started)|began failing)\b",
    ),
)

_NEGATION = (
    r"\b(?:not|never|no longer|wasn't|weren't|isn't|hasn't|hadn't|without|before)\s+(?:yet\s+|been\s+|being\s+)?"
    r"[a-z'-]+(?:\s+(?:up|out|over|back))?"
)
_ANY = "|".join(f"(?:{pattern})" for _, pattern in RULES)


def classify_text(messages: pd.Series | list[str], *, default: str = ev.NOISE) -> np.ndarray:
    """Kinds (an object array) for free-text messages, by the keyword rules above.

    >>> list(classify_text(["Cache rollback initiated", "lunch?"], default="noise"))
    ['mitigated', 'noise']
    """
    array = pa.array(pd.Series(messages, dtype="str").fillna(""), type=pa.large_string())
    kinds = np.full(len(array), default, dtype=object)
    if not len(array):
        return kinds
    lowered = pc.utf8_lower(array)
    candidates = pc.match_substring_regex(lowered, _ANY)
    index = np.flatnonzero(candidates.to_numpy(zero_copy_only=False))
    if not len(index):
        return kinds
    subset = pc.take(lowered, pa.array(index))
    subset = pc.replace_substring_regex(subset, _NEGATION, "")
    chosen = np.full(len(index), "", dtype=object)
    for kind, pattern in RULES:
        hit = pc.match_substring_regex(subset, pattern).to_numpy(zero_copy_only=False)
        fresh = hit & (chosen == "")
        chosen[fresh] = kind
    chosen[chosen == ""] = default
    kinds[index] = chosen
    return kinds
