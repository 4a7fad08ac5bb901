"""One section redrafted, and the check-and-mend rounds of a model draft (see ``revision``).

A mixin of :class:`~postmortem_widgets.app.session.Session` (its docstring says why mixins).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .session_versions import Generated

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..incident.record import Incident
    from ..review import Ignore
    from ..revision import Budget, Round, Rounds
    from ..sections import Section
    from ..store import DraftStore, DraftVersion
    from ..timeline.merge import Timeline
    from ..writing.drafters.base import Drafter, DraftStream, Outcome
    from ..writing.prompt import Prompt

__all__ = ["RoundsMixin"]


class RoundsMixin:
    """A drafter's new text for one section or the whole draft, taken into the editor when it is done."""

    incident: Incident
    ignores: list[Ignore]
    audience: str
    draft_base: int
    _rounds_base: int | None
    _kept_before: DraftVersion | None

    if TYPE_CHECKING:

        @property
        def timeline(self) -> Timeline: ...
        @property
        def store(self) -> DraftStore: ...
        @property
        def draft(self) -> str: ...
        @draft.setter
        def draft(self, text: str) -> None: ...
        def prompt(self) -> Prompt: ...
        def filled(self) -> Incident: ...
        def save_working(self) -> None: ...
        def keep_draft(self, note: str) -> DraftVersion | None: ...
        def save_version(
            self, *, author: str | None = None, note: str | None = None, **meta: Any
        ) -> DraftVersion: ...
        def accept_generation(
            self,
            outcome: Outcome,
            *,
            drafter: str | None = None,
            model: str | None = None,
            prompt_hash: str | None = None,
            note: str = "generated",
        ) -> Generated: ...

    def section_stream(
        self, drafter: Drafter, name: str, prompt: Prompt | None = None
    ) -> tuple[DraftStream, Section]:
        """A drafter's new text for one section of the draft (its key or heading), streamed; finish it with
        :meth:`accept_section`."""
        from ..sections import section_named
        from ..writing.redraft import section_stream

        section = section_named(name)
        prompt = prompt or self.prompt()
        return section_stream(drafter, self.incident, self.timeline, prompt, self.draft, section), section

    def accept_section(self, outcome: Outcome, section: Section, **meta: Any) -> Generated:
        """Put a redrafted section into the draft as it stands now (every other byte kept), saved as a
        version; an unfinished one is kept aside, like any generation."""
        from ..writing.drafters.base import Outcome as Made
        from ..writing.redraft import splice_section

        if outcome.accepted:
            outcome = Made(outcome.kind, splice_section(self.draft, section, outcome.text))
        return self.accept_generation(outcome, note=f"redrafted {section.heading}", **meta)

    def rounds(
        self,
        drafter: Drafter,
        *,
        budget: Budget | None = None,
        warn_rules: frozenset[str] = frozenset(),
        on_round: Callable[[Round], None] | None = None,
        prompt: Prompt | None = None,
    ) -> Rounds:
        """The check-and-mend rounds for a model draft, checked as :meth:`review` checks (with the author's
        ignores); every round is saved as a version. The editor's text is kept as a version first, so the
        rounds' versions go on top of it; finish with :meth:`accept_rounds`."""
        from ..review import check_draft
        from ..revision import Rounds, budget_for

        self._kept_before = self.keep_draft("kept before a generated draft replaced it")
        prompt = prompt or self.prompt()
        incident, timeline = self.filled(), self.timeline
        roster, ignores, audience = tuple(self.incident.responders), list(self.ignores), self.audience

        latest = self.store.latest()
        self._rounds_base = latest.number if latest is not None else 0
        return Rounds(
            drafter,
            self.incident,
            timeline,
            prompt,
            check=lambda text: check_draft(
                text, incident, timeline, roster=roster, ignore=ignores, audience=audience
            ),
            budget=budget or budget_for(self.incident),
            warn_rules=warn_rules,
            store=self.store,
            meta={
                "drafter": drafter.name,
                "model": getattr(drafter, "model", None),
                "prompt_hash": prompt.digest,
            },
            on_round=on_round,
        )

    def accept_rounds(self, rounds: Rounds) -> Generated:
        """The best draft of the rounds into the editor (the latest version holds it); when no round was
        complete, the editor's text stays and the output is a version beside it."""
        seen_all = self._rounds_base == self.draft_base
        latest = self.store.latest()
        if seen_all and latest is not None:
            self.draft_base = latest.number  # the rounds saved on top of what this session had seen
        outcome = rounds.outcome()
        aside = rounds.rounds[-1].version if rounds.rounds else None
        if not outcome.accepted:
            self.save_working()
            return Generated(outcome=outcome, aside=aside, kept=self._kept_before)
        best = rounds.best
        assert best is not None
        self.draft = best.text
        self.save_working()
        meta = rounds.meta
        version = self.save_version(note=f"kept round {best.number}", review=best.review, **meta)
        return Generated(outcome=outcome, version=version, kept=self._kept_before)
