"""Data impact: what the draft says about lost, corrupted, exposed or wrong data agrees with the incident's
``data_impact`` field, and a Summary states it when the field does (as the seed's Summary does: "no data
was lost or corrupted").

Claims are read per clause: a data word ("data", "records", "figures", "reports"...) near a word of one
kind of harm (lost, corrupted, exposed, incorrect), negated or not ("no data was lost", "figures were
incorrect"). The field is read the same way; a kind it states both ways ("user data was not lost; some
webhooks were dropped") is left unchecked.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from ...sections import CHANGES, SUMMARY
from ..model import Finding, finding

if TYPE_CHECKING:
    from ..context import ReviewContext

#: The kinds of harm to data, each with the words that claim it.
HARMS: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"\b(?:{words})\b", re.I)
    for name, words in (
        ("lost", r"lost|loss|losing|lose|deleted|deletion|destroyed|wiped|erased|dropped|unrecoverable"
         r"|irrecoverabl\w*|permanently removed"),
        ("corrupted", r"corrupt\w*|damaged|garbled|mangled"),
        ("exposed", r"expos\w*|leak\w*|disclos\w*|breach\w*|compromis\w*|unauthori[sz]ed access"
         r"|accessed by (?:an? )?(?:unauthori[sz]ed|third|other)\w*|visible to other \w+"),
        ("wrong", r"incorrect|wrong|inaccurate|miscalculat\w*|erroneous|inflated|overstated|understated"
         r"|mis-?reported|double[- ]counted|inconsistent"),
    )
}  # fmt: skip
_DATA = re.compile(
    r"\b(?:data|records?|figures?|numbers?|reports?|totals?|files?|information|results|values|metrics"
    r"|counts?|balances?|entries|rows|transactions|payments?|projects|comments|repositories|backups?"
    r"|nothing|anything|amounts?|invoices?|orders?|webhooks?|payloads?|events|edits|uploads|documents"
    r"|messages|emails|content|logs|history|settings)\b",
    re.I,
)
_NEGATION = re.compile(r"\b(?:no|not|never|none|nothing|without|n't|neither|nor|zero|free of)\b|n't\b", re.I)
_UNHARMED = re.compile(
    r"\b(?:data|information|records)\s+(?:was|were|is|are|remained?|remains|has been|have been)\s+"
    r"(?:not\s+|never\s+|un)(?:affected|impacted|touched|at risk|harmed)\b"
    r"|\bno\s+(?:customer\s+|user\s+|your\s+|personal\s+)?(?:data|information)\s+(?:was|were|has been)\s+"
    r"(?:affected|impacted|at risk)\b"
    r"|\b(?:data|information)\s+(?:is|was|remains?|remained|stayed)\s+(?:safe|secure|intact|correct|accurate)\b",
    re.I,
)
_LEAD = re.compile(r"^[\s,;:—–(]*(?:(?:but|and|while|though|although|whereas|however)\b[\s,]*)?", re.I)
_CLAUSE = re.compile(r"[;:—–(]|,\s+(?:but|and|while|though|although|whereas|however)\b|\bbut\b", re.I)

#: The field's or the draft's position on each harm: "none", "some", or absent.
Claims = dict[str, tuple[str, str]]


def _clauses(sentence: str) -> list[str]:
    cuts = [0, *(m.start() for m in _CLAUSE.finditer(sentence)), len(sentence)]
    return [sentence[a:b] for a, b in itertools.pairwise(cuts) if sentence[a:b].strip()]


def claims(text: str) -> list[tuple[str, str, str]]:
    """(harm, "none" or "some", the words that say it) for each claim in ``text``, in order.

    >>> [(h, p) for h, p, _ in claims("No data was lost or corrupted; customers saw delayed data, not "
    ...     "incorrect data.")]
    [('lost', 'none'), ('corrupted', 'none'), ('wrong', 'none')]
    """
    out: list[tuple[str, str, str]] = []
    for clause in _clauses(text):
        if _UNHARMED.search(clause):
            out.extend((harm, "none", clause.strip()) for harm in HARMS)
            continue
        for harm, words in HARMS.items():
            for m in words.finditer(clause):
                near = clause[max(0, m.start() - 60) : m.end() + 60]
                if not _DATA.search(near):
                    continue
                negated = bool(_NEGATION.search(clause[: m.start()]))
                out.append((harm, "none" if negated else "some", clause.strip()))
                break
    return out


def field_positions(text: str) -> dict[str, str]:
    """What ``data_impact`` says of each harm, where it says it one way only."""
    seen: dict[str, set[str]] = {}
    generic_none = False
    for clause in _clauses(text):
        if _UNHARMED.search(clause):
            generic_none = True
            continue
        for harm, position, _ in claims(clause):
            seen.setdefault(harm, set()).add(position)
    positions = {h: next(iter(p)) for h, p in seen.items() if len(p) == 1}
    if generic_none:
        positions.update({h: "none" for h in HARMS if h not in seen})
    return positions


_SAYS = {"lost": "lost", "corrupted": "corrupted", "exposed": "exposed", "wrong": "wrong or incorrect"}


def check_data_impact(ctx: ReviewContext) -> list[Finding]:
    field = " ".join(ctx.data_impact.split())
    if not field:
        return []
    doc = ctx.doc
    positions = field_positions(field)
    out: list[Finding] = []
    summary_says = False
    for block in doc.prose():
        if block.section == CHANGES.heading or doc.is_code(block.start):
            continue
        for sentence in doc.sentences(block):
            found = claims(doc.reading[sentence.start : sentence.end])
            summary_says = summary_says or (block.section == SUMMARY.heading and bool(found))
            for harm, position, words in found:
                if harm not in positions or positions[harm] == position:
                    continue
                said = f"data was {'not ' if position == 'none' else ''}{_SAYS[harm]}"
                words = _LEAD.sub("", words).strip(" .")
                out.append(
                    finding(
                        "data-impact-contradiction",
                        doc.line_at(sentence.start),
                        f"{' '.join(words.split())[:120]!r} says {said}, but the incident's data impact is: "
                        f"{field[:160]}",
                        "State the data impact exactly as the incident records it; if the record is wrong, "
                        "correct data_impact first.",
                        section=block.section,
                    )
                )
                break
    headings = [h for h in doc.seed_headings() if h.section == SUMMARY.heading]
    if headings and not summary_says and positions:
        out.append(
            finding(
                "data-impact-summary",
                headings[0].line,
                f"the Summary does not say what happened to customers' data ({field[:120]})",
                'Say it in the Summary, as the seed does: "no data was lost or corrupted".',
                section=SUMMARY.heading,
            )
        )
    return out
