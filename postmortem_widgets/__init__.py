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
    from .drafting import OfflineDrafter, OpenAIDrafter, generate_draft
    from .drafts import DraftStore
    from .export import export_report, write_report
    from .incident import Incident, incident_timeline, load_incident, save_incident
    from .metrics import Metrics
    from .milestones import Milestones
    from .prompt import build_prompt
    from .review.check import check_draft
    from .review.redact import redact
    from .timeline import Timeline, build_timeline, load_timeline, parse_timeline
    from .ui import Workspace

#: Public name -> the module that defines it.
_LAZY: dict[str, str] = {
    "Timeline": "timeline",
    "build_timeline": "timeline",
    "load_timeline": "timeline",
    "parse_timeline": "timeline",
    "Milestones": "milestones",
    "Metrics": "metrics",
    "Incident": "incident",
    "load_incident": "incident",
    "save_incident": "incident",
    "incident_timeline": "incident",
    "build_prompt": "prompt",
    "OfflineDrafter": "drafting",
    "OpenAIDrafter": "drafting",
    "generate_draft": "drafting",
    "check_draft": "review",
    "redact": "review",
    "export_report": "export",
    "write_report": "export",
    "DraftStore": "drafts",
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
