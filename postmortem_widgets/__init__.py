"""Postmortem Workspace: write honest, customer-facing incident postmortems.

The public API is small and lazy: importing the package imports no pandas, jinja2 or ipywidgets until
a name is used, so the notebook form shows quickly.

Read an incident, reconstruct its timeline, draft offline, review, export::

    from postmortem_widgets import *

    incident = load_incident("sample_data/anchor_analytics/incident.yaml")
    timeline = incident_timeline(incident)
    prompt = build_prompt(incident, timeline)
    draft = generate_draft(OfflineDrafter(), incident, timeline, prompt).text
    assert check_draft(draft, incident, timeline).errors == 0
    write_report("anchor.pdf", draft, incident)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import PostmortemError

if TYPE_CHECKING:
    from .export import export_report, write_report
    from .incident.record import Incident, load_incident, save_incident
    from .incident.timeline import incident_timeline
    from .privacy.redact import redact
    from .review.check import check_draft
    from .store import DraftStore
    from .timeline.merge import Timeline, build_timeline, load_timeline, parse_timeline
    from .timeline.metrics import Metrics
    from .timeline.milestones import Milestones
    from .ui import Workspace
    from .writing.drafters import OfflineDrafter, OpenAIDrafter, generate_draft
    from .writing.prompt import build_prompt

#: Public name -> the module that defines it.
_LAZY: dict[str, str] = {
    "Timeline": "timeline.merge",
    "build_timeline": "timeline.merge",
    "load_timeline": "timeline.merge",
    "parse_timeline": "timeline.merge",
    "Milestones": "timeline.milestones",
    "Metrics": "timeline.metrics",
    "Incident": "incident.record",
    "load_incident": "incident.record",
    "save_incident": "incident.record",
    "incident_timeline": "incident.timeline",
    "build_prompt": "writing.prompt",
    "OfflineDrafter": "writing.drafters",
    "OpenAIDrafter": "writing.drafters",
    "generate_draft": "writing.drafters",
    "check_draft": "review",
    "redact": "review",
    "export_report": "export",
    "write_report": "export",
    "DraftStore": "store",
    "Workspace": "ui",
}

__all__ = [
    "DraftStore",
    "Incident",
    "Metrics",
    "Milestones",
    "OfflineDrafter",
    "OpenAIDrafter",
    "PostmortemError",
    "Timeline",
    "Workspace",
    "build_prompt",
    "build_timeline",
    "check_draft",
    "export_report",
    "generate_draft",
    "incident_timeline",
    "load_incident",
    "load_timeline",
    "parse_timeline",
    "redact",
    "save_incident",
    "write_report",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'postmortem_widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
