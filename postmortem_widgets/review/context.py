"""What a draft is checked against: the incident's facts, computed once per review.

Times are every key event and milestone of the timeline, plus clock times the author wrote in the
incident record itself. Durations are the gaps between them (every pair for a small timeline; each
milestone to each event for a large one), so "within 5 minutes" and "took approximately 90 minutes"
can both be verified without guessing which gap the writer meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from itertools import combinations
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from ..errors import PostmortemError
from ..privacy.instructions import Instructions
from ..privacy.names import NameMatcher
from ..privacy.spans import Span
from ..timeline.events import ALERT, DETECTED
from ..timeline.evidence import Evidence
from ..timeline.humanize import human_clock
from ..timeline.mentions import (
    find_dates,
    find_durations,
    find_times,
    label_zone,
    local_seconds,
    local_time,
    zone_labels,
)
from ..timeline.merge import Timeline
from ..timeline.milestones import NAMES, Milestones
from ..timeline.timeparse import parse_date, resolve_zone, zone_label
from ..wordlists import Jargon, PreventionPhrases
from .document import Document

if TYPE_CHECKING:
    from ..incident.record import Incident

#: Every day from the start to the resolution is a day of the incident, for incidents up to this long.
MAX_SPAN_DAYS = 31
#: Up to this many distinct times, every pair's gap is a candidate duration.
PAIRWISE_LIMIT = 200
_CUSTOMER_RE = re.compile(
    r"\b(?:customers?|support ticket|tickets?|users? report|reported by|client|zendesk)\b", re.I
)
_MONITORING_RE = re.compile(
    r"\b(?:monitor\w*|alert\w*|page[ds]?|paging|pagerduty|opsgenie|datadog|alarm\w*)\b", re.I
)
_RECORD_FIELDS = ("incident_duration", "detection", "response_timeline")


@dataclass(frozen=True)
class ImpactWindow:
    """Where the monitoring data shows the impact began and ended (UTC), and how exactly it is known."""

    began: pd.Timestamp
    #: ``None`` while the signal had not come back by the end of the data.
    ended: pd.Timestamp | None
    #: A stated time within this many seconds agrees: the window's bin, and never under a minute.
    tolerance: int
    #: The evidence in the author's words of the timeline (``error ratio 0.1% -> 30% at 14:00 UTC; ...``).
    evidence: str


def impact_window(timeline: Timeline | None) -> ImpactWindow | None:
    """The timeline's impact window for the reviewer, ``None`` without telemetry."""
    impact = timeline.impact if timeline is not None else None
    if impact is None:
        return None
    return ImpactWindow(
        began=pd.Timestamp(impact.began, tz="UTC"),
        ended=pd.Timestamp(impact.ended, tz="UTC") if impact.ended is not None else None,
        tolerance=max(60, -(-impact.step // 1_000_000_000)),
        evidence=impact.evidence,
    )


@dataclass
class KnownTimes:
    """The incident's checkable times, dates and durations in one place.

    Named apart from :class:`~postmortem_widgets.writing.facts.Facts`, the drafter's words for the same
    incident:
    the reviewer needs numbers for every gap between events, not sentences.
    """

    zone: ZoneInfo
    labels: dict[str, tzinfo]
    #: UTC times (``datetime64[ns]``), sorted, with what happened at each.
    times: np.ndarray
    what: list[str]
    milestones: Milestones | None
    #: The incident's length: the timeline's, else the record's ``incident_duration``.
    duration: timedelta | None
    #: Candidate elapsed times in seconds.
    durations: np.ndarray
    #: Named figures for messages: "detected to acknowledged" -> seconds.
    figures: dict[str, float]
    dates: frozenset[date]
    detected_by: str
    #: Other days the incident file names (a deploy the week before, the day a later update was written):
    #: a draft may mention them.
    record_dates: frozenset[date] = frozenset()
    #: When a monitor started alerting (the timeline's alert events), earliest first.
    alerts: tuple[pd.Timestamp, ...] = ()
    #: Lengths the author wrote in ``incident_duration`` (seconds): a draft may state the incident's length
    #: as the author measured it, when the timeline's milestones measure something else.
    stated_durations: tuple[float, ...] = ()
    #: The impact window from the monitoring data, or ``None``.
    impact: ImpactWindow | None = None
    _seconds: dict[Any, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def resolved(self) -> pd.Timestamp | None:
        return self.milestones.resolved if self.milestones is not None else None

    @property
    def detected(self) -> pd.Timestamp | None:
        return self.milestones.detected if self.milestones is not None else None

    def seconds_in(self, zone: tzinfo) -> np.ndarray:
        """Each time's seconds after local midnight in ``zone`` (cached)."""
        key = getattr(zone, "key", None) or repr(zone)
        if key not in self._seconds:
            self._seconds[key] = local_seconds(self.times, zone)
        return self._seconds[key]

    @property
    def zone_name(self) -> str:
        """The incident zone's label when the incident happened ("ET", "CEST")."""
        first = pd.Timestamp(self.times[0]).tz_localize("UTC") if len(self.times) else None
        return zone_label(self.zone, first)

    def clock(self, ts: pd.Timestamp) -> str:
        """A time as the draft should write it: ``9:14am ET``."""
        return human_clock(ts, self.zone)

    def describe(self, i: int) -> str:
        clock = self.clock(pd.Timestamp(self.times[i]).tz_localize("UTC"))
        return f"{clock}: {self.what[i]}" if self.what[i] else clock


@dataclass
class ReviewContext:
    """Everything a rule may look at."""

    doc: Document
    known_times: KnownTimes
    names: NameMatcher
    jargon: Jargon
    #: Internal details found, so other rules do not report the same text again.
    spans: list[Span]
    #: The instruction-like patterns (prompt injection) the draft must not hold.
    instructions: Instructions
    #: What the incident says of data loss, corruption, exposure and wrong figures (``data_impact``).
    data_impact: str = ""
    #: The product's and company's own words (product name, company, affected scope, ``allow:``), lower
    #: case: never a person's name, never jargon.
    vocabulary: frozenset[str] = frozenset()
    #: The incident's ``allow:`` terms and the product and company names, as written.
    allowed: tuple[str, ...] = ()
    prevention: PreventionPhrases = field(default_factory=PreventionPhrases)
    #: The events the prompt numbered (``E1``...), which the draft's citations name.
    evidence: tuple[Evidence, ...] = ()

    def claimed(self, start: int, end: int) -> bool:
        return any(s.start < end and start < s.end for s in self.spans)

    def own_term(self, term: str) -> bool:
        """Whether ``term`` names what the product is or sells (every word of it is the incident's own)."""
        words = _WORD_RE.findall(term.lower())
        if not words:
            return False
        joined = " ".join(words)
        if any(joined in " ".join(_WORD_RE.findall(a.lower())) for a in self.allowed):
            return True
        return all(w in self.vocabulary or w.rstrip("s") in self.vocabulary for w in words)


_WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
#: Words of the product and scope fields that name nothing of their own.
_STOP = frozenset((
    "a", "an", "the", "and", "or", "of", "for", "in", "on", "to", "with", "by", "at", "from", "all", "our",
    "their", "its", "who", "were", "was", "not", "no", "some", "any", "customers", "customer", "users",
    "user",
    "accounts", "account", "approximately", "about", "only", "other", "service", "services", "using", "used",
    "that", "this", "these", "those", "had", "have", "has", "been", "be", "is", "are", "e", "g", "i", "us",
))  # fmt: skip


def incident_vocabulary(incident: Incident) -> frozenset[str]:
    """The product's own words: product name, company, affected scope and ``allow:`` (lower case)."""
    texts = [incident.product_name, incident.company, incident.affected_scope, *incident.allow]
    words = {w for text in texts for w in _WORD_RE.findall(text.lower())}
    return frozenset(w for w in words if w not in _STOP and len(w) > 1)


def record_dates(incident: Incident, year: int | None) -> frozenset[date]:
    """Every date the incident file writes, in any field (a year-less one read in ``year``)."""
    from ..incident.record import FIELDS

    out: set[date] = set()
    for name in FIELDS:
        for mention in find_dates(str(getattr(incident, name, "") or "")):
            exact = mention.as_date()
            if exact is None and mention.year is None and year is not None:
                try:
                    exact = date(year, mention.month, mention.day)
                except ValueError:
                    exact = None
            if exact is not None:
                out.add(exact)
    return frozenset(out)


def _base_date(incident: Incident, timeline: Timeline | None, zone: ZoneInfo) -> date | None:
    if incident.incident_date.strip():
        try:
            return parse_date(incident.incident_date)
        except PostmortemError:
            pass
    if timeline is not None and len(timeline.signal_events):
        return pd.Timestamp(timeline.signal_events["time"].iloc[0]).tz_convert(zone).date()
    return None


def _record_times(
    incident: Incident, zone: ZoneInfo, labels: dict[str, tzinfo], day: date | None
) -> list[tuple[Any, str]]:
    """Clock times the author wrote in the incident record, read on the incident's date."""
    if day is None:
        return []
    out = []
    for name in _RECORD_FIELDS:
        text = str(getattr(incident, name, "") or "")
        for mention in find_times(text, labels):
            where = label_zone(mention.label, labels) or zone
            for seconds in mention.seconds_of_day():
                out.append((local_time(day, seconds, where).tz_convert("UTC"), f"from the incident's {name}"))
    return out


def _detected_by(incident: Incident, milestones: Milestones | None) -> str:
    if milestones is not None and milestones.detected_by != "unknown":
        return milestones.detected_by
    text = incident.detection
    if _CUSTOMER_RE.search(text):
        return "customer"
    if _MONITORING_RE.search(text):
        return "monitoring"
    return "unknown"


def _alerts(events: pd.DataFrame) -> tuple[pd.Timestamp, ...]:
    """When monitoring alerted: alert events, and detection events in monitoring's words ("Datadog alert
    fired"), never a customer's report."""
    kind = events["kind"]
    times = [pd.Timestamp(t) for t in events.loc[kind == ALERT, "time"]]
    detected = events.loc[kind == DETECTED, ["time", "message"]]
    for t, message in zip(detected["time"], detected["message"].astype(str), strict=True):
        if _MONITORING_RE.search(message) and not _CUSTOMER_RE.search(message):
            times.append(pd.Timestamp(t))
    return tuple(sorted(times))


def build_known_times(incident: Incident, timeline: Timeline | None) -> KnownTimes:
    """The facts of ``incident`` (an :class:`~.incident.record.Incident`) and its timeline."""
    zone = resolve_zone(incident.timezone or "UTC")
    day = _base_date(incident, timeline, zone)
    labels = zone_labels(zone, day.year if day else 2000)
    milestones = timeline.milestones if timeline is not None else None
    stamps = milestones.as_dict() if milestones is not None else dict.fromkeys(NAMES)
    # A few milestone and record times, then the key events as whole columns (no per-row loop).
    extra: list[tuple[Any, str]] = [(t, n) for n, t in stamps.items() if t is not None]
    extra.extend(_record_times(incident, zone, labels, day))
    extra_times = (
        pd.DatetimeIndex([t for t, _ in extra], tz="UTC").tz_localize(None).to_numpy("datetime64[ns]")
    )
    key_times = np.array([], dtype="datetime64[ns]")
    key_what = np.array([], dtype=object)
    if timeline is not None and len(timeline.signal_events):
        key = timeline.signal_events
        key_times = key["time"].dt.tz_localize(None).to_numpy("datetime64[ns]")
        key_what = key["message"].astype(str).to_numpy(dtype=object)
    values = np.concatenate([key_times, extra_times])
    order = np.argsort(values, kind="stable")
    times = values[order]
    what = list(np.concatenate([key_what, np.array([w for _, w in extra], dtype=object)])[order])

    duration = timeline.metrics.duration if timeline is not None else None
    record_durations = [d.seconds for d in find_durations(incident.incident_duration)]
    if duration is None and record_durations:
        duration = timedelta(seconds=record_durations[0])

    figures: dict[str, float] = {}
    for a, b in combinations(NAMES, 2):
        start, end = stamps[a], stamps[b]
        if start is not None and end is not None and end > start:
            figures[f"{a} to {b}"] = (end - start).total_seconds()
    anchors = [t.value / 1e9 for t in stamps.values() if t is not None]
    points = np.unique(times.astype("int64") / 1e9) if len(times) else np.array([], dtype="float64")
    if len(points) <= PAIRWISE_LIMIT:
        gaps = (points[None, :] - points[:, None]).ravel()
    else:
        gaps = (points[None, :] - np.asarray(anchors)[:, None]).ravel()
    gaps = np.abs(gaps[gaps != 0])
    stated = np.asarray(record_durations + ([duration.total_seconds()] if duration else []), dtype="float64")
    durations = (
        np.unique(np.concatenate([gaps, stated])) if len(gaps) or len(stated) else np.array([], "float64")
    )

    dates: set[date] = set()
    if len(times):
        local = pd.DatetimeIndex(times).tz_localize("UTC").tz_convert(zone)
        dates.update(local.normalize().unique().date)
    started, resolved = stamps["started"], stamps["resolved"]
    if started is not None and resolved is not None:
        first, last = started.tz_convert(zone).date(), resolved.tz_convert(zone).date()
        if 0 < (last - first).days <= MAX_SPAN_DAYS:
            dates.update(first + timedelta(days=i) for i in range((last - first).days + 1))
    if incident.incident_date.strip() and day is not None:
        dates.add(day)
    alerts: tuple[pd.Timestamp, ...] = ()
    if timeline is not None and len(timeline.signal_events):
        alerts = _alerts(timeline.signal_events)
    return KnownTimes(
        zone=zone,
        labels=labels,
        times=times,
        what=what,
        milestones=milestones,
        duration=duration,
        durations=durations,
        figures=figures,
        dates=frozenset(dates),
        detected_by=_detected_by(incident, milestones),
        record_dates=record_dates(incident, day.year if day else None),
        alerts=alerts,
        stated_durations=tuple(record_durations),
        impact=impact_window(timeline),
    )
