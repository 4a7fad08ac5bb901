"""Cited evidence: the prompt numbers its events, the model cites them, the reviewer checks the citations
and the customer export removes them (every format)."""

from __future__ import annotations

import email
import json
from pathlib import Path

import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.export.api import export_report
from postmortem_widgets.incident.record import Incident, load_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.review import check_draft
from postmortem_widgets.timeline.evidence import evidence_events, find_citations, strip_citations
from postmortem_widgets.timeline.merge import Timeline
from postmortem_widgets.writing.drafters import get_drafter
from postmortem_widgets.writing.drafters.offline import OfflineDrafter
from postmortem_widgets.writing.prompt import build_prompt
from tests.support.exports import pdf_text
from tests.support.openai_server import OpenAIServer, Reply
from tests.support.paths import SAMPLES

HARBOR = SAMPLES / "harbor_payments" / "incident.yaml"
NONCE = "abcdef0123456789"


@pytest.fixture(scope="module")
def harbor() -> tuple[Incident, Timeline]:
    incident = load_incident(HARBOR)
    return incident, incident_timeline(incident)


def cited_draft(incident: Incident, timeline: Timeline) -> str:
    """The offline customer draft of Harbor Payments with a citation on each of its timeline bullets."""
    text = OfflineDrafter().draft(incident, timeline)
    for bullet, cited in [
        ("- **2:03pm BST:** The problem began: our systems recorded the first errors", "E1"),
        ("- **2:07pm BST:** Our monitoring paged the on-call engineer", "E6"),
        ("- **2:11pm BST:** On-call engineer acknowledged the page and began investigating", "E7"),
        ("- **2:16pm BST:** We posted a public status update", "E9"),
        ("- **2:29pm BST:** Root cause identified", "E11"),
        ("- **2:38pm BST:** We rolled back the payment gateway configuration to the previous version", "E12"),
        ("- **3:05pm BST:** Service fully restored; incident resolved", "E18"),
    ]:
        assert bullet in text
        text = text.replace(bullet, f"{bullet} [{cited}]")
    return text


def data_lines(user: str) -> list[str]:
    block = user.split(f"<<<BEGIN EVENT DATA {NONCE}>>>\n")[1].split(f"<<<END EVENT DATA {NONCE}>>>")[0]
    return block.splitlines()


def test_the_prompt_numbers_the_events_the_reviewer_knows(harbor: tuple[Incident, Timeline]) -> None:
    incident, timeline = harbor
    lines = data_lines(build_prompt(incident, timeline, nonce=NONCE).user)
    assert len(lines) == 18
    assert lines[0] == (
        "E1 | 2:03pm BST | alertmanager | alert | started | CheckoutHigh5xxRate firing (critical): "
        "checkout-api 5xx rate above 5% for 2 minutes"
    )
    assert lines[6] == (
        "E7 | 2:11pm BST | pagerduty | acknowledged | acknowledged | "
        "Acknowledged by a team member (Checkout API)"
    )
    numbered = evidence_events(timeline)
    assert [line.split(" | ")[0] for line in lines] == [e.id for e in numbered]
    assert [e.event.message[:20] for e in numbered][17] == "Status page resolved"


def test_the_prompt_asks_for_a_citation_on_each_bullet(harbor: tuple[Incident, Timeline]) -> None:
    user = build_prompt(*harbor, nonce=NONCE).user
    assert (
        "- End each timeline bullet with the id of the event data line behind it, in square brackets, e.g. "
        '"- **2:03pm BST:** ... [E1]" (two events: "[E1, E2]").'
    ) in user
    assert "one a line as id | time | source | kind | milestone | message." in user


def test_a_model_is_sent_the_numbered_events_and_its_citations_are_checked(
    openai_server: OpenAIServer, harbor: tuple[Incident, Timeline]
) -> None:
    incident, timeline = harbor
    good = cited_draft(incident, timeline)
    wrong = good.replace("engineer [E6]", "engineer [E4]").replace("[E11]", "[E11, E19]")
    openai_server.script(Reply(text=wrong))
    drafter = get_drafter("openai", model="m1", base_url=openai_server.base_url, api_key="sk-test")
    result = drafter.stream(incident, timeline, build_prompt(incident, timeline, nonce=NONCE)).collect()
    assert result.complete and result.text == wrong
    [received] = openai_server.received
    sent = received.prompt
    assert "E6 | 2:07pm BST | pagerduty | page | detected | Triggered through the API: [#40217]" in sent
    assert "E18 | 3:05pm BST | statuspage | resolved | resolved | Status page resolved:" in sent
    assert "E19 |" not in sent
    review = check_draft(result.text, incident, timeline)
    assert [(f.rule, f.severity, f.line, f.message) for f in review.findings] == [
        (
            "citation-time",
            "error",
            8,
            "the bullet says 2:07pm BST, but the event it cites, E4, was at 2:05pm BST "
            "([Triggered] checkout-api 5xx rate above 5%)",
        ),
        (
            "citation-missing",
            "error",
            11,
            "cites E19, but the prompt's event data had no such event (its events are E1-E18)",
        ),
    ]
    assert check_draft(good, incident, timeline).findings == []


