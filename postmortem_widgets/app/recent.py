"""The last incident a notebook had open, so re-running its cell or restarting its kernel reopens it.

Kept in a small hidden file next to the notebook (``.NOTEBOOK.postmortem.json``): the kernel knows its
notebook from ``JPY_SESSION_NAME``, which the Jupyter server sets; without it (a plain kernel, a script) the
file is ``.postmortem-workspace.json`` in the working folder. The path is stored relative to that folder
when it is inside it, so the notebook and its incidents can move together.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from .._fs import atomic_write_text

__all__ = ["last_incident", "memory_file", "remember_incident"]


def memory_file(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path:
    """Where this notebook's last incident is remembered."""
    env = os.environ if env is None else env
    notebook = env.get("JPY_SESSION_NAME", "")
    if notebook.endswith(".ipynb"):
        path = Path(notebook)
        if not path.is_absolute():
            path = (cwd or Path.cwd()) / path.name
        return path.with_name(f".{path.stem}.postmortem.json")
    return (cwd or Path.cwd()) / ".postmortem-workspace.json"


def remember_incident(path: Path, *, memory: Path | None = None) -> None:
    """Remember ``path`` as this notebook's incident (a failure to write is not worth an error)."""
    memory = memory or memory_file()
    target = path.resolve()
    try:
        shown = os.path.relpath(target, memory.parent.resolve())
    except ValueError:  # another drive
        shown = str(target)
    with contextlib.suppress(OSError):
        atomic_write_text(memory, json.dumps({"incident": shown.replace(os.sep, "/")}) + "\n")


def last_incident(*, memory: Path | None = None) -> Path | None:
    """The incident this notebook had open last, if it still exists."""
    memory = memory or memory_file()
    try:
        stored = json.loads(memory.read_text(encoding="utf-8")).get("incident")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(stored, str) or not stored:
        return None
    path = Path(stored)
    path = path if path.is_absolute() else memory.parent / path
    return path if path.is_file() else None
