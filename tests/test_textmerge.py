"""The three-way text merge: clean merges combine both sides; conflicts keep both texts, never drop one."""

from __future__ import annotations

import random

from postmortem_widgets.textmerge import merge_text

BASE = "## Summary\n\nIt broke.\n\n## What Happened\n\nA deploy.\n\n## Why\n\nA bug.\n"


def test_changes_in_different_places_combine() -> None:
    mine = BASE.replace("It broke.", "Dashboards were stale for 2 hours.")
    theirs = BASE.replace("A bug.", "A cache job failed silently.")
    result = merge_text(BASE, mine, theirs)
    assert result.clean
    assert "Dashboards were stale for 2 hours." in result.text
    assert "A cache job failed silently." in result.text
    assert result.text.count("## ") == 3


def test_one_side_unchanged_takes_the_other() -> None:
    theirs = BASE + "\n## Prevention\n\nA check.\n"
    assert merge_text(BASE, BASE, theirs).text == theirs
    assert merge_text(BASE, theirs, BASE).text == theirs


def test_the_same_change_on_both_sides_is_taken_once() -> None:
    both = BASE.replace("A deploy.", "A routine deploy.")
    result = merge_text(BASE, both, both.replace("A bug.", "A bug!"))
    assert result.clean and result.text.count("A routine deploy.") == 1 and "A bug!" in result.text


def test_a_conflict_keeps_both_texts_between_markers() -> None:
    mine = BASE.replace("A bug.", "A config error.")
    theirs = BASE.replace("A bug.", "A null pointer.")
    result = merge_text(BASE, mine, theirs, labels=("this form", "drafts/working.md"))
    assert not result.clean
    (conflict,) = result.conflicts
    assert (conflict.base, conflict.mine, conflict.theirs) == (
        "A bug.\n",
        "A config error.\n",
        "A null pointer.\n",
    )
    lines = result.text.splitlines()
    assert lines[conflict.line - 1] == "<<<<<<< this form"
    assert lines[conflict.line : conflict.line + 4] == [
        "A config error.",
        "=======",
        "A null pointer.",
        ">>>>>>> drafts/working.md",
    ]
    assert result.text.startswith("## Summary\n\nIt broke.\n")  # the rest is untouched


def test_deleted_on_one_side_and_edited_on_the_other_is_a_conflict() -> None:
    mine = BASE.replace("## Why\n\nA bug.\n", "")
    theirs = BASE.replace("A bug.", "A cache bug.")
    result = merge_text(BASE, mine, theirs)
    assert not result.clean
    assert "A cache bug." in result.text  # their edit is not lost to my deletion


def test_both_appending_at_the_end_keeps_both() -> None:
    result = merge_text("a\n", "a\nmine\n", "a\ntheirs\n")
    assert not result.clean
    assert "mine" in result.text and "theirs" in result.text


def test_without_markers_both_texts_follow_each_other() -> None:
    result = merge_text("x\n", "mine", "theirs", markers=False)
    assert result.text == "mine\ntheirs"
    assert result.conflicts[0].line == 1


def test_missing_final_newline_and_unicode() -> None:
    base = "Résumé\nligne deux"
    mine = "Résumé — édité\nligne deux"
    theirs = "Résumé\nligne deux, modifiée"
    result = merge_text(base, mine, theirs)
    # Adjacent lines with no stable line between them are one chunk, as in diff3.
    assert "Résumé — édité" in result.text and "ligne deux, modifiée" in result.text


def test_random_disjoint_edits_always_merge_cleanly_with_both() -> None:
    rng = random.Random(7)
    for _ in range(200):
        base_lines = [f"line {i}\n" for i in range(rng.randint(6, 30))]
        cut = rng.randint(2, len(base_lines) - 3)
        mine, theirs = list(base_lines), list(base_lines)
        i = rng.randrange(0, cut - 1)
        j = rng.randrange(cut + 1, len(base_lines))
        mine[i] = f"mine {i}\n"
        theirs[j] = f"theirs {j}\n"
        if rng.random() < 0.5:
            theirs.insert(j, "inserted by them\n")
        result = merge_text("".join(base_lines), "".join(mine), "".join(theirs))
        assert result.clean, (i, j)
        assert f"mine {i}\n" in result.text and f"theirs {j}\n" in result.text


def test_random_edits_never_lose_a_line_someone_added() -> None:
    rng = random.Random(11)
    for trial in range(200):
        base_lines = [f"b{i}\n" for i in range(rng.randint(0, 12))]

        def edit(side: str, base_lines: list[str] = base_lines, trial: int = trial) -> list[str]:
            lines = list(base_lines)
            for n in range(rng.randint(1, 4)):
                pos = rng.randint(0, len(lines))
                if lines and rng.random() < 0.3:
                    del lines[min(pos, len(lines) - 1)]
                else:
                    lines.insert(pos, f"{side}-{trial}-{n}\n")
            return lines

        mine, theirs = edit("m"), edit("t")
        result = merge_text("".join(base_lines), "".join(mine), "".join(theirs))
        added = [line for line in mine + theirs if line not in base_lines]
        assert all(line in result.text for line in added)
