"""Benchmark: the whole timeline import of a large generic CSV log against a bare pyarrow read.

Generates a 1,000,000-row log (about 80 MB: ISO 8601 UTC timestamps with milliseconds, a level, a service
and a realistic message, with a few milestone lines sprinkled in) into a cached temporary folder, then times
side by side, interleaved, several repetitions each:

1. ``pd.read_csv(path, engine="pyarrow")`` alone;
2. ``load_timeline([path])`` then ``.milestones`` and ``.metrics``: detect, parse, normalise, classify,
   merge and find the milestones.

It prints both medians, their ratio, and the peak memory of the whole import measured in a fresh
subprocess (``ru_maxrss``) against the file size. Goal: ratio <= 1.5, peak memory < 4x the file size.

    python benchmarks/bench_timeline.py              # 1,000,000 rows
    python benchmarks/bench_timeline.py --rows 100000  # quick mode
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

#: Bump when the generated content changes, so a stale cached file is not reused.
DATA_VERSION = 1

_SERVICES = np.array(
    ["checkout-api", "payments-gateway", "orders-worker", "auth-service", "search-api", "cdn-edge"]
)
_LEVELS = np.array(["INFO"] * 14 + ["DEBUG"] * 3 + ["WARN"] * 2 + ["ERROR"])
_PATHS = np.array(
    ["/api/v1/orders", "/api/v1/checkout", "/api/v1/cart", "/api/v2/search", "/api/v1/users/me"]
)
_VERBS = np.array(["GET", "GET", "GET", "POST", "PUT"])
_STATUS = np.array(["200"] * 30 + ["201", "204", "304", "404", "500", "503"])
#: Incident lines a responder would recognise, placed at fixed fractions of the log.
_MILESTONES = (
    (0.10, "Deploy of checkout-api v2.14.0 completed"),
    (0.20, "Alert fired: checkout-api p99 latency above 2s"),
    (0.30, "Customer support ticket received about failed checkouts"),
    (0.40, "Root cause identified: connection pool exhausted after the v2.14.0 deploy"),
    (0.50, "Rollback of checkout-api to v2.13.2 started"),
    (0.90, "Error rates back to normal; incident resolved"),
)


def _messages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Realistic service log lines, built column-wise (a per-row loop would take as long as the benchmark)."""
    ids = rng.integers(10_000, 999_999, n).astype(str)
    ms = rng.gamma(2.0, 30.0, n).astype(int).astype(str)
    small = rng.integers(1, 400, n).astype(str)
    template = rng.integers(0, 8, n)
    out = np.empty(n, dtype=object)
    choose = template == 0
    out[choose] = (
        _VERBS[rng.integers(0, len(_VERBS), choose.sum())].astype(object)
        + " "
        + _PATHS[rng.integers(0, len(_PATHS), choose.sum())].astype(object)
        + "/"
        + ids[choose].astype(object)
        + " "
        + _STATUS[rng.integers(0, len(_STATUS), choose.sum())].astype(object)
        + " in "
        + ms[choose].astype(object)
        + "ms"
    )
    pieces: list[tuple[str, np.ndarray, str]] = [
        ("cache miss for key session:", ids, ""),
        ("upstream payments-gateway answered in ", ms, "ms, retries=0"),
        ("queue depth ", small, " for topic order-events, lag ok"),
        ("slow query on orders_db took ", ms, "ms"),
        ("user ", ids, " signed in via SSO"),
        ("connection pool at ", small, " of 500 in use"),
        ("worker heartbeat ok, ", small, " jobs done"),
    ]
    for number, (before, values, after) in enumerate(pieces, start=1):
        choose = template == number
        out[choose] = before + values[choose].astype(object) + after
    for fraction, text in _MILESTONES:
        out[int(n * fraction)] = text
    return out


