"""Benchmark: ``postmortem timeline LOG --json`` on a large log, as a whole process, against bare reads.

Generates a 1,000,000-row application log (the ``bench_timeline.py`` shape: ISO 8601 UTC times with
milliseconds, a level, a service and realistic messages, about 82 MB) into a cached temporary folder,
then runs, interleaved, ``--repeat`` times each, three fresh processes:

1. ``postmortem timeline LOG --json > /dev/null`` (the whole import: roles, streaming read, series,
   templates, changes, impact, JSON);
2. ``python -c "pd.read_csv(LOG, engine='pyarrow')"``;
3. ``python -c "duckdb.sql('CREATE TABLE t AS SELECT * FROM read_csv(LOG)')"`` (when duckdb is installed:
   ``pip install -e '.[bench]'``).

It prints each median wall time and peak RSS (``ru_maxrss`` of the child), the ratios (goal: at most 1.5x
the pandas read), and the size of the JSON. ``--big`` adds the 10,000,000-row log (about 820 MB, written
in chunks) and the peak memory of its import (goal: under 1.5 GB).

    python benchmarks/bench_telemetry.py               # 1,000,000 rows
    python benchmarks/bench_telemetry.py --big         # and 10,000,000 rows
    python benchmarks/bench_telemetry.py --rows 100000 # quick mode
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_timeline import DATA_VERSION, cached_log, generate_log

ROOT = Path(__file__).resolve().parent.parent


def _big_log(rows: int, folder: Path, chunk: int = 1_000_000) -> Path:
    """The log of ``rows`` rows, written ``chunk`` rows at a time (the generator holds one chunk)."""
    path = folder / f"service-log-{rows}-v{DATA_VERSION}.csv"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        for number, start in enumerate(range(0, rows, chunk)):
            piece = folder / "chunk.csv"
            generate_log(piece, min(chunk, rows - start), seed=7 + number)
            data = piece.read_bytes()
            out.write(data if number == 0 else data.split(b"\n", 1)[1])
            piece.unlink()
    partial.replace(path)
    print(f"generated {path} in {time.perf_counter() - started:.0f} s")
    return path


def _commands(path: Path, out: Path) -> dict[str, list[str]]:
    commands = {
        "postmortem timeline --json": [
            sys.executable,
            "-c",
            "import sys; from postmortem_widgets.cli import main; sys.exit(main(sys.argv[1:]))",
            "timeline",
            str(path),
            "--json",
        ],
        "pd.read_csv(engine='pyarrow')": [
            sys.executable,
            "-c",
            f"import pandas as pd; pd.read_csv({str(path)!r}, engine='pyarrow')",
        ],
    }
    try:
        import duckdb  # noqa: F401

        commands["duckdb read_csv"] = [
            sys.executable,
            "-c",
            f"import duckdb; duckdb.sql(\"CREATE TABLE t AS SELECT * FROM read_csv('{path}')\")",
        ]
    except ImportError:
        print("duckdb is not installed (pip install -e '.[bench]'): its column is left out")
    return commands


def _run(command: list[str], out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (bytes) of one child process; its stdout goes to ``out``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with out.open("wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{command[:4]} failed with status {status}")
    return elapsed, usage.ru_maxrss * 1024


def measure(path: Path, repeat: int, out: Path) -> dict[str, tuple[list[float], list[float]]]:
    commands = _commands(path, out)
    runs: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in commands}
    for command in commands.values():
        _run(command, out)  # warm-up: page cache, bytecode
    for _ in range(repeat):
        for name, command in commands.items():
            seconds, peak = _run(command, out if name.startswith("postmortem") else Path(os.devnull))
            runs[name][0].append(seconds)
            runs[name][1].append(peak)
    return runs


def report(path: Path, runs: dict[str, tuple[list[float], list[float]]], out: Path) -> None:
    size = path.stat().st_size
    print(f"log: {path} ({size / 1e6:.0f} MB)")
    medians = {name: statistics.median(times) for name, (times, _) in runs.items()}
    for name, (times, peaks) in runs.items():
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(
            f"  {name + ':':<32} median {medians[name]:.2f} s, peak {max(peaks) / 1e6:.0f} MB (runs: {shown})"
        )
    ours = medians["postmortem timeline --json"]
    pandas = medians["pd.read_csv(engine='pyarrow')"]
    print(f"  whole import / pandas read: {ours / pandas:.2f}x (goal <= 1.5x)")
    if "duckdb read_csv" in medians:
        print(f"  whole import / duckdb read: {ours / medians['duckdb read_csv']:.2f}x")
    print(f"  JSON written: {out.stat().st_size / 1e3:.0f} kB")


def big(rows: int, folder: Path, out: Path) -> None:
    path = _big_log(rows, folder)
    seconds, peak = _run(_commands(path, out)["postmortem timeline --json"], out)
    print(
        f"big log: {path.stat().st_size / 1e6:.0f} MB, {rows:,} rows: whole import {seconds:.1f} s, "
        f"peak memory {peak / 1e9:.2f} GB (goal < 1.5 GB), JSON {out.stat().st_size / 1e3:.0f} kB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the generated log")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each process")
    parser.add_argument("--big", action="store_true", help="also import a 10,000,000-row log, for memory")
    parser.add_argument("--big-rows", type=int, default=10_000_000, help=argparse.SUPPRESS)
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "postmortem-bench",
        help="folder for the generated logs",
    )
    args = parser.parse_args(argv)
    out = args.cache / "timeline.json"
    path = cached_log(args.rows, args.cache)
    report(path, measure(path, args.repeat, out), out)
    if args.big:
        big(args.big_rows, args.cache, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
