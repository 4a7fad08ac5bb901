"""Milestones of an incident, found by documented rules and overridable by the analyst.

* **started**: the earliest of alert onsets, an explicit "impact began" event, the first event of a
  hand-written timeline, and the detection time itself.
* **detected**: the earliest human notification: a page, a customer report or an explicit
  "detected / alerted" event. Only when none exists does the earliest alert onset count.
  ``detected_by`` says ``customer``, ``monitoring`` or ``unknown``.
* **acknowledged**, **identified**, **mitigated**: the earliest event of that kind.
* **resolved**: the *latest* resolution signal from any source, so a postmortem never understates an
  outage that one source still reported.

Noise (PagerDuty notify, Datadog renotify, CloudWatch configuration updates, chat chatter) never counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date as Date

import numpy as np
import pandas as pd

from ..errors import MilestoneError
from . import events as ev
from .clock import CLOCK_RE, clock_of
from .timeparse import resolve_zone

NAMES: tuple[str, ...] = ("started", "detected", "acknowledged", "identified", "mitigated", "resolved")
DETECTED_BY: tuple[str, ...] = ("customer", "monitoring", "unknown")


@dataclass(frozen=True)
class Milestones:
    """The six milestones (UTC timestamps or ``None``), who detected it, and why each was chosen."""

    started: pd.Timestamp | None = None
    detected: pd.Timestamp | None = None
    acknowledged: pd.Timestamp | None = None
    identified: pd.Timestamp | None = None
    mitigated: pd.Timestamp | None = None
    resolved: pd.Timestamp | None = None
    detected_by: str = "unknown"
    #: For each milestone, the message of the event it came from (or "set by the analyst").
    reasons: dict[str, str] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, pd.Timestamp | None]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in NAMES}

    def to_json(self) -> dict[str, str | None]:
        return {name: iso_utc(value) for name, value in self.as_dict().items()}


def iso_utc(ts: pd.Timestamp | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``: ``2024-04-15T13:14:00Z``."""
    if ts is None:
        return None
    text = ts.tz_convert("UTC").isoformat()
    return text.replace("+00:00", "Z")


#: Kinds that can set a milestone; :data:`~postmortem_widgets.timeline.events.KINDS` lists them first.
_MILESTONE_KINDS = (
    ev.ALERT,
    ev.IMPACT,
    ev.PAGE,
    ev.CUSTOMER,
    ev.DETECTED,
    ev.ACKNOWLEDGED,
    ev.IDENTIFIED,
    ev.MITIGATED,
    ev.RESOLVED,
)
if ev.KINDS[: len(_MILESTONE_KINDS)] != _MILESTONE_KINDS:
    raise ImportError("events.KINDS must list the milestone kinds first")
_NAT = np.iinfo(np.int64).min


class _Table:
    """The rows the rules read, as arrays.

    Only events of a milestone kind can set one (bar a hand-written timeline's first event, see
    :meth:`first_of`), and a log holds few of them: one pass over the kinds finds them, and the rules
    then work on those rows alone.
    """

    def __init__(self, events: pd.DataFrame) -> None:
        self.events = events
        self.all_ns = events["time"].to_numpy(dtype="datetime64[ns]").view("int64")
        self.all_codes = ev.kind_codes(events["kind"])
        rows = np.flatnonzero(self.all_codes < len(_MILESTONE_KINDS))
        self.rows = rows[self.all_ns[rows] != _NAT]
        self.codes = self.all_codes[self.rows]

    def kind(self, *kinds: str) -> np.ndarray:
        """Positions (in the table) of the milestone rows of ``kinds``."""
        mask = np.isin(self.codes, [ev.KINDS.index(k) for k in kinds])
        return np.asarray(self.rows[mask])

    def first_of(self, mask: np.ndarray) -> int | None:
        """The earliest row of a mask over the whole table (the first in table order on a tie).

        A timeline is in time order (``NaT``, the smallest value, could only come first), so that is the
        mask's first row, found without gathering a million times.
        """
        ns = self.all_ns
        if (ns[:1] != _NAT).all() and (ns[1:] >= ns[:-1]).all():
            return int(mask.argmax()) if mask.any() else None
        return self.earliest(np.flatnonzero(mask))

    def earliest(self, rows: np.ndarray, *, latest: bool = False) -> int | None:
        """The earliest (or latest) of ``rows``, ascending table positions; the first of them on a tie."""
        rows = rows[self.all_ns[rows] != _NAT]
        if not len(rows):
            return None
        times = self.all_ns[rows]
        return int(rows[times.argmax() if latest else times.argmin()])

    def pick(self, rows: np.ndarray, *, latest: bool = False) -> tuple[int | None, pd.Timestamp | None, str]:
        """The earliest (or latest) event of ``rows`` (the first in table order on a tie) and why."""
        row = self.earliest(rows, latest=latest)
        if row is None:
            return None, None, ""
        source, message = self.events["source"].iloc[row], self.events["message"].iloc[row]
        return row, self.events["time"].iloc[row], f"{source!s}: {message!s}"


