"""Prometheus Alertmanager: webhook payloads and the v2 API alert list.

Accepted shapes: one webhook payload ``{"version", "status", "alerts": [...]}``; a list of payloads
(a webhook receiver's log, or ``GET /api/v2/alerts/groups``); the ``GET /api/v2/alerts`` list
``[{"labels", "annotations", "startsAt", "endsAt", "status": {"state"}, "fingerprint", "updatedAt"}]``.

Each alert gives an ``alert`` at ``startsAt`` and, once it has ended, a ``resolved`` at ``endsAt``.
``endsAt`` of ``0001-01-01T00:00:00Z`` never counts. A firing alert's ``endsAt`` is only an expiry
Prometheus keeps pushing forward, so it counts when the webhook says ``"status": "resolved"``, or in
the API list when it is not after the alert's own ``updatedAt``.

The ``severity`` label tempers the kind: ``warning`` alerts give ``warning`` events and ``info`` /
``none`` alerts ``noise``, and their endings are ``noise`` (the end of a warning is not the end of an
outage). The same alert (the same ``fingerprint`` *and* labels *and* ``startsAt``) seen in several
payloads gives one onset and one end, from its latest resolved notification; alerts that share a
fingerprint but differ in labels or start are distinct.

``message`` is ``alertname firing|resolved: annotations.summary``; ``actor`` is the ``instance`` label,
else ``job``. ``line`` counts alerts across the file, 1-based.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from .. import events as ev
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
    record_times,
    result,
    sample,
    score,
    shape_error,
    text,
    values,
)

NAME = "alertmanager"
EXPECTED = "an Alertmanager webhook payload {'alerts': [...]} or the v2 API alert list"
ZERO_TIME = "0001-01-01T00:00:00Z"
#: Severity labels that are not outage signals.
WARNING_SEVERITIES = frozenset({"warning", "warn"})
QUIET_SEVERITIES = frozenset({"info", "none", "informational"})


def _is_payload(record: Record) -> bool:
    return isinstance(record.get("alerts"), list)


def _is_alert(record: Record) -> bool:
    return isinstance(record.get("labels"), dict) and "startsAt" in record


def _alerts(doc: Any) -> tuple[list[Any], list[str]] | None:
    """The alerts, each tagged ``webhook`` (from a webhook payload) or ``api`` (from the API list)."""
    payloads: list[Any]
    if isinstance(doc, dict) and _is_payload(doc):
        payloads = [doc]
    elif isinstance(doc, list) and doc and all(isinstance(d, dict) and _is_payload(d) for d in doc):
        payloads = doc
    elif isinstance(doc, list):
        return doc, ["api"] * len(doc)
    else:
        return None
    alerts: list[Any] = []
    modes: list[str] = []
    for payload in payloads:
        alerts.extend(payload["alerts"])
        modes.extend(["webhook"] * len(payload["alerts"]))
    return alerts, modes


def sniff(source: Source) -> int:
    doc = source.json
    if isinstance(doc, dict) and _is_payload(doc):
        return 95 if all(_is_alert(a) for a in sample(doc["alerts"])) else 0
    if isinstance(doc, list):
        records = sample(doc)
        return score(records, _is_payload, sure=90, some=0) or score(
            records, lambda r: _is_alert(r) and ("fingerprint" in r or "endsAt" in r), sure=90, some=65
        )
    return 0


def parse_alertmanager(source: Source, options: ImportOptions) -> ev.ImportResult:
    doc = document(source, format=NAME, expected=EXPECTED)
    found = _alerts(doc)
    if found is None or (found[0] and not has_any(found[0], "labels", "startsAt")):
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    records = check_records(found[0], source=source, what="alert")
    mode = np.asarray(found[1], dtype=object)
    if not records:
        return empty_result(source, NAME, "the export holds no alerts")
    starts, warnings = record_times(
        values(records, "startsAt"), file=source.name, field="startsAt", tz=options.tz
    )
    ends_raw = [None if v == ZERO_TIME else v for v in values(records, "endsAt")]
    ends, end_warnings = record_times(
        ends_raw, file=source.name, field="endsAt", tz=options.tz, required=False
    )
    updated, _ = record_times(
        values(records, "updatedAt"), file=source.name, field="updatedAt", tz=options.tz, required=False
    )
    status = text(records, "status").str.lower()
    state = text(records, "status.state").str.lower()
    ended = ends.notna() & ends.ge(starts)
    said_resolved = (status == "resolved") | (state == "resolved")
    by_api = (mode == "api") & (said_resolved | (updated.notna() & ends.le(updated))).to_numpy()
    by_webhook = (mode == "webhook") & said_resolved.to_numpy()
    ended = ended.to_numpy() & (by_api | by_webhook)

    # One alert is one fingerprint with the same labels and start: Alertmanager's fingerprint is a hash
    # of the labels, but exports from several Alertmanagers (or hand-merged files) reuse values, and an
    # alert that fires again is a new alert even with the same labels.
    labels = pd.Series([json.dumps(r.get("labels"), sort_keys=True) for r in records], dtype="str")
    identity = text(records, "fingerprint") + "|" + labels + "@" + starts.astype("str")
    first_seen = ~identity.duplicated(keep="first").to_numpy()
    # The last resolved notification of an alert holds its final endsAt.
    resolved_ids = identity.where(pd.Series(ended), None)
    last_end = ended & ~resolved_ids.duplicated(keep="last").to_numpy()

    severity = text(records, "labels.severity").str.lower()
    onset_kind = np.where(
        severity.isin(WARNING_SEVERITIES),
        ev.WARNING,
        np.where(severity.isin(QUIET_SEVERITIES), ev.NOISE, ev.ALERT),
    )
    end_kind = np.where(onset_kind == ev.ALERT, ev.RESOLVED, ev.NOISE)

    name = text(records, "labels.alertname")
    summary = text(records, "annotations.summary")
    summary = summary.where(summary != "", text(records, "annotations.description"))
    level = severity.where(severity == "", "(" + severity + ")")

    def headline(word: str) -> pd.Series:
        return join(join(name, pd.Series([word] * len(records), dtype="str")), level)

    actor = text(records, "labels.instance")
    actor = actor.where(actor != "", text(records, "labels.job"))
    events = partial(build, format=NAME, source=source, records=records, actor=actor)
    frames = [
        events(
            times=starts,
            kind=onset_kind,
            message=join(headline("firing"), summary, sep=": "),
            keep=first_seen,
        ),
        events(
            times=ends.where(pd.Series(ended)),
            kind=end_kind,
            message=join(headline("resolved"), summary, sep=": "),
            keep=last_end,
        ),
    ]
    return result(source, NAME, frames, warnings + end_warnings)


IMPORTER = register(
    Importer(
        name=NAME,
        description="Prometheus Alertmanager webhook payload or v2 API alert list JSON",
        sniff=sniff,
        parse=parse_alertmanager,
    )
)

__all__ = ["IMPORTER", "ZERO_TIME", "parse_alertmanager", "sniff"]
