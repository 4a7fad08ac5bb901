"""Postmortem Workspace: write honest, customer-facing incident postmortems.

The public API is small and lazy: importing the package imports no pandas, jinja2 or ipywidgets until
a name is used, so the notebook form shows quickly.

>>> from postmortem_widgets import load_timeline
>>> tl = load_timeline(["timeline.txt"], tz="ET", date="2024-04-15")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import PostmortemError

if TYPE_CHECKING:
    from .metrics import Metrics
    from .milestones import Milestones
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
    "Workspace": "ui",
}

__all__ = [
    "Metrics",
    "Milestones",
    "PostmortemError",
    "Timeline",
    "Workspace",
    "build_timeline",
    "load_timeline",
    "parse_timeline",
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
