"""Logs and metrics as evidence in words: the impact facts, the prompt's block and the offline draft's
Summary sentence and Timeline bullet, for the synthetic incident of issue 11 told in ET (9:00am to 9:51am).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from postmortem_widgets.incident.record import Incident, load_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.review import check_draft
from postmortem_widgets.timeline.merge import Timeline
from postmortem_widgets.timeline.telemetry.plain import plain_signal
from postmortem_widgets.writing.drafters import OfflineDrafter
from postmortem_widgets.writing.facts import ImpactFacts, build_facts
from postmortem_widgets.writing.prompt import build_prompt
from tests.support import telemetry as ts

SUMMARY = (
    "Error rates rose sharply at 9:00am ET after an update and returned to their usual level at 9:51am ET."
)
BULLET = "- **9:00am ET:** Error rates rose sharply after an update, from about 0.13% to a peak of 45%"
PROMPT_BLOCK = """Impact measured in the monitoring data (use these exact times; describe the signal in \
these plain words, never by an internal series, host or service name):
- Signal: share of requests that failed
- Error rates rose sharply at 9:00am ET, from about 0.13% to a peak of 45%
- This came right after an update (a deploy or configuration change at 9:00am ET)
- Error rates returned to their usual level at 9:51am ET
"""


def _load(folder: Path, **options: bool) -> tuple[Incident, Timeline]:
    incident = load_incident(ts.write_checkout(folder, **options))
    return incident, incident_timeline(incident)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Incident, Timeline]:
    """The log, the panel and the alert: the deploy line in the log makes it 'after an update'."""
    return _load(tmp_path_factory.mktemp("checkout"))


@pytest.fixture(scope="module")
def panel_only(tmp_path_factory: pytest.TempPathFactory) -> tuple[Incident, Timeline]:
    """The panel and the alert: no log, so no change line."""
    return _load(tmp_path_factory.mktemp("panel"), log=False)


def test_impact_facts(checkout: tuple[Incident, Timeline]) -> None:
    assert build_facts(*checkout).impact == ImpactFacts(
        title="Share of requests that failed",
        subject="error rates",
        plural=True,
        rising=True,
        began="9:00am ET",
        began_day="",
        ended="9:51am ET",
        ended_day="",
        baseline="0.13%",
        peak="45%",
        change="9:00am ET",
        from_start=False,
    )


def test_prompt_states_the_impact_as_facts(checkout: tuple[Incident, Timeline]) -> None:
    user = build_prompt(*checkout, nonce="abcdef123456").user
    assert PROMPT_BLOCK in user
    block = user[user.index("Impact measured") : user.index("Write a customer-facing postmortem with")]
    assert "checkout" not in block.lower() and "app.csv" not in block  # no series, service or file name


def test_offline_draft_says_it_in_a_sentence_and_a_bullet(checkout: tuple[Incident, Timeline]) -> None:
    draft = OfflineDrafter().draft(*checkout)
    summary = draft.split("\n\n")[1]
    assert summary == (
        "On March 3, 2025, Checkout experienced a 51-minute service incident affecting customers paying by "
        "card. Some card payments failed and had to be retried. " + SUMMARY + " The incident was fully "
        "resolved at 9:51am ET. No payment was charged twice."
    )
    assert BULLET in draft.splitlines()
    assert check_draft(draft, *checkout).findings == []  # what the drafter says, the reviewer accepts


def test_no_update_without_a_change_line(panel_only: tuple[Incident, Timeline]) -> None:
    facts = build_facts(*panel_only)
    assert facts.impact is not None and facts.impact.change is None
    assert (facts.impact.baseline, facts.impact.peak) == ("0.099%", "32%")
    draft = OfflineDrafter().draft(*panel_only)
    assert SUMMARY.replace(" after an update", "") in draft
    assert "- **9:00am ET:** Error rates rose sharply, from about 0.099% to a peak of 32%" in draft
    assert "after an update" not in draft + build_prompt(*panel_only).user


def test_data_that_begins_inside_the_window(tmp_path: Path) -> None:
    """A log exported from mid-incident shows the level, not when it rose: no 'rose sharply' claim."""
    frame = ts.incident_log()
    frame = frame[frame["timestamp"] >= ts.T0 + pd.Timedelta(minutes=10)]
    stamps = frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z"
    frame.assign(timestamp=stamps).to_csv(tmp_path / "late.csv", index=False)
    incident = Incident(product_name="Checkout", timezone="UTC", timeline=["late.csv"], base_dir=tmp_path)
    timeline = incident_timeline(incident)
    facts = build_facts(incident, timeline)
    assert facts.impact is not None and facts.impact.from_start and not facts.summary_has_impact
    assert (
        "\n- Already 45% at 2:10pm UTC, when the data begins (usual level 0.12%)\n"
        in build_prompt(incident, timeline).user
    )
    assert "rose sharply" not in OfflineDrafter().draft(incident, timeline)


def test_seed_example_has_no_impact_facts(seed_incident: Incident, seed_timeline: Timeline) -> None:
    facts = build_facts(seed_incident, seed_timeline)
    assert facts.impact is None and not facts.summary_has_impact
    assert "Impact measured" not in build_prompt(seed_incident, seed_timeline).user


@pytest.mark.parametrize(
    ("kind", "unit", "name", "title", "subject"),
    [
        ("error_ratio", "ratio", "checkout error ratio", "Share of requests that failed", "error rates"),
        (
            "status_ratio",
            "ratio",
            "5xx ratio",
            "Share of requests that returned a server error",
            "server errors",
        ),
        ("error_rate", "/min", "error rate", "Errors per minute", "errors"),
        ("latency", "ms", "latency p99", "Response time (99th percentile)", "response times"),
        ("latency", "s", "api-1.corp.internal latency", "Response time", "response times"),
        ("request_rate", "/s", "requests per second", "Requests per second", "traffic"),
        ("saturation", "%", "db-7 cpu %", "Capacity in use", "resource usage"),
        ("metric", "", "queue_xyz{host=a}", "The measured signal", "the measured signal"),
    ],
)
def test_plain_words_never_come_from_the_name(
    kind: str, unit: str, name: str, title: str, subject: str
) -> None:
    words = plain_signal(kind, unit, name)
    assert (words.title, words.subject) == (title, subject)
