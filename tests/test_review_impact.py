"""The reviewer's impact check (fact-impact): a stated impact start or end agrees with the monitoring data.

The incident is tests/data/review/good/checkout_errors.incident.yaml: a panel export whose error ratio
left its baseline at 9:00am ET and came back at 9:51:30am ET (30 s bins), and an alert at 9:06am ET.
"""

from __future__ import annotations

import pytest

from postmortem_widgets.incident.record import Incident, load_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.review import check_draft
from postmortem_widgets.review.rules.impact import impact_claim
from postmortem_widgets.timeline.mentions import find_times
from postmortem_widgets.timeline.merge import Timeline
from tests.support import paths

INCIDENT = paths.DATA / "review" / "good" / "checkout_errors.incident.yaml"
GOOD = INCIDENT.with_name("checkout_errors.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def checkout() -> tuple[Incident, Timeline]:
    incident = load_incident(INCIDENT)
    return incident, incident_timeline(incident)


def _facts(draft: str, checkout: tuple[Incident, Timeline]) -> list[tuple[str, int, str]]:
    review = check_draft(draft, *checkout)
    return [(f.rule, f.line, f.message) for f in review.findings if f.rule.startswith("fact-")]


def _summary(sentence: str) -> str:
    """The good draft with one more sentence at the end of its Summary (line 3)."""
    lines = GOOD.splitlines()
    lines[2] += " " + sentence
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "sentence",
    [
        "Errors began at 9:00am ET.",
        "Error rates rose sharply from about 0.1% to 30% at 9:00am.",
        "Error rates returned to normal at 9:52am ET.",  # 30 s from 9:51:30: within the bin
        "Failed payments stopped at 9:51am ET.",
        "Response times were back to normal by 9:51am.",
    ],
)
def test_a_right_impact_time_passes(sentence: str, checkout: tuple[Incident, Timeline]) -> None:
    assert _facts(_summary(sentence), checkout) == []


@pytest.mark.parametrize(
    ("sentence", "message"),
    [
        # 9:06am is the alert: fact-time alone would let it pass as an event of the incident.
        (
            "Errors began at 9:06am ET.",
            "9:06am ET is not when the monitoring data shows the impact began: 9:00am ET",
        ),
        (
            "Errors began at 9:02am.",
            "9:02am is not when the monitoring data shows the impact began: 9:00am ET",
        ),
        (
            "Error rates returned to normal at 9:40am ET.",
            "9:40am ET is not when the monitoring data shows the impact ended: 9:51am ET",
        ),
        (
            "Timeouts spiked at 2:06pm UTC.",
            "2:06pm UTC is not when the monitoring data shows the impact began: 9:00am ET",
        ),
    ],
)
def test_a_wrong_impact_time_is_an_error(
    sentence: str, message: str, checkout: tuple[Incident, Timeline]
) -> None:
    review = check_draft(_summary(sentence), *checkout)
    found = [f for f in review.findings if f.rule.startswith("fact-")]
    assert [(f.rule, f.severity, f.line) for f in found] == [("fact-impact", "error", 3)]
    assert found[0].message.startswith(message)
    assert "checkout error ratio 0.099% -> 30% at 09:00 ET" in found[0].message  # the evidence to check


def test_a_timeline_bullet_that_opens_with_the_time(checkout: tuple[Incident, Timeline]) -> None:
    wrong = GOOD.replace(
        "- **9:00am ET:** Error rates rose sharply", "- **9:02am ET:** Error rates rose sharply"
    )
    assert wrong != GOOD
    assert _facts(wrong, checkout) == [
        (
            "fact-impact",
            7,
            "9:02am ET is not when the monitoring data shows the impact began: 9:00am ET "
            "(checkout error ratio 0.099% -> 30% at 09:00 ET; back under 0.99% at 09:51:30 ET)",
        )
    ]


def test_the_good_draft_passes(checkout: tuple[Incident, Timeline]) -> None:
    assert check_draft(GOOD, *checkout).findings == []


def test_without_telemetry_nothing_is_held_against_a_window(
    seed_incident: Incident, seed_timeline: Timeline
) -> None:
    seed = (paths.DATA / "review" / "good" / "seed_output.md").read_text(encoding="utf-8")
    lines = seed.splitlines()
    lines[2] += " Errors began at 9:14am ET."
    assert check_draft("\n".join(lines), seed_incident, seed_timeline).findings == []


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("Error rates rose sharply at 2:00pm and returned to normal at 2:52pm.", ["start", "end"]),
        ("Errors began at 2:00pm UTC, 0.1% to 30%.", ["start"]),
        ("Latency was back to its usual level by 2:52pm.", ["end"]),
        ("- **2:00pm:** Error rates rose sharply after an update", ["start"]),
        ("- **2:52pm:** Errors subsided", ["end"]),
        # Not impact claims: a milestone, our own action, a time that only happens to sit near the words.
        ("The incident began at 2:00pm.", [None]),
        ("We began rolling out a fix at 2:40pm.", [None]),
        ("- **2:06pm:** Our monitoring raised an alert about errors", [None]),
        ("At 2:00pm errors rose.", [None]),
    ],
)
def test_which_times_state_the_impact(text: str, claims: list[str | None]) -> None:
    assert [impact_claim(text, m) for m in find_times(text, ["UTC"])] == claims
