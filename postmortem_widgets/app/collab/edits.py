"""Edit scripts between two texts, in Python string indices, and the UTF-8 byte offsets pycrdt uses.

pycrdt's ``Text`` counts in UTF-8 bytes and does not complain about an index inside a character (it
appends instead), so every index goes through :func:`utf8_offset`.

>>> diff_ops("the cat", "the black cat")
[(4, 4, 'black ')]
>>> utf8_offset("héllo", 2)
3
"""

from __future__ import annotations

import difflib

#: ``(start, end, replacement)``: replace ``old[start:end]`` by ``replacement`` (indices in ``old``).
Op = tuple[int, int, str]


def utf8_offset(text: str, index: int) -> int:
    """The byte offset in ``text``'s UTF-8 encoding of the character at ``index``."""
    return len(text[:index].encode("utf-8"))


def diff_ops(old: str, new: str) -> list[Op]:
    """A small edit script from ``old`` to ``new``.

    A keystroke or a paste is one contiguous change (common prefix and suffix); a larger edit is split
    into difflib's opcodes inside the changed window, so unrelated text between two changes is kept as
    it is (and so are other people's edits there).
    """
    if old == new:
        return []
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    tail = 0
    while tail < limit - start and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    mid_old, mid_new = old[start : len(old) - tail], new[start : len(new) - tail]
    if not mid_old or not mid_new:
        return [(start, len(old) - tail, mid_new)]
    matcher = difflib.SequenceMatcher(a=mid_old, b=mid_new, autojunk=False)
    return [
        (start + i1, start + i2, mid_new[j1:j2])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def cost(ops: list[Op]) -> int:
    """How much an edit script changes: characters removed plus characters inserted."""
    return sum((end - start) + len(value) for start, end, value in ops)


__all__ = ["Op", "cost", "diff_ops", "utf8_offset"]
