"""Message templates: a log line with its variable parts masked, so repeats of one message count as one.

The masks, applied in this order (pyarrow's RE2, vectorised over a batch):

===========  ==================================================  ===========
quoted       ``"..."``, and ``'...'`` after a space, ``=``, ``:``   ``<str>``
UUID         ``550e8400-e29b-41d4-a716-446655440000``              ``<uuid>``
IP           ``10.0.0.12``, ``10.0.0.12:8080``                     ``<ip>``
hex          ``0xdeadbeef``, ``9f8e7d6c5b4a`` (hex digits and letters)  ``<hex>``
id           a word mixing letters and digits: ``req8x2``, ``v2``  ``<id>``
number       ``12345``, ``3.5`` (a decimal before the ids: ``3.5s``)  ``<num>``
===========  ==================================================  ===========

>>> mask_text('payment 12345 declined for order "A-7" from 10.0.0.12:8080 (req 9f8e7d6c)')
'payment <num> declined for order <str> from <ip> (req <hex>)'
>>> mask_text("user 550e8400-e29b-41d4-a716-446655440000 timed out after 3.5s on pod-17")
'user <uuid> timed out after <num>s on pod-<num>'
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

MASKS: tuple[tuple[str, str], ...] = (
    (r'"[^"]*"', "<str>"),
    (r"(^|[\s=:(\[,])'[^']*'", r"\1<str>"),
    (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "<uuid>"),
    (r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b", "<ip>"),
    (
        r"\b0[xX][0-9a-fA-F]+\b|\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b"
        r"|\b[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*[0-9][0-9a-fA-F]*\b",
        "<hex>",
    ),
    (r"\b\d+\.\d+", "<num>"),
    (r"\b[A-Za-z_]+\d[A-Za-z0-9_]*\b|\b\d+[A-Za-z_][A-Za-z0-9_]*\b", "<id>"),
    (r"\d+(?:\.\d+)?", "<num>"),
)


def mask(messages: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Each message's template (nulls stay null)."""
    out = messages
    for pattern, replacement in MASKS:
        out = pc.replace_substring_regex(out, pattern, replacement)
    return out


def mask_text(message: str) -> str:
    """One message's template."""
    return str(mask(pa.array([message]))[0].as_py())


__all__ = ["MASKS", "mask", "mask_text"]
