"""Very large drafts: every export takes time linear in the draft, or is refused at once naming a limit.

The drafts are generated here. Each export that a regression could make quadratic runs in a subprocess
with a timeout, so a regression fails the test instead of hanging the suite. The sizes are chosen so a
linear export takes a few seconds while the quadratic code this replaced took minutes (a 10,000-line draft
took 171 s as Markdown; a 40,000-character word took 25 s as PDF). Linearity itself is checked on CPU time,
which a busy machine disturbs far less than wall time: four times the draft must take under ten times
as long (quadratic is sixteen).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from postmortem_widgets.errors import ReportTooLargeError
from postmortem_widgets.export import FORMATS, export_report
from postmortem_widgets.export.limits import (
    MAX_PDF_BLOCKS,
    MAX_PDF_CHARACTERS,
    MAX_PDF_TABLE_CELLS,
    MAX_PDF_TABLE_COLUMNS,
)
from postmortem_widgets.export.markdown import breakable, render_markdown
from postmortem_widgets.export.report import split_sections
from postmortem_widgets.export.safemd import normalize_markdown
from postmortem_widgets.incident.record import Incident
from postmortem_widgets.review import Review
from tests.support.paths import DATA, REPO

SEED = (DATA / "export" / "seed_draft.md").read_text()
INCIDENT = Incident(product_name="Anchor Analytics", incident_date="April 15, 2024")


def big_draft(lines: int) -> str:
    """The seed grown to ``lines`` lines: half a timeline of bold times, half prose in short paragraphs."""
    head, _, rest = SEED.partition("## What Happened (Timeline)\n")
    events = lines // 2
    bullets = "".join(
        f"- **{9 + i // 60 % 12}:{i % 60:02d}am ET:** Cache check {i} passed\n" for i in range(events)
    )
    prose = "".join(
        f"Line {i} of the analysis explains one more *detail* of the cache.\n" + ("\n" if i % 5 == 4 else "")
        for i in range(lines - events)
    )
    return head + "## What Happened (Timeline)\n\n" + bullets + "\n## Detail\n\n" + prose + rest


def big_table(rows: int, cols: int) -> str:
    header = "| " + " | ".join(f"c{j}" for j in range(cols)) + " |\n|" + "---|" * cols + "\n"
    body = "".join("| " + " | ".join(f"r{i}c{j}" for j in range(cols)) + " |\n" for i in range(rows))
    return SEED + "\n## Data\n\n" + header + body


EXPORT_IN_CHILD = """
import json, sys, time
from postmortem_widgets.errors import ReportTooLargeError
from postmortem_widgets.export import export_report
from postmortem_widgets.incident.record import Incident
from postmortem_widgets.review import Review
fmt, path = sys.argv[1], sys.argv[2]
draft = open(path, encoding="utf-8").read()
started = time.perf_counter()
try:
    out = export_report(draft, Incident(product_name="Anchor Analytics"), to=fmt, review=Review([]))
    result = {"size": len(out)}
except ReportTooLargeError as exc:
    result = {"refused": str(exc), "limit": exc.limit}
