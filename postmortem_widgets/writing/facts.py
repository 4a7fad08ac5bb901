"""The facts a postmortem states, computed once from the incident and its timeline.

Both the prompt (as exact figures for a model) and the offline drafter (through its templates) read
these, so a model and the offline draft quote the same times and durations. Everything here is data:
the wording around it lives in ``templates/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..incident.fill import fill_incident
from ..incident.record import Incident
from ..privacy.instructions import instructions_for
from ..timeline import events as ev
from ..timeline.humanize import human_clock, human_date, human_duration, human_duration_adjective
from ..timeline.keyevents import KeyEvent, select_key_events, signal_channel
from ..timeline.merge import Timeline
from ..timeline.telemetry.model import Impact, Series
from ..timeline.telemetry.plain import plain_signal
from ..timeline.telemetry.series import format_value
from ..timeline.timeparse import parse_date, resolve_zone, zone_label
from .prose import (
    PreventionItem,
    count_sentences,
    field_text,
    first_sentence,
    number_word,
    prevention_items,
    prevention_parts,
    sentence,
    span,
    starts_with_past_tense,
)
from .story import (
    Apology,
    Change,
    Detection,
    Why,
    _first_alert_after,
    apology_of,
    changes_of,
    detection_of,
    why_of,
)
from .wording import first_action, lower_first

#: How many bullets the customer-facing timeline holds at most.
BULLET_LIMIT = 12
#: An import this small with hand-written events is a timeline a person wrote; its lines read as bullets.
HANDWRITTEN_IMPORT_MAX = 50
#: A change (deploy, config, flag: events of kind ``change``) at most this long before the impact began is
#: the update it came "after".
CHANGE_BEFORE = pd.Timedelta(minutes=15)


@dataclass(frozen=True)
class Bullet:
    """One line of the customer-facing timeline."""

    when: str
    message: str
    kind: str
    source: str
    milestones: tuple[str, ...]
    handwritten: bool
    #: This event is how we first learned of the incident.
    first_signal: bool
    #: The bullet's words are event text copied as written (from a hand-written timeline, which may hold
    #: pasted chat, log lines or ticket text), not ours: untrusted data a person must read before it is
    #: published. Instruction-like event text is never copied (its ``message`` is empty).
    untrusted: bool = False
    #: The author's first remediation step ("reverted the config"), for a fix bullet in our words.
    fix: str = ""


@dataclass(frozen=True)
class ImpactFacts:
    """The impact window as a postmortem states it: the signal in plain words, when it left its baseline
    and came back (local clock times with zone), baseline and peak as people read them."""

    #: "Share of requests that failed"; the subject of a sentence ("error rates") and its number.
    title: str
    subject: str
    plural: bool
    #: The signal got worse upwards (errors, latency) or downwards (traffic that collapsed).
    rising: bool
    began: str
    began_day: str
    #: ``None`` while the signal had not come back by the end of the data.
    ended: str | None
    ended_day: str
    baseline: str
    peak: str
    #: The clock time of the nearest change (deploy, config, flag) just before it began, or ``None``.
    change: str | None
    #: The data begins inside the window: it shows the level, not when it rose.
    from_start: bool


@dataclass
class Facts:
    """What the draft states: the filled incident, local times, durations and the chosen events."""

    incident: Incident
    zone: str
    zone_label: str
    date: str
    #: Milestone -> local clock time with zone, e.g. ``9:14am ET`` (missing milestones are absent).
    times: dict[str, str]
    #: Milestone -> ``April 16`` when it fell on a later day than the start, else "".
    days: dict[str, str]
    duration: str | None
    duration_adjective: str | None
    #: ``time_to_detect``, ``detect_to_acknowledge``, ``detect_to_identify``, ``detect_to_mitigate``,
    #: ``detect_to_resolve``, ``mitigate_to_resolve``: "5 minutes", or ``None``.
    figures: dict[str, str | None]
    detected_by: str
    detect_lag_minutes: float | None
    #: How the first signal reached us: customer_ticket, customer_report, page, monitoring or "".
    first_signal: str
    events: list[KeyEvent]
    bullets: list[Bullet]
    prevention: list[PreventionItem]
    #: The author's fields as sentences (capitalised, full stop).
    sentences: dict[str, str]
    remediation_is_clause: bool
    #: Which optional sentences the Summary has room for (it must stay 3-5 sentences).
    summary_has_detection: bool
    summary_experience: str
    #: The impact window from the monitoring data (``None`` without telemetry), and whether the Summary
    #: has room for its sentence.
    impact: ImpactFacts | None
    summary_has_impact: bool
    #: How we learned of it, the root cause in the seed's three parts, the changes with their grammatical
    #: form, and what the apology names.
    detection: Detection
    why: Why
    changes: list[Change]
    apology: Apology

    def count_word(self, n: int) -> str:
        return number_word(n)

    @staticmethod
    def article(phrase: str) -> str:
        """``a`` or ``an`` before a phrase that starts with a number: an 8-hour, an 11-minute, a 2-hour."""
        return "an" if re.match(r"(?:8|1[18](?!\d))", phrase) else "a"


def _local(ts: pd.Timestamp, zone: str, first_day: object) -> tuple[str, str]:
    """``(clock with zone, day)``; the day (``April 16``) is empty on the incident's first day."""
    z = resolve_zone(zone)
    local = ts.tz_convert(z)
    day = "" if first_day is None or local.date() == first_day else f"{local.strftime('%B')} {local.day}"
    return human_clock(ts, z), day


