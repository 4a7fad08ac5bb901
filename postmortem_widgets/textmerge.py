"""Three-way text merge (diff3, by lines): what two people changed since a common base, both kept.

``merge_text(base, mine, theirs)`` diffs each side against the base with :mod:`difflib` and walks the base
lines that neither side touched (the stable lines). Between two stable lines a chunk changed on one side
only takes that side; changed identically on both, it is taken once; changed differently on both, it is a
:class:`Conflict`, and the merged text keeps *both* versions between marker lines, so nothing typed is
dropped and a reader sees where to choose.

(merge3 on PyPI does the same but is GPL-licensed; this is a small, tested implementation of the same
algorithm for an MIT project.)

>>> r = merge_text("a\\nb\\nc\\n", "A\\nb\\nc\\n", "a\\nb\\nC\\n")
>>> r.text, r.clean
('A\\nb\\nC\\n', True)
>>> merge_text("a\\n", "mine\\n", "theirs\\n").text.splitlines()
['<<<<<<< yours', 'mine', '=======', 'theirs', '>>>>>>> theirs']
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Conflict", "TextMerge", "merge_text"]


@dataclass(frozen=True)
class Conflict:
    """One place both sides changed differently: the three versions of that chunk, and where it is."""

    base: str
    mine: str
    theirs: str
    #: The 1-based line, in the merged text, where the conflict's first marker (or its first line) is.
    line: int


@dataclass(frozen=True)
class TextMerge:
    """The merged text and its conflicts (none: a clean merge)."""

    text: str
    conflicts: tuple[Conflict, ...] = ()

    @property
    def clean(self) -> bool:
        return not self.conflicts


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _matches(base: Sequence[str], other: Sequence[str]) -> list[int | None]:
    """For each base line, the index of the same line in ``other`` when the diff keeps it, else ``None``."""
    found: list[int | None] = [None] * len(base)
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            found[a + k] = b + k
    return found


def _chunks(
    base: list[str], mine: list[str], theirs: list[str]
) -> list[tuple[list[str], list[str], list[str]]]:
    """The text cut at the stable lines: (base, mine, theirs) chunks; a stable line is its own chunk."""
    in_mine, in_theirs = _matches(base, mine), _matches(base, theirs)
    out: list[tuple[list[str], list[str], list[str]]] = []
    i = a = b = 0
    for k in range(len(base)):
        ma, mb = in_mine[k], in_theirs[k]
        if ma is None or mb is None:
            continue
        if (i, a, b) != (k, ma, mb):
            out.append((base[i:k], mine[a:ma], theirs[b:mb]))
        out.append(([base[k]], [mine[ma]], [theirs[mb]]))
        i, a, b = k + 1, ma + 1, mb + 1
    if i < len(base) or a < len(mine) or b < len(theirs):
        out.append((base[i:], mine[a:], theirs[b:]))
    return out


def _ended(lines: list[str]) -> list[str]:
    """Lines with a newline at the end of the last one, so a marker line after them starts a line."""
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + "\n"]
    return lines


def merge_text(
    base: str, mine: str, theirs: str, *, labels: tuple[str, str] = ("yours", "theirs"), markers: bool = True
) -> TextMerge:
    """Merge ``mine`` and ``theirs``, both edited from ``base``; a conflict keeps both (see the module)."""
    if mine == theirs or theirs == base:
        return TextMerge(mine)
    if mine == base:
        return TextMerge(theirs)
    out: list[str] = []
    conflicts: list[Conflict] = []
    for b, m, t in _chunks(_lines(base), _lines(mine), _lines(theirs)):
        if m == t or t == b:
            out.extend(m)
        elif m == b:
            out.extend(t)
        else:
            if out:
                out[-1:] = _ended(out[-1:])
            line = sum(piece.count("\n") for piece in out) + 1
            conflicts.append(Conflict(base="".join(b), mine="".join(m), theirs="".join(t), line=line))
            if markers:
                out += [
                    f"<<<<<<< {labels[0]}\n",
                    *_ended(m),
                    "=======\n",
                    *_ended(t),
                    f">>>>>>> {labels[1]}\n",
                ]
            else:
                out += [*_ended(m), *t]
    return TextMerge("".join(out), tuple(conflicts))
