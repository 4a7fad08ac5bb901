"""Helpers for the widget tests: incidents in a temporary folder, uploads through FileUpload.set_state.

``tests/conftest.py`` offers the first three as fixtures bound to the test's ``tmp_path``: ``anchor_copy``,
``empty_incident`` (an :class:`EmptyIncident`) and ``open_workspace`` (an :class:`OpenWorkspace`).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any, Protocol

import ipywidgets as widgets

from postmortem_widgets.incident.record import Incident, save_incident
from postmortem_widgets.ui import Workspace
from tests.support.paths import SAMPLES, SEED_TIMELINE

#: The seed example's timeline export, as a browser would upload it.
ANCHOR_TIMELINE = SEED_TIMELINE.read_bytes()


class EmptyIncident(Protocol):
    """The ``empty_incident`` fixture: :func:`empty_incident` in the test's ``tmp_path``."""

    def __call__(self, **fields: Any) -> Path: ...


class OpenWorkspace(Protocol):
    """The ``open_workspace`` fixture: :func:`open_workspace`."""

    def __call__(self, path: Path, **options: Any) -> Workspace: ...


def anchor_copy(tmp: Path) -> Path:
    """A copy of the seed's worked example; returns its incident file."""
    shutil.copytree(
        SAMPLES / "anchor_analytics", tmp / "anchor", ignore=shutil.ignore_patterns("drafts", "uploads")
    )
    return tmp / "anchor" / "incident.yaml"


def empty_incident(tmp: Path, **fields: Any) -> Path:
    """A new incident file with only ``fields`` set."""
    path = tmp / "incident" / "incident.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    save_incident(Incident(**fields), path)
    return path


def open_workspace(path: Path, **options: Any) -> Workspace:
    """The workspace on ``path``, saving at once (no debounce) and offering no samples unless asked."""
    options.setdefault("autosave_delay", 0)
    options.setdefault("sync_grace", 0)  # a value set here follows the last push at once
    options.setdefault("samples", [])
    return Workspace.open(path, **options)


def upload(upload_widget: widgets.FileUpload, *files: tuple[str, bytes]) -> None:
    """What the browser does when files are chosen: the value arrives through set_state."""
    upload_widget.set_state(
        {
            "value": [
                {
                    "name": name,
                    "type": "text/plain",
                    "size": len(data),
                    "last_modified": 1713186840000,
                    "content": memoryview(data),
                }
                for name, data in files
            ]
        }
    )


def cards(workspace: Workspace) -> dict[str, str]:
    """The metrics cards' values by metric key."""
    html = workspace.step("Timeline").cards.value  # type: ignore[attr-defined]
    return dict(re.findall(r'data-metric="([a-z_]+)">.*?<div class="pm-card-value">([^<]*)</div>', html))


def saved_widget_state() -> str:
    """Every live widget's state as the notebook would save it (buffers included, base64)."""
    import base64

    state = widgets.Widget.get_manager_state(drop_defaults=False)

    def default(value: Any) -> Any:
        if isinstance(value, bytes | memoryview):
            return base64.b64encode(bytes(value)).decode()
        return str(value)

    return json.dumps(state, default=default)
