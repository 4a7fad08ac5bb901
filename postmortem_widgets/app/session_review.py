"""The draft checked: the reviewer's verdict, the findings set aside, redaction and the export gate.

A mixin of :class:`~postmortem_widgets.app.session.Session` (its docstring says why mixins). The
verdict is cached with what was derived from the incident, so the Review step and exports share one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from ..incident.record import Incident
    from ..review import Finding, Ignore, Redaction, Review
    from ..store import DraftVersion
    from ..timeline.merge import Timeline

__all__ = ["ReviewMixin"]

T = TypeVar("T")


class ReviewMixin:
    """What the reviewer says of the draft, and what the author does about it."""

    incident: Incident
    audience: str
    ignores: list[Ignore]

    if TYPE_CHECKING:

        @property
        def timeline(self) -> Timeline: ...
        @property
        def draft(self) -> str: ...
        @draft.setter
        def draft(self, text: str) -> None: ...
        def filled(self) -> Incident: ...
        def _values(self) -> tuple[object, ...]: ...
        def _cached(self, name: str, key: tuple[object, ...], make: Callable[[], T]) -> T: ...
        def save_working(self) -> None: ...
        def save_version(
            self, *, author: str | None = None, note: str | None = None, **meta: Any
        ) -> DraftVersion: ...

    def review(self) -> Review:
        """The reviewer's verdict on the draft as it stands (checked again only when the draft, the
        timeline or the incident changed: saving a version, the Review step and exports share one)."""
        from ..review import check_draft

        def check() -> Review:
            roster = tuple(self.incident.responders)
            return check_draft(
                self.draft,
                self.filled(),
                self.timeline,
                roster=roster,
                ignore=self.ignores,
                audience=self.audience,
            )

        return self._cached(
            "review", (self.draft, self.audience, tuple(self.ignores), *self._values()), check
        )

    @property
    def has_impact(self) -> bool:
        """Whether the timeline has an impact window, so the report can show the impact figure."""
        return self.timeline.impact is not None

    def export_draft(self, path: Path, to: str, *, force: bool = False, figure: bool = True) -> Path:
        """Write the draft as ``to`` at ``path`` through the export gate, judged by :meth:`review` (the
        verdict the Review step showed, not checked again); ``figure=False`` leaves the impact figure and
        its line of evidence out, as ``postmortem export --no-figure`` does."""
        from ..export import write_report

        return write_report(
            path,
            self.draft,
            self.filled(),
            to=to,
            timeline=self.timeline,
            review=self.review(),
            force=force,
            figure=figure,
            audience=self.audience,
        )

    def ignore_finding(self, finding: Finding, reason: str) -> Ignore:
        """Set a finding aside, with the author's reason (required); kept with the draft and its versions."""
        from ..errors import IgnoreError
        from ..review import Ignore

        if not reason.strip():
            raise IgnoreError(
                f"say why line {finding.line}'s {finding.rule} finding can be ignored",
                hint="a reason travels with the draft, so a reviewer sees why it was let through",
            )
        ignore = Ignore(finding.rule, finding.line, " ".join(reason.split())).pinned(self.draft.split("\n"))
        self.ignores = [*self.ignores, ignore]
        self.save_working()
        return ignore

    def unignore(self, ignore: Ignore) -> None:
        """Bring an ignored finding back into the review."""
        self.ignores = [i for i in self.ignores if i != ignore]
        self.save_working()

    def redact_draft(self) -> tuple[Redaction, DraftVersion | None]:
        """Take internal details (people, hosts, tickets) out of the draft; a change is saved as a version."""
        from ..review import people_names, redact
        from ..review.context import incident_vocabulary

        names = people_names(self.incident.responders, self.timeline, ())
        keep = [n for n in (self.incident.product_name, self.incident.company) if n.strip()]
        result = redact(
            self.draft, roster=names, keep=keep, exclude=sorted(incident_vocabulary(self.incident))
        )
        if result.text == self.draft:
            return result, None
        self.draft = result.text
        return result, self.save_version(note=f"redacted {len(result.changes)} internal detail(s)")
