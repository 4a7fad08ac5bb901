"""The default drafter: deterministic, no model, no network.

It writes the six sections of the seed from the facts (:mod:`~postmortem_widgets.writing.facts`): exact local
times,
the durations the timeline measured, the monitoring gap when a customer told us first, and the author's
own words for the root cause, remediation, prevention and data impact. All wording lives in
``templates/drafts/``, one template a section.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...sections import SECTIONS
from .base import DraftResult, DraftStream

if TYPE_CHECKING:
    from ...incident.record import Incident
    from ...timeline.merge import Timeline
    from ..prompt import Prompt


class OfflineDrafter:
    """Writes a careful first draft from the facts alone; the prompt is not needed and is ignored."""

    name = "offline"

    def __init__(self, audience: str = "customer") -> None:
        #: ``customer`` (the seed's six sections) or ``internal`` (``templates/drafts/internal/``).
        self.audience = audience

    def render(self, incident: Incident, timeline: Timeline) -> list[str]:
        """The sections as Markdown, in order: the seed's six, or the internal version's."""
        from ..._templates import text_environment
        from ..facts import build_facts

        env = text_environment()
        if self.audience == "internal":
            from ..internal import INTERNAL_TEMPLATES, build_internal_facts

            internal = build_internal_facts(incident, timeline)
            context = {"f": internal.facts, "i": internal.facts.incident, "n": internal}
            names = [f"drafts/internal/{name}.md.j2" for name in INTERNAL_TEMPLATES]
            return [env.get_template(name).render(context).strip() + "\n" for name in names]
        facts = build_facts(incident, timeline)
        context = {"f": facts, "i": facts.incident}
        return [env.get_template(s.template).render(context).strip() + "\n" for s in SECTIONS]

    def stream(self, incident: Incident, timeline: Timeline, prompt: Prompt | None = None) -> DraftStream:
        sections = self.render(incident, timeline)

        def chunks(result: DraftResult) -> Iterator[str]:
            for index, section in enumerate(sections):
                yield section if index == 0 else "\n" + section
            result.complete = True
            result.finish_reason = "stop"

        return DraftStream(chunks, DraftResult(drafter=self.name))

    def draft(self, incident: Incident, timeline: Timeline) -> str:
        """The whole draft at once."""
        return self.stream(incident, timeline).collect().text
