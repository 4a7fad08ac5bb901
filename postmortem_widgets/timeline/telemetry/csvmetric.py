"""A generic table read as metric series: a time column and numeric columns (a Grafana-style panel CSV).

Wide tables give one series per numeric column, named by its header. A long table (one numeric column
and a label column, ``time,host,value``) gives one series per label value, up to :data:`MAX_SERIES`.
Each series' kind and unit come from its name (:mod:`.naming`). Metric exports are small (a few thousand
points), so the table is read whole.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import EmptyInputError
from ..importers import ImportOptions
from ..importers._csv import Layout, read_table
from ..importers.table import _time_type, _to_pandas
from ..sources import Source
from ..timeparse import parse_times
from .model import Series
from .naming import guess

MAX_SERIES = 50


def read_metric_table(
    source: Source,
    layout: Layout,
    head: pa.Table,
    *,
    time: str,
    numeric: tuple[str, ...],
    labels: tuple[str, ...],
    options: ImportOptions,
) -> tuple[list[Series], list[str]]:
    """The table's series and warnings."""
    label = labels[0] if labels and len(numeric) == 1 else None
    types: dict[str, pa.DataType] = {time: _time_type(head[time]), **dict.fromkeys(numeric, pa.float64())}
    if label is not None:
        types[label] = pa.string()
    rows, warnings = read_table(
        source, layout, columns=list(types), types=types, empty="the table has a header but no rows"
    )
    table = rows.table
    parsed = parse_times(
        _to_pandas(table[time]), tz=options.tz, file=source.name, column=time, rows=rows.lines
    )
    warnings.extend(w for w in parsed.warnings if "empty time" not in w)
    ns = parsed.times.to_numpy(dtype="datetime64[ns]").view(np.int64)
    keep = ns != np.iinfo(np.int64).min
    order = np.argsort(ns[keep], kind="stable")
    times = ns[keep][order]

    def column(name: str) -> np.ndarray:
        values = np.asarray(pc.cast(table[name], pa.float64()).to_numpy(zero_copy_only=False), np.float64)
        picked: np.ndarray = values[keep][order]
        return picked

    if label is not None:
        return _long(times, column(numeric[0]), table[label], keep, order, numeric[0], source.name), warnings
    found = [_series(name, source.name, times, column(name)) for name in numeric]
    if not found or not len(times):
        raise EmptyInputError("the metric table has no rows with a time", file=source.name)
    return found, warnings


def _series(name: str, source: str, times: np.ndarray, values: np.ndarray) -> Series:
    kind, unit = guess(name, values)
    return Series(name=name.strip(), source=source, unit=unit, times=times, values=values, kind=kind)


def _long(
    times: np.ndarray,
    values: np.ndarray,
    labels: pa.ChunkedArray,
    keep: np.ndarray,
    order: np.ndarray,
    value_name: str,
    source: str,
) -> list[Series]:
    names = pd.Series(labels.to_pandas()).fillna("").to_numpy(dtype=object)[keep][order]
    found: list[Series] = []
    for name in list(dict.fromkeys(names.tolist()))[:MAX_SERIES]:
        mine = names == name
        title = f"{value_name} {name}".strip() if name else value_name
        found.append(_series(title, source, times[mine], values[mine]))
    return found


__all__ = ["MAX_SERIES", "read_metric_table"]
