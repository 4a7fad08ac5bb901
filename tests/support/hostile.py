"""Hostile inputs built inside the tests, and the CLI run in a process that cannot take the machine down.

A real zip bomb is built in milliseconds: one megabyte compressed once with a full flush is a deflate
block that can be repeated (the flush resets the history and ends on a byte), so the archive below holds
exactly what a bomb holds, a stream that really expands to ``blocks`` times the block. Its CRC is left
wrong on purpose: a correct reader refuses the member before it expands it; a reader that expands it
runs into the memory cap of :func:`run_capped` long before the CRC is checked.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import REPO as ROOT

MiB = 1 << 20
#: The address-space cap of a hostile import: a regression fails with MemoryError, not the machine.
MEMORY_CAP = 1 << 30


def deflate_blocks(block: bytes, count: int, *, head: bytes = b"") -> bytes:
    """A raw deflate stream of ``head`` then ``block`` ``count`` times, built from one compression."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head + block) + compressor.flush(zlib.Z_FULL_FLUSH)
    # After a full flush the same input compresses to the same bytes: one block stands for them all.
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + again * (count - 1) + compressor.flush()


@dataclass(frozen=True)
class Member:
    name: str
    stream: bytes
    size: int
    method: int = 8  # deflate; 0 is stored
    crc: int = 0


def write_zip(path: Path, members: list[Member]) -> Path:
    """A zip of already compressed members, with the sizes they declare (< 4 GiB each, no ZIP64)."""
    local = bytearray()
    central = bytearray()
    for member in members:
        name = member.name.encode("utf-8")
        offset = len(local)
        fields = (20, 0, member.method, 0, 0x21, member.crc, len(member.stream), member.size, len(name))
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields, 0) + name + member.stream
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset) + name
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(local), 0
    )
    path.write_bytes(bytes(local) + bytes(central) + end)
    return path


def zeros_bomb(path: Path, *, mib: int, name: str = "zeros.csv") -> Path:
    """A zip whose one member expands to ``mib`` MiB of zeros (about a thousandfold)."""
    return write_zip(path, [Member(name, deflate_blocks(b"\0" * MiB, mib), mib * MiB)])


def rows_bomb(path: Path, *, mib: int, name: str = "rows.csv", crc: bool = False) -> Path:
    """A zip whose one member expands to ``mib`` MiB of valid CSV rows (with its real CRC if ``crc``)."""
    row = b"2024-04-15T13:14:00Z,Deploy of checkout-api completed\n"
    block = row * (MiB // len(row))
    head = b"time,message\n"
    size = len(head) + len(block) * mib
    checksum = zlib.crc32(head)
    for _ in range(mib if crc else 0):
        checksum = zlib.crc32(block, checksum)
    member = Member(name, deflate_blocks(block, mib, head=head), size, crc=checksum if crc else 0)
    return write_zip(path, [member])


@dataclass(frozen=True)
class Run:
    code: int | str
    stderr: str
    stdout: str
    seconds: float

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_capped(args: list[str], *, timeout: float = 60, env: dict[str, str] | None = None) -> Run:
    """``postmortem ARGS`` in a child process capped at :data:`MEMORY_CAP` of address space."""
    code = (
        "import resource, sys; "
        f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_CAP}, {MEMORY_CAP})); "
        "from postmortem_widgets.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    environment.pop("POSTMORTEM_DEBUG", None)
    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=environment,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return Run("timeout", "", "", time.monotonic() - start)
    return Run(done.returncode, done.stderr, done.stdout, time.monotonic() - start)
