"""Step 5, Draft: pick a drafter, stream the draft into the editor, edit it beside a live preview.

Generation runs in a thread (:class:`~postmortem_widgets.ui.generation.Generation`): the kernel stays free,
Generate is disabled and Stop offered while it runs. The API key comes from the environment or the
password box; the box is emptied as soon as the key is read, so it never reaches the notebook file.

A model's draft is checked and mended for up to "Mend rounds" rounds (:mod:`~postmortem_widgets.revision`,
through the session): a line per round says its errors before and after and whether it was kept, and Stop
ends whichever round is running. "Redraft section" regenerates the chosen section only.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

import ipywidgets as widgets

from ..app.collab.draft import SharedDraft
from ..sections import BY_KEY, SECTIONS
from .base import DRAFT, EDITED, VERSIONS, Context, Step, button, help_text
from .debouncer import Debouncer
from .generation import Generation
from .shared_editor import Binding, SharedTextarea

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


class DraftStep(Step):
    title = "5 Draft"
    depends = frozenset({DRAFT})

    def __init__(
        self,
        ctx: Context,
        *,
        env: Mapping[str, str] | None = None,
        interval: float = 0.1,
        make_drafter: Callable[..., Any] | None = None,
        autosave_delay: float = 1.0,
        collaborate: bool = True,
        sync_grace: float = 2.0,
    ) -> None:
        super().__init__(ctx)
        #: Typing reaches the working copy once per pause (and when the kernel stops).
        self.autosave = Debouncer(self.session.flush, autosave_delay)
        self.env = os.environ if env is None else env
        self.make_drafter = make_drafter
        self.interval = interval
        self.generation: Generation | None = None
        self._api_key: str | None = None
        self._quiet = False
        guard = ctx.status.guard

        self.kind = widgets.ToggleButtons(
            options=[("Offline (no model)", OFFLINE), ("OpenAI-compatible model", OPENAI)],
            value=OFFLINE,
            tooltips=[
                "Writes from the facts alone; nothing leaves this machine",
                "Any chat-completions server",
            ],
        )
        self.kind.style.button_width = "190px"
        self.audience = widgets.ToggleButtons(
            options=[("For customers", "customer"), ("Internal (engineering team)", "internal")],
            value=self.session.audience,
            tooltips=[
                "The customer-facing postmortem: the seed's six sections, no names or hosts",
                "For the team: names and roles, hosts, every event with its id, metrics, owners; "
                "kept in drafts/internal/ and marked INTERNAL on every page",
            ],
        )
        self.audience.style.button_width = "210px"
        self.audience.observe(guard("switching the audience")(self._on_audience), names="value")
        self.kind.observe(guard("choosing the drafter")(lambda _: self._show_model_box()), names="value")
        self.model = widgets.Text(
            value=self.env.get("POSTMORTEM_MODEL", ""),
            description="Model",
            placeholder="e.g. gpt-4o-mini or llama3.1",
            layout=widgets.Layout(width="340px"),
        )
        self.base_url = widgets.Text(
            value=self.env.get("OPENAI_BASE_URL", ""),
            description="Base URL",
            placeholder="https://api.openai.com/v1 (default) or http://localhost:11434/v1",
            layout=widgets.Layout(width="520px"),
        )
        self.key = widgets.Password(
            description="API key", continuous_update=False, layout=widgets.Layout(width="340px")
        )
        self.key.observe(guard("reading the API key")(self._on_key), names="value")
        self.key_note = widgets.HTML()
        self.revise = widgets.BoundedIntText(
            value=min(self.session.incident.budget.get("rounds", DEFAULT_REVISE), MAX_REVISE),
            min=0,
            max=MAX_REVISE,
            description="Mend rounds",
            tooltip="Check the model's draft and send its errors back to be mended, up to this many times "
            "(0: off)",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="160px"),
        )
        self.mend_warnings = widgets.Text(
            description="and warnings of",
            placeholder="rule ids, e.g. jargon, summary-length",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="330px"),
        )
        self.model_box = widgets.VBox(
            [
                widgets.HBox([self.model, self.base_url], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox([self.key, self.key_note], layout=widgets.Layout(align_items="center")),
                widgets.HBox(
                    [
                        self.revise,
                        self.mend_warnings,
                        help_text("the reviewer checks each draft; its errors go back to the model"),
                    ],
                    layout=widgets.Layout(align_items="center", flex_flow="row wrap"),
                ),
            ]
        )
        self.generate = button("Generate draft", style="primary", icon="play")
        self.generate.on_click(guard("generating the draft")(self._on_generate))
        self.stop = button(
            "Stop", style="danger", icon="stop", tooltip="Stop generating; the text so far is kept"
        )
        self.stop.disabled = True
        self.stop.on_click(guard("stopping")(self._on_stop))
        self.progress = widgets.IntProgress(
            value=0, min=0, max=SECTION_COUNT, layout=widgets.Layout(width="160px", visibility="hidden")
        )
        self.progress_text = widgets.HTML()
        self.section = widgets.Dropdown(
            options=[(sec.heading, sec.key) for sec in SECTIONS],
            value=SECTIONS[0].key,
            layout=widgets.Layout(width="240px"),
        )
        self.redraft = button(
            "Redraft section",
            icon="refresh",
            tooltip="Regenerate this section only; the others stay as they are",
        )
        self.redraft.on_click(guard("redrafting the section")(self._on_redraft))
        #: One line per check-and-mend round.
        self.rounds_view = widgets.HTML()
        self.rounds: Any = None
        self.editor = SharedTextarea(
            placeholder="Generate a draft, or write it here in Markdown (## Summary, ## What Happened ...).",
            continuous_update=True,
            layout=widgets.Layout(width="100%", height="560px"),
        )
        self.sync_grace = sync_grace
        self.collaborate = collaborate
        self.shared = SharedDraft(self.session, on_joined=self._on_joined)
        self.binding = self._bind()
        self._join()
        self.preview = widgets.HTML()
        self.preview.add_class("pm-preview")
        self.saved = widgets.HTML()
        self._update_key_note()
        self._show_model_box()
        self.session.on_draft_saved.append(self._draw_saved)
        self.widget = widgets.VBox(
            [
                help_text(
                    "The offline drafter writes a careful first draft from the facts, with "
                    "nothing sent anywhere. "
                    "A model writes more fluently; check its facts on the Review step."
                ),
                self.audience,
                self.kind,
                self.model_box,
                widgets.HBox(
                    [self.generate, self.stop, self.progress, self.progress_text],
                    layout=widgets.Layout(align_items="center", margin="6px 0"),
                ),
                widgets.HBox([self.section, self.redraft], layout=widgets.Layout(align_items="center")),
                self.rounds_view,
                widgets.HBox(
                    [
                        widgets.VBox(
                            [self.editor, self.saved], layout=widgets.Layout(flex="1 1 50%", min_width="0")
                        ),
                        widgets.VBox([self.preview], layout=widgets.Layout(flex="1 1 50%", min_width="0")),
                    ],
                    layout=widgets.Layout(width="100%"),
                ),
            ],
            layout=widgets.Layout(padding="6px"),
        )

    # -- the model and its key -----------------------------------------------------------------------

    def _show_model_box(self) -> None:
        self.model_box.layout.display = "flex" if self.kind.value == OPENAI else "none"

    def _on_key(self, change: dict[str, Any]) -> None:
        value = (change["new"] or "").strip()
        if not value:
            return
        self._api_key = value
        self.key.value = ""  # the kernel keeps it; the widget (and so the saved notebook) does not
        self._update_key_note()
        self.ctx.status.ok("API key kept in memory for this session only; it is not saved anywhere.")

    def _update_key_note(self) -> None:
        if self._api_key:
            note = f"key entered (…{escape(self._api_key[-4:])}), held in memory only"
        elif self.env.get("OPENAI_API_KEY"):
            note = "using OPENAI_API_KEY from the environment"
        else:
            note = "no key: paste one (kept in memory only), or use a local server that needs none"
        self.key_note.value = f'<span class="pm-help">{note}</span>'
        self.key.placeholder = "•••• set" if self._api_key else "paste a key, then press Enter"

    def drafter(self) -> Any:
        """The chosen drafter (``make_drafter``, when given, stands in for ``get_drafter``)."""
        from ..writing.drafters import get_drafter

        make = self.make_drafter or get_drafter
        if self.kind.value == OFFLINE:
            internal = self.session.audience == "internal"
            return make(OFFLINE, audience="internal") if internal else make(OFFLINE)
        return make(
            OPENAI,
            model=self.model.value.strip() or None,
            base_url=self.base_url.value.strip() or None,
            api_key=self._api_key,
            env=self.env,
        )

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

    # -- the audience --------------------------------------------------------------------------------

    def _join(self) -> None:
        if self.collaborate:
            self.shared.try_join()
            self.editor.disabled = self.shared.joining

    def _on_audience(self, change: dict[str, Any]) -> None:
        """The other audience's draft comes into the editor (its own store and shared working copy)."""
        if self.running:
            self.audience.value = change["old"]
            self.ctx.status.warning("Stop the generation before switching between customer and internal.")
            return
        self.autosave.flush()
        self.binding.unbind()
        self.shared.close()
        self.session.set_audience(change["new"])
        self.shared = SharedDraft(self.session, on_joined=self._on_joined)
        self.binding = self._bind()
        self._join()
        self.preview.value = preview_html(self.session.draft)
        self.ctx.notify(DRAFT, VERSIONS)
        where = "drafts/internal/" if change["new"] == "internal" else "drafts/"
        self.ctx.status.info(f"Editing the {change['new']} draft (versions in {where}).")

    # -- editing -------------------------------------------------------------------------------------

    def _bind(self) -> Binding:
        guard = self.ctx.status.guard
        return Binding(
            self.editor,
            self.shared.text,
            grace=self.sync_grace,
            on_edit=guard("saving the draft")(self._on_edit),
            on_remote=guard("showing the draft")(self._on_remote),
        )

    def _on_edit(self, text: str) -> None:
        self.session.set_draft(text)
        self.autosave.poke()
        self.preview.value = preview_html(text)
        self.ctx.notify(EDITED)
        self._draw_saved()

    def _on_remote(self, text: str) -> None:
        """Someone else's edit reached the editor (another view, form or JupyterLab's editor)."""
        self.preview.value = preview_html(text)
        self.ctx.notify(EDITED)

    def _on_joined(self) -> None:
        """The shared document of working.md was joined (or given up on): bind the editor to it."""
        self.binding.unbind()
        self.binding = self._bind()
        self.editor.disabled = False
        self.preview.value = preview_html(self.session.draft)
        self.ctx.notify(EDITED)
        self._draw_saved()

    def _draw_saved(self) -> None:
        pending = self.autosave.pending or self.session.draft_dirty
        at = self.session.draft_saved_at
        merged = self.session.last_draft_merge
        if self.shared.joining:
            text = "Joining the shared document of drafts/working.md ..."
        elif self.session.draft_is_shared:
            text = (
                "Live: the same text as drafts/working.md in JupyterLab's editor; "
                "the Jupyter server saves it a second after a change"
            )
        elif merged is not None and merged.kept_at is not None:
            text = (
                f"Someone else changed drafts/working.md in the same lines: both texts are in the editor "
                "between <<<<<<< and >>>>>>> lines; yours is also kept whole in "
                f"drafts/conflicts/{merged.kept_at.name}"
            )
        elif pending:
            text = "Unsaved changes: autosaving ..."
        elif at is not None:
            text = f"Autosaved at {time.strftime('%H:%M:%S', time.localtime(at))}"
        else:
            text = f"Version {self.session.draft_base}" if self.session.draft_base else "Not saved yet"
        self.saved.value = f'<span class="pm-help">{text}</span>'

    def refresh(self) -> None:
        if self.running:
            return
        self.binding.refresh()
        self.preview.value = preview_html(self.session.draft)
        self._draw_saved()

    def poll(self) -> None:
        """Without a shared document: take in what someone else saved to working.md (merged)."""
        if self.running or self.shared.joining:
            return
        if self.session.sync_draft():
            self.binding.refresh()
            self._on_remote(self.session.draft)
            self._draw_saved()

    def close_step(self) -> None:
        if self.generation is not None:
            self.generation.stop()
        self.autosave.flush()
        self.session.flush()
        self.binding.unbind()
        self.shared.close()


__all__ = ["DraftStep", "count_sections", "preview_html"]
