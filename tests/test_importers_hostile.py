"""Every registered importer, fed hostile and damaged inputs, gives a PostmortemError or a clean result.

The formats come from the registry (``formats()``), so a format gets this suite the day it is registered;
each one's own sample is found by detection among the test data and the sample incidents. Each input is
read as bytes, as a file on disk (the path some importers hand to pyarrow) and as a zip member, with the
format named and with detection, and must finish within :data:`SECONDS`: never another exception
(``RecursionError``, ``KeyError``, pyarrow's), never a hang.
"""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from postmortem_widgets.errors import PostmortemError
from postmortem_widgets.timeline.events import ImportResult
from postmortem_widgets.timeline.importers import ImportOptions, detect, formats, import_source
from postmortem_widgets.timeline.sources import FileSource, Source, expand_paths, source_from_bytes

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_FOLDERS = (
    ROOT / "tests" / "data" / "importers",
    ROOT / "tests" / "data" / "telemetry",
    ROOT / "sample_data",
)
OPTIONS = ImportOptions(tz="America/New_York", date="2024-04-15")
#: How long one hostile input may take (generous: the machines are shared).
SECONDS = 30
MiB = 1 << 20
FORMATS = formats()


@cache
def samples() -> dict[str, bytes]:
    """One sample per format, by detection: the first file (not an expected result) each format reads."""
    found: dict[str, bytes] = {}
    for folder in SAMPLE_FOLDERS:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.name.endswith(".expected.json") or path.suffix in (".yaml", ".md"):
                continue
            try:
                [source] = list(expand_paths([path]))
                name = detect(source).name
            except PostmortemError:
                continue
            found.setdefault(name, path.read_bytes())
    return found


def cr_only(data: bytes) -> bytes:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16").replace("\r\n", "\r").replace("\n", "\r").encode("utf-16")
    return data.replace(b"\r\n", b"\r").replace(b"\n", b"\r")


def mutate(doc: Any, leaf: Any) -> Any:
    """The document with every value that is not an object or a list replaced by ``leaf``."""
    if isinstance(doc, dict):
        return {k: mutate(v, leaf) for k, v in doc.items()}
    if isinstance(doc, list):
        return [mutate(v, leaf) for v in doc]
    return leaf


def wrong_types(sample: bytes) -> Iterator[tuple[str, bytes]]:
    """The sample JSON with its values of the wrong type: what a changed vendor API would send."""
    try:
        doc = json.loads(sample)
    except ValueError:
        return
    leaves: dict[str, Any] = {
        "null": None,
        "list": [],
        "object": {},
        "bignum": 10**30,
        "float": -1.5e308,
        "true": True,
        "empty": "",
        "text": "not a time",
        "nested": [[{"a": [1]}]],
    }
    for label, leaf in leaves.items():
        yield f"leaves_{label}", json.dumps(mutate(doc, leaf)).encode()
    yield (
        "records_as_strings",
        json.dumps(mutate(doc, "x") if isinstance(doc, list) else {k: "x" for k in doc}).encode(),
    )


