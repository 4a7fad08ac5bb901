"""The reviewer: run every rule over one draft and collect the findings."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from ..errors import PostmortemError, UnreadableDraftError
from ..incident.record import Incident
from ..incident.timeline import incident_timeline
from ..privacy.instructions import instructions_for
from ..privacy.names import NameMatcher, people_names
from ..privacy.spans import find_secrets, find_spans
from ..sections import AUDIENCES
from ..timeline.evidence import EVIDENCE_LIMIT, evidence_events
from ..timeline.merge import Timeline
from ..wordlists import jargon_for
from .context import ReviewContext, build_known_times, incident_vocabulary
from .document import mask_code_spans, parse_document
from .model import CUSTOMER_ONLY, Finding, Ignore, Review
from .phrases import prevention_for
from .rules.blame import check_blame
from .rules.data_impact import check_data_impact
from .rules.detection import check_detection
from .rules.evidence import check_evidence
from .rules.facts import check_facts
from .rules.injection import check_injection
from .rules.language import check_language
from .rules.prevention import check_prevention
from .rules.privacy import check_privacy
from .rules.structure import check_structure
from .rules.tone import check_tone

Check = Callable[[ReviewContext], list[Finding]]

#: The rule modules, in the order their findings are listed for one line.
CHECKS: tuple[Check, ...] = (
    check_structure,
    check_facts,
    check_evidence,
    check_detection,
    check_data_impact,
    check_prevention,
    check_blame,
    check_language,
    check_privacy,
    check_injection,
    check_tone,
)


def _default_timeline(incident: Incident) -> Timeline | None:
    """The incident's own timeline when the caller passed none (its inputs, else its response_timeline)."""
    try:
        return incident_timeline(incident)
    except PostmortemError:
        return None


def check_draft(
    draft: str,
    incident: Incident,
    timeline: Timeline | None = None,
    *,
    roster: Sequence[str] = (),
    jargon: Sequence[str | Path] = (),
    instructions: Sequence[str | Path] = (),
    prevention: Sequence[str | Path] = (),
    ignore: Sequence[Ignore] = (),
    audience: str = "customer",
    evidence_limit: int = EVIDENCE_LIMIT,
) -> Review:
    """Review ``draft`` (Markdown) against ``incident`` and its timeline.

    ``timeline`` defaults to :func:`~postmortem_widgets.incident.record.incident_timeline` of the incident.
    Names the draft must not contain come from the incident's ``responders``, the people in the timeline's
    chat and paging sources, ``roster`` and the shapes of a person's mention ("Priya from our SRE team");
    the product's and company's words and team handles are never people. ``jargon``, ``prevention`` and
    ``instructions`` add lists to the shipped ones; ``ignore`` sets findings aside, with the author's reasons.
    An ``internal`` draft (for the engineering team) is held to the facts but not to the customer rules
    (:data:`~.model.CUSTOMER_ONLY`). Citations (``[E3]``) are checked against the events a prompt of
    ``evidence_limit`` events numbered.
    """
    if audience not in AUDIENCES:
        raise PostmortemError(f"unknown audience {audience!r}", hint=f"choose one of {', '.join(AUDIENCES)}")
    if timeline is None:
        timeline = _default_timeline(incident)
    internal = audience == "internal"
    doc = parse_document(mask_code_spans(draft) if internal else draft)
    vocabulary = incident_vocabulary(incident)
    names = people_names(incident.responders, timeline, roster)
    ctx = ReviewContext(
        doc=doc,
        known_times=build_known_times(incident, timeline),
        names=NameMatcher(names, exclude=vocabulary),
        jargon=jargon_for(jargon),
        instructions=instructions_for(instructions),
        spans=[s for s in find_spans(doc.text, public=_public_hosts(incident)) if not doc.is_code(s.start)],
        data_impact=incident.data_impact,
        vocabulary=vocabulary,
        allowed=tuple(t for t in (incident.product_name, incident.company, *incident.allow) if t.strip()),
        prevention=prevention_for(prevention),
        evidence=tuple(evidence_events(timeline, limit=evidence_limit)) if timeline is not None else (),
    )
    findings = [f for check in CHECKS for f in check(ctx)]
    if internal:
        findings = [f for f in findings if f.rule not in CUSTOMER_ONLY | _ANYWHERE]
        findings += _quoted_text_checks(ctx, draft)
    findings.sort(key=lambda f: f.line)
    return Review(findings).ignoring(ignore, doc.text)


#: What is wrong in quoted event text too: the internal version's code spans are read for these.
_ANYWHERE = frozenset({"prompt-injection", "privacy-secret"})


def _quoted_text_checks(ctx: ReviewContext, draft: str) -> list[Finding]:
    """An instruction to a model, and a secret, are wrong anywhere: the internal version's quoted event text
    (which its facts rules do not read) included."""
    doc = parse_document(draft)
    secrets = [s for s in find_secrets(doc.text) if not doc.is_code(s.start)]
    whole = replace(ctx, doc=doc, spans=secrets)
    return [*check_injection(whole), *check_privacy(whole)]


def _public_hosts(incident: Incident) -> list[str]:
    """Domains the incident names as the product's or company's own ("GitLab.com", "zoom.us"): public."""
    text = " ".join((incident.product_name, incident.company, *incident.allow))
    return [m.lower() for m in re.findall(r"\b(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b", text)]


def load_draft(path: str | Path) -> str:
    """A draft file's text; a missing, binary, non-UTF-8 or empty file is an :class:`UnreadableDraftError`."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise UnreadableDraftError(
            "is a folder, not a draft", file=name, hint="pass the draft's Markdown file"
        ) from None
    except FileNotFoundError:
        raise UnreadableDraftError("no such draft file", file=name, hint="check the path") from None
    except OSError as exc:
        raise UnreadableDraftError(f"cannot read the draft: {exc.strerror or exc}", file=name) from None
    if b"\x00" in data[:8192]:
        raise UnreadableDraftError(
            "is not a text file", file=name, hint="pass the draft as Markdown (.md) text"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableDraftError(
            f"is not UTF-8 text (byte {data[exc.start]:#04x})",
            file=name,
            line=line,
            hint="save the draft as UTF-8",
        ) from None
    if not text.strip():
        raise UnreadableDraftError(
            "the draft is empty", file=name, hint="write the draft first, e.g. with `postmortem draft`"
        )
    return text
