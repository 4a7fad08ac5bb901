"""export_report / write_report and `postmortem export`: the review gate, every format, atomic files."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import nbformat
import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.export import (
    ReviewBlockedError,
    UnknownExportFormatError,
    export_report,
    format_for_path,
    write_report,
)
from postmortem_widgets.export.plain import render_gfm
from postmortem_widgets.incident.record import Incident
from postmortem_widgets.review import Review
from tests.support.paths import DATA, SEED_INCIDENT

SEED_DRAFT_PATH = DATA / "export" / "seed_draft.md"
SEED_DRAFT = SEED_DRAFT_PATH.read_text()
#: One review error (an email address) and a warning (a missing section: style, which does not block).
FLAWED = SEED_DRAFT.replace("## Apology and Commitment", "## Sorry").replace(
    "Root cause identified", "Root cause identified by jane.doe@anchor.example"
)


def test_a_draft_with_review_errors_is_refused(seed_incident: Incident) -> None:
    with pytest.raises(ReviewBlockedError) as caught:
        export_report(FLAWED, seed_incident, to="html")
    text = str(caught.value)
    assert text.startswith(
        "the draft has 1 review error(s), so it was not exported. Hint: fix them, or pass --force"
    )
    assert "\n  line 10: [privacy-email] email address 'jane.doe@anchor.example'" in text
    assert "section-missing" not in text  # a warning: style never blocks an export
    assert [f.rule for f in caught.value.errors] == ["privacy-email"]


def test_force_exports_it_anyway(seed_incident: Incident) -> None:
    html = export_report(FLAWED, seed_incident, to="html", force=True)
    assert isinstance(html, str) and "jane.doe@anchor.example" in html


def test_a_given_review_is_used_as_is(seed_incident: Incident) -> None:
    """The caller's review decides (the workspace reviews once and exports several formats)."""
    assert isinstance(export_report(FLAWED, seed_incident, to="md", review=Review([])), str)


def test_every_format(seed_incident: Incident) -> None:
    html = export_report(SEED_DRAFT, seed_incident, to="html")
    assert isinstance(html, str) and html.startswith("<!DOCTYPE html>")
    pdf = export_report(SEED_DRAFT, seed_incident, to="pdf")
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    assert export_report(SEED_DRAFT, seed_incident, to="md") == render_gfm(SEED_DRAFT, seed_incident)
    raw = export_report(
        SEED_DRAFT, seed_incident, to="email", sender="status@anchor.example", recipients=["a@b.example"]
    )
    assert isinstance(raw, bytes)
    message = email.message_from_bytes(raw, policy=policy.default)
    assert (message["Subject"], message["From"], message["To"]) == (
        "Anchor Analytics: postmortem of the April 15, 2024 incident",
        "status@anchor.example",
        "a@b.example",
    )
    nb = nbformat.reads(str(export_report(SEED_DRAFT, seed_incident, to="ipynb")), as_version=4)
    assert nb.metadata["postmortem"]["product_name"] == "Anchor Analytics"
    with pytest.raises(
        UnknownExportFormatError, match=r"unknown export format 'docx'\. Hint: choose one of html"
    ):
        export_report(SEED_DRAFT, seed_incident, to="docx")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("r.html", "html"),
        ("r.PDF", "pdf"),
        ("r.md", "md"),
        ("r.markdown", "md"),
        ("r.eml", "email"),
        ("r.ipynb", "ipynb"),
    ],
)
def test_format_for_path(name: str, fmt: str) -> None:
    assert format_for_path(name) == fmt


def test_write_report_is_atomic_and_takes_the_format_from_the_suffix(
    seed_incident: Incident, tmp_path: Path
) -> None:
    out = tmp_path / "site" / "postmortem.pdf"
    assert write_report(out, SEED_DRAFT, seed_incident) == out
    assert out.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in out.parent.iterdir()) == ["postmortem.pdf"]  # no temporary file left
    with pytest.raises(UnknownExportFormatError, match=r"report\.docx: cannot tell the export format"):
        write_report(tmp_path / "report.docx", SEED_DRAFT, seed_incident)
    with pytest.raises(ReviewBlockedError):
        write_report(tmp_path / "flawed.html", FLAWED, seed_incident)
    assert not (tmp_path / "flawed.html").exists()