PLAIN: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b" \r\n\t\n   ",
    "bom_only": b"\xef\xbb\xbf",
    "binary": bytes(range(256)) * 64,
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(200)) * 20,
    "nul_in_text": b"time,message\n2024-04-15T13:14:00Z,Deploy\x00ed\n",
    "invalid_utf8": b"time,message\n2024-04-15T13:14:00Z,D\xff\xfe\xfd\xc3\x28 deploy\n",
    "invalid_utf8_json": b'{"log_entries": [{"created_at": "2024-04-15T13:14:00Z", "summary": "\xff\xfe"}]}',
    "utf16_odd_length": "\ufefftime,message\n2024-04-15T13:14:00Z,Deploy\n".encode("utf-16-le")[:-1],
    "utf16_no_bom_odd": "time,message\n2024-04-15T13:14:00Z,Deploy\n".encode("utf-16-le")[:-1],
    "truncated_json": b'{"log_entries": [{"created_at": "2024-04-15T13:1',
    "deep_array": b"[" * 100_000 + b"]" * 100_000,
    "deep_object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "deep_unclosed": b"[{" * 50_000,
    "deep_inside_records": b'{"log_entries": [' + b"[" * 50_000 + b"]" * 50_000 + b"]}",
    "json_scalar": b'"2024-04-15T13:14:00Z"',
    "json_null": b"null",
    "json_numbers": b"[1, 2, 3]",
    "json_nested_lists": b"[[], [[]], [[[]]]]",
    "json_empty_objects": b"[{}, {}, {}]",
    "json_object_of_lists": b'{"log_entries": 5, "alerts": [null], "events": "x", "incidents": [1]}',
    "json_huge_numbers": b'[{"created_at": 1e400, "timestamp": -1e400, "ts": "1e999", "time": 1'
    + b"0" * 30
    + b"}]",
    "json_nan": b'[{"created_at": NaN, "time": Infinity}]',
    "json_duplicate_keys": b'{"a": 1, "a": {"b": [1, 2]}, "log_entries": [], "log_entries": [[]]}',
    "huge_array": b"[" + b"0," * (5 * MiB) + b"0]",
    "many_empty_objects": b"[" + b"{}," * MiB + b"{}]",
    "long_line": b"x" * (10 * MiB),
    "long_csv_field": b"time,message\n2024-04-15T13:14:00Z," + b"x" * (10 * MiB) + b"\n",
    "long_json_string": b'["' + b"x" * (10 * MiB) + b'"]',
    "long_text_line": b"9:14am: Deploy " + b"x" * (10 * MiB) + b"\n",
    "many_columns": (
        ",".join(f"c{i}" for i in range(20_000)) + "\n" + ",".join(["1"] * 20_000) + "\n"
    ).encode(),
    "ragged_everywhere": b"time,message\n" + b"a,b,c,d\n,\n\n,,,,,,\n" * 1000,
    "quote_never_closed": b'time,message\n2024-04-15T13:14:00Z,"Deploy\n' + b"more\n" * 10_000,
    "cr_only_header": b"time,message\r",
    "only_separators": b",,,,\n;;;;\n||||\n\t\t\t\n",
    "clock_garbage": b"99:99am: what\n25:61: never\n12:00xm: odd\n" * 100,
    "dates_out_of_range": b"time,message\n0001-01-01T00:00:00Z,a\n9999-12-31T23:59:59Z,b\n-1,c\n1e30,d\n",
}


def sample_cases(name: str) -> dict[str, bytes]:
    """The format's own sample, damaged: CR-only, cut in half, with garbage after it, values mistyped."""
    sample = samples().get(name)
    if sample is None:
        return {}
    cases = {
        "sample": sample,
        "sample_cr_only": cr_only(sample),
        "sample_cut_in_half": sample[: len(sample) // 2],
        "sample_garbage_appended": sample + b"\n\x00\xff garbage ]]}}{{ ,,,;;\t\n" * 100,
        "sample_nul_in_middle": sample[: len(sample) // 3] + b"\x00" + sample[len(sample) // 3 :],
        "sample_repeated": sample * 3,
    }
    cases.update(dict(wrong_types(sample)))
    return cases


def assert_clean(make: Callable[[], Source], format: str | None, name: str) -> None:
    """An import that ends in a PostmortemError naming the input, or in a result, in bounded time.

    ``make`` opens the input (a zip is opened, and may be refused, there); ``name`` is part of the name
    every error must give.
    """
    start = time.monotonic()
    try:
        result = import_source(make(), format=format, options=OPTIONS)
    except PostmortemError as exc:
        assert str(exc).strip()
        assert exc.file is not None and name in exc.file, f"{exc!r} does not name the input {name!r}"
    else:
        assert isinstance(result, ImportResult)
        assert list(result.events.columns)[:2] == ["time", "source"]
    assert time.monotonic() - start < SECONDS


def from_bytes(name: str, data: bytes) -> Callable[[], Source]:
    return lambda: Source(name, data)


def from_file(tmp_path: Path, name: str, data: bytes) -> Callable[[], Source]:
    path = tmp_path / name
    path.write_bytes(data)
    return lambda: FileSource(path)


def from_zip(tmp_path: Path, name: str, data: bytes) -> Callable[[], Source]:
    path = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)

    def make() -> Source:
        [source] = source_from_bytes(path.read_bytes(), name=str(path))
        return source

    return make


CASES = [(format, case) for format in FORMATS for case in PLAIN]


@pytest.mark.parametrize(("format", "case"), CASES, ids=[f"{f}-{c}" for f, c in CASES])
def test_hostile_input(format: str, case: str, tmp_path: Path) -> None:
    data = PLAIN[case]
    assert_clean(from_bytes(f"{case}.json", data), format, case)
    assert_clean(from_file(tmp_path, f"{case}.csv", data), format, case)


@pytest.mark.parametrize("case", list(PLAIN))
def test_hostile_input_detected(case: str, tmp_path: Path) -> None:
    data = PLAIN[case]
    assert_clean(from_bytes(f"{case}.txt", data), None, case)
    assert_clean(from_file(tmp_path, f"{case}.json", data), None, case)
    assert_clean(from_zip(tmp_path, f"{case}.csv", data), None, case)


@pytest.mark.parametrize("format", FORMATS)
def test_damaged_samples(format: str, tmp_path: Path) -> None:
    """Each format's sample, damaged, through every format (its own and the others) and detection."""
    cases = sample_cases(format)
    if not cases:
        pytest.skip(f"no sample of {format} among {', '.join(str(f) for f in SAMPLE_FOLDERS)}")
    for case, data in cases.items():
        name = f"{format}-{case}"
        for other in [*FORMATS, None]:
            assert_clean(from_bytes(f"{name}.json", data), other, name)
        assert_clean(from_file(tmp_path, f"{name}.csv", data), format, name)
        assert_clean(from_zip(tmp_path, f"{name}.json", data), None, name)


BUNDLES: dict[str, dict[str, bytes]] = {
    "deep_users": {"users.json": PLAIN["deep_array"], "channels.json": b"[]", "c/2024-04-15.json": b"[]"},
    "deep_day": {"users.json": b"[]", "channels.json": b"[]", "c/2024-04-15.json": PLAIN["deep_object"]},
    "garbage": {"users.json": PLAIN["binary"], "channels.json": b"{", "c/2024-04-15.json": b"\xff\xfe"},
    "wrong_shapes": {
        "users.json": b"{}",
        "channels.json": b"[1, null]",
        "c/2024-04-15.json": b'[1, "x", []]',
    },
    "empty": {"users.json": b"", "channels.json": b"", "c/2024-04-15.json": b""},
    "no_days": {"users.json": b"[]", "channels.json": b"[]"},
    "mistyped_messages": {
        "users.json": b'[{"id": 5, "profile": "x"}, {"id": "U1", "real_name": []}]',
        "channels.json": b'[{"id": "C1", "name": 7}]',
        "c/2024-04-15.json": b'[{"type": "message", "ts": [], "user": {}, "text": 5, "attachments": "x"},'
        b' {"type": "message", "ts": "1e400", "text": null}, {"ts": "x", "subtype": []}]',
    },
}


@pytest.mark.parametrize("bundle", list(BUNDLES))
def test_hostile_bundles(bundle: str) -> None:
    """A folder export (Slack's) whose members are hostile, through every format and detection."""
    for format in [*FORMATS, None]:
        assert_clean(lambda: Source(f"{bundle}-export", members=BUNDLES[bundle]), format, bundle)


def test_every_format_is_covered() -> None:
    """The suite reads the registry: a new format is in it without a line changed here."""
    assert len(FORMATS) >= 12 and {"table", "text", "slack", "pagerduty"} <= set(FORMATS)
    assert {f for f, _ in CASES} == set(FORMATS)
