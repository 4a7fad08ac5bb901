"""Grafana annotations (``GET /api/annotations``, a JSON list), legacy alert state changes included.

``time`` is epoch milliseconds. An alert annotation's ``newState`` decides the kind (legacy and unified
alerting spellings alike, ``alerting`` / ``Alerting``, ``ok`` / ``Normal``, a suffix like
``(Updated)`` ignored):

=====================  =============  ===========================================================
``alerting``           ``alert``
``ok`` / ``normal``    ``resolved``   when it left ``alerting`` (or the previous state is unknown);
                       ``noise``      when it left ``pending`` or ``no_data``: nothing had fired
``pending``            ``warning``    the condition is breached but not yet for its ``for``
                                      duration: worth seeing next to the alert, not an onset
``no_data``, ``error``  ``warning``
``paused`` and others  ``noise``
=====================  =============  ===========================================================

Annotations without a state (deploy markers, notes people added) are classified by their text with
the free-text rules, ``update`` when no rule matches: a person wrote them for a reason. Region
annotations keep their start ``time``; ``timeEnd`` is not an event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import events as ev
from ..classify import classify_text
from ..sources import Source
from . import Importer, ImportOptions, register
from ._json import (
    Record,
    build,
    check_records,
    describe,
    document,
    empty_result,
    has_any,
    join,
    listed,
    record_times,
    result,
    sample,
    score,
    shape_error,
    text,
    values,
)

NAME = "grafana"
EXPECTED = "a Grafana annotations list: [{'time': ..., 'newState': ..., 'text': ...}]"

STATES: dict[str, str] = {
    "alerting": ev.ALERT,
    "alert": ev.ALERT,
    "ok": ev.RESOLVED,
    "normal": ev.RESOLVED,
    "pending": ev.WARNING,
    "no_data": ev.WARNING,
    "nodata": ev.WARNING,
    "error": ev.WARNING,
}
#: Previous states from which a return to ``ok`` is not a recovery (nothing had fired).
NOT_FIRED = frozenset({"pending", "no_data", "nodata", "ok", "normal", "paused"})


def _is_alert_annotation(record: Record) -> bool:
    return "time" in record and ("newState" in record or "alertName" in record)


def _is_annotation(record: Record) -> bool:
    return "time" in record and "text" in record and ("dashboardUID" in record or "panelId" in record)


def sniff(source: Source) -> int:
    items = listed(source.json, "annotations")
    if items is None:
        return 0
    records = sample(items)
    return score(records, _is_alert_annotation, sure=90, some=70) or score(
        records, _is_annotation, sure=60, some=40
    )


def normalise_state(states: pd.Series) -> pd.Series:
    """``Normal (Updated)`` -> ``normal``; ``NoData`` -> ``nodata``; ``Alerting`` -> ``alerting``."""
    return states.str.lower().str.replace(r"\s*\(.*\)\s*$", "", regex=True).str.strip().str.replace(" ", "_")


def parse_grafana(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    items = listed(doc, "annotations")
    # An empty "annotations" list among other keys is some other tool's object (a Sentry issue has one).
    stray = not items and isinstance(doc, dict) and len(doc) > 1
    if (
        items is None
        or stray
        or (items and not has_any(items, "time", "newState", "alertName", "dashboardUID"))
    ):
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    records = check_records(items, source=source, what="annotation")
    if not records:
        return empty_result(source, NAME, "the export holds no annotations")
    times, warnings = record_times(values(records, "time"), file=source.name, field="time", tz=options.tz)
    new = normalise_state(text(records, "newState"))
    previous = normalise_state(text(records, "prevState"))
    note = text(records, "text")
    alert_name = text(records, "alertName")
    # Unified alerting leaves alertName empty and writes the labels into the text.
    labelled = note.str.extract(r"alertname=([^,}\s]+)", expand=False).fillna("").astype("str")
    alert_name = alert_name.where(alert_name != "", labelled)

    kind = new.map(STATES).to_numpy(dtype=object, copy=True)
    kind[(new != "").to_numpy() & pd.isna(kind)] = ev.NOISE
    recovered = (kind == ev.RESOLVED) & previous.isin(NOT_FIRED).to_numpy()
    kind[recovered] = ev.NOISE
    stateless = (new == "").to_numpy()
    if stateless.any():
        kind[stateless] = classify_text(note[stateless].tolist(), default=ev.UPDATE)

    change = pd.Series(
        np.where(new != "", np.where(previous != "", previous + " -> " + new, new), ""), dtype="str"
    )
    head = join(alert_name, change.where(change == "", "(" + change + ")"))
    message = join(head, note, sep=": ")
    person = text(records, "login")
    person = person.where(person != "", text(records, "email"))
    actor = person.where(person != "", alert_name)
    events = build(
        format=NAME, source=source, records=records, times=times, kind=kind, message=message, actor=actor
    )
    return result(source, NAME, [events], warnings)


IMPORTER = register(
    Importer(
        name=NAME,
        description="Grafana annotations JSON (legacy alert state changes, deploy notes)",
        sniff=sniff,
        parse=parse_grafana,
    )
)

__all__ = ["IMPORTER", "STATES", "parse_grafana", "sniff"]
