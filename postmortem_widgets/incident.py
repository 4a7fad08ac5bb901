"""The incident record: the seed's 11 fields plus the time zone, timeline inputs and milestone overrides."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The seed prompt's variables, in the seed's order.
FIELDS: tuple[str, ...] = (
    "product_name",
    "incident_date",
    "incident_duration",
    "affected_scope",
    "customer_experience",
    "root_cause",
    "detection",
    "response_timeline",
    "remediation",
    "prevention",
    "data_impact",
)


@dataclass
class Incident:
    """What the author knows about one incident. Empty strings are fields still to fill."""

    product_name: str = ""
    incident_date: str = ""
    incident_duration: str = ""
    affected_scope: str = ""
    customer_experience: str = ""
    root_cause: str = ""
    detection: str = ""
    response_timeline: str = ""
    remediation: str = ""
    prevention: str = ""
    data_impact: str = ""
    #: IANA zone the incident is told in (times in the draft are local to it).
    timezone: str = "UTC"
    #: Timeline exports, relative to the incident file.
    timeline: list[str] = field(default_factory=list)
    #: Milestones set by hand: name -> ISO 8601 time.
    milestones: dict[str, str] = field(default_factory=dict)
