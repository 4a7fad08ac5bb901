"""Keys and secrets taken out of a model's words before anyone sees them.

A model can echo the API key (a server that puts the ``Authorization`` header in an error, a prompt that
quoted a log line) or invent something shaped like one. The drafter scrubs the stream itself, so the CLI's
``-o`` file and ``.partial``, the workspace editor and every saved version only ever receive scrubbed text.

A key can arrive split across chunks (``"Bearer sk-ab"``, ``"c123..."``), so :class:`StreamScrubber` holds
back the last few characters of what it has seen, and any secret that reaches into them, until more text
shows whether they belong to a key. The held text is released, scrubbed, when the stream ends.
"""

from __future__ import annotations

import re

from ...privacy.spans import find_secrets

REDACTED = "[redacted]"
#: Things shaped like API keys (shorter than the privacy detector's keys), masked in the stream and messages.
_KEY_LIKE = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-*]{6,}")
#: How many characters the stream holds back: more than the longest prefix a secret pattern needs before it
#: matches (``github_pat_`` and 40 characters, a ``-----BEGIN ... PRIVATE KEY-----`` line).
HOLD_BACK = 64
#: A configured key shorter than this is not searched for (it would mask ordinary words).
_MIN_SECRET = 4


def _secret_ranges(text: str, secret: str | None) -> list[tuple[int, int]]:
    """Where the configured key, key-shaped words and the privacy detector's secrets are in ``text``."""
    ranges = [(m.start(), m.end()) for m in _KEY_LIKE.finditer(text)]
    ranges += [(s.start, s.end) for s in find_secrets(text)]
    if secret and len(secret) >= _MIN_SECRET:
        start = text.find(secret)
        while start != -1:
            ranges.append((start, start + len(secret)))
            start = text.find(secret, start + 1)
    return ranges


def scrub(text: str, secret: str | None) -> str:
    """``text`` with the secret (and anything shaped like an API key or secret) replaced by ``[redacted]``.

    >>> scrub("Incorrect API key provided: sk-abc123456789", "sk-abc123456789")
    'Incorrect API key provided: [redacted]'
    >>> scrub("the header was Authorization: Bearer abcdefghijklmnop1234", None)
    'the header was Authorization: [redacted]'
    """
    ranges = sorted(_secret_ranges(text, secret))
    if not ranges:
        return text
    out: list[str] = []
    position = 0
    for start, end in ranges:
        if end <= position:
            continue
        if start >= position:
            out.append(text[position:start])
            out.append(REDACTED)
        position = end
    out.append(text[position:])
    return "".join(out)


class StreamScrubber:
    """Scrubs text that arrives in pieces: :meth:`feed` each piece, then :meth:`flush` at the end.

    >>> s = StreamScrubber("sk-live-secret-4242")
    >>> s.feed("Your key is sk-li") + s.feed("ve-secret-4242 and more text.") + s.flush()
    'Your key is [redacted] and more text.'
    """

    def __init__(self, secret: str | None, *, hold: int = HOLD_BACK) -> None:
        self.secret = secret
        self.hold = max(hold, len(secret or ""))
        self._pending = ""

    def feed(self, piece: str) -> str:
        """The scrubbed text that is safe to pass on now ("" while everything may still be part of a key)."""
        text = self._pending + piece
        cut = max(0, len(text) - self.hold)
        # A secret that reaches the held text may still grow: hold all of it (latest start first, so a
        # secret overlapping an earlier one moves the cut back to the earlier one too).
        for start, end in sorted(_secret_ranges(text, self.secret), reverse=True):
            if start < cut < end:
                cut = start
        self._pending = text[cut:]
        return scrub(text[:cut], self.secret) if cut else ""

    def flush(self) -> str:
        """Everything still held, scrubbed: the stream has ended, nothing more can follow."""
        text, self._pending = self._pending, ""
        return scrub(text, self.secret)


__all__ = ["HOLD_BACK", "REDACTED", "StreamScrubber", "scrub"]
