"""Benchmark: reviewing a two-page draft, for the seed incident and against a 1,000,000-event import.

The draft is ``tests/data/review/good/seed_two_pages.md`` (about 850 words, all six sections). The timeline
is built first and not timed (that is the timeline engine's benchmark); then ``check_draft`` runs several
times and the median is reported:

1. against the seed's own timeline (six events);
2. against the seed's timeline merged with a generated import of ``--events`` rows (mostly chat and log
   noise, with warnings spread over the incident), so the facts the reviewer computes scale with the import.

Goal: under 200 ms per check.

    python benchmarks/bench_check.py                  # seed + 1,000,000 events
    python benchmarks/bench_check.py --events 100000  # quick mode
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from postmortem_widgets.incident.record import Incident, load_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.review import check_draft
from postmortem_widgets.timeline import events as ev
from postmortem_widgets.timeline.merge import Timeline, build_timeline

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sample_data" / "anchor_analytics" / "incident.yaml"
DRAFT = ROOT / "tests" / "data" / "review" / "good" / "seed_two_pages.md"
GOAL_MS = 200.0


def noisy_timeline(base: Timeline, n: int, *, seed: int = 7) -> Timeline:
    """``base`` plus ``n`` generated events inside the incident window: 99% noise, 1% warnings."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-04-15T13:14:00Z")
    times = start + pd.to_timedelta(np.sort(rng.integers(0, 153 * 60 * 1000, size=n)), unit="ms")
    kinds = np.where(rng.random(n) < 0.01, ev.WARNING, ev.NOISE)
    messages = np.where(kinds == ev.WARNING, "cache latency above threshold", "GET /dashboards 200")
    actors = rng.choice(np.array(["web-1", "web-2", "cache-sync"]), size=n)
    events = ev.make_events(
        pd.DatetimeIndex(times), source="table", kind=kinds, message=messages, actor=actors, file="app.log"
    )
    generated = ev.ImportResult(file="app.log", format="table", events=events)
    return build_timeline([*base.imports, generated])


def median_ms(draft: str, incident: Incident, timeline: Timeline, repeat: int) -> tuple[float, int]:
    errors = check_draft(draft, incident, timeline).errors  # warm-up: regexes compiled, caches filled
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        check_draft(draft, incident, timeline)
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="rows in the generated import")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per case")
    args = parser.parse_args()

    draft = DRAFT.read_text(encoding="utf-8")
    incident = load_incident(SEED)
    seed_timeline = incident_timeline(incident)
    print(f"draft: {DRAFT.name}, {len(draft.split())} words, {len(draft.splitlines())} lines")

    began = time.perf_counter()
    big = noisy_timeline(seed_timeline, args.events)
    _ = big.signal_events, big.milestones  # the timeline engine's work, not timed below
    took = time.perf_counter() - began
    print(f"import of {args.events:,} events built in {took:.1f} s ({len(big.signal_events):,} key events)")

    for label, timeline in (("seed timeline", seed_timeline), (f"{args.events:,}-event import", big)):
        ms, errors = median_ms(draft, incident, timeline, args.repeat)
        verdict = "ok" if ms < GOAL_MS else "SLOW"
        runs = f"over {args.repeat} runs [{verdict}], {errors} errors"
        print(f"check_draft, {label:<24} median {ms:7.1f} ms {runs}")


if __name__ == "__main__":
    main()
