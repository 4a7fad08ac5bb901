"""Who else has this incident open in a form: one small file per open form, refreshed while it is open.

``drafts/.open/<id>.json`` says who, on which host and since when; a form refreshes its file every few
seconds and removes it when it closes, and a file not refreshed for :data:`STALE_AFTER` seconds is a form
whose kernel died. (People in JupyterLab's collaborative editor are seen through the shared document.)
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from .._fs import atomic_write_text

__all__ = ["STALE_AFTER", "OpenForm", "Presence"]

STALE_AFTER = 30.0
FOLDER = ".open"


@dataclass(frozen=True)
class OpenForm:
    """Another form on this incident."""

    who: str
    host: str
    since: float


class Presence:
    """This form's presence file in ``folder`` (the incident's ``drafts/``)."""

    def __init__(self, folder: Path, who: str) -> None:
        self.folder = folder / FOLDER
        self.who = who
        self.id = uuid.uuid4().hex[:12]
        self.since = time.time()
        self._last = 0.0

    @property
    def path(self) -> Path:
        return self.folder / f"{self.id}.json"

    def beat(self, *, every: float = 5.0) -> None:
        """Say this form is still open (writes at most every ``every`` seconds)."""
        now = time.time()
        if now - self._last < every and self.path.exists():
            return
        self._last = now
        record = {"who": self.who, "host": socket.gethostname(), "pid": os.getpid(), "since": self.since}
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                atomic_write_text(ignore, "*\n")
            atomic_write_text(self.path, json.dumps(record) + "\n")

    def others(self) -> list[OpenForm]:
        """The other forms open on this incident now."""
        found = []
        now = time.time()
        try:
            entries = list(self.folder.glob("*.json"))
        except OSError:
            return []
        for entry in entries:
            if entry.name == self.path.name:
                continue
            try:
                if now - entry.stat().st_mtime > STALE_AFTER:
                    continue
                record = json.loads(entry.read_text(encoding="utf-8"))
                found.append(
                    OpenForm(
                        str(record.get("who", "someone")),
                        str(record.get("host", "")),
                        float(record.get("since", now)),
                    )
                )
            except (OSError, ValueError, TypeError, AttributeError):
                continue
        return sorted(found, key=lambda f: f.since)

    def leave(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
