"""Benchmark: HTML and PDF export of the seed example (Anchor Analytics), warm, medians.

Times ``export_report(draft, incident, to=...)`` with a clean review passed in (the reviewer has its own
benchmark), after one warm-up call that pays the one-off costs (imports, nbconvert's template loading,
WeasyPrint's font configuration). Goals on a 2-core machine: HTML < 1 s, PDF < 3 s.

    python benchmarks/bench_export.py            # 15 repetitions
    python benchmarks/bench_export.py --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"html": 1.0, "pdf": 3.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from postmortem_widgets.export import export_report
    from postmortem_widgets.incident.record import load_incident
    from postmortem_widgets.incident.timeline import incident_timeline
    from postmortem_widgets.review import Review

    incident = load_incident(ROOT / "sample_data" / "anchor_analytics" / "incident.yaml")
    timeline = incident_timeline(incident)
    draft = (ROOT / "tests" / "data" / "export" / "seed_draft.md").read_text()
    review = Review([])
    cold: dict[str, float] = {}
    for fmt in GOALS:
        t0 = time.perf_counter()
        export_report(draft, incident, to=fmt, review=review, timeline=timeline)
        cold[fmt] = time.perf_counter() - t0
    print(f"imports + first exports: {time.perf_counter() - started:.2f} s "
          f"(first html {cold['html']:.2f} s, first pdf {cold['pdf']:.2f} s)")  # fmt: skip

    timings: dict[str, list[float]] = {fmt: [] for fmt in GOALS}
    for _ in range(args.repeat):
        for fmt in GOALS:  # interleaved, so drift hits both alike
            t0 = time.perf_counter()
            export_report(draft, incident, to=fmt, review=review, timeline=timeline)
            timings[fmt].append(time.perf_counter() - t0)
    ok = True
    for fmt, goal in GOALS.items():
        median = statistics.median(timings[fmt])
        verdict = "ok" if median < goal else "SLOW"
        ok &= median < goal
        low, high = min(timings[fmt]) * 1000, max(timings[fmt]) * 1000
        print(
            f"{fmt:>4}: median {median * 1000:7.1f} ms  (min {low:6.1f}, max {high:6.1f}, n={args.repeat})"
            f"  goal < {goal:.0f} s  {verdict}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
