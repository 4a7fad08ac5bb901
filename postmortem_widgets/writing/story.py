"""The parts of the story a postmortem tells, read off the timeline and the author's words: how we learned
of the incident, why it happened, the changes we commit to, and what the apology names.

Apart from :mod:`~postmortem_widgets.writing.facts`, which gathers these with the times, durations and
bullets into the one :class:`~postmortem_widgets.writing.facts.Facts` the prompt and the offline draft read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..incident.fill import first_alert_after_customer
from ..incident.record import Incident
from ..timeline import events as ev
from ..timeline.humanize import human_clock
from ..timeline.merge import Timeline
from ..timeline.timeparse import resolve_zone
from .prose import PreventionItem, sentence, span
from .wording import (
    change_form,
    change_name,
    clauses,
    lower_first,
    part_of_day,
    split_root_cause,
    system_words,
    with_article,
)


@dataclass(frozen=True)
class Detection:
    """How we learned of the incident, as it happened on the timeline.

    ``story`` is ``customer_only`` (a customer told us and no alert of ours ever fired),
    ``customer_then_alert`` (a customer told us first and our own alert fired later), ``monitoring``
    (our monitoring told us first), ``noticed`` (one of us noticed it, with no alert behind it) or ``""``.
    An acknowledgement is a person answering, never an alert: it is not counted here.
    """

    story: str
    #: Our own first alert (or page) after a customer told us: local clock and the gap, as shown.
    alert_at: str | None = None
    alert_after: str | None = None
    #: Our engineers answered our own alert, not the customer's report (acknowledged at or after it).
    ack_after_alert: bool = False


@dataclass(frozen=True)
class Why:
    """Why It Happened in the seed's shape: what the part does, what went wrong, why we did not catch it."""

    system: str
    wrong: list[str]
    missed: list[str]


@dataclass(frozen=True)
class Change:
    """One prevention item with the form its words take in a sentence (see :func:`.wording.change_form`)."""

    title: str
    text: str
    form: str
    #: How it is named inside a sentence: a gerund cut to its name, a verb phrase whole, a title as is.
    name: str
    #: A title with an article ("the gradual rollout"), for "starting with ...".
    phrase: str
    #: The change is about noticing sooner (an alert, monitoring, a faster update to customers).
    detects: bool


@dataclass(frozen=True)
class Apology:
    """What the apology names: the harm (what customers experienced, when) and the changes it commits to."""

    #: "the morning of April 15"
    when: str
    #: The first clause of the customer experience, as the middle of a sentence.
    harm: str
    changes: list[Change]


_DETECTS = re.compile(r"\b(?:alert\w*|monitor\w*|pag(?:e|es|ing)|notif\w*|status page|communicat\w*)\b", re.I)


def _first_alert_after(timeline: Timeline) -> pd.Timestamp | None:
    return first_alert_after_customer(timeline)


_MONITOR_WORDS = re.compile(r"\b(?:alert\w*|alarm\w*|monitor\w*|pag(?:e|ed|ing)|triggered|firing)\b", re.I)


def _by_monitor(timeline: Timeline, detected: pd.Timestamp) -> bool:
    """Whether what told us was a machine (an alert, a page, or a line that says so), not a person who
    noticed: a hand-written "we noticed errors" must not become "our monitoring caught it"."""
    events = timeline.signal_events
    at = events[(events["time"] == detected).to_numpy()]
    if at["kind"].isin([ev.ALERT, ev.PAGE]).any():
        return True
    return any(_MONITOR_WORDS.search(str(message)) for message in at["message"])


def detection_of(timeline: Timeline, zone: str) -> Detection:
    """The detection story of the timeline, its gaps counted in the minutes a reader sees."""
    m = timeline.milestones
    if m.detected is None:
        return Detection(story="")
    if m.detected_by != "customer":
        if m.detected_by != "monitoring":
            return Detection(story="")
        return Detection(story="monitoring" if _by_monitor(timeline, m.detected) else "noticed")
    alert = _first_alert_after(timeline)
    if alert is None:
        return Detection(story="customer_only")
    gap = alert.floor("min") - m.detected.floor("min")
    return Detection(
        story="customer_then_alert",
        alert_at=human_clock(alert, resolve_zone(zone)),
        alert_after=span(gap.to_pytimedelta()) if gap.total_seconds() >= 60 else None,
        ack_after_alert=m.acknowledged is not None and m.acknowledged >= alert,
    )


def why_of(incident: Incident) -> Why:
    """The root cause split into the seed's three parts, each as the author's words made sentences."""
    cause = split_root_cause(incident.root_cause)
    return Why(
        system=system_words(incident.root_cause),
        wrong=[sentence(c) for c in cause.wrong],
        missed=[sentence(c) for c in cause.missed],
    )


def changes_of(items: list[PreventionItem], written: list[PreventionItem]) -> list[Change]:
    """The changes: named from the author's words (``items``), listed as ``written`` (their sentences,
    as the Details step shows them)."""
    return [
        Change(
            title=i.title,
            text=w.text,
            form=change_form(i),
            name=lower_first(i.text.rstrip(".")) if change_form(i) == "verb" else change_name(i),
            phrase=with_article(change_name(i)),
            detects=bool(_DETECTS.search(f"{i.title} {i.text}")),
        )
        for i, w in zip(items, written, strict=True)
    ]


def apology_of(incident: Incident, timeline: Timeline, zone: str, changes: list[Change]) -> Apology:
    """The harm the apology names and the changes (at most two) it commits to."""
    m = timeline.milestones
    anchor = m.started or m.detected
    when = ""
    if anchor is not None:
        local = anchor.tz_convert(resolve_zone(zone))
        when = f"the {part_of_day(local.hour)} of {local.strftime('%B')} {local.day}"
    parts = clauses(incident.customer_experience)
    # Through prose.sentence, so the apology reads the fragment as the rest of the draft does.
    harm = lower_first(sentence(parts[0]).rstrip(".")) if parts else ""
    customer_first = m.detected_by == "customer"
    chosen = [c for c in changes if c.detects == customer_first] or changes
    return Apology(when=when, harm=harm, changes=chosen[:2])
