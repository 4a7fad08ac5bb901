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
from ..sections import SECTIONS
from .base import DRAFT, EDITED, VERSIONS, Context, button, help_text
from .debouncer import Debouncer
from .draft_generating import (
    DEFAULT_REVISE,
    MAX_REVISE,
    OFFLINE,
    OPENAI,
    SECTION_COUNT,
    GeneratingStep,
    count_sections,
    preview_html,
)
from .shared_editor import Binding, SharedTextarea


class DraftStep(GeneratingStep):
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
        self.generation = None
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