def find_milestones(
    events: pd.DataFrame,
    *,
    handwritten_files: frozenset[str] = frozenset(),
    overrides: Mapping[str, pd.Timestamp | None] | None = None,
    detected_by: str | None = None,
) -> tuple[Milestones, list[str]]:
    """Apply the rules to a canonical event table. Returns the milestones and warnings."""
    table = _Table(events)
    reasons: dict[str, str] = {}
    warnings: list[str] = []

    human = table.kind(ev.PAGE, ev.CUSTOMER, ev.DETECTED)
    row, detected, reasons["detected"] = table.pick(human)
    if row is not None:
        first = table.all_codes[human[table.all_ns[human] == table.all_ns[row]]]
        by = "customer" if ev.KINDS.index(ev.CUSTOMER) in first else "monitoring"
    else:
        _, detected, reasons["detected"] = table.pick(table.kind(ev.ALERT))
        by = "monitoring" if detected is not None else "unknown"

    onset = [table.kind(ev.ALERT, ev.IMPACT)]
    if handwritten_files:
        not_noise = table.all_codes != ev.KINDS.index(ev.NOISE)
        files = events["file"].astype("category").cat
        for name in sorted(handwritten_files & set(files.categories)):
            mine = table.first_of(not_noise & (files.codes.to_numpy() == files.categories.get_loc(name)))
            if mine is not None:
                onset.append(np.array([mine]))
    _, started, reasons["started"] = table.pick(np.unique(np.concatenate(onset)))
    if detected is not None and (started is None or detected < started):
        started, reasons["started"] = detected, reasons["detected"]

    _, acknowledged, reasons["acknowledged"] = table.pick(table.kind(ev.ACKNOWLEDGED))
    _, identified, reasons["identified"] = table.pick(table.kind(ev.IDENTIFIED))
    _, mitigated, reasons["mitigated"] = table.pick(table.kind(ev.MITIGATED))
    _, resolved, reasons["resolved"] = table.pick(table.kind(ev.RESOLVED), latest=True)

    found = Milestones(
        started=started,
        detected=detected,
        acknowledged=acknowledged,
        identified=identified,
        mitigated=mitigated,
        resolved=resolved,
        detected_by=by,
        reasons={k: v for k, v in reasons.items() if v},
    )
    found = apply_overrides(found, overrides or {}, detected_by=detected_by)
    if found.started is not None and found.resolved is not None and found.resolved < found.started:
        warnings.append(
            f"resolved ({iso_utc(found.resolved)}) is before started ({iso_utc(found.started)}); "
            "durations that would be negative are left empty. Check the inputs or set the milestones."
        )
    return found, warnings


