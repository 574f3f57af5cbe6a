"""JSON and CSV text written from a columnar read (store.read_columns), a column at a time.

No dict, datetime or float object is built per row. Each column becomes an Arrow array of
the texts its values print as, and the rows are those texts joined element-wise in C:
  - floats: orjson writes a whole NumPy array at once, with the shortest text that reads
    back to the same float, exactly as Python's repr (and so `json` and `csv`) for
    magnitudes in [1e-4, 1e16); the rare values outside that range, where orjson and
    repr write the exponent differently, are written by repr. NaN and infinities, which
    JSON cannot hold and no valid concentration is, come out as missing, as in
    service._output_row;
  - texts, times and point labels: each distinct value is written once by the same
    Python functions as the row-by-row path (json.dumps, csv, service.format_time) and
    repeated by index;
so the bytes are those of the row-by-row path (service.to_csv, the API's JSONResponse).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ecozone.measurements.model import PointLabel

#: Magnitudes where orjson and repr write a float alike (repr: positional notation).
_SAME_TEXT = (1e-4, 1e16)


def float_texts(values: pa.Array, missing: str) -> pa.Array:
    """repr of each float, `missing` for null, NaN and infinities."""
    n = len(values)
    if values.null_count == n:
        return pa.repeat(pa.scalar(missing), n)
    array = values.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    finite = np.isfinite(array)
    array = np.where(finite, array, np.nan)
    body = orjson.dumps(array, option=orjson.OPT_SERIALIZE_NUMPY)
    texts = pc.split_pattern(pa.array([body[1:-1]], type=pa.binary()), b",")
    texts = texts.flatten().cast(pa.string())
    magnitude = np.abs(array)
    odd = finite & (magnitude != 0) & ((magnitude < _SAME_TEXT[0]) | (magnitude >= _SAME_TEXT[1]))
    if odd.any():
        texts = pc.replace_with_mask(
            texts, pa.array(odd), pa.array([repr(float(v)) for v in array[odd]])
        )
    if missing != "null" and not finite.all():
        texts = pc.if_else(pa.array(finite), texts, missing)
    return texts


def _by_value(values: pa.Array, write: Callable[[object], str], missing: str) -> pa.Array | str:
    """Each distinct value written once by `write`, repeated by index; null as `missing`."""
    encoded = pc.dictionary_encode(values)
    words = [write(v) for v in encoded.dictionary.to_pylist()]
    if len(words) == 1 and values.null_count == 0:
        return words[0]
    return pc.fill_null(pa.array(words, type=pa.string()).take(encoded.indices), missing)


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _csv_text(value: object) -> str:
    text = "" if value is None else str(value)
    if not text:
        return ""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([text])
    return buffer.getvalue()[:-1]


def _labels(
    point_ids: pa.Array, labels: Mapping[int, PointLabel], name: str, write: Callable
) -> pa.Array | str:
    ids = point_ids.to_numpy(zero_copy_only=False).astype(np.int64)
    known = np.unique(ids)
    words = [write(getattr(labels[int(i)], name)) for i in known]
    if len(words) == 1:
        return words[0]
    return pa.array(words, type=pa.string()).take(pa.array(np.searchsorted(known, ids)))


def cell_texts(
    table: pa.Table,
    column: str,
    labels: Mapping[int, PointLabel],
    *,
    fmt: str,
    time_text: Callable,
) -> pa.Array | str:
    """Column `column` of an output row ("mn" and "point" from `labels`, the others from
    the table) as JSON values (fmt "json") or CSV fields (fmt "csv"); a column of one
    text (all missing, one point, one kind) as that text."""
    missing = "null" if fmt == "json" else ""
    write = _json_text if fmt == "json" else _csv_text
    n = table.num_rows
    if column in ("mn", "point"):
        name = "mn" if column == "mn" else "code"
        return _labels(table.column("point_id").combine_chunks(), labels, name, write)
    values = table.column(column).combine_chunks()
    kind = values.type
    if column == "data_time":
        return _by_value(values, lambda v: write(time_text(v)), missing)
    if values.null_count == n:
        return missing
    if pa.types.is_floating(kind):
        return float_texts(values, missing)
    if pa.types.is_boolean(kind):
        return pc.fill_null(pc.if_else(values, "true", "false"), missing)
    if pa.types.is_integer(kind):
        return pc.fill_null(pc.cast(values, pa.string()), missing)
    return _by_value(values, write, missing)


def _joined(pieces: list[pa.Array | str], n: int) -> bytes:
    """The rows, each the element-wise concatenation of `pieces` (arrays of n texts, or one
    text for every row), back to back."""
    if n == 0:
        return b""
    merged: list[pa.Array | str] = []
    for piece in pieces:  # neighbouring constant texts become one: fewer inputs to join
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        else:
            merged.append(piece)
    if len(merged) == 1:
        return merged[0].encode() * n
    rows = pc.binary_join_element_wise(*merged, "")
    _, offsets, data = rows.buffers()
    wide = pa.types.is_large_string(rows.type)
    bounds = np.frombuffer(offsets, dtype=np.int64 if wide else np.int32)
    first, last = int(bounds[rows.offset]), int(bounds[rows.offset + n])
    return data.slice(first, last - first).to_pybytes()


def json_rows(
    table: pa.Table,
    labels: Mapping[int, PointLabel],
    columns: Sequence[str],
    time_text: Callable,
) -> bytes:
    """The rows as compact JSON objects keyed by `columns`, comma-separated (the inside of
    the list Starlette's JSONResponse writes for the same dicts)."""
    n = table.num_rows
    pieces: list[pa.Array | str] = []
    for i, name in enumerate(columns):
        pieces.append(("{" if i == 0 else ",") + json.dumps(name) + ":")
        pieces.append(cell_texts(table, name, labels, fmt="json", time_text=time_text))
    pieces.append("},")
    return _joined(pieces, n)[:-1]


def csv_rows(
    table: pa.Table,
    labels: Mapping[int, PointLabel],
    columns: Sequence[str],
    time_text: Callable,
) -> bytes:
    """The rows as CSV lines in `columns` order, each ending with a newline."""
    pieces: list[pa.Array | str] = []
    for i, name in enumerate(columns):
        if i:
            pieces.append(",")
        pieces.append(cell_texts(table, name, labels, fmt="csv", time_text=time_text))
    pieces.append("\n")
    return _joined(pieces, table.num_rows)
