"""Benchmark: very large drafts to every export format, time and peak memory, medians.

Two drafts, generated here:

- ``lines``: the seed example grown to 10,000 and to 100,000 lines (half a timeline of bold times, then as
  many lines of prose in paragraphs of five), about 0.55 and 5.5 MB: ten times the draft should take about
  ten times as long;
- ``table``: the seed example plus a 200 x 500 table (100,000 cells).

Each (draft, format) pair runs in a fresh subprocess, killed after ``--timeout`` seconds: the child warms up
on the seed draft (imports, templates, fonts), builds the big draft, then times ``export_report`` with a
clean review passed in (the reviewer has its own benchmark). Printed per pair: the median wall time and CPU
time (a busy machine stretches the first far more than the second), and the peak resident memory above the
warmed-up process (``ru_maxrss``). A refusal (``ExportError``, e.g. a report
too large for a PDF) is printed with its time: refusing quickly is a bounded outcome. ``--against DIR`` runs
the same children on another checkout (say ``git archive main | tar -x -C /tmp/base``), side by side.
Goal: every format within 10 s.

    python benchmarks/bench_export_large.py                     # both drafts, every format, 3 repetitions
    python benchmarks/bench_export_large.py --draft table --format pdf --repeat 1
    python benchmarks/bench_export_large.py --lines 10000 --lines 50000 --against /tmp/base
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 10.0

CHILD = r"""
import json, resource, sys, time
from pathlib import Path

def big_draft(seed, lines):
    head, _, rest = seed.partition("## What Happened (Timeline)\n")
    events = lines // 2
    bullets = "".join(
        f"- **{9 + i // 60 % 12}:{i % 60:02d}am ET:** Cache check {i} passed\n" for i in range(events)
    )
    prose = "".join(
        f"Line {i} of the analysis explains one more *detail* of the cache.\n" + ("\n" if i % 5 == 4 else "")
        for i in range(lines - events)
    )
    return head + "## What Happened (Timeline)\n\n" + bullets + "\n## Detail\n\n" + prose + rest

def big_table(seed, rows, cols):
    header = "| " + " | ".join(f"c{j}" for j in range(cols)) + " |\n|" + "---|" * cols + "\n"
    body = "".join("| " + " | ".join(f"r{i}c{j}" for j in range(cols)) + " |\n" for i in range(rows))
    return seed + "\n## Data\n\n" + header + body

args = json.loads(sys.argv[1])
from postmortem_widgets.errors import ExportError
from postmortem_widgets.export import export_report
from postmortem_widgets.incident.record import Incident
from postmortem_widgets.review import Review

seed = Path(args["seed"]).read_text()
incident = Incident(
    product_name="Anchor Analytics", incident_date="April 15, 2024", incident_duration="2 hours"
)
review = Review([])
export_report(seed, incident, to=args["format"], review=review)  # warm-up: imports, templates, fonts
base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if args["draft"] == "lines":
    draft = big_draft(seed, args["lines"])
else:
    draft = big_table(seed, args["rows"], args["cols"])
times, cpu, outcome = [], [], "ok"
for _ in range(args["repeat"]):
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        out = export_report(draft, incident, to=args["format"], review=review)
        outcome = f"ok, {len(out) / 1e6:.1f} MB"
    except ExportError as exc:
        outcome = "refused: " + str(exc).split(". Hint")[0][:90]
    times.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"times": times, "cpu": cpu, "peak_mb": (peak_kb - base_kb) / 1024, "outcome": outcome}))
"""


def run_child(tree: Path, case: dict[str, object], timeout: float) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(case)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=tree,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:100]}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def describe(result: dict[str, object]) -> str:
    if "timeout" in result:
        return f"> {result['timeout']:.0f} s (killed)"
    if "error" in result:
        return f"crashed: {result['error']}"
    times, cpu = result["times"], result.get("cpu", [float("nan")])
    assert isinstance(times, list) and isinstance(cpu, list)
    median = statistics.median(times)
    return (
        f"{median:7.2f} s (cpu {statistics.median(cpu):6.2f} s)  peak +{result['peak_mb']:5.0f} MB  "
        f"{result['outcome']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draft", choices=["lines", "table"], action="append")
    parser.add_argument("--format", action="append", help="an export format (default: every one)")
    parser.add_argument("--lines", type=int, action="append", help="lines (default: 10,000, 100,000)")
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--cols", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds before a child is killed")
    parser.add_argument("--against", type=Path, help="another checkout to run side by side (the baseline)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from postmortem_widgets.export import FORMATS

    seed = ROOT / "tests" / "data" / "export" / "seed_draft.md"
    trees = [("this", ROOT)] + ([("baseline", args.against.resolve())] if args.against else [])
    slow = False
    cases = [("lines", n) for n in args.lines or [10_000, 100_000] if "lines" in (args.draft or ["lines"])]
    cases += [("table", 0)] if "table" in (args.draft or ["table"]) else []
    for draft, lines in cases:
        size = f"{lines:,} lines" if draft == "lines" else f"{args.rows} x {args.cols} table"
        print(f"{size}:")
        for fmt in args.format or list(FORMATS):
            case = {"draft": draft, "format": fmt, "lines": lines, "rows": args.rows,
                    "cols": args.cols, "repeat": args.repeat, "seed": str(seed)}  # fmt: skip
            for label, tree in trees:
                result = run_child(tree, case, args.timeout * max(1, args.repeat))
                times = result.get("times")
                slow |= label == "this" and (not isinstance(times, list) or statistics.median(times) > GOAL_S)
                print(f"  {fmt:>5} {label:>8}: {describe(result)}", flush=True)
    print(f"goal: every format < {GOAL_S:.0f} s: {'SLOW' if slow else 'ok'}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