def _chosen_text(event: KeyEvent, small: set[str]) -> bool:
    """Whether the bullet may copy the event's words: the author wrote them (a short hand-written timeline
    the incident lists, or its typed response timeline), and they do not talk to a model."""
    return event.file in small and bool(event.message) and not instructions_for().found_in(event.message)


def _bullets(
    timeline: Timeline, events: list[KeyEvent], zone: str, first_day: object, incident: Incident
) -> list[Bullet]:
    small = {
        f
        for r in timeline.imports
        if r.handwritten and r.count <= HANDWRITTEN_IMPORT_MAX
        for f in r.file_names
    }
    instructions = instructions_for()
    picked: list[KeyEvent] = [e for e in events if e.milestones]
    # An event whose text talks to a model is data, not a key event: it gets no bullet of its own.
    others = [e for e in events if not e.milestones and not instructions.found_in(e.message)]
    extras = [e for e in others if e.file in small]
    customer_first = timeline.milestones.detected_by == "customer"
    first_customer = None if customer_first else next((e for e in others if e.kind == ev.CUSTOMER), None)
    first_status = next((e for e in others if e.source == "statuspage"), None)
    # When a customer told us first, the moment our own alert fired belongs in the timeline.
    alert = _first_alert_after(timeline) if customer_first else None
    first_alert = next((e for e in others if alert is not None and e.time == alert), None)
    for extra in (first_alert, first_customer, first_status):
        if extra is not None and extra not in extras:
            extras.append(extra)
    room = max(BULLET_LIMIT - len(picked), 0)
    picked += sorted(extras, key=lambda e: (e is not first_alert, e.time))[:room]
    picked.sort(key=lambda e: (e.time, -len(e.milestones)))
    past = starts_with_past_tense(incident.remediation)
    fix = lower_first(sentence(first_action(incident.remediation)).rstrip(".")) if past else ""
    bullets = []
    for event in picked:
        copy = _chosen_text(event, small)
        if not (event.milestones or copy or event in (first_alert, first_customer, first_status)):
            continue  # no words of the author's and nothing we word ourselves: no bullet
        clock, day = _local(event.time, zone, first_day)
        bullets.append(
            Bullet(
                when=f"{day}, {clock}" if day else clock,
                message=sentence(event.message).rstrip(".") if copy else "",
                kind=event.kind,
                source=event.source,
                milestones=event.milestones,
                handwritten=event.file in small,
                first_signal="detected" in event.milestones,
                untrusted=copy,
                fix=fix,
            )
        )
    return bullets


def _change_before(timeline: Timeline, began: pd.Timestamp, step: pd.Timedelta) -> pd.Timestamp | None:
    """The latest ``change`` event from :data:`CHANGE_BEFORE` before ``began`` to within its bin."""
    events = timeline.signal_events
    times = events["time"][(events["kind"] == ev.CHANGE).to_numpy()]
    near = times[(times >= began - CHANGE_BEFORE) & (times < began + max(step, pd.Timedelta(seconds=1)))]
    return pd.Timestamp(near.max()) if len(near) else None


def impact_facts(timeline: Timeline, zone: str, first_day: object) -> ImpactFacts | None:
    """The timeline's impact window as :class:`ImpactFacts`, ``None`` without one."""
    impact = timeline.impact
    if impact is None:
        return None
    series = _signal_series(timeline, impact)
    words = plain_signal(series.kind if series is not None else "metric", impact.unit, impact.signal)
    began = pd.Timestamp(impact.began, tz="UTC")
    step = pd.Timedelta(impact.step, unit="ns")
    began_clock, began_day = _local(began, zone, first_day)
    ended_clock, ended_day = (
        _local(pd.Timestamp(impact.ended, tz="UTC"), zone, first_day)
        if impact.ended is not None
        else (None, "")
    )
    change = _change_before(timeline, began, step)
    first = int(series.times[0]) if series is not None and len(series) else None
    return ImpactFacts(
        title=words.title,
        subject=words.subject,
        plural=words.plural,
        rising=impact.peak >= impact.baseline,
        began=began_clock,
        began_day=began_day,
        ended=ended_clock,
        ended_day=ended_day,
        baseline=format_value(impact.baseline, impact.unit),
        peak=format_value(impact.peak, impact.unit),
        change=_local(change, zone, first_day)[0] if change is not None else None,
        from_start=first is not None and impact.began <= first + impact.step,
    )


