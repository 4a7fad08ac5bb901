"""The Details step shows, under each field, how the draft will read it and a hint, as the author types."""

from __future__ import annotations

import asyncio
from pathlib import Path

from postmortem_widgets.incident.record import load_incident
from postmortem_widgets.ui import Workspace
from postmortem_widgets.ui.details_step import DetailsStep
from tests.support.ui import EmptyIncident, OpenWorkspace


def details(ws: Workspace) -> DetailsStep:
    step = ws.select("Details")
    assert isinstance(step, DetailsStep)
    return step


def test_each_field_shows_the_sentences_the_draft_makes_of_it(
    anchor_copy: Path, open_workspace: OpenWorkspace
) -> None:
    step = details(open_workspace(anchor_copy))
    reads = {name: html.value for name, html in step.reads.items()}
    assert reads["remediation"] == (
        '<div class="pm-reads"><span class="pm-reads-label">In How We Responded it reads:</span> '
        '<span class="pm-reads-text">We rolled back the cache deployment and rebuilt the cache layer from '
        "the live database.</span></div>"
    )
    assert (
        "<ol><li>We&#x27;re adding automated cache accuracy validation to the deployment pipeline.</li>"
        "<li>We&#x27;re implementing divergence alerting that checks data timestamps across the cache and "
        "the live database every 5 minutes.</li>"
    ) in reads["prevention"]
    assert (
        "On April 15, 2024, Anchor Analytics experienced a 2-hour 33-minute service incident affecting all "
        "Professional and Enterprise customers (approximately 200 accounts)."
    ) in reads["affected_scope"]
    assert (
        "Dashboards showed a loading error or displayed data from the previous day rather than live data. "
        "Exports and API were unaffected."
    ) in reads["customer_experience"]
    # The seed's root cause is one long sentence: the hint says so; the data impact reads well.
    assert (
        '<div class="pm-hint" role="status">One 42-word sentence: split it where it changes subject, so '
        "customers can follow it.</div>"
    ) in reads["root_cause"]
    assert "pm-hint" not in reads["data_impact"]
    assert reads["detection"] == (
        '<div class="pm-reads pm-reads-note">The offline draft tells how we found out from the timeline; a '
        "model reads this.</div>"
    )


def test_typing_updates_the_preview_and_the_hint_and_saves(
    empty_incident: EmptyIncident, open_workspace: OpenWorkspace
) -> None:
    path = empty_incident(timezone="America/New_York", incident_date="2024-04-15")
    ws = open_workspace(path)
    step = details(ws)
    assert step.reads["remediation"].value == ""
    step.inputs["remediation"].value = "rolled back"
    assert "We rolled back.</span>" in step.reads["remediation"].value
    assert "Terse: say what we did to fix it, in the order we did it." in step.reads["remediation"].value
    step.inputs["remediation"].value = "restarted the pods; flushed cache"
    assert "We restarted the pods. We flushed the cache.</span>" in step.reads["remediation"].value
    assert "“pods” is jargon to customers: try “server processes”." in step.reads["remediation"].value
    assert load_incident(path).remediation == "restarted the pods; flushed cache"
    assert ws.status.text == "Saved remediation."
    # The product, date and scope share the Summary's first sentence: each preview follows the others.
    step.inputs["product_name"].value = "Acme Books"
    step.inputs["affected_scope"].value = "EU shoppers"
    expected = "On April 15, 2024, Acme Books experienced a service incident affecting EU shoppers."
    for name in ("product_name", "incident_date", "affected_scope"):
        assert expected in step.reads[name].value, name
    step.inputs["product_name"].value = ""
    assert "On April 15, 2024, our service experienced" in step.reads["affected_scope"].value


def test_the_preview_waits_for_a_pause_and_leaving_the_step_saves_at_once(
    empty_incident: EmptyIncident,
) -> None:
    path = empty_incident(timezone="UTC")

    async def typing() -> None:
        ws = Workspace.open(path, autosave_delay=30, preview_delay=0.05, samples=[], sync_grace=0)
        try:
            step = details(ws)
            step.inputs["root_cause"].value = "bad"
            step.inputs["root_cause"].value = "bad deploy"
            assert step.reads["root_cause"].value == ""  # not yet: typing goes on
            await asyncio.sleep(0.3)
            assert "Only 2 words: say what failed and why" in step.reads["root_cause"].value
            assert "A bad deploy" not in step.reads["root_cause"].value
            assert "Bad deploy.</span>" in step.reads["root_cause"].value
            assert load_incident(path).root_cause == ""  # the save waits for its own, longer pause
            ws.select("Prompt")
            assert load_incident(path).root_cause == "bad deploy"
        finally:
            ws.close_steps()

    asyncio.run(typing())


def test_loop_debouncer_calls_once_after_the_last_poke_on_the_loop() -> None:
    from postmortem_widgets.ui.debouncer import LoopDebouncer

    calls: list[int] = []
    now = LoopDebouncer(lambda: calls.append(0), 5)
    now.poke()  # no running loop: at once
    assert calls == [0] and not now.pending

    async def pokes() -> None:
        later = LoopDebouncer(lambda: calls.append(1), 0.05)
        for _ in range(3):
            later.poke()
        assert later.pending and calls == [0]
        await asyncio.sleep(0.2)
        assert calls == [0, 1] and not later.pending
        later.poke()
        later.flush()
        later.flush()
        assert calls == [0, 1, 1]

    asyncio.run(pokes())
