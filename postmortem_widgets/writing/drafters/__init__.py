"""Drafters behind one small interface that streams text chunks.

* :class:`OfflineDrafter` (the default): deterministic, from the facts alone, no model or network.
* :class:`OpenAIDrafter`: any OpenAI-compatible chat-completions server, streamed. The ``openai`` SDK
  (a third of a second to import) loads only when it is first used, not for every CLI command.

>>> from postmortem_widgets.writing.drafters import get_drafter
>>> get_drafter("offline").name
'offline'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...errors import DraftConfigError
from .base import (
    COMPLETE,
    FAILED,
    INCOMPLETE,
    STOPPED,
    Drafter,
    DraftResult,
    DraftStream,
    Outcome,
    Usage,
    finish,
    generate_draft,
)
from .offline import OfflineDrafter

if TYPE_CHECKING:
    from .openai_compat import OpenAIDrafter, scrub

DRAFTERS: tuple[str, ...] = ("offline", "openai")


def get_drafter(
    name: str = "offline",
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    timeout: float | None = None,
    deadline: float | None = None,
    env: Mapping[str, str] | None = None,
    client: Any = None,
    audience: str = "customer",
) -> Drafter:
    """A drafter by name; model settings apply to ``openai`` only (``deadline``: ``POSTMORTEM_DEADLINE``,
    else 5 minutes). ``audience`` picks the offline drafter's templates; a model follows its prompt."""
    if name == "offline":
        return OfflineDrafter(audience)
    if name == "openai":
        from .openai_compat import OpenAIDrafter

        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        return OpenAIDrafter(
            client, model=model, base_url=base_url, api_key=api_key, deadline=deadline, env=env, **extra
        )
    raise DraftConfigError(f"unknown drafter {name!r}", hint=f"choose one of: {', '.join(DRAFTERS)}")


def __getattr__(name: str) -> Any:
    if name in ("OpenAIDrafter", "scrub"):
        from . import openai_compat

        return getattr(openai_compat, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "COMPLETE",
    "DRAFTERS",
    "FAILED",
    "INCOMPLETE",
    "STOPPED",
    "DraftResult",
    "DraftStream",
    "Drafter",
    "OfflineDrafter",
    "OpenAIDrafter",
    "Outcome",
    "Usage",
    "finish",
    "generate_draft",
    "get_drafter",
    "scrub",
]
