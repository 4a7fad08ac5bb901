"""Benchmark: hostile and very large inputs, each imported by a whole ``postmortem timeline`` process.

Builds the inputs once into a cached temporary folder, then runs ``postmortem timeline PATH --json`` in a
fresh interpreter for each, a few times, and prints the median wall time and the median peak memory
(the process's own ``VmHWM``: everything it ever held, libraries included) with its exit status and the
first line it wrote to stderr:

* a zip bomb: 2 MB expanding to 2 GiB of zeros, and 5 MB of CSV rows expanding to 1.5 GiB;
* a 200 MB CSV log (2,500,000 rows, as ``bench_timeline.py`` writes them);
* a folder of 5,000 one-row CSV files;
* JSON nested 100,000 levels deep;
* a 100 MB JSON array of PagerDuty log entries: refused by ``max_json_bytes`` (64 MiB), then read with
  the limit raised, and a 50 MB one under the limit, for what parsing one costs.

Goal: each under 500 MB and 10 s. Every run is capped at 4 GiB of address space, so a regression (or
``--baseline`` code from before the limits) ends in a MemoryError instead of taking the machine.

    python benchmarks/bench_hostile.py                          # this checkout, 3 runs each
    python benchmarks/bench_hostile.py --baseline /path/to/old  # the same cases with an older checkout too
    python benchmarks/bench_hostile.py --only folder --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MiB = 1 << 20
#: Bump when the generated content changes, so stale cached inputs are not reused.
DATA_VERSION = 1
#: Address-space cap of each run.
CAP = 4 << 30
_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
try:
    from postmortem_widgets.cli import main
    code = main(sys.argv[1:])
except MemoryError:
    print("MemoryError (the 4 GiB cap)", file=sys.stderr)
    code = 70
print(f"BENCH-PEAK {{peak()}}", file=sys.stderr)
sys.exit(code)
"""


# -- the inputs ------------------------------------------------------------------------------------------


