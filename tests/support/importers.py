"""What the vendor-fixture suites share: reading a fixture and its expected result, and the sniffing check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from postmortem_widgets.timeline.importers import formats, get_importer
from postmortem_widgets.timeline.sources import Source


def load(path: Path) -> Source:
    return Source(name=path.name, data=path.read_bytes())


def expected(path: Path) -> dict[str, Any]:
    """The fixture's ``NAME.expected.json`` beside it."""
    result: dict[str, Any] = json.loads(
        path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8")
    )
    return result


def assert_detected_clearly(path: Path) -> None:
    """The fixture's own importer (its folder's name) scores at least 80, and 20 more than any other."""
    source = load(path)
    scores = {name: get_importer(name).sniff(source) for name in formats()}
    mine = scores.pop(path.parent.name)
    assert mine >= 80
    assert max(scores.values()) <= mine - 20, scores