result["seconds"] = time.perf_counter() - started
print(json.dumps(result))
"""


def export_in_child(fmt: str, draft: str, tmp_path: Path, *, timeout: float) -> dict[str, object]:
    path = tmp_path / f"draft-{fmt}.md"
    path.write_text(draft, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", EXPORT_IN_CHILD, fmt, str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_4000_line_draft_exports_to_every_format(fmt: str, tmp_path: Path) -> None:
    """End to end, in a child that a hang cannot outlive; the PDF is refused before any parsing."""
    result = export_in_child(fmt, big_draft(4_000), tmp_path, timeout=120)
    if fmt == "pdf":
        assert result["limit"] == "characters"
    else:
        assert int(str(result["size"])) > 200_000


def cpu_seconds(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def best_cpu_seconds(work: Callable[[], object], *, runs: int = 3) -> float:
    """The least CPU time of a few runs, the garbage collector paused (its pauses are noise here)."""
    gc.collect()
    gc.disable()
    try:
        return min(cpu_seconds(work) for _ in range(runs))
    finally:
        gc.enable()


LINEAR_STEPS: dict[str, Callable[[str], object]] = {
    "split_sections": split_sections,
    "render_markdown": render_markdown,
    "normalize_markdown": normalize_markdown,  # the notebook flavour differs only in escaping $
}


@pytest.mark.parametrize("step", list(LINEAR_STEPS))
@pytest.mark.parametrize(
    ("small", "large"),
    [(big_draft(1_500), big_draft(6_000)), (big_table(40, 100), big_table(160, 100))],
    ids=["lines", "table"],
)
def test_each_step_takes_time_linear_in_the_draft(step: str, small: str, large: str) -> None:
    """Four times the draft: about four times the CPU time, under ten (quadratic would be sixteen)."""
    work = LINEAR_STEPS[step]
    work(small)  # warm
    ratio = best_cpu_seconds(lambda: work(large)) / best_cpu_seconds(lambda: work(small))
    assert ratio < 10, f"{step}: 4x the draft took {ratio:.1f}x the time"


def test_a_200_by_500_table_pdf_is_refused_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(ReportTooLargeError, match="the limit is 200,000"):
        export_report(big_table(200, 500), INCIDENT, to="pdf", review=Review([]))
    assert time.perf_counter() - started < 1


def test_a_long_list_is_normalized_in_linear_time() -> None:
    """mdformat asked, for every item, whether the whole list was tight: 20,000 items took minutes."""
    items = "".join(f"- item {i}\n" for i in range(10_000))
    out: list[str] = []
    assert cpu_seconds(lambda: out.append(normalize_markdown(items))) < 15  # was 200 s
    assert out == [items]


def test_a_long_unbroken_word_gets_break_opportunities_in_print_only() -> None:
    word = "x" * 100
    assert render_markdown(word).html == f"<p>{word}</p>\n"
    printed = render_markdown(word, for_print=True).html
    assert printed.replace("\u200b", "") == f"<p>{word}</p>\n" and printed.count("\u200b") == 4
    assert breakable("a short line of words") == "a short line of words"
    assert breakable("see https://example.com/" + "a" * 60).count("\u200b") == 3


def test_a_pdf_of_long_unbroken_words_is_laid_out_in_bounded_time(tmp_path: Path) -> None:
    draft = (
        SEED
        + "\n## Data\n\n"
        + "x" * 40_000
        + "\n\n`"
        + "y" * 40_000
        + "`\n\n```\n"
        + "z" * 40_000
        + "\n```\n"
    )
    result = export_in_child("pdf", draft, tmp_path, timeout=90)
    assert int(str(result["size"])) > 10_000


@pytest.mark.parametrize(
    ("draft", "limit", "message"),
    [
        ("x " * (MAX_PDF_CHARACTERS // 2 + 1), "characters", "characters of Markdown, the limit is 200,000"),
        (
            "".join(f"- {i}\n" for i in range(MAX_PDF_BLOCKS + 1)),
            "blocks",
            "list items, table rows), the limit is 2,000",
        ),
        (big_table(MAX_PDF_TABLE_CELLS // 10, 10), "table cells", "3,010 table cells, the limit is 3,000"),
        (big_table(2, MAX_PDF_TABLE_COLUMNS + 1), "table columns", "17 columns in a table, the limit is 16"),
    ],
    ids=["characters", "blocks", "cells", "columns"],
)
def test_a_pdf_past_a_limit_is_refused_at_once_naming_it(draft: str, limit: str, message: str) -> None:
    with pytest.raises(ReportTooLargeError) as caught:
        export_report(draft, INCIDENT, to="pdf", review=Review([]), draft_name="draft.md")
    assert caught.value.limit == limit
    assert message in str(caught.value) and "Hint: " in str(caught.value)


def test_the_cli_refuses_a_pdf_past_a_limit_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from postmortem_widgets.cli import main

    incident = tmp_path / "incident.yaml"
    incident.write_text("product_name: Anchor Analytics\n")
    draft = tmp_path / "draft.md"
    draft.write_text(big_table(2, 40))
    assert main(["export", str(draft), "--incident", str(incident), "--to", "pdf", "--force"]) == 2
    err = capsys.readouterr().err
    assert "a table, the limit is 16" in err and "split it into narrower tables" in err


DEEP_IN_CHILD = """
import json, sys
from postmortem_widgets.export import export_report
from postmortem_widgets.incident.record import Incident
from postmortem_widgets.review import Review
draft = open(sys.argv[1], encoding="utf-8").read()
print(json.dumps({fmt: len(export_report(draft, Incident(product_name="X"), to=fmt, review=Review([])))
                  for fmt in ("html", "md", "ipynb", "email")}))
"""


@pytest.mark.parametrize(
    "draft",
    ["> " * 60_000 + "x", "## A\n\n" + "*" * 300_000 + "x" + "*" * 300_000, "## B\n\n" + "> " * 3_000 + "x"],
    ids=["quotes-60000", "emphasis-300000", "quotes-3000"],
)
def test_markup_nested_past_any_parser_is_exported_as_text(draft: str, tmp_path: Path) -> None:
    """60,000 quote levels killed the process (the parser frees its tree recursively: a stack overflow);
    3,000 overflowed our renderer. Each is now shown as preformatted text, in a child a crash cannot take
    down."""
    path = tmp_path / "deep.md"
    path.write_text(draft, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", DEEP_IN_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    sizes = json.loads(done.stdout.strip().splitlines()[-1])
    assert sizes["md"] > len(draft) - 10


def test_a_deep_draft_is_one_code_block_and_the_author_is_told() -> None:
    draft = "> " * 3_000 + "<script>x</script>"
    removed: list[str] = []
    md = normalize_markdown(draft, removed=removed)
    assert md == f"```\n{draft}\n```\n"
    assert removed == ["markup nested too deeply: shown as plain text"]
    rendered = render_markdown(draft)
    assert rendered.html == "<pre><code>" + "&gt; " * 3_000 + "&lt;script&gt;x&lt;/script&gt;</code></pre>\n"
    assert rendered.removed == ("markup nested too deeply: shown as plain text",)


def test_the_nesting_bound_of_a_large_draft_is_small() -> None:
    """The guard must not mistake a long draft for a deep one: 20,000 lines, a few levels."""
    from postmortem_widgets.export.tree import MAX_NESTING, block_depth_bound, nesting_bound

    draft = big_draft(20_000)
    assert block_depth_bound(draft) == 7  # "- **10" is a line's longest prefix (a loose bound), plus one
    assert nesting_bound(draft) < 40 < MAX_NESTING
