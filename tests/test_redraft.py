"""Redraft one section (offline or with a model over real HTTP) and keep every other byte of the draft."""

from __future__ import annotations

from pathlib import Path

import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.review.document import Document
from postmortem_widgets.sections import section_named
from postmortem_widgets.writing.redraft import section_text, splice_section, split_draft
from tests.support.openai_server import OpenAIServer, Reply
from tests.support.paths import DATA, SEED_INCIDENT

MENDED = (DATA / "revision" / "mended.md").read_text()
#: The offline draft of the Anchor example (its golden file).
OFFLINE = (DATA / "golden" / "draft_anchor_analytics.md").read_text()
WRONG_TIME = (DATA / "revision" / "wrong_time.md").read_text()
NEW_TIMELINE = (
    "## What Happened (Timeline)\n\n- **9:14am ET:** Cache deployment completed\n"
    "- **10:15am ET:** Root cause identified\n- **11:47am ET:** Incident resolved\n"
)


def around(text: str, key: str) -> tuple[str, str]:
    """What comes before and after a section: what a redraft of it must leave byte for byte."""
    part = next(p for p in split_draft(text) if p.section is not None and p.section.key == key)
    return text[: part.start], text[part.end :]


def test_the_parts_of_a_draft_join_to_the_draft() -> None:
    text = "# Title\r\n\r\n## summary:\r\nA.\r\n### Detail\r\nB.\r\n## Root cause\r\nC."
    parts = split_draft(text)
    assert "".join(text[p.start : p.end] for p in parts) == text
    assert [(p.section.key if p.section else None, p.heading) for p in parts] == [
        (None, ""),
        ("summary", "## summary:\r"),
        ("why", "## Root cause\r"),
    ]
    assert section_text(text, section_named("why")) == "## Root cause\r\nC."


def test_a_heading_inside_fenced_code_is_not_a_section() -> None:
    """A shell comment ``# Root cause`` in a fenced snippet was read as the Why section's heading."""
    text = (
        "## Summary\n\nWe ran:\n\n```sh\n# Root cause\nredis-cli info\n```\n\nS.\n\n"
        "## Why It Happened\n\nBecause.\n\n## How We Responded\n\nR.\n"
    )
    assert [p.heading for p in split_draft(text)] == [
        "## Summary",
        "## Why It Happened",
        "## How We Responded",
    ]
    out = splice_section(text, section_named("why"), "## Why It Happened\n\nA clearer cause.")
    assert out == text.replace("Because.", "A clearer cause.")
    summary = section_text(text, section_named("summary"))
    assert summary is not None and "redis-cli info" in summary and summary.endswith("S.\n\n")


def test_the_redraft_finds_the_sections_the_reviewer_finds() -> None:
    """'What happened' over prose (no timed bullet) is not the Timeline, for the reviewer or the redraft."""
    prose = "## Summary\n\nS.\n\n## What happened\n\nA cache filled.\n"
    assert [p.section.key for p in split_draft(prose) if p.section is not None] == ["summary"]
    assert Document(prose).section_of_line(7) == "What happened"
    timed = prose.replace("A cache filled.", "- **9:14am ET:** A cache filled.")
    assert [p.section.key for p in split_draft(timed) if p.section is not None] == ["summary", "timeline"]
    assert Document(timed).section_of_line(7) == "What Happened (Timeline)"


def test_a_spliced_section_keeps_the_others_and_the_heading_as_written() -> None:
    text = "## Summary\n\nOld.\n\n## Root cause\n\nBecause.\n\n## Apology\n\nSorry.\n"
    out = splice_section(text, section_named("Why It Happened"), "## Why It Happened\n\nA clearer cause.\n\n")
    assert out == "## Summary\n\nOld.\n\n## Root cause\n\nA clearer cause.\n\n## Apology\n\nSorry.\n"
    last = splice_section("## Summary\n\nOld.\n\n## Apology\n\nSorry.", section_named("apology"), "New.")
    assert last == "## Summary\n\nOld.\n\n## Apology\n\nNew."


def test_a_missing_section_goes_where_the_seed_puts_it() -> None:
    text = "## Summary\n\nS.\n\n## How We Responded\n\nR.\n"
    out = splice_section(text, section_named("why"), "Because.")
    assert out == "## Summary\n\nS.\n\n## Why It Happened\n\nBecause.\n\n## How We Responded\n\nR.\n"


def test_offline_redraft_of_one_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = SEED_INCIDENT
    why = section_text(OFFLINE, section_named("why"))  # the offline drafter's own section
    assert why is not None
    edited = MENDED.replace("Dashboards showed", "Your dashboards showed").replace(
        str(section_text(MENDED, section_named("why"))), "## Why It Happened\n\nX.\n\n"
    )
    draft = tmp_path / "draft.md"
    draft.write_text(edited)
    assert main(["draft", str(seed), "--from", str(draft), "--section", "Why it happened"]) == 0
    out = capsys.readouterr().out
    assert out == edited.replace("## Why It Happened\n\nX.\n\n", why)
    assert around(out, "why") == around(edited, "why")
    assert "Your dashboards showed" in out


def test_model_redraft_of_one_section_leaves_the_others_byte_for_byte(
    openai_server: OpenAIServer, anchor_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    openai_server.script(Reply(text="Here it is:\n\n" + NEW_TIMELINE + "\n## Summary\n\nNot asked for.\n"))
    draft = tmp_path / "draft.md"
    draft.write_text(WRONG_TIME)
    target = tmp_path / "out.md"
    argv = ["draft", str(anchor_copy), "--drafter", "openai", "--model", "m1"]
    argv += [
        "--base-url",
        openai_server.base_url,
        "--from",
        str(draft),
        "--section",
        "timeline",
        "-o",
        str(target),
    ]
    assert main(argv) == 0
    out = target.read_text()
    assert around(out, "timeline") == around(WRONG_TIME, "timeline")
    assert section_text(out, section_named("timeline")) == NEW_TIMELINE + "\n"
    assert "Not asked for" not in out
    (request,) = openai_server.received
    assert request.body["stream"] is True
    assert 'Rewrite only the section "## What Happened (Timeline)"' in request.prompt
    assert "**10:51am ET:** Root cause identified" in request.prompt
    err = capsys.readouterr().err
    assert "postmortem draft: section timeline: prompt " in err and "(from the server)" in err
    assert not (anchor_copy.parent / "drafts").exists()


def test_an_unknown_section_lists_the_sections(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text(MENDED)
    seed = SEED_INCIDENT
    assert main(["draft", str(seed), "--from", str(draft), "--section", "Lessons"]) == 2
    assert capsys.readouterr().err == (
        "postmortem draft: error: no section 'Lessons'; the sections are summary (Summary), timeline (What "
        "Happened (Timeline)), why (Why It Happened), response (How We Responded), changes (What We're "
        "Changing), apology (Apology and Commitment). Hint: pass a slug or a heading\n"
    )


def test_from_needs_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = SEED_INCIDENT
    assert main(["draft", str(seed), "--from", str(tmp_path / "d.md")]) == 2
    assert "postmortem draft: error: --from and --section go together" in capsys.readouterr().err
