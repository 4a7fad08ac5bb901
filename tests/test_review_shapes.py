"""The reviewer on the shapes real posts take: what must pass (a regional duration, a background date, a
product named like a handle) and the subtle flaws models make (a duration in words, a vague promise
dressed as specific, a name by role), rule by rule. Drafts are the seed example with one sentence changed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from postmortem_widgets.errors import IgnoreError, PreventionListError
from postmortem_widgets.incident.record import Incident, load_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.review import RULES, Ignore, check_draft, redact
from postmortem_widgets.review.document import parse_document
from postmortem_widgets.review.phrases import parse_prevention, prevention_for
from postmortem_widgets.review.rules.data_impact import claims, field_positions
from postmortem_widgets.timeline.merge import Timeline, parse_timeline

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "review"
SEED = (DATA / "good" / "seed_output.md").read_text(encoding="utf-8")
WHY = "The deeper problem:"
RESPONDED = "We rolled back the cache deployment and rebuilt the cache from our live database"
APOLOGY_LAST = (
    "We're committed to being the first to know when something isn't working, and to communicating with you "
    "faster than we did this time."
)
CHANGE_3 = (
    "We've established a 30-minute internal SLA to post a customer-facing status update when any degradation "
    "is detected. You should hear from us before you notice something is wrong."
)


@pytest.fixture(scope="module")
def seed() -> tuple[Incident, Timeline]:
    incident = load_incident(ROOT / "sample_data" / "anchor_analytics" / "incident.yaml")
    return incident, incident_timeline(incident)


def found(text: str, seed: tuple[Incident, Timeline], **options: object) -> list[tuple[str, str]]:
    incident, timeline = seed
    review = check_draft(text, incident, timeline, **options)  # type: ignore[arg-type]
    return [(f.rule, f.severity) for f in review.findings]


def edit(old: str, new: str) -> str:
    assert old in SEED, old
    return SEED.replace(old, new)


# --- severity -------------------------------------------------------------------------------------------


def test_errors_are_what_is_certainly_wrong_or_unsafe() -> None:
    errors = {r.id for r in RULES.values() if r.severity == "error"}
    assert errors == {
        "fact-time", "fact-date", "fact-duration", "fact-resolution", "timeline-order", "detection-claim",
        "detection-denial", "data-impact-contradiction", "person-name", "privacy-email", "privacy-ip",
        "privacy-host", "privacy-secret", "prompt-injection", "fact-impact",
        "citation-missing", "citation-time",
    }  # fmt: skip


# --- durations: in words, with their scope ---------------------------------------------------------------

SUMMARY_DURATION = "experienced a 2-hour 33-minute service incident affecting"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("a service incident lasting just over two and a half hours, affecting", []),
        ("a service incident lasting about two and a half hours, affecting", []),
        ("a service incident lasting two hours and thirty-three minutes, affecting", []),
        (
            "a service incident lasting just under two and a half hours, affecting",
            [("fact-duration", "error")],
        ),
        ("a service incident lasting nearly three hours, affecting", [("fact-duration", "error")]),
        ("a service incident lasting over 90 minutes, affecting", []),
        ("a service incident lasting half an hour, affecting", [("fact-duration", "error")]),
    ],
)
def test_the_incidents_length_in_words(
    seed: tuple[Incident, Timeline], words: str, expected: list[object]
) -> None:
    assert found(edit(SUMMARY_DURATION, f"experienced {words}"), seed) == expected


def test_a_duration_between_two_shown_times_is_what_a_reader_subtracts(
    seed: tuple[Incident, Timeline],
) -> None:
    said = (
        "On April 15, 2024, from 9:14am to 11:47am ET ({}), Anchor Analytics experienced a service incident"
    )
    old = "On April 15, 2024, Anchor Analytics experienced a 2-hour 33-minute service incident"
    assert found(edit(old, said.format("2 hours 33 minutes")), seed) == []
    assert found(edit(old, said.format("2 hours 30 minutes")), seed) == [("fact-duration", "error")]


def test_a_regional_duration_is_not_the_incidents_and_only_a_warning_when_nothing_fits(
    seed: tuple[Incident, Timeline],
) -> None:
    regional = edit(WHY, "In the us-east region, the outage lasted 28 minutes. " + WHY)  # 9:14 to 9:42
    assert found(regional, seed) == []
    unknown = edit(WHY, "In the us-east region, the outage lasted 47 minutes. " + WHY)
    assert found(unknown, seed) == [("fact-duration", "warning")]
    total = edit(WHY, "The outage lasted 47 minutes. " + WHY)
    assert found(total, seed) == [("fact-duration", "error")]
    customers = edit(WHY, "For 47 minutes, customers saw stale dashboards. " + WHY)
    assert found(customers, seed) == [("fact-duration", "error")]
    in_region = edit(WHY, "For 47 minutes in us-east, customers saw stale dashboards. " + WHY)
    assert found(in_region, seed) == [("fact-duration", "warning")]


@pytest.mark.parametrize(
    "sentence",
    [
        "We set an expectation of two hours as our estimated time of recovery.",
        "Our logs are not available beyond 90 days.",
        "Monitoring was closely observed for 1 hour after the fix.",
        "Delays of up to 4 hours affected some reports.",
    ],
)
def test_estimates_limits_and_watch_periods_are_not_timeline_facts(
    seed: tuple[Incident, Timeline], sentence: str
) -> None:
    assert found(edit(WHY, f"{sentence} {WHY}"), seed) == []


# --- dates -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("On March 2 we deployed the caching layer that failed.", []),  # background, weeks before
        ("A similar outage on April 12, 2023 led us to add cache health checks.", []),
        ("This post was updated on April 30, 2024.", []),
        ("The incident began on April 14.", [("fact-date", "error")]),  # a day off, said of the incident
        ("Our engineers met on April 16 to review it.", [("fact-date", "warning")]),  # near, not the incident
    ],
)
def test_dates_outside_the_incident(
    seed: tuple[Incident, Timeline], sentence: str, expected: list[object]
) -> None:
    assert found(edit(WHY, f"{sentence} {WHY}"), seed) == expected


# --- headings -------------------------------------------------------------------------------------------


def test_what_happened_is_the_timeline_only_with_time_stamped_bullets() -> None:
    narrative = parse_document("## Issue summary\n\nText.\n\n## What happened\n\n- The cache failed\n")
    assert [h.section for h in narrative.headings] == ["Summary", None]
    timed = parse_document("## What happened?\n\n- **9:14am ET:** Deploy\n- 9:42am: Ticket\n")
    assert [h.section for h in timed.headings] == ["What Happened (Timeline)"]
    both = parse_document("## Timeline\n\n- 9:14am: Deploy\n\n## What happened\n\n- 9:42am: Ticket\n")
    assert [h.section for h in both.headings] == ["What Happened (Timeline)", None]


def test_next_steps_is_the_prevention_section_only_when_no_other_heading_is() -> None:
    alone = parse_document("## Next steps\n\n1. Add an alert\n")
    assert [h.section for h in alone.headings] == ["What We're Changing"]
    doc = parse_document("## What We Are Doing to Prevent Future Incidents\n\nx\n\n## Next Steps\n\ny\n")
    assert [h.section for h in doc.headings] == ["What We're Changing", None]


def test_notes_around_a_nested_list_of_times_are_not_timeline_bullets(
    seed: tuple[Incident, Timeline],
) -> None:
    bullets = SEED[SEED.index("- **9:14am ET:**") : SEED.index("## Why It Happened")]
    nested = "".join(f"    {line}\n" for line in bullets.strip().splitlines())
    text = SEED.replace(
        bullets, f"- **Timeline of events:**\n\n{nested}\n- **Contributing factors:** peak traffic\n\n"
    )
    assert found(text, seed) == []
    missing = text.replace("    - **10:15am ET:** Root cause identified", "    - Root cause identified")
    assert found(missing, seed) == [("timeline-bullet", "warning")]


# --- data impact ------------------------------------------------------------------------------------------


def test_data_claims_are_read_per_clause() -> None:
    assert field_positions("No user data was lost; ~200,000 webhook payloads were dropped") == {}
    assert field_positions("customer data was not affected")["exposed"] == "none"
    assert [(h, p) for h, p, _ in claims("We lost connectivity for an hour.")] == []
    assert [(h, p) for h, p, _ in claims("Some records may have been exposed to other tenants.")] == [
        ("exposed", "some")
    ]


def test_a_claim_that_no_data_was_lost_when_some_was(seed: tuple[Incident, Timeline]) -> None:
    incident, timeline = seed
    lossy = dataclasses.replace(incident, data_impact="about 40 minutes of dashboard edits were lost")
    review = check_draft(SEED, lossy, timeline)
    assert [(f.rule, f.line) for f in review.findings] == [("data-impact-contradiction", 3)]
    assert check_draft(SEED, dataclasses.replace(incident, data_impact=""), timeline).findings == []


# --- detection both ways ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claim",
    [
        "Our systems flagged the stale data at 9:42am.",
        "We detected stale dashboards at 9:42am.",
        "Automated alerts notified us at 9:42am.",
        "Our alerting paged the on-call engineer at 9:42am.",
    ],
)
def test_paraphrases_of_our_monitoring_caught_it(seed: tuple[Incident, Timeline], claim: str) -> None:
    assert found(edit(WHY, f"{claim} {WHY}"), seed) == [("detection-claim", "error")]


def test_never_caught_is_fine_when_it_is_true(seed: tuple[Incident, Timeline]) -> None:
    assert found(edit(WHY, "Our monitoring never caught it. " + WHY), seed) == []


def test_a_customer_report_received_is_an_admission(seed: tuple[Incident, Timeline]) -> None:
    text = (DATA / "flawed" / "detection-admission__removed.md").read_text(encoding="utf-8")
    assert found(text.replace(WHY, "We received a report from a customer at 9:42am. " + WHY), seed) == []


# --- prevention by meaning -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "promise",
    [
        "We are implementing enhanced monitoring improvements.",
        "We will evaluate ways to improve our remediation time.",
        "We will harden our resiliency and automation processes.",
        "We are taking immediate action to improve the resiliency of the platform.",
        "We will ensure that this issue cannot recur.",
        "We will continue to invest in our platform.",
    ],
)
def test_vague_promises_are_found_whatever_the_verb(seed: tuple[Incident, Timeline], promise: str) -> None:
    assert set(found(edit(CHANGE_3, promise), seed)) == {("prevention-vague", "warning")}


@pytest.mark.parametrize(
    "sentence",
    [
        "We will continue to monitor the cache closely.",
        "Customers who have yet to take action can refresh their dashboards now.",
        "In this post we'll look at what went wrong and what we'll do to prevent this from happening again.",
    ],
)
def test_closing_lines_and_other_peoples_actions_are_not_promises(
    seed: tuple[Incident, Timeline], sentence: str
) -> None:
    assert found(edit(WHY, f"{sentence} {WHY}"), seed) == []


def test_users_extend_the_phrase_list(seed: tuple[Incident, Timeline], tmp_path: Path) -> None:
    text = edit(CHANGE_3, "We will sharpen our playbooks.")
    assert found(text, seed) == []
    extra = tmp_path / "phrases.tsv"
    extra.write_text("vague\t\\bsharpen our playbooks\\b\twe will sharpen our playbooks\n", encoding="utf-8")
    assert found(text, seed, prevention=[extra]) == [("prevention-vague", "warning")]
    assert prevention_for([extra]).vague("We will sharpen our playbooks")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("vague\t(unclosed\tx", "not a regular expression"),
        ("vague\t\\bharden\\b\twe will improve", "does not match its pattern"),
        ("sometimes\tx\tx", "expected 'kind<TAB>pattern<TAB>example'"),
    ],
)
def test_phrase_list_errors_name_the_line(line: str, message: str) -> None:
    with pytest.raises(PreventionListError, match=message) as info:
        parse_prevention(f"# ours\n{line}\n", name="phrases.tsv")
    assert (info.value.file, info.value.line) == ("phrases.tsv", 2)


# --- names without a roster --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Jordan from our platform team rolled back", [("person-name", "error")]),
        ("Our engineer Jordan rolled back", [("person-name", "error")]),
        ("Jordan, our on-call engineer, rolled back", [("person-name", "error")]),
        ("Dr. Okafor rolled back", [("person-name", "error")]),
        ("@jordan rolled back", [("person-name", "warning")]),
        ("Our on-call engineer rolled back", []),
    ],
)
def test_people_by_the_shape_of_their_mention(
    seed: tuple[Incident, Timeline], said: str, expected: list[object]
) -> None:
    assert found(SEED.replace("We rolled back", said), seed) == expected


def test_the_product_is_never_a_person_whoever_is_on_call() -> None:
    path = DATA / "good" / "tidewater_storage.md"
    incident = load_incident(path.with_suffix(".incident.yaml"))
    assert incident.responders == ["oncall-storage"]
    text = path.read_text(encoding="utf-8") + "\nTidewater Storage thanks Priya from our storage team.\n"
    review = check_draft(text, incident)
    assert [f.message for f in review.findings if f.rule == "person-name"] == [
        "names 'Priya' ('Priya from our storage team'), a person"
    ]
    cleaned = redact(text, roster=incident.responders, exclude=["Tidewater", "Storage"]).text
    assert cleaned.endswith("Tidewater Storage thanks an engineer from our storage team.\n")
    assert cleaned.count("Tidewater Storage") == text.count("Tidewater Storage")


def test_redaction_keeps_the_sentence() -> None:
    cases = {
        "Jordan from our SRE team restarted it.": "An engineer from our SRE team restarted it.",
        "Then our engineer Sam restarted it.": "Then our engineer restarted it.",
        "Priya, our on-call engineer, restarted it.": "Our on-call engineer restarted it.",
    }
    for text, expected in cases.items():
        assert redact(text).text == expected


# --- jargon with context ------------------------------------------------------------------------------------


def test_what_the_product_sells_is_not_jargon(seed: tuple[Incident, Timeline]) -> None:
    incident, timeline = seed
    text = SEED.replace("rebuilt the cache from", "rebuilt the Redis cache from")
    assert found(text, seed) == [("jargon", "warning")]
    redis_product = dataclasses.replace(incident, product_name="Anchor Analytics (managed Redis)")
    assert check_draft(text, redis_product, timeline).findings == []
    allowed = dataclasses.replace(incident, allow=["Redis"])
    assert check_draft(text, allowed, timeline).findings == []
    dns = SEED.replace("rebuilt the cache from", "updated our DNS records and rebuilt the cache from")
    assert found(dns, seed) == [("jargon", "warning")]
    assert check_draft(dns, dataclasses.replace(incident, product_name="Anchor DNS"), timeline).findings == []


def test_jargon_is_never_read_inside_a_host_or_url(seed: tuple[Incident, Timeline]) -> None:
    text = edit(
        WHY, "Our images are public on hub.docker.com and https://example.com/kubernetes-guide. " + WHY
    )
    assert found(text, seed) == []


# --- tone -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Rest assured, your data is safe with us.",
        "Anchor Analytics has maintained 99.99% availability this year.",
        "We are proud of our incident management process.",
        "Nothing is more important to us than your trust.",
    ],
)
def test_boasts_and_reassurance_in_an_apology(seed: tuple[Incident, Timeline], sentence: str) -> None:
    assert found(edit(APOLOGY_LAST, sentence), seed) == [("tone-defensive", "warning")]


def test_owning_it_is_not_defensive(seed: tuple[Incident, Timeline]) -> None:
    assert found(edit(APOLOGY_LAST, "This was our fault, and we are fixing it."), seed) == []


# --- ignoring a finding, with a reason ----------------------------------------------------------------------


def test_an_ignored_finding_is_set_aside_with_its_reason(seed: tuple[Incident, Timeline]) -> None:
    incident, timeline = seed
    text = SEED.replace("rebuilt the cache from", "rebuilt the Redis cache from")
    ignore = Ignore.parse("jargon:20=our customers run Redis themselves")
    review = check_draft(text, incident, timeline, ignore=[ignore])
    assert (review.findings, review.errors, review.warnings) == ([], 0, 0)
    [(finding, why)] = review.ignored
    assert (finding.rule, finding.line, why.reason) == ("jargon", 20, "our customers run Redis themselves")
    assert review.to_json()["ignored"] == [
        {**finding.to_json(), "reason": "our customers run Redis themselves"}
    ]


def test_an_ignore_follows_its_line(seed: tuple[Incident, Timeline]) -> None:
    incident, timeline = seed
    text = SEED.replace("rebuilt the cache from", "rebuilt the Redis cache from")
    pinned = Ignore("jargon", 20, "we sell Redis").pinned(text.split("\n"))
    moved = text.replace("## Summary\n", "## Summary\n\nA note.\n")
    assert check_draft(moved, incident, timeline, ignore=[pinned]).findings == []
    assert check_draft(moved, incident, timeline, ignore=[Ignore("jargon", 20, "x")]).warnings == 1


@pytest.mark.parametrize(("spec", "message"), [("jargn:3", "did you mean 'jargon'"), ("jargon:x", "line")])
def test_bad_ignores(spec: str, message: str) -> None:
    with pytest.raises(IgnoreError, match=message):
        Ignore.parse(spec)


def test_a_24_hour_range_over_midnight() -> None:
    timeline = parse_timeline(
        b"[2026-03-19 16:10] Git operations slow in the west\n[2026-03-20 00:05] Incident resolved",
        name="notes.txt",
        tz="UTC",
    )
    draft = "## Summary\n\nBetween 16:10 UTC and 00:05 UTC (March 20), for {}, Git was slow.\n"
    incident = Incident(timezone="UTC")
    assert [f.rule for f in check_draft(draft.format("7 hours 55 minutes"), incident, timeline).findings
            if f.rule.startswith("fact")] == []  # fmt: skip
    wrong = check_draft(draft.format("8 hours 55 minutes"), incident, timeline).findings
    assert [f.rule for f in wrong if f.rule.startswith("fact")] == ["fact-duration"]