def generate_log(path: Path, rows: int, *, seed: int = 7) -> None:
    """Write the benchmark log: time, level, service, message."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-04-15T13:00:00.000", "ms")
    steps = rng.integers(0, 8, rows).cumsum().astype("timedelta64[ms]")
    stamps = pd.Series(np.datetime_as_string(start + steps, unit="ms")) + "Z"
    frame = pd.DataFrame(
        {
            "timestamp": stamps,
            "level": _LEVELS[rng.integers(0, len(_LEVELS), rows)],
            "service": _SERVICES[rng.integers(0, len(_SERVICES), rows)],
            "message": _messages(rng, rows),
        }
    )
    partial = path.with_suffix(".partial")
    frame.to_csv(partial, index=False)
    partial.replace(path)


def cached_log(rows: int, folder: Path) -> Path:
    """The generated log, reused across runs."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"service-log-{rows}-v{DATA_VERSION}.csv"
    if not path.exists():
        started = time.perf_counter()
        generate_log(path, rows)
        print(f"generated {path} in {time.perf_counter() - started:.1f} s")
    return path


def bare_read(path: Path) -> object:
    return pd.read_csv(path, engine="pyarrow")


def whole_import(path: Path) -> object:
    from postmortem_widgets.timeline.merge import load_timeline

    # Read row by row, as a hand-written timeline: this benchmark is the table reader's. A log's import as
    # series and a few events (its default role) is bench_telemetry.py's.
    timeline = load_timeline([path], roles={str(path): "timeline"})
    return timeline.milestones, timeline.metrics


def _timed(func: Callable[[Path], object], path: Path) -> float:
    gc.collect()
    started = time.perf_counter()
    result = func(path)
    elapsed = time.perf_counter() - started
    del result
    return elapsed


def peak_memory(path: Path, mode: str) -> dict[str, float]:
    """Peak RSS of one run of ``mode`` in a fresh interpreter, and the RSS before it started."""
    output = subprocess.run(
        [sys.executable, __file__, "--measure-memory", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def _high_water_mark() -> int:
    """Peak resident memory of this process, in bytes.

    ``VmHWM`` belongs to the process's own address space; ``ru_maxrss`` can carry the parent's peak
    across fork and exec, so it is only the fallback.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _measure_memory(mode: str, path: Path) -> None:
    """Runs in the subprocess: import everything first so the baseline holds the libraries."""
    import postmortem_widgets.timeline.importers as importers
    import postmortem_widgets.timeline.merge  # noqa: F401

    importers.formats()
    baseline = _high_water_mark()
    (whole_import if mode == "import" else bare_read)(path)
    print(json.dumps({"baseline": baseline, "peak": _high_water_mark()}))


def _line(label: str, runs: list[float]) -> str:
    shown = ", ".join(f"{t:.3f}" for t in runs)
    return (
        f"{label + ':':<32} median {statistics.median(runs):.3f} s, best {min(runs):.3f} s  (runs: {shown})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the generated log")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions of each side")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "postmortem-bench",
        help="folder for the log",
    )
    parser.add_argument("--measure-memory", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_memory:
        _measure_memory(args.measure_memory[0], Path(args.measure_memory[1]))
        return 0

    path = cached_log(args.rows, args.cache)
    size = path.stat().st_size
    print(f"log: {path} ({args.rows:,} rows, {size / 1e6:.1f} MB)")
    whole_import(path)  # warm-up: imports, registry, page cache
    bare_read(path)
    bare: list[float] = []
    engine: list[float] = []
    for _ in range(args.repeat):
        bare.append(_timed(bare_read, path))
        engine.append(_timed(whole_import, path))
    print(_line("pd.read_csv(engine='pyarrow')", bare))
    print(_line("load_timeline + milestones", engine))
    ratio = statistics.median(engine) / statistics.median(bare)
    print(
        f"ratio of the medians: {ratio:.2f}x, of the best runs: {min(engine) / min(bare):.2f}x (goal <= 1.5x)"
    )

    memory = peak_memory(path, "import")
    bare_memory = peak_memory(path, "bare")
    grown = memory["peak"] - memory["baseline"]
    print(
        f"peak memory of the whole import: {memory['peak'] / 1e6:.0f} MB RSS "
        f"({memory['peak'] / size:.2f}x the file; {grown / 1e6:.0f} MB = {grown / size:.2f}x above the "
        f"{memory['baseline'] / 1e6:.0f} MB of the loaded libraries) (goal < 4x)"
    )
    print(
        f"peak memory of the bare read:    {bare_memory['peak'] / 1e6:.0f} MB RSS "
        f"({(bare_memory['peak'] - bare_memory['baseline']) / 1e6:.0f} MB above the libraries)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
