"""The Draft step's generating half: one draft, the check-and-mend rounds, or one section, streamed.

Apart from :mod:`.draft_step` (the widgets, the model's settings, the audience and the editor) because
this is the part that runs on another thread: Generate, Stop, the rounds' lines and what the status says
when a run ends. :class:`~.draft_step.DraftStep` builds the widgets these methods use.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..sections import BY_KEY, SECTIONS
from .base import DRAFT, VERSIONS, Step
from .generation import Generation

if TYPE_CHECKING:
    from .shared_editor import Binding

OFFLINE, OPENAI = "offline", "openai"
#: Check-and-mend rounds offered for a model's draft (the command line's default), and the most.
DEFAULT_REVISE, MAX_REVISE = 2, 5
#: The seed's six sections: progress is how many of them the draft has so far.
SECTION_COUNT = len(SECTIONS)


def preview_html(text: str) -> str:
    """The draft as the customer will read it (safe HTML: the export's own renderer)."""
    if not text.strip():
        return '<div class="pm-empty">The preview appears here as you write or generate.</div>'
    from ..export.markdown import render_markdown

    return render_markdown(text).html


def count_sections(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.startswith("## "))


class GeneratingStep(Step):
    """Generate, Redraft and Stop, and what the step shows while a run streams and when it ends."""

    interval: float
    generation: Generation | None
    rounds: Any
    kind: widgets.ToggleButtons
    revise: widgets.BoundedIntText
    mend_warnings: widgets.Text
    generate: widgets.Button
    stop: widgets.Button
    redraft: widgets.Button
    section: widgets.Dropdown
    progress: widgets.IntProgress
    progress_text: widgets.HTML
    rounds_view: widgets.HTML
    preview: widgets.HTML
    binding: Binding

    if TYPE_CHECKING:

        def drafter(self) -> Any: ...

    # -- generating ----------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.generation is not None and self.generation.running

    def _set_running(self, running: bool) -> None:
        self.generate.disabled = running
        self.redraft.disabled = running
        self.section.disabled = running
        self.stop.disabled = not running
        self.kind.disabled = running
        self.progress.layout.visibility = "visible" if running else "hidden"

    def _on_generate(self, _: object = None) -> None:
        if self.running:
            return
        session = self.session
        drafter = self.drafter()
        prompt = session.prompt()
        label = "the offline drafter" if self.kind.value == OFFLINE else f"{drafter.model}"
        self.rounds_view.value = ""
        if self.kind.value == OPENAI and self.revise.value > 0:
            self._start_rounds(drafter, prompt, label)
            return
        stream_box: dict[str, Any] = {}

        def chunks() -> Any:
            stream = drafter.stream(session.incident, session.timeline, prompt)
            stream_box["stream"] = stream
            return stream

        self.progress.value = 0
        self._set_running(True)
        self.ctx.status.busy(f"Generating with {label} ...")
        self.generation = Generation(
            chunks,
            on_update=self._on_stream,
            on_finish=lambda text, error, stopped: self._on_finished(
                text, error, stopped, stream_box.get("stream"), drafter, prompt
            ),
            interval=self.interval,
        )
        self.generation.start()

    def _start_rounds(self, drafter: Any, prompt: Any, label: str) -> None:
        """The check-and-mend rounds, on the generation thread: Stop closes them, ending the running round."""
        from ..revision import budget_for

        chosen = frozenset(r.strip() for r in self.mend_warnings.value.replace(",", " ").split())
        self.rounds = self.session.rounds(
            drafter,
            budget=budget_for(self.session.incident, rounds=self.revise.value),
            warn_rules=chosen,
            on_round=self._on_round,
            prompt=prompt,
        )
        rounds = self.rounds
        self.progress.value = 0
        self._set_running(True)
        self.ctx.status.busy(f"Generating with {label}, then checking and mending it ...")
        self.generation = Generation(
            lambda: rounds,
            on_update=lambda _: self._on_stream(rounds.current),
            on_finish=lambda text, error, stopped: self._on_rounds_finished(rounds, error, drafter, prompt),
            interval=self.interval,
        )
        self.generation.start()

    def _on_round(self, done: Any) -> None:
        """A round ended: its line joins the list (errors before and after, kept or rejected)."""
        lines = "".join(f"<li>{escape(r.describe())}</li>" for r in self.rounds.rounds)
        self.rounds_view.value = f'<ul class="pm-rounds">{lines}</ul>'

    def _on_rounds_finished(
        self, rounds: Any, error: BaseException | None, drafter: Any, prompt: Any
    ) -> None:
        if error is not None or not rounds.rounds:
            self._on_finished(rounds.current, error, rounds.stopped, None, drafter, prompt)
            return
        try:
            self._set_running(False)
            result = self.session.accept_rounds(rounds)
            self.binding.refresh()
            self.preview.value = preview_html(self.session.draft)
            self.ctx.notify(DRAFT, VERSIONS)
            best = rounds.best
            ended = f" ({rounds.ended})" if rounds.ended else ""
            if best is not None:
                self.rounds_view.value += (
                    f'<div class="pm-help">Kept round {best.number} of {len(rounds.rounds)}{escape(ended)}; '
                    f"{rounds.tokens:,} tokens in all.</div>"
                )
            rounds_said = f" Kept round {best.number}{ended}." if best is not None else ""
            self._report(result, self.generation.elapsed() if self.generation else 0.0, rounds_said)
        except Exception as exc:
            self.ctx.status.report(exc, "saving the generated draft")

    def _on_redraft(self, _: object = None) -> None:
        """Regenerate the chosen section with the chosen drafter; the others keep every byte."""
        if self.running:
            return
        drafter = self.drafter()
        prompt = self.session.prompt()
        stream, section = self.session.section_stream(drafter, self.section.value, prompt)
        self._set_running(True)
        self.rounds_view.value = ""
        self.ctx.status.busy(f"Redrafting {section.heading} ...")
        self.generation = Generation(
            lambda: stream,
            on_update=self._on_stream,
            on_finish=lambda text, error, stopped: self._on_finished(
                text, error, stopped, stream, drafter, prompt, section=section.key
            ),
            interval=self.interval,
        )
        self.generation.start()

    def _on_stream(self, text: str) -> None:
        """The text so far goes to the preview, beside the editor: the editor's text is not touched until
        a complete draft arrives (a failed or stopped run must not cost the author a word)."""
        self.preview.value = (
            '<div class="pm-generating">Generating: the editor keeps your text until the draft is '
            "complete.</div>" + preview_html(text)
        )
        sections = count_sections(text)
        self.progress.value = min(sections, SECTION_COUNT)
        elapsed = self.generation.elapsed() if self.generation else 0.0
        self.progress_text.value = (
            f'<span class="pm-help">{len(text):,} characters · {sections} of {SECTION_COUNT} '
            f"sections · {elapsed:.1f} s</span>"
        )

    def _on_finished(
        self,
        text: str,
        error: BaseException | None,
        stopped: bool,
        stream: Any,
        drafter: Any,
        prompt: Any,
        *,
        section: str | None = None,
    ) -> None:
        from ..writing.drafters import finish

        try:
            self._set_running(False)
            outcome = finish(getattr(stream, "result", None), text=text, error=error, stopped=stopped)
            meta = {
                "drafter": getattr(drafter, "name", None),
                "model": getattr(drafter, "model", None),
                "prompt_hash": prompt.digest,
            }
            if section is not None:
                result = self.session.accept_section(outcome, BY_KEY[section], **meta)
            else:
                result = self.session.accept_generation(outcome, **meta)
            elapsed = self.generation.elapsed() if self.generation else 0.0
            self.binding.refresh()
            self.preview.value = preview_html(self.session.draft)
            self.ctx.notify(DRAFT, VERSIONS)
            what = f"{BY_KEY[section].heading} redrafted" if section is not None else "Draft generated"
            self._report(result, elapsed, what=what)
        except Exception as exc:
            self.ctx.status.report(exc, "saving the generated draft")

    def _report(self, result: Any, elapsed: float, said: str = "", *, what: str = "Draft generated") -> None:
        """Say what happened to the draft and to the text that was there (see ``accept_generation``)."""
        from ..writing.drafters import FAILED, STOPPED

        outcome = result.outcome
        if result.version is None:
            where = (
                f" Its {len(outcome.text):,} characters are kept as version {result.aside.number} "
                "(Export & versions: Restore to use them)."
                if result.aside is not None
                else ""
            )
            unchanged = " Your text in the editor is unchanged."
            if outcome.kind == FAILED and outcome.error is not None:
                self.ctx.status.report(outcome.error, "generating the draft")
                self.ctx.status.error(self.ctx.status.text + where + unchanged)
            elif outcome.kind == STOPPED:
                self.ctx.status.warning(f"Stopped after {len(outcome.text):,} characters.{where}{unchanged}")
            else:
                self.ctx.status.warning(f"The draft is incomplete: {outcome.problem}.{where}{unchanged}")
            return
        kept = (
            f" The text it replaced is kept as version {result.kept.number}."
            if result.kept is not None
            else ""
        )
        review = self.session.review()
        verdict = (
            f" The review finds {review.errors} error(s): see the Review step."
            if review.errors
            else " Edit it here, then check it on the Review step."
        )
        message = (
            f"{what} in {elapsed:.1f} s and saved as version {result.version.number}.{said}{kept}{verdict}"
        )
        (self.ctx.status.warning if review.errors else self.ctx.status.ok)(message)

    def _on_stop(self, _: object = None) -> None:
        if self.generation is not None:
            self.generation.stop()
            self.ctx.status.busy("Stopping ...")

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait for a running generation to end (for tests and scripts)."""
        return self.generation.join(timeout) if self.generation is not None else True
