"""The columnar read (store.read_columns) and the texts written from it give exactly what the
row-by-row path gives: the same values, times, flags and order, page after page, on both
engines; keyset pages have no gap and no repeat; JSON and CSV are the same bytes.

The store: tests.measurements.data's registry and rows, plus a block of minute data over
three points and three pollutants in which many rows share a time (so pages split them),
with missing values, missing and fault flags, floats whose text is written in exponent
form, negative zero and, on PostgreSQL, NaN and infinity (SQLite stores them as NULL).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from tests.measurements.data import EXPECTED_CSV, MN_BOILER_1, POWER, seed

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.measurements import columns, history, service, store
from ecozone.measurements.model import OUTPUT_COLUMNS
from ecozone.store.engine import make_engine
from ecozone.store.schema import aggregate, data_mark, point

DAY = datetime(2024, 5, 1)
ODD_VALUES = (1e-7, 2.5e20, -0.0, 12.0, 0.1 + 0.2, 1e16, 9999999999999998.0, 0.0001)


def _minute_rows(point_ids: list[int]) -> list[dict]:
    rows = []
    for minute in range(40):
        when = DAY + timedelta(hours=10, minutes=minute)
        for i, point_id in enumerate(point_ids):
            for j, code in enumerate(("a21026", "a21002", "a19001")):
                n = minute * 9 + i * 3 + j
                row = {"kind": "minute", "point_id": point_id, "pollutant": code,
                       "data_time": when, "avg": n / 7, "min": n / 9 if n % 4 else None,
                       "max": ODD_VALUES[n % len(ODD_VALUES)], "zs_avg": None if n % 3 else n,
                       "flag": (None, "N", "D", "N", "M")[n % 5],
                       "eflag": "E1" if n % 11 == 0 else None, "resent": n % 13 == 0}  # fmt: skip
                if n % 17 == 0:
                    row["cou"] = (math.nan, math.inf, -math.inf)[n % 3]
                rows.append(row)
    return rows


def _aggregate_rows(point_ids: list[int]) -> list[dict]:
    rows = []
    for hour in range(24):
        for i, point_id in enumerate(point_ids):
            n = hour * 3 + i
            rows.append({"point_id": point_id, "pollutant": "a21026", "kind": "hour",
                         "data_time": DAY + timedelta(hours=hour), "avg": n * 1.5 if n % 5 else None,
                         "min": n / 3, "max": n * 2.0, "zs_avg": n / 7, "valid": n % 4 != 0,
                         "valid_count": n % 61, "sample_count": 60, "flag": "N" if n % 6 else "D",
                         "emission_kg": n * 1e-6, "device_avg": None,
                         "computed_at": datetime(2024, 5, 2, tzinfo=UTC)})  # fmt: skip
    return rows


@pytest.fixture
def store_engine(database_url: str) -> Iterator[tuple[sa.Engine, list[int]]]:
    seed(database_url)
    engine = make_engine(database_url)
    with engine.begin() as conn:
        ids = sorted(conn.execute(sa.select(point.c.id)).scalars())
        store.upsert_measurements(conn, _minute_rows(ids[:3]))
        conn.execute(aggregate.insert(), _aggregate_rows(ids))
        conn.execute(data_mark.insert().values(
            point_id=ids[0], pollutant="a21026", kind="maintenance",
            start=DAY + timedelta(hours=10, minutes=5), end=DAY + timedelta(hours=10, minutes=9),
            reason="更换滤芯", declared_by="enterprise", declared_at=datetime.now(UTC)))  # fmt: skip
    yield engine, ids
    engine.dispose()


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b and (not isinstance(a, float) or repr(a) == repr(b))


def _assert_rows_equal(new: list[dict], old: list[dict]) -> None:
    assert len(new) == len(old)
    for got, want in zip(new, old, strict=True):
        assert got.keys() == want.keys()
        for key in want:
            assert _same(got[key], want[key]), (key, got[key], want[key])


API_CASES = [
    {"kind": "minute"},
    {"kind": "minute", "pollutant": "a21002"},
    {"kind": "minute", "mn": MN_BOILER_1, "limit": 25, "offset": 10},
    {"kind": "minute", "start": "2024-05-01T10:07:00", "end": "2024-05-01T10:21:00", "limit": 7},
    {"kind": "hour", "credit_code": POWER},
    {"kind": "rtd"},
    {"kind": "hour", "source": "computed"},
    {"kind": "hour", "source": "computed", "pollutant": "a21026", "limit": 11, "offset": 30},
    {"kind": "day"},
]


def test_api_text_from_columns_is_the_row_paths_byte_for_byte(store_engine):
    engine, _ = store_engine
    for case in API_CASES:
        old = service.query(engine, **case)
        table, labels = service.query_columns(engine, **case)
        source = case.get("source", "raw")
        assert table.num_rows == len(old), case
        want_json = json.dumps(old, ensure_ascii=False, separators=(",", ":"))[1:-1]
        assert service.render_columns(table, labels, source, "json").decode() == want_json
        want_csv = service.to_csv(old, service.columns_of(source))
        assert service.render_columns(table, labels, source, "csv").decode() == want_csv


def test_the_hand_worked_query_reads_the_same_from_columns(store_engine):
    engine, _ = store_engine
    table, labels = service.query_columns(
        engine, mn=MN_BOILER_1, pollutant="a21026", kind="hour", start="2024-05-01T11:00"
    )
    assert service.render_columns(table, labels, "raw", "csv").decode() == EXPECTED_CSV


def test_columns_are_arrays_of_the_schema(store_engine):
    engine, ids = store_engine
    table = store.read_columns(engine, store.measurement, point_ids=ids, codes=None,
                               kind="minute", start=DAY, end=DAY + timedelta(days=1))  # fmt: skip
    assert table.schema == store.column_schema(store.measurement)
    assert table.schema.field("data_time").type == pa.timestamp("us")
    assert table.num_rows == 40 * 9  # the block (its 10:01 row of DA001 replaced data.py's)


def _old_pages(engine, q, size):
    """Every page through the row-by-row read (store.history_page), keyset on its last row."""
    rows, key = [], None
    while True:
        with engine.connect() as conn:
            page = store.history_page(
                conn, q.table, SYSTEM_SCOPE, point_ids=q.point_ids, pollutant=q.pollutant,
                kind=q.stored_kind, start=q.start, end=q.end, after=key, limit=size,
            )  # fmt: skip
            history._with_marks(conn, q, page)
        if not page:
            return rows
        rows += page
        key = (page[-1]["data_time"], page[-1]["point_id"], page[-1]["pollutant"])


@pytest.mark.parametrize(
    ("kind", "pollutant"), [("minute", None), ("minute", "a19001"), ("computed_hour", None)]
)
def test_history_pages_match_the_row_read_with_no_gap_or_repeat(store_engine, kind, pollutant):
    engine, ids = store_engine
    q = history.check_query(ids, pollutant, kind, "2024-05-01", "2024-05-01")
    old = _old_pages(engine, q, 1000)
    for size in (1, 4, 9, 1000):
        _check_pages(engine, q, old, size, kind, pollutant)


def _check_pages(engine, q, old, size, kind, pollutant):
    new, after, pages = [], None, 0
    while True:
        page, _ = history.read_page(engine, SYSTEM_SCOPE, q, after, size)
        new += page.rows
        pages += 1
        if page.next_after is None:
            break
        after = page.next_after
    _assert_rows_equal(new, old)
    keys = [(r["data_time"], r["point_id"], r["pollutant"]) for r in new]
    assert len(keys) == len(set(keys)) == page.total
    assert pages == max(1, -(-len(keys) // size))
    marked = [(r["data_time"].minute, r["pollutant"]) for r in new if r["marks"]]
    if kind == "minute" and pollutant is None:
        assert marked == [(m, "a21026") for m in range(5, 9)]  # [10:05, 10:09) of ids[0]


def test_an_export_walks_the_same_rows_as_the_row_read(store_engine):
    engine, ids = store_engine
    q = history.check_query(ids, None, "minute", "2024-05-01", "2024-05-01")
    for batch in (1, 7, 5000):
        _check_walk(engine, q, batch)


def _check_walk(engine, q, batch):
    _, total, batches = history.walk(engine, SYSTEM_SCOPE, q, cap=10_000, batch=batch)
    walked = [row for rows in batches for row in rows]
    _assert_rows_equal(walked, _old_pages(engine, q, 1000))
    assert total == len(walked) == 40 * 9
    _, _, capped = history.walk(engine, SYSTEM_SCOPE, q, cap=100, batch=batch)
    assert len([row for rows in capped for row in rows]) == 100


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True) | st.none(), max_size=40))
def test_floats_are_written_as_python_writes_them(values):
    texts = columns.float_texts(pa.array(values, type=pa.float64()), "null").to_pylist()
    want = ["null" if v is None or not math.isfinite(v) else repr(v) for v in values]
    assert texts == want
    csv_texts = columns.float_texts(pa.array(values, type=pa.float64()), "").to_pylist()
    assert csv_texts == ["" if w == "null" else w for w in want]


def test_output_columns_cover_the_api_model():
    from ecozone.measurements.api import Measurement

    assert tuple(Measurement.model_fields) == OUTPUT_COLUMNS


def test_the_read_session_on_postgresql_compiles_no_plan(postgres_url):
    # JIT compilation costs ~90 ms a read whose estimate passes jit_above_cost; the read
    # connections switch it off (store.arrow.READ_SESSION).
    from ecozone.store.arrow import close_pool, fetch_table

    engine = make_engine(postgres_url)
    schema = pa.schema([("jit", pa.string())])
    try:
        found = fetch_table(engine, "SELECT current_setting('jit')", schema)
        assert found.column("jit").to_pylist() == ["off"]
    finally:
        close_pool()
        engine.dispose()
