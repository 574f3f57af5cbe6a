"""measurements.service.query over a seeded registry, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from tests.measurements.data import (
    CHEMICAL,
    EXPECTED_CSV,
    EXPECTED_JSON,
    MN_BOILER_1,
    MN_BOILER_2,
    MN_CHEM_STACK,
    POWER,
    t,
)

from ecozone.measurements import (
    NotFoundError,
    QueryError,
    parse_time,
    query,
    to_csv,
    to_json,
)
from ecozone.measurements.store import query_measurements, upsert_measurements
from ecozone.store.schema import device


def keys(rows: list[dict]) -> list[tuple[str, str, str]]:
    """(point, pollutant, data_time) of each row, enough to check selection and order."""
    return [(row["point"], row["pollutant"], row["data_time"]) for row in rows]


def test_query_by_mn_returns_the_devices_rows_in_time_then_pollutant_order(engine: sa.Engine):
    rows = query(engine, mn=MN_BOILER_1, kind="hour")
    assert keys(rows) == [
        ("DA001", "a21002", "2024-05-01T10:00:00+08:00"),
        ("DA001", "a21026", "2024-05-01T10:00:00+08:00"),
        ("DA001", "a21002", "2024-05-01T11:00:00+08:00"),
        ("DA001", "a21026", "2024-05-01T11:00:00+08:00"),
        ("DA001", "a21026", "2024-05-01T12:00:00+08:00"),
    ]
    assert {row["mn"] for row in rows} == {MN_BOILER_1}


def test_a_row_carries_every_output_column(engine: sa.Engine):
    [row] = query(engine, mn=MN_BOILER_1, kind="hour", pollutant="a21002", end="2024-05-01T11:00")
    assert row == {
        "mn": MN_BOILER_1, "point": "DA001", "pollutant": "a21002", "kind": "hour",
        "data_time": "2024-05-01T10:00:00+08:00",
        "rtd": None, "avg": 48.0, "min": 40.0, "max": 55.0, "cou": 0.96,
        "zs_rtd": None, "zs_avg": 54.5, "zs_min": None, "zs_max": None,
        "flag": "N", "eflag": None, "resent": False,
    }  # fmt: skip


def test_pollutant_filter(engine: sa.Engine):
    rows = query(engine, mn=MN_BOILER_1, kind="hour", pollutant="a21026")
    assert [row["data_time"][11:16] for row in rows] == ["10:00", "11:00", "12:00"]
    assert {row["pollutant"] for row in rows} == {"a21026"}


def test_time_range_is_half_open_start_included_end_excluded(engine: sa.Engine):
    rows = query(
        engine, mn=MN_BOILER_1, kind="hour", start="2024-05-01T11:00:00", end="2024-05-01T12:00:00"
    )
    assert keys(rows) == [
        ("DA001", "a21002", "2024-05-01T11:00:00+08:00"),
        ("DA001", "a21026", "2024-05-01T11:00:00+08:00"),
    ]


def test_aware_bounds_are_converted_to_china_standard_time(engine: sa.Engine):
    # 03:00 UTC is 11:00 CST, 04:00Z is 12:00 CST.
    rows = query(engine, mn=MN_BOILER_1, kind="hour", start="2024-05-01T03:00:00Z",
                 end=datetime(2024, 5, 1, 4, tzinfo=UTC))  # fmt: skip
    assert {row["data_time"] for row in rows} == {"2024-05-01T11:00:00+08:00"}


def test_kind_selects_the_data_kind(engine: sa.Engine):
    [minute] = query(engine, mn=MN_BOILER_1, kind="minute")
    assert (minute["kind"], minute["data_time"], minute["avg"]) == (
        "minute",
        "2024-05-01T10:01:00+08:00",
        12.0,
    )
    [rtd] = query(engine, mn=MN_BOILER_1, kind="rtd")
    assert (rtd["rtd"], rtd["zs_rtd"], rtd["avg"]) == (12.1, 13.8, None)
    assert query(engine, mn=MN_BOILER_1, kind="day") == []


def test_enterprise_spans_its_points_and_point_narrows_it(engine: sa.Engine):
    rows = query(engine, credit_code=POWER, kind="hour", end="2024-05-01T11:00")
    assert keys(rows) == [
        ("DA001", "a21002", "2024-05-01T10:00:00+08:00"),
        ("DA001", "a21026", "2024-05-01T10:00:00+08:00"),
        ("DA002", "a21026", "2024-05-01T10:00:00+08:00"),
    ]
    assert [row["mn"] for row in rows] == [MN_BOILER_1, MN_BOILER_1, MN_BOILER_2]
    narrowed = query(engine, credit_code=POWER, point="DA002", kind="hour")
    assert [(row["mn"], row["avg"]) for row in narrowed] == [(MN_BOILER_2, 20.0)]


def test_outlet_code_alone_spans_enterprises(engine: sa.Engine):
    rows = query(engine, point="DA001", kind="hour", pollutant="a21026", end="2024-05-01T11:00")
    assert sorted((row["mn"], row["avg"]) for row in rows) == [
        (MN_BOILER_1, 12.5),
        (MN_CHEM_STACK, 5.0),
    ]


def test_no_filter_means_every_point(engine: sa.Engine):
    rows = query(engine, kind="hour", start="2024-05-01T10:00", end="2024-05-01T11:00")
    assert len(rows) == 5  # POWER DA001 x2, DA002, CHEMICAL DA001 and DW001
    assert {row["point"] for row in rows} == {"DA001", "DA002", "DW001"}


def test_limit_and_offset_page_through_the_same_order(engine: sa.Engine):
    everything = query(engine, mn=MN_BOILER_1, kind="hour")
    assert query(engine, mn=MN_BOILER_1, kind="hour", limit=2) == everything[:2]
    assert query(engine, mn=MN_BOILER_1, kind="hour", limit=2, offset=2) == everything[2:4]
    assert query(engine, mn=MN_BOILER_1, kind="hour", offset=4) == everything[4:]


def test_unknown_mn_is_named(engine: sa.Engine):
    with pytest.raises(NotFoundError, match="no device with MN 88888880000001"):
        query(engine, mn="88888880000001", kind="hour")


def test_unknown_enterprise_is_named(engine: sa.Engine):
    with pytest.raises(NotFoundError, match="no enterprise with credit code 91500000000000000X"):
        query(engine, credit_code="91500000000000000X", kind="hour")


def test_unknown_outlet_is_named(engine: sa.Engine):
    with pytest.raises(NotFoundError, match="no outlet with code DA999"):
        query(engine, point="DA999", kind="hour")
    with pytest.raises(NotFoundError, match=f"enterprise {CHEMICAL} has no outlet DA002"):
        query(engine, credit_code=CHEMICAL, point="DA002", kind="hour")


def test_mn_at_another_outlet_or_enterprise_is_reported(engine: sa.Engine):
    with pytest.raises(
        NotFoundError, match=f"device MN {MN_BOILER_1} is at outlet DA001, not at DA002"
    ):
        query(engine, mn=MN_BOILER_1, point="DA002", kind="hour")
    with pytest.raises(NotFoundError, match=f"belongs to enterprise {POWER} .*not to {CHEMICAL}"):
        query(engine, mn=MN_BOILER_1, credit_code=CHEMICAL, kind="hour")


def test_end_before_start_is_an_error(engine: sa.Engine):
    with pytest.raises(
        QueryError, match="end 2024-05-01T10:00:00 is not after start 2024-05-01T12:00:00"
    ):
        query(engine, mn=MN_BOILER_1, kind="hour", start="2024-05-01T12:00", end="2024-05-01T10:00")


def test_unknown_kind_is_an_error(engine: sa.Engine):
    with pytest.raises(
        QueryError, match="unknown data kind 'hourly'; expected one of rtd, minute, hour, day"
    ):
        query(engine, mn=MN_BOILER_1, kind="hourly")


def test_bad_time_text_is_an_error_naming_the_bound(engine: sa.Engine):
    with pytest.raises(QueryError, match="start 'yesterday' is not a time"):
        query(engine, mn=MN_BOILER_1, kind="hour", start="yesterday")


def test_bad_limit_and_offset_are_errors(engine: sa.Engine):
    with pytest.raises(QueryError, match="limit must be at least 1, not 0"):
        query(engine, mn=MN_BOILER_1, kind="hour", limit=0)
    with pytest.raises(QueryError, match="offset must not be negative, not -1"):
        query(engine, mn=MN_BOILER_1, kind="hour", offset=-1)


# Output formats: EXPECTED_JSON and EXPECTED_CSV are written out by hand in data.py.


def test_json_output_exactly(engine: sa.Engine):
    rows = query(engine, mn=MN_BOILER_1, pollutant="a21026", kind="hour", start="2024-05-01T11:00")
    assert to_json(rows) == EXPECTED_JSON
    assert json.loads(to_json(rows)) == rows


def test_csv_output_exactly(engine: sa.Engine):
    rows = query(engine, mn=MN_BOILER_1, pollutant="a21026", kind="hour", start="2024-05-01T11:00")
    assert to_csv(rows) == EXPECTED_CSV


def test_empty_result_formats():
    assert to_json([]) == "[]"
    assert to_csv([]) == (
        "mn,point,pollutant,kind,data_time,rtd,avg,min,max,cou,zs_rtd,zs_avg,zs_min,zs_max,flag,eflag,resent\n"
    )


def test_parse_time_accepts_iso_date_and_hj212_forms():
    assert parse_time("2024-05-01") == datetime(2024, 5, 1)
    assert parse_time("2024-05-01T10:30:00") == datetime(2024, 5, 1, 10, 30)
    assert parse_time("20240501103000") == datetime(2024, 5, 1, 10, 30)
    # 02:30 UTC + 8 h = 10:30 CST
    assert parse_time("2024-05-01T02:30:00+00:00") == datetime(2024, 5, 1, 10, 30)


def test_not_a_number_comes_out_as_missing(engine: sa.Engine):
    # PostgreSQL stores NaN, which JSON cannot carry; SQLite stores it as NULL.
    [point_id] = {row["point_id"] for row in _raw_rows(engine, MN_BOILER_2)}
    with engine.begin() as conn:
        upsert_measurements(conn, [{"point_id": point_id, "kind": "hour", "pollutant": "a21026",
                                    "data_time": t(11), "avg": float("nan"), "max": float("inf")}])  # fmt: skip
    rows = query(engine, mn=MN_BOILER_2, kind="hour", start="2024-05-01T11:00")
    assert [(row["avg"], row["max"]) for row in rows] == [(None, None)]
    assert "NaN" not in to_json(rows)


def _raw_rows(engine: sa.Engine, mn: str) -> list[dict]:
    with engine.connect() as conn:
        point_id = conn.execute(sa.select(device.c.point_id).where(device.c.mn == mn)).scalar_one()
        return query_measurements(conn, point_ids=[point_id], kind="hour")
