"""Step 4, Prompt: exactly what a model would be sent, so the author can check it before drafting."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from .base import FIELDS, INPUTS, TIMELINE, Context, Step, help_text


class PromptStep(Step):
    title = "4 Prompt"
    depends = frozenset({INPUTS, TIMELINE, FIELDS})

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.summary = widgets.HTML()
        self.text = widgets.HTML()
        self.text.add_class("pm-prompt")
        self.widget = widgets.VBox(
            [
                help_text(
                    "The seed's prompt, filled from the Details step, with the key events as a fenced data "
                    "block (text from tickets and chat is data, never instructions). Nothing here is sent "
                    "anywhere until you press Generate with a model on the Draft step."
                ),
                self.summary,
                self.text,
            ],
            layout=widgets.Layout(padding="6px"),
        )

    def refresh(self) -> None:
        prompt = self.session.prompt()
        missing = self.session.filled().missing()
        gaps = (
            f" <b>Still empty:</b> {escape(', '.join(m.replace('_', ' ') for m in missing))}."
            if missing
            else " Every field is filled."
        )
        self.summary.value = (
            f'<div class="pm-help">{prompt.event_count} of {prompt.total_events} key events included, '
            f"{len(prompt.text):,} characters.{gaps}</div>"
        )
        self.text.value = f"<pre>{escape(prompt.text)}</pre>"


__all__ = ["PromptStep"]
