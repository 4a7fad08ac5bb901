"""Kibana Discover CSV reports: a saved search's hits, ``@timestamp`` first, newest first.

Kibana writes ``@timestamp`` in its display format, ``Sep 20, 2015 @ 10:26:48.725`` (nine digits after the
second for ``date_nanos`` fields), in the zone of the browser that made the report (Advanced Settings,
``dateFormat:tz``) and without saying which: these times need ``--tz``. Other columns are the fields the
search showed: ``message`` (or ``_source``), ``log.level``, ``host.name``, ``service.name`` ... Without a
level column a row takes its level from its message's text. Kibana prefixes values that start with
``=``, ``+``, ``-`` or ``@`` with a ``'`` (``csv:escapeFormulaValues``); that quote is removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import InputError
from ..sources import Source
from ..telemetry.formats import log_format
from ..telemetry.model import LogRows
from . import ImportOptions, register
from ._csv import sample, sniff_layout
from ._logtable import TableLog, read_table_log
from ._telemetry import join, text

NAME = "kibana_csv"
TIME = "@timestamp"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
KIBANA_TIME = (
    r"^\s*(?P<month>[A-Z][a-z]{2}) (?P<day>\d{1,2}), (?P<year>\d{4}) @ "
    r"(?P<clock>\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)\s*$"
)
_KIBANA_TIME = re.compile(KIBANA_TIME)


def iso_times(values: pa.Array) -> pa.Array:
    """``Sep 20, 2015 @ 10:26:48.725`` as ``2015-09-20T10:26:48.725`` (other values as they are).

    >>> iso_times(pa.array(["Sep 5, 2015 @ 10:26:48.725", "2015-09-05T10:26:48Z"])).to_pylist()
    ['2015-09-05T10:26:48.725', '2015-09-05T10:26:48Z']
    """
    raw = text(values)
    found = pc.extract_regex(raw, KIBANA_TIME)
    month = pc.index_in(pc.struct_field(found, ["month"]), value_set=pa.array(MONTHS, pa.large_string()))
    number = pa.array([f"{m:02d}" for m in range(1, 13)], pa.large_string()).take(pc.fill_null(month, 0))
    day = pc.utf8_lpad(pc.struct_field(found, ["day"]), width=2, padding="0")
    date = join(pc.struct_field(found, ["year"]), number, day, sep="-")
    iso = join(date, pc.struct_field(found, ["clock"]), sep="T")
    return pc.if_else(pc.and_(found.is_valid(), month.is_valid()), iso, raw)


def unescape(values: pa.Array) -> pa.Array:
    """Values Kibana prefixed with ``'`` so that a spreadsheet does not run them as formulas."""
    return pc.replace_substring_regex(text(values), r"^'([=+\-@])", r"\1")


SPEC = TableLog(
    title="Kibana CSV report",
    time=(TIME,),
    message=("message", "_source", "event.original", "log.original", "msg"),
    level=("log.level", "level", "severity", "log_level", "loglevel", "levelname"),
    labels={
        "host": ("host.name", "host.hostname", "agent.hostname", "kubernetes.node.name", "host"),
        "service": ("service.name", "kubernetes.container.name", "container.name", "app", "service"),
    },
    status=("http.response.status_code", "status_code"),
    latency={"event.duration": 1e-9},
    times=iso_times,
    clean=unescape,
    zone_hint=(
        "Kibana writes times in the zone of the browser that made the report (Advanced Settings, "
        "dateFormat:tz); pass --tz with that zone, e.g. --tz Europe/Berlin"
    ),
    export_hint="export the Discover search with its @timestamp column (Share, CSV report)",
)


def sniff(source: Source) -> int:
    """90 for a CSV whose ``@timestamp`` values are written as Kibana shows them."""
    if source.is_bundle or source.json is not None:
        return 0
    layout = sniff_layout(source.head)
    if layout is None or not layout.header or TIME not in layout.columns:
        return 0
    try:
        values = [v for v in sample(source, layout)[TIME].cast(pa.string()).to_pylist() if v]
    except (InputError, pa.ArrowInvalid):
        return 0
    hits = sum(1 for v in values if _KIBANA_TIME.match(v))
    return 90 if values and hits >= 0.8 * len(values) else 0


def read_kibana(source: Source, options: ImportOptions) -> Iterator[LogRows]:
    """The report's rows, oldest first, in batches."""
    return read_table_log(source, options, SPEC)


IMPORTER = register(
    log_format(NAME, "Kibana Discover CSV report (saved search hits)", sniff=sniff, read=read_kibana)
)

__all__ = ["IMPORTER", "SPEC", "iso_times", "read_kibana", "sniff"]