def test_a_citation_with_a_wrong_time_is_an_error_in_the_internal_version_too(
    harbor: tuple[Incident, Timeline],
) -> None:
    incident, timeline = harbor
    wrong = cited_draft(incident, timeline).replace("engineer [E6]", "engineer [E10]")
    review = check_draft(wrong, incident, timeline, audience="internal")
    assert [(f.rule, f.line) for f in review.findings] == [("citation-time", 8)]
    assert review.findings[0].suggestion == "Write 2:19pm BST, or cite the event at 2:07pm BST."


def test_a_bullet_left_uncited_among_cited_ones_is_a_warning(harbor: tuple[Incident, Timeline]) -> None:
    incident, timeline = harbor
    text = cited_draft(incident, timeline).replace("previous version [E12]", "previous version")
    review = check_draft(text, incident, timeline)
    assert [(f.rule, f.severity, f.line, f.message) for f in review.findings] == [
        (
            "citation-none",
            "warning",
            12,
            "this bullet cites no event, though 6 of the 7 timeline bullets do: nothing vouches for it",
        )
    ]
    assert review.errors == 0
    # A draft that cites nothing (offline, or written by hand) is not asked to.
    assert check_draft(OfflineDrafter().draft(incident, timeline), incident, timeline).findings == []


def test_citations_are_found_and_stripped() -> None:
    text = "- **2:07pm BST:** paged [E6]; fixed [E9, E11]. Not a citation: [E] [e3] [X1]"
    assert [c.ids for c in find_citations(text)] == [("E6",), ("E9", "E11")]
    assert strip_citations(text) == "- **2:07pm BST:** paged; fixed. Not a citation: [E] [e3] [X1]"


def _text(content: str | bytes) -> str:
    return content if isinstance(content, str) else content.decode("utf-8")


def _email_text(content: bytes) -> str:
    message = email.message_from_bytes(content)
    parts = [p.get_payload(decode=True) for p in message.walk() if not p.is_multipart()]
    return "\n".join(p.decode("utf-8") for p in parts if isinstance(p, bytes))


@pytest.mark.parametrize("fmt", ["md", "html", "ipynb", "email", "pdf"])
def test_citations_are_stripped_from_every_customer_format(
    fmt: str, harbor: tuple[Incident, Timeline], tmp_path: Path
) -> None:
    incident, timeline = harbor
    draft = cited_draft(incident, timeline)
    readings = {}
    for audience in ("customer", "internal"):
        content = export_report(draft, incident, to=fmt, timeline=timeline, audience=audience, force=True)
        if fmt == "pdf":
            path = tmp_path / f"{audience}.pdf"
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
            readings[audience] = " ".join(pdf_text(path).split())
        elif fmt == "email":
            readings[audience] = _email_text(content if isinstance(content, bytes) else content.encode())
        elif fmt == "ipynb":
            cells = json.loads(_text(content))["cells"]
            readings[audience] = "\n".join("".join(c["source"]) for c in cells)
        else:
            readings[audience] = _text(content)
    customer, internal = readings["customer"], readings["internal"]
    for cited in ("[E1]", "[E6]", "[E7]", "[E11]"):
        assert cited not in customer
        assert cited in internal
    assert "Our monitoring paged the on-call engineer" in customer
    assert "engineer [E6]" not in customer


def test_check_and_export_are_told_how_many_events_the_prompt_numbered(
    harbor: tuple[Incident, Timeline], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A draft written with ``--max-events 10`` cites E1-E10 only; the default 40 numbered E1-E18 here."""
    draft = tmp_path / "draft.md"
    draft.write_text(cited_draft(*harbor))
    assert main(["check", str(draft), "--incident", str(HARBOR), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["errors"] == 0
    assert main(["check", str(draft), "--incident", str(HARBOR), "--json", "--max-events", "10"]) == 1
    missing = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule"] == "citation-missing"]
    assert [f["message"] for f in missing] == [
        f"cites {cited}, but the prompt's event data had no such event (its events are E1-E10)"
        for cited in ("E11", "E12", "E18")
    ]
    out = tmp_path / "report.html"
    assert main(["export", str(draft), "--incident", str(HARBOR), "-o", str(out), "--max-events", "10"]) == 2
    assert "citation-missing" in capsys.readouterr().err and not out.exists()
