"""Where things are: the checkout, the test data, the sample incidents (the seed example among them).

The ``data_dir`` and ``samples_dir`` fixtures hand out the same folders; these constants are for what is
needed while tests are collected (``parametrize`` lists, golden files).
"""

from __future__ import annotations

from pathlib import Path

#: The checkout (the folder holding ``pyproject.toml``).
REPO = Path(__file__).resolve().parents[2]
#: ``tests/data``: inputs and golden files, one folder per area.
DATA = REPO / "tests" / "data"
#: ``sample_data``: realistic incidents, one folder each.
SAMPLES = REPO / "sample_data"
#: The seed's worked example (Anchor Analytics): its incident file and its timeline export.
SEED_INCIDENT = SAMPLES / "anchor_analytics" / "incident.yaml"
SEED_TIMELINE = SAMPLES / "anchor_analytics" / "timeline.txt"
