"""Benchmark: prompt assembly and offline draft beyond the import, for the seed and a 1,000,000-event import.

The large import is generated in memory (service log lines, re-firing alerts, warnings, chat, support
tickets and a handful of milestone lines), classified by the real keyword classifier and merged into a
timeline whose milestones are computed: that is the import, and it is not timed. Then, several times each:

1. ``build_prompt(incident, timeline)``
2. ``OfflineDrafter().draft(incident, timeline)``

It prints the medians and the prompt's size in characters. Goal: each step under 100 ms beyond the import,
and a prompt under 24,000 characters whatever the import size.

    python benchmarks/bench_draft.py                  # seed + 1,000,000 events
    python benchmarks/bench_draft.py --events 100000  # quick mode
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from postmortem_widgets.incident.record import Incident, load_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.timeline import events as ev
from postmortem_widgets.timeline.classify import classify_text
from postmortem_widgets.timeline.merge import Timeline, build_timeline
from postmortem_widgets.writing.drafters import OfflineDrafter
from postmortem_widgets.writing.prompt import build_prompt

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sample_data" / "anchor_analytics" / "incident.yaml"
GOAL_MS = 100.0
GOAL_PROMPT_CHARS = 24_000

_MILESTONES = (
    (0.10, "Deploy of checkout-api v2.14.0 completed"),
    (0.20, "Alert fired: checkout-api p99 latency above 2s"),
    (0.30, "Customer support ticket received about failed checkouts"),
    (0.32, "On-call engineer acknowledged and began investigating"),
    (0.40, "Root cause identified: connection pool exhausted after the v2.14.0 deploy"),
    (0.50, "Rollback of checkout-api to v2.13.2 started"),
    (0.90, "Error rates back to normal; incident resolved"),
)


def generate_events(n: int, *, seed: int = 42) -> pd.DataFrame:
    """``n`` events over three hours, built column-wise, classified by the real classifier."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-03-03T14:00:00Z")
    offsets = np.sort(rng.integers(0, 3 * 3600 * 1000, size=n))
    times = start + pd.to_timedelta(offsets, unit="ms")
    host = pd.Series(rng.integers(1, 400, n).astype(str), dtype="str")
    ms = pd.Series(rng.gamma(2.0, 30.0, n).astype(int).astype(str), dtype="str")
    template = rng.choice(6, size=n, p=[0.86, 0.04, 0.04, 0.03, 0.02, 0.01])
    parts = [
        lambda m: "GET /api/v1/orders 200 in " + ms[m] + "ms on host-" + host[m],
        lambda m: "[Triggered] checkout-api error rate above 5% on host-" + host[m],
        lambda m: "[Warn] p99 latency " + ms[m] + "ms on host-" + host[m],
        lambda m: "anyone else seeing slow checkouts? host-" + host[m] + " looks busy",
        lambda m: "Customer reported failed checkout, ticket " + host[m] + ms[m],
        lambda m: "Status update: we are investigating elevated checkout errors (" + ms[m] + ")",
    ]
    messages = pd.Series("", index=range(n), dtype="str")
    for number, build in enumerate(parts):
        mask = template == number
        messages[mask] = build(mask)
    kinds = classify_text(messages, default=ev.NOISE)
    kinds[template == 1] = ev.ALERT
    kinds[template == 2] = ev.WARNING
    kinds[template == 5] = ev.UPDATE
    for fraction, message in _MILESTONES:
        index = int(fraction * (n - 1))
        messages.iloc[index] = message
        kinds[index] = classify_text([message], default=ev.EVENT)[0]
    return ev.make_events(times, source="log", kind=kinds, message=messages, file="service.log")


def large_timeline(n: int) -> Timeline:
    frame = generate_events(n)
    timeline = build_timeline([ev.ImportResult(file="service.log", format="table", events=frame)])
    _ = timeline.milestones, timeline.metrics  # part of the import
    return timeline


def median_ms(step: Callable[[], object], repeat: int) -> tuple[float, object]:
    step()  # warm: templates compiled, caches filled
    times = []
    value: object = None
    for _ in range(repeat):
        began = time.perf_counter()
        value = step()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), value


def measure(label: str, incident: Incident, timeline: Timeline, repeat: int) -> bool:
    prompt_ms, prompt = median_ms(lambda: build_prompt(incident, timeline), repeat)
    draft_ms, _ = median_ms(lambda: OfflineDrafter().draft(incident, timeline), repeat)
    chars = len(prompt.text)  # type: ignore[attr-defined]
    ok = prompt_ms < GOAL_MS and draft_ms < GOAL_MS and chars < GOAL_PROMPT_CHARS
    print(f"{label}:")
    print(f"  events            {len(timeline.events):>12,} ({len(timeline.signal_events):,} key events)")
    print(f"  prompt assembly   {prompt_ms:>12.1f} ms (median of {repeat})")
    print(f"  offline draft     {draft_ms:>12.1f} ms (median of {repeat})")
    print(f"  prompt size       {chars:>12,} characters ({prompt.event_count} events in the data block)")  # type: ignore[attr-defined]
    print(
        f"  goal              {'met' if ok else 'MISSED'} "
        f"(< {GOAL_MS:.0f} ms each, < {GOAL_PROMPT_CHARS:,} characters)"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="size of the generated import")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per step")
    args = parser.parse_args()

    seed = load_incident(SEED)
    ok = measure("seed example (Anchor Analytics)", seed, incident_timeline(seed), args.repeat)

    began = time.perf_counter()
    timeline = large_timeline(args.events)
    print(
        f"\n(import of {args.events:,} generated events, not timed below: "
        f"{time.perf_counter() - began:.1f} s)"
    )
    incident = Incident(
        product_name="Shopfront",
        timezone="America/Chicago",
        affected_scope="customers checking out on the web store",
        root_cause="a deploy shrank the database connection pool",
        remediation="rolled back checkout-api to the previous version",
        prevention="load test every deploy at peak traffic; alert on connection pool saturation",
        data_impact="no orders were lost",
    )
    ok = measure(f"{args.events:,}-event import", incident, timeline, args.repeat) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