def _deflate_blocks(block: bytes, count: int, head: bytes = b"") -> bytes:
    """A deflate stream of ``head`` and ``count`` blocks: after a full flush a block compresses the same."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head + block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + again * (count - 1) + compressor.flush()


def _zip_one(path: Path, name: str, stream: bytes, size: int) -> None:
    """A zip of one deflated member declaring its true size (its CRC is not computed: never reached)."""
    encoded = name.encode()
    fields = (20, 0, 8, 0, 0x21, 0, len(stream), size, len(encoded))
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields, 0) + encoded + stream
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, 0) + encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local), 0)
    path.write_bytes(local + central + end)


def zeros_bomb(path: Path) -> None:
    _zip_one(path, "zeros.csv", _deflate_blocks(b"\0" * MiB, 2048), 2048 * MiB)


def rows_bomb(path: Path) -> None:
    row = b"2024-04-15T13:14:00Z,Deploy of checkout-api completed\n"
    block = row * (MiB // len(row))
    head = b"time,message\n"
    _zip_one(path, "rows.csv", _deflate_blocks(block, 1536, head), len(head) + 1536 * len(block))


def big_csv(path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_timeline import generate_log

    generate_log(path, 2_500_000)


def folder(path: Path) -> None:
    path.mkdir()
    for i in range(5000):
        minute, second = divmod(i % 3600, 60)
        text = f"time,message\n2024-04-15T13:{minute:02}:{second:02}Z,checkout-api health check {i} ok\n"
        (path / f"check-{i:04}.csv").write_text(text)


def deep_json(path: Path) -> None:
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)


def _entries_json(path: Path, size: int) -> None:
    """A bare JSON array of PagerDuty log entries, about ``size`` bytes."""
    kinds = ("trigger_log_entry", "notify_log_entry", "acknowledge_log_entry", "annotate_log_entry")
    parts: list[bytes] = []
    total = 0
    i = 0
    while total < size:
        entry = {
            "id": f"R{i:013d}",
            "type": kinds[i % 4],
            "summary": f"Orders API p99 latency above 2s (check {i})",
            "created_at": f"2025-03-04T{9 + i // 3_600_000 % 10:02}:{i // 60_000 % 60:02}:"
            f"{i // 1000 % 60:02}Z",
            "agent": {"id": "PSV9R1T", "type": "service_reference", "summary": "Orders API (Prometheus)"},
            "channel": {"type": "api", "summary": "OrdersApiHighLatency"},
            "incident": {"id": "Q1MZ7KX0A2B3C4", "type": "incident_reference", "summary": "[#8812] Orders"},
        }
        parts.append(json.dumps(entry).encode())
        total += len(parts[-1]) + 1
        i += 1
    path.write_bytes(b"[" + b",".join(parts) + b"]")


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    build: Callable[[Path], None]
    args: tuple[str, ...] = ()


CASES = (
    Case("zip bomb, zeros (2 MB -> 2 GiB)", "bomb-zeros.zip", zeros_bomb),
    Case("zip bomb, CSV rows (5 MB -> 1.5 GiB)", "bomb-rows.zip", rows_bomb),
    Case("200 MB CSV log (2,500,000 rows)", "log-200mb.csv", big_csv),
    Case("folder of 5,000 one-row CSV files", "folder-5000", folder),
    Case("JSON nested 100,000 deep", "deep.json", deep_json),
    Case("100 MB JSON array (default limits)", "entries-100mb.json", lambda p: _entries_json(p, 100_000_000)),
    Case(
        "100 MB JSON array, --max-json-bytes 128MiB",
        "entries-100mb.json",
        lambda p: _entries_json(p, 100_000_000),
        ("--max-json-bytes", "128MiB"),
    ),
    Case("50 MB JSON array (under the limit)", "entries-50mb.json", lambda p: _entries_json(p, 50_000_000)),
)


def cached(case: Case, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"v{DATA_VERSION}-{case.file}"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_name(path.name + ".partial")
        case.build(partial)
        partial.rename(path)
        print(f"built {path} in {time.perf_counter() - started:.1f} s", flush=True)
    return path


# -- the runs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    peak: int
    code: int
    message: str


def run_once(path: Path, case: Case, code_root: Path) -> Run:
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    env.pop("POSTMORTEM_DEBUG", None)
    started = time.perf_counter()
    # -P: the working folder is not put first on sys.path, so PYTHONPATH picks the checkout (--baseline).
    done = subprocess.run(
        [sys.executable, "-P", "-c", _CHILD.format(cap=CAP), "timeline", str(path), "--json", *case.args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    lines = done.stderr.splitlines()
    peak = next((int(line.split()[1]) for line in lines if line.startswith("BENCH-PEAK ")), 0)
    message = next((line for line in lines if not line.startswith("BENCH-PEAK ")), "")
    return Run(seconds, peak, done.returncode, message)


def report(label: str, runs: list[Run]) -> str:
    seconds = statistics.median(r.seconds for r in runs)
    peak = statistics.median(r.peak for r in runs)
    last = runs[-1]
    what = "imported" if last.code == 0 else f"exit {last.code}: {last.message[:110]}"
    ok = "ok " if seconds < 10 and peak < 500e6 and last.code in (0, 2) else "NO "
    return f"  {ok}{label:<9} {seconds:6.2f} s  {peak / 1e6:6.0f} MB  {what}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case (the medians are shown)")
    parser.add_argument("--baseline", type=Path, help="an older checkout to run the same cases with")
    parser.add_argument("--only", help="run only the cases whose name contains this")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "postmortem-bench-hostile"
    )
    args = parser.parse_args(argv)
    sides = [("this", ROOT)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    print(f"each case: median of {args.repeat} whole processes; goal < 10 s and < 500 MB peak")
    for case in CASES:
        if args.only and args.only not in case.name:
            continue
        path = cached(case, args.cache)
        print(f"{case.name}:", flush=True)
        for label, code_root in sides:
            runs = [run_once(path, case, code_root) for _ in range(args.repeat)]
            print(report(label, runs), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