def _signal_series(timeline: Timeline, impact: Impact) -> Series | None:
    """The series the impact window was read from."""
    return next((s for s in timeline.series if (s.name, s.source) == (impact.signal, impact.source)), None)


def written_date(text: str) -> str:
    """The author's date as written; ISO (``2024-04-15``) reads better as April 15, 2024."""
    stripped = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", stripped):
        return human_date(pd.Timestamp(parse_date(stripped).isoformat(), tz="UTC"), "UTC")
    return stripped


def build_facts(incident: Incident, timeline: Timeline, *, max_events: int = 40) -> Facts:
    """Everything the prompt and the offline draft state, from the incident (filled) and its timeline.

    Every duration is counted from the minutes the draft shows (:attr:`Timeline.shown_metrics`): a reader
    who subtracts 2:38pm from 3:05pm gets the 27 minutes the draft states.
    """
    filled = fill_incident(incident, timeline)
    zone = filled.timezone
    z = resolve_zone(zone)
    m = timeline.milestones
    metrics = timeline.shown_metrics
    anchor = m.started or m.detected
    first_day = anchor.tz_convert(z).date() if anchor is not None else None
    times: dict[str, str] = {}
    days: dict[str, str] = {}
    for name, value in m.as_dict().items():
        if value is not None:
            times[name], days[name] = _local(value, zone, first_day)
    mitigate_to_resolve = (
        (m.resolved.floor("min") - m.mitigated.floor("min")).to_pytimedelta()
        if m.mitigated is not None and m.resolved is not None and m.resolved >= m.mitigated
        else None
    )
    figures = {
        "time_to_detect": span(metrics.time_to_detect),
        "detect_to_acknowledge": span(metrics.detect_to_acknowledge),
        "detect_to_identify": span(metrics.detect_to_identify),
        "detect_to_mitigate": span(metrics.detect_to_mitigate),
        "detect_to_resolve": span(metrics.detect_to_resolve),
        "mitigate_to_resolve": span(mitigate_to_resolve),
    }
    if metrics.time_to_detect is not None and metrics.time_to_detect.total_seconds() < 60:
        figures["time_to_detect"] = None
    events = select_key_events(timeline, limit=max_events)
    sentences = {
        name: field_text(name, getattr(filled, name))
        for name in ("customer_experience", "root_cause", "remediation", "data_impact")
    }
    sentences["affected_scope"] = sentence(filled.affected_scope)
    date = written_date(filled.incident_date)
    experience = sentences["customer_experience"]
    count = 2 + count_sentences(experience) + count_sentences(sentences["data_impact"])
    # Five sentences at most; a customer telling us first is worth more than the experience's second one.
    told_by_customer = m.detected is not None and m.detected_by == "customer"
    if count > 5 or (told_by_customer and count == 5 and count_sentences(experience) > 1):
        experience = sentence(first_sentence(experience))
        count = 2 + count_sentences(experience) + count_sentences(sentences["data_impact"])
    impact = impact_facts(timeline, zone, first_day)
    has_impact = impact is not None and not impact.from_start and count < 5
    count += int(has_impact)
    has_detection = m.detected is not None and ((m.detected_by == "customer" and count < 5) or count < 3)
    detection = detection_of(timeline, zone)
    prevention = prevention_items(filled.prevention)
    changes = changes_of(prevention_parts(filled.prevention), prevention)
    return Facts(
        incident=filled,
        zone=zone,
        zone_label=zone_label(z, anchor),
        date=date,
        times=times,
        days=days,
        detect_lag_minutes=None
        if metrics.time_to_detect is None
        else metrics.time_to_detect.total_seconds() / 60,
        duration=human_duration(metrics.duration) if metrics.duration is not None else None,
        duration_adjective=human_duration_adjective(metrics.duration)
        if metrics.duration is not None
        else None,
        figures=figures,
        detected_by=m.detected_by,
        first_signal=signal_channel(timeline),
        events=events,
        bullets=_bullets(timeline, events, zone, first_day, filled),
        prevention=prevention,
        sentences=sentences,
        remediation_is_clause=starts_with_past_tense(filled.remediation),
        summary_has_detection=has_detection,
        summary_experience=experience,
        impact=impact,
        summary_has_impact=has_impact,
        detection=detection,
        why=why_of(filled),
        changes=changes,
        apology=apology_of(filled, timeline, zone, changes),
    )


__all__ = [
    "Apology",
    "Bullet",
    "Change",
    "Detection",
    "Facts",
    "ImpactFacts",
    "Why",
    "build_facts",
    "detection_of",
    "impact_facts",
    "written_date",
]
