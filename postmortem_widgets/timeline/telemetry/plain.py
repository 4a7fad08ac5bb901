"""A signal in the words a customer reads: "Share of requests that failed", not ``checkout error ratio``.

A series' name is an internal detail (a service, a host, a metric's own spelling), so what the customer
reads is built from what the name *means*: its kind (read from the name by :mod:`.naming`) and its unit.
The report's impact figure (``export/figure``), the facts of the prompt and the offline draft
(``writing/facts``) and the reviewer's impact check all read the words here, one level below them all,
so the figure's title and the draft's sentence never disagree.

>>> plain_signal("error_ratio", "ratio").title, plain_signal("latency", "ms", "p95 latency (ms)").title
('Share of requests that failed', 'Response time (95th percentile)')
>>> plain_signal("request_rate", "/min").subject, plain_signal("error_rate", "/s").title
('traffic', 'Errors per second')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PERCENTILE = re.compile(r"\bp(50|75|90|95|99|999)\b|\b(50|75|90|95|99)(?:th)? percentile\b", re.I)


@dataclass(frozen=True)
class PlainSignal:
    """What a series measures, in plain words: a ``title`` (a figure's, a fact's label) and the ``subject``
    of a sentence ("error rates rose sharply"), with whether that subject is ``plural``."""

    title: str
    subject: str
    plural: bool = True


def _per(unit: str) -> str:
    return {"/min": " per minute", "/s": " per second", "/h": " per hour"}.get(unit, "")


def _percentile(name: str) -> str:
    found = _PERCENTILE.search(name)
    if found is None:
        return ""
    number = found.group(1) or found.group(2)
    return " (median)" if number == "50" else f" ({'99.9' if number == '999' else number}th percentile)"


def plain_signal(kind: str, unit: str, name: str = "") -> PlainSignal:
    """The words for a series of ``kind`` in ``unit``; ``name`` only lends a latency's percentile."""
    if kind == "error_ratio":
        return PlainSignal("Share of requests that failed", "error rates")
    if kind == "status_ratio":
        return PlainSignal("Share of requests that returned a server error", "server errors")
    if kind == "error_rate":
        return PlainSignal(f"Errors{_per(unit)}", "errors")
    if kind == "latency":
        return PlainSignal(f"Response time{_percentile(name)}", "response times")
    if kind == "request_rate":
        return PlainSignal(f"Requests{_per(unit)}", "traffic", plural=False)
    if kind == "saturation":
        return PlainSignal("Capacity in use", "resource usage", plural=False)
    return PlainSignal("The measured signal", "the measured signal", plural=False)


__all__ = ["PlainSignal", "plain_signal"]
