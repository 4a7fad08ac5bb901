"""Errors the reviewer raises for bad input files (a draft, a roster, a jargon list)."""

from __future__ import annotations

from ..errors import PostmortemError


class DraftError(PostmortemError):
    """The draft cannot be read as text."""


class RosterError(PostmortemError):
    """The roster file cannot be read."""


class JargonError(PostmortemError):
    """A jargon list line is not ``term<TAB>plainer words``."""