def apply_overrides(
    milestones: Milestones, overrides: Mapping[str, pd.Timestamp | None], *, detected_by: str | None = None
) -> Milestones:
    """Replace milestones the analyst set by hand (``None`` clears one)."""
    changes: dict[str, object] = {}
    reasons = dict(milestones.reasons)
    for name, value in overrides.items():
        if name not in NAMES:
            raise MilestoneError(f"unknown milestone {name!r}", hint=f"choose one of: {', '.join(NAMES)}")
        changes[name] = value
        reasons[name] = "set by the analyst"
    if detected_by is not None:
        if detected_by not in DETECTED_BY:
            raise MilestoneError(f"detected_by must be one of {', '.join(DETECTED_BY)}, not {detected_by!r}")
        changes["detected_by"] = detected_by
    return replace(milestones, reasons=reasons, **changes)  # type: ignore[arg-type]


_TIME_HINT = "use ISO 8601 (2025-03-03T14:09:55Z), a date and time (2024-04-15 10:15) or a clock (10:15am)"


def milestone_time(name: str, text: str, *, tz: str | None = None, day: Date | None = None) -> pd.Timestamp:
    """A milestone's time as a person writes it, in UTC.

    ISO 8601 with a zone is exact; a date and time without one is read in ``tz``; a clock time (``10:15am``,
    ``22:15``) falls on ``day`` in ``tz``. Raises :class:`MilestoneError` saying what to write instead.

    >>> milestone_time("detected", "9:42am", tz="America/New_York", day=Date(2024, 4, 15))
    Timestamp('2024-04-15 13:42:00+0000', tz='UTC')
    """
    value = text.strip()
    match = CLOCK_RE.match(value)
    if match:
        try:
            hour, minute, second = clock_of(match)
        except ValueError:
            raise MilestoneError(f"{value!r} is not a clock time", hint="e.g. 10:15am or 22:15") from None
        if day is None:
            raise MilestoneError(
                f"{value!r} has no date and the timeline has none yet",
                hint="write a full time such as 2024-04-15 10:15",
            )
        if not tz:
            raise MilestoneError(f"the time for {name} has no zone", hint="pass --tz ZONE")
        local = pd.Timestamp(
            year=day.year, month=day.month, day=day.day, hour=hour, minute=minute, second=second
        )
        return local.tz_localize(resolve_zone(tz)).tz_convert("UTC")
    try:
        ts: pd.Timestamp | None = pd.Timestamp(value)
    except (ValueError, TypeError):
        ts = None
    if ts is None or pd.isna(ts):
        raise MilestoneError(f"cannot read {value!r} as a time for {name}", hint=_TIME_HINT)
    if ts.tzinfo is None:
        if not tz:
            raise MilestoneError(
                f"the time for {name} has no zone", hint="add Z or an offset, or pass --tz ZONE"
            )
        ts = ts.tz_localize(resolve_zone(tz))
    return ts.tz_convert("UTC")