def test_cli_exports_markdown_to_stdout(
    capsysbinary: pytest.CaptureFixture[bytes], seed_incident: Incident
) -> None:
    assert main(["export", str(SEED_DRAFT_PATH), "--incident", str(SEED_INCIDENT), "--to", "md"]) == 0
    out, err = capsysbinary.readouterr()
    assert out.decode() == render_gfm(SEED_DRAFT, seed_incident) and err == b""


def test_cli_writes_a_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.pdf"
    assert main(["export", str(SEED_DRAFT_PATH), "--incident", str(SEED_INCIDENT), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert f"wrote {out} (pdf, " in capsys.readouterr().err


def test_cli_refuses_review_errors_and_lists_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text(FLAWED)
    out = tmp_path / "report.html"
    assert main(["export", str(draft), "--incident", str(SEED_INCIDENT), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert (
        f"postmortem export: error: {draft}: the draft has 1 review error(s), so it was not exported" in err
    )
    assert "  line 10: [privacy-email] email address 'jane.doe@anchor.example'" in err
    assert not out.exists()
    assert main(["export", str(draft), "--incident", str(SEED_INCIDENT), "-o", str(out), "--force"]) == 0
    err = capsys.readouterr().err
    assert f"{draft}: error (forced): line 10: [privacy-email]" in err and out.exists()


def test_cli_lists_warnings_and_left_out_media(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text(
        SEED_DRAFT.replace("rebuilt the cache", "rebuilt the Redis cache") + "\n![chart](../../.env)\n"
    )
    out = tmp_path / "report.html"
    assert main(["export", str(draft), "--incident", str(SEED_INCIDENT), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{draft}: warning: line 22: [jargon] 'Redis' is jargon" in err
    assert f"{draft}: warning: left out image '../../.env'" in err
    assert "../../.env" not in out.read_text()


def test_cli_says_a_too_deep_draft_is_shown_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text("> " * 3_000 + "deep\n")
    out = tmp_path / "report.md"
    assert main(["export", str(draft), "--incident", str(SEED_INCIDENT), "-o", str(out), "--force"]) == 0
    assert f"{draft}: warning: markup nested too deeply: shown as plain text\n" in capsys.readouterr().err
    assert out.read_text() == "```\n" + "> " * 3_000 + "deep\n```\n"


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(tmp_path / "nope.md"), "--incident", str(SEED_INCIDENT), "--to", "html"]) == 2
    assert "nope.md: no such draft file" in capsys.readouterr().err
    assert main(["export", str(SEED_DRAFT_PATH), "--incident", str(SEED_INCIDENT)]) == 2
    assert "no output format. Hint: pass --to" in capsys.readouterr().err
    assert main(["export", str(SEED_DRAFT_PATH), "--incident", str(tmp_path / "x.yaml"), "--to", "md"]) == 2
    assert "x.yaml: no such incident file" in capsys.readouterr().err


def test_cli_email_is_an_rfc5322_message(tmp_path: Path) -> None:
    out = tmp_path / "postmortem.eml"
    args = [
        "export",
        str(SEED_DRAFT_PATH),
        "--incident",
        str(SEED_INCIDENT),
        "-o",
        str(out),
        "--from",
        "s@a.example",
    ]
    assert main(args) == 0
    message = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    assert message["From"] == "s@a.example" and message["Date"] is not None
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert json.dumps(message["Subject"]) == '"Anchor Analytics: postmortem of the April 15, 2024 incident"'


def test_cli_export_honours_the_ignores_kept_with_the_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from postmortem_widgets.store import DraftStore

    incident = tmp_path / "incident.yaml"
    incident.write_bytes(SEED_INCIDENT.read_bytes())
    version = DraftStore.for_incident(incident).save(
        FLAWED, ignores=[{"rule": "privacy-email", "line": 10, "reason": "Jane is our public contact"}]
    )
    out = tmp_path / "report.md"
    assert main(["export", str(version.path), "--incident", str(incident), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert (
        f"{version.path}: ignored: line 10: [privacy-email] email address 'jane.doe@anchor.example' "
        "(Jane is our public contact)" in err
    )
    assert out.exists()
    again = tmp_path / "copy.md"
    again.write_text(FLAWED + "\n")  # not the saved text: the ignore does not carry over
    assert main(["export", str(again), "--incident", str(incident), "-o", str(tmp_path / "r2.md")]) == 2
    capsys.readouterr()
    argv = ["export", str(again), "--incident", str(incident), "-o", str(tmp_path / "r3.md")]
    assert main([*argv, "--ignore", "privacy-email:10=public contact"]) == 0
