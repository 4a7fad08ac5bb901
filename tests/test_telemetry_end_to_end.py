"""Every telemetry fixture through the whole import path: detected, read, summarised, given its role."""

from __future__ import annotations

from pathlib import Path

import pytest

from postmortem_widgets.timeline.importers import ImportOptions, import_source
from postmortem_widgets.timeline.sources import FileSource
from postmortem_widgets.timeline.telemetry.model import LOG, METRIC
from tests.support.paths import DATA

FIXTURES = sorted(
    p
    for p in (DATA / "telemetry").glob("*/*")
    if p.parent.name != "errors" and not p.name.endswith(".expected.json")
)
METRIC_FORMATS = {"prometheus", "datadog_metrics", "cloudwatch_metrics", "grafana_csv", "newrelic_nrql"}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_fixture_imports_with_its_format_and_role(path: Path) -> None:
    result = import_source(FileSource(path), options=ImportOptions(tz="UTC"))
    assert result.format == path.parent.name
    assert result.role == (METRIC if result.format in METRIC_FORMATS else LOG)
    assert result.series, "every telemetry input gives at least one series"
    assert all(len(s.times) == len(s.values) and len(s.times) for s in result.series)
    if result.role == METRIC:
        assert result.count == 0  # a metric export has no events
    else:
        assert result.rows is not None and result.count <= result.rows