def parse_override(
    text: str, *, tz: str | None = None, day: Date | None = None
) -> tuple[str, pd.Timestamp | None]:
    """Parse ``NAME=TIME`` from ``--set``; ``NAME=`` clears the milestone (see :func:`milestone_time`).

    >>> parse_override("detected=2025-03-03T14:09:55Z")
    ('detected', Timestamp('2025-03-03 14:09:55+0000', tz='UTC'))
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep:
        raise MilestoneError(
            f"expected NAME=TIME, got {text!r}", hint="e.g. --set detected=2025-03-03T14:09:55Z"
        )
    if name not in NAMES and name != "detected_by":
        raise MilestoneError(f"unknown milestone {name!r}", hint=f"choose one of: {', '.join(NAMES)}")
    if not value.strip():
        return name, None
    return name, milestone_time(name, value, tz=tz, day=day)


#: (earlier, later): the order an incident's milestones must keep. Nothing happens before it started; it
#: is not acknowledged or resolved before anyone noticed; it is not resolved before it was mitigated.
ORDER: tuple[tuple[str, str], ...] = (
    ("started", "detected"),
    ("started", "acknowledged"),
    ("started", "identified"),
    ("started", "mitigated"),
    ("started", "resolved"),
    ("detected", "acknowledged"),
    ("detected", "resolved"),
    ("mitigated", "resolved"),
)


def _shown(ts: pd.Timestamp, tz: str) -> str:
    local = ts.tz_convert(resolve_zone(tz))
    hour = local.hour % 12 or 12
    return f"{local.strftime('%b')} {local.day} {hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def order_problems(
    values: Mapping[str, pd.Timestamp | None], *, only: str | None = None, tz: str = "UTC"
) -> list[str]:
    """Each :data:`ORDER` rule the milestones break, as a sentence; ``only`` keeps the rules about it.

    >>> t = pd.Timestamp
    >>> order_problems({"started": t("2024-04-15T22:11Z"), "mitigated": t("2024-04-15T10:15Z")})
    ['mitigated (Apr 15 10:15am) would be before started (Apr 15 10:11pm)']
    """
    problems = []
    for earlier, later in ORDER:
        if only is not None and only not in (earlier, later):
            continue
        a, b = values.get(earlier), values.get(later)
        if a is not None and b is not None and b < a:
            problems.append(f"{later} ({_shown(b, tz)}) would be before {earlier} ({_shown(a, tz)})")
    return problems


@dataclass(frozen=True)
class Placed:
    """A typed milestone time, read and placed: the time, and the local day a clock time was put on."""

    time: pd.Timestamp
    #: The date a bare clock time (``10:15am``) was placed on; ``None`` when the text had its own date.
    day: Date | None = None


def _candidates(value: str, tz: str, days: list[Date], name: str) -> list[pd.Timestamp]:
    return [milestone_time(name, value, tz=tz, day=day) for day in days]


def _distance(ts: pd.Timestamp, others: list[pd.Timestamp]) -> float:
    """How far ``ts`` is outside the span of the other milestones (0 inside it), in seconds."""
    if not others:
        return 0.0
    lo, hi = min(others), max(others)
    if lo <= ts <= hi:
        return 0.0
    return float(min(abs((ts - lo).total_seconds()), abs((ts - hi).total_seconds())))


def place_milestone(
    name: str, text: str, current: Mapping[str, pd.Timestamp | None], *, tz: str, day: Date | None = None
) -> Placed:
    """Read a milestone typed by the analyst and check it against the other milestones (``current``).

    A clock time (``10:15am``) goes on the day around the incident where the order of the milestones
    holds, the one nearest the incident's span (an incident from 10:11pm to 12:05am puts ``12:01am`` on
    the second day). A time that breaks the order on every day, or a full time that breaks it, raises
    :class:`MilestoneError` with the reason.
    """
    value = text.strip()
    others = {k: v for k, v in current.items() if k != name and k in NAMES}
    known = [v for v in others.values() if v is not None]
    if CLOCK_RE.match(value) and known:
        first = min(known).tz_convert(resolve_zone(tz)).date()
        days = [Date.fromordinal(first.toordinal() + offset) for offset in (-1, 0, 1, 2)]
        options = list(zip(days, _candidates(value, tz, days, name), strict=True))
        fitting = [(d, ts) for d, ts in options if not order_problems({**others, name: ts}, only=name, tz=tz)]
        if not fitting:
            nearest = min(options, key=lambda o: _distance(o[1], known))[1]
            reason = order_problems({**others, name: nearest}, only=name, tz=tz)[0]
            raise MilestoneError(
                f"{name} at {value} does not fit this incident on any day: {reason}",
                hint="check the time, or correct the other milestone first",
            )
        chosen_day, ts = min(fitting, key=lambda o: (_distance(o[1], known), o[1]))
        return Placed(ts, chosen_day)
    ts = milestone_time(name, value, tz=tz, day=day)
    problems = order_problems({**others, name: ts}, only=name, tz=tz)
    if problems:
        raise MilestoneError(f"{name} cannot be {value}: {problems[0]}", hint="check the time and its date")
    placed_day = ts.tz_convert(resolve_zone(tz)).date() if CLOCK_RE.match(value) else None
    return Placed(ts, placed_day)
