"""Specific prevention (the seed's third tip): "We're improving our monitoring" is not a change.

A vague commitment is flagged unless the same sentence (or list item) names a concrete measure: a figure,
or an action on a thing (adding a check, blocking a deploy, alerting when...). What We're Changing must
hold at least one concrete item.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...sections import CHANGES
from ..model import WARNING, Finding, finding

if TYPE_CHECKING:
    from ..context import ReviewContext

VAGUE: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I)
    for p in (
        r"\bimprov(?:e|es|ed|ing)\s+(?:our|the)\s+(?:overall\s+)?(?:processes|process|procedures|monitoring|systems"
        r"|practices|infrastructure|tooling|testing|communication|reliability|resilience)\b",
        r"\btak(?:e|es|ing|en)\s+(?:additional\s+|further\s+|the\s+necessary\s+|necessary\s+|appropriate\s+|"
        r"all\s+necessary\s+|proactive\s+)?(?:steps|measures|actions?|precautions)\b",
        r"\bbe(?:ing)?\s+(?:more|extra)\s+(?:careful|vigilant|diligent|cautious)\b",
        r"\breview(?:s|ed|ing)?\s+(?:our|the|all)\s+(?:[\w-]+\s+)?(?:procedures|processes|practices|policies)\b",
        r"\bensur(?:e|es|ing)\s+(?:that\s+)?(?:this|it|something like this|a similar (?:issue"
        r"|incident|problem)|"
        r"such (?:an? )?(?:issue|incident)s?)\s+(?:doesn't|does not|won't|will not|never|can't"
        r"|cannot|can never)"
        r"\s+(?:happens?|occurs?|recurs?)\b",
        r"\b(?:prevent|avoid)(?:s|ed|ing)?\s+(?:this|it|similar (?:issues|incidents|problems)"
        r"|(?:a\s+)?recurrence|"
        r"such (?:issues|incidents))\s+(?:from\s+(?:happening|occurring)\s+)?(?:again|in the future)\b",
        r"\blessons learned\b",
        r"\b(?:strengthen|enhance|bolster|harden|reinforce)(?:s|ed|ing)?\s+our\s+(?:systems|processes|infrastructure"
        r"|monitoring|procedures|safeguards)\b",
        r"\bdoing everything (?:we can|in our power)\b",
        r"\bredoubl(?:e|ing) our efforts\b",
        r"\bcontinu(?:e|ing) to (?:monitor|improve|invest|evaluate|review)\b",
        r"\b(?:better|more robust|improved|enhanced|additional|more)\s+(?:monitoring|testing"
        r"|safeguards|processes"
        r"|checks|alerting)\b",
    )
)
CONCRETE = re.compile(
    r"\b(?:add(?:s|ed|ing)?|introduc\w*|build(?:s|ing)?|built|implement\w*|deploy(?:s|ed|ing)?|requir\w*|block\w*"
    r"|automat\w*|replac\w*|remov\w*|migrat\w*|enforc\w*|establish\w*|set(?:ting)? up|creat\w*"
    r"|split\w*|limit\w*"
    r"|cap(?:s|ped|ping)?|alert(?:s|ing)? (?:on|when|if|whenever)|pages? (?:on|when)|test(?:s"
    r"|ing)? (?:that|for|every)"
    r"|validat\w*|schedul\w*|rotat\w*|upgrad\w*|rewrit\w*|retir\w*|disabl\w*|enabl\w*|switch\w* to"
    r"|mov(?:e|ed|ing) to"
    r"|publish\w*|check(?:s|ing)? (?:that|whether|for|every)|compar\w*|canary|runbook"
    r"|staged rollout|rate[- ]limit\w*"
    r"|every)\b"
    r"|\b\d+(?:\.\d+)?[\s-]*(?:%|percent|minutes?|hours?|days?|seconds?|ms|x|times|weeks?)\b",
    re.I,
)


def _units(ctx: ReviewContext) -> list[tuple[int, str, str]]:
    """(offset, text, section) for each list item and each sentence of each paragraph."""
    doc = ctx.doc
    units = []
    for block in doc.prose():
        if block.kind == "item":
            units.append((block.start, doc.block_text(block), block.section))
        else:
            units.extend((s.start, s.text, block.section) for s in doc.sentences(block))
    return units


def check_prevention(ctx: ReviewContext) -> list[Finding]:
    doc = ctx.doc
    out = []
    for offset, text, section in _units(ctx):
        if CONCRETE.search(text):
            continue
        for pattern in VAGUE:
            for m in pattern.finditer(text):
                start = offset + m.start()
                out.append(
                    finding(
                        "prevention-vague",
                        doc.line_at(start),
                        f"{' '.join(m.group().split())!r} is a commitment without a concrete measure",
                        "Name the specific thing being added, changed or removed, as the seed does: \"we're "
                        'adding a cache accuracy check to every deployment".',
                        section=section,
                        severity=None if section == CHANGES.heading else WARNING,
                    )
                )
    headings = [h for h in doc.seed_headings() if h.section == CHANGES.heading]
    if headings:
        items = [b for b in doc.blocks_in(CHANGES.heading, "item")]
        texts = [doc.block_text(b) for b in items] or [
            s.text for b in doc.blocks_in(CHANGES.heading, "paragraph") for s in doc.sentences(b)
        ]
        if not any(CONCRETE.search(t) for t in texts):
            out.append(
                finding(
                    "prevention-empty",
                    headings[0].line,
                    "What We're Changing names no concrete change",
                    "List each change as a numbered item that names what is being added, changed or removed, "
                    'and when it runs ("every deployment", "every 5 minutes").',
                    section=CHANGES.heading,
                )
            )
    return out
