"""Measurement upsert, raw frames and the range query, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from ecozone.measurements.store import (
    SQLITE_BATCH_SIZE,
    insert_raw_frames,
    query_measurements,
    upsert_measurements,
)
from ecozone.store import migrate, schema
from ecozone.store.engine import make_engine

RECEIVED = datetime(2025, 3, 1, 2, 0, 5, tzinfo=UTC)
T0 = datetime(2025, 3, 1, 10, 0)  # device time, China Standard Time


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def point_ids(engine: sa.Engine) -> list[int]:
    with engine.begin() as conn:
        zone_id = conn.execute(schema.zone.insert().values(name="Z")).inserted_primary_key[0]
        district_id = conn.execute(
            schema.district.insert().values(zone_id=zone_id, name="D")
        ).inserted_primary_key[0]
        enterprise_id = conn.execute(
            schema.enterprise.insert().values(
                credit_code="91500000MA5U7AH918", name="E", district_id=district_id
            )
        ).inserted_primary_key[0]
        return [
            conn.execute(
                schema.point.insert().values(
                    enterprise_id=enterprise_id, code=code, name=code, kind="flue_gas"
                )
            ).inserted_primary_key[0]
            for code in ("DA001", "DA002")
        ]


def row(point_id: int, pollutant: str, minute: int, avg: float, **extra) -> dict:
    return {
        "point_id": point_id,
        "kind": "minute",
        "pollutant": pollutant,
        "data_time": T0 + timedelta(minutes=minute),
        "avg": avg,
        "received_at": RECEIVED,
        **extra,
    }


def count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(table))


def test_resent_rows_update_in_place_and_never_duplicate(engine, point_ids) -> None:
    p = point_ids[0]
    with engine.begin() as conn:
        written = upsert_measurements(
            conn, [row(p, "a21026", 0, 10.0, flag="N"), row(p, "a21002", 0, 20.0)]
        )
    assert written == 2
    later = RECEIVED + timedelta(minutes=5)
    with engine.begin() as conn:  # the device re-sends the frame with a corrected value
        upsert_measurements(
            conn,
            [row(p, "a21026", 0, 11.5, flag="N", received_at=later), row(p, "a21002", 0, 20.0)],
        )
    assert count(engine, schema.measurement) == 2
    with engine.connect() as conn:
        rows = query_measurements(conn, kind="minute", point_ids=[p], pollutant="a21026")
    assert [(r["avg"], r["flag"], r["received_at"]) for r in rows] == [(11.5, "N", later)]


def test_a_resent_record_replaces_the_stored_one_as_a_whole(engine, point_ids) -> None:
    p = point_ids[0]
    with engine.begin() as conn:
        upsert_measurements(conn, [row(p, "a21026", 0, 10.0, max=12.0, flag="N")])
        upsert_measurements(conn, [row(p, "a21026", 0, 10.0)])
    with engine.connect() as conn:
        (stored,) = query_measurements(conn, kind="minute")
    assert stored["max"] is None and stored["flag"] is None


def test_within_one_batch_the_later_row_of_a_key_wins(engine, point_ids) -> None:
    p = point_ids[0]
    with engine.begin() as conn:
        written = upsert_measurements(conn, [row(p, "a21026", 0, 1.0), row(p, "a21026", 0, 2.0)])
    assert written == 1
    with engine.connect() as conn:
        assert [r["avg"] for r in query_measurements(conn, kind="minute")] == [2.0]


def test_fresh_and_resent_batches_mix_in_one_transaction(engine, point_ids) -> None:
    p, q = point_ids
    with engine.begin() as conn:
        upsert_measurements(conn, [row(p, "a21026", m, float(m)) for m in range(10)])
        # half already stored, half new: the conflict path, twice in one transaction
        upsert_measurements(conn, [row(p, "a21026", m, m + 0.5) for m in range(5, 15)])
        upsert_measurements(
            conn, [row(q, "a21026", m, 1.0) for m in range(3)] + [row(p, "a21026", 0, 9.0)]
        )
    with engine.connect() as conn:
        stored = {
            (r["point_id"], r["data_time"].minute): r["avg"]
            for r in query_measurements(conn, kind="minute")
        }
    assert len(stored) == 15 + 3
    assert stored[(p, 0)] == 9.0 and stored[(p, 4)] == 4.0 and stored[(p, 5)] == 5.5
    assert stored[(p, 14)] == 14.5 and stored[(q, 2)] == 1.0


def test_batches_larger_than_one_statement_are_all_written(engine, point_ids) -> None:
    n = SQLITE_BATCH_SIZE + 1234
    rows = [
        row(point_ids[i % 2], f"a{i % 7:05d}", i // 14, float(i), received_at=RECEIVED)
        for i in range(n)
    ]
    with engine.begin() as conn:
        assert upsert_measurements(conn, rows) == n
        assert upsert_measurements(conn, rows) == n
    assert count(engine, schema.measurement) == n


def test_upsert_runs_in_the_callers_transaction(engine, point_ids) -> None:
    with engine.connect() as conn, conn.begin() as transaction:
        upsert_measurements(conn, [row(point_ids[0], "a21026", 0, 1.0)])
        transaction.rollback()
    assert count(engine, schema.measurement) == 0


def test_a_row_for_an_unknown_point_is_refused_and_nothing_is_written(engine, point_ids) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        upsert_measurements(
            conn, [row(point_ids[0], "a21026", 0, 1.0), row(9999, "a21026", 0, 1.0)]
        )
    assert count(engine, schema.measurement) == 0


def test_a_row_without_its_key_is_refused(engine, point_ids) -> None:
    bad = row(point_ids[0], "a21026", 0, 1.0)
    del bad["data_time"]
    with pytest.raises(ValueError, match="without data_time"), engine.begin() as conn:
        upsert_measurements(conn, [bad])


def test_naive_received_at_is_refused(engine, point_ids) -> None:
    naive = row(point_ids[0], "a21026", 0, 1.0, received_at=datetime(2025, 3, 1, 2, 0))
    with pytest.raises(ValueError, match="naive received_at"), engine.begin() as conn:
        upsert_measurements(conn, [naive])


def test_aware_data_time_is_stored_as_china_standard_wall_clock(engine, point_ids) -> None:
    # 02:00 UTC is 10:00 in China Standard Time (UTC+8), what DataTime would say.
    utc = row(point_ids[0], "a21026", 0, 1.0, data_time=datetime(2025, 3, 1, 2, 0, tzinfo=UTC))
    with engine.begin() as conn:
        upsert_measurements(conn, [utc])
        # the same instant, naive, is the same key
        upsert_measurements(conn, [row(point_ids[0], "a21026", 0, 2.0)])
    with engine.connect() as conn:
        (stored,) = query_measurements(conn, kind="minute")
    assert stored["data_time"] == datetime(2025, 3, 1, 10, 0) and stored["avg"] == 2.0


def test_received_at_reads_back_aware_in_utc(engine, point_ids) -> None:
    beijing = timezone(timedelta(hours=8))
    received = datetime(2025, 3, 1, 10, 0, 5, tzinfo=beijing)
    with engine.begin() as conn:
        upsert_measurements(conn, [row(point_ids[0], "a21026", 0, 1.0, received_at=received)])
    with engine.connect() as conn:
        (stored,) = query_measurements(conn, kind="minute")
    assert stored["received_at"] == received
    assert stored["received_at"].utcoffset() == timedelta(0)


def test_query_orders_by_data_time_then_pollutant_over_a_half_open_range(engine, point_ids) -> None:
    p, q = point_ids
    rows = [
        row(pid, pol, m, 1.0) for m in range(4) for pid in (p, q) for pol in ("a21026", "a21002")
    ]
    rows.append({**row(p, "a21026", 0, 1.0), "kind": "hour"})
    with engine.begin() as conn:
        upsert_measurements(conn, rows)
    with engine.connect() as conn:
        got = query_measurements(
            conn, kind="minute", point_ids=[p], start=T0 + timedelta(minutes=1),
            end=T0 + timedelta(minutes=3),
        )  # fmt: skip
        keys = [(r["data_time"].minute, r["pollutant"]) for r in got]
        assert keys == [(1, "a21002"), (1, "a21026"), (2, "a21002"), (2, "a21026")]
        assert {r["point_id"] for r in got} == {p}
        page = query_measurements(conn, kind="minute", limit=3, offset=2)
        everything = query_measurements(conn, kind="minute")
        assert page == everything[2:5]
        assert len(everything) == 16
        assert len(query_measurements(conn, kind="hour")) == 1
        assert query_measurements(conn, kind="minute", point_ids=[]) == []
        with pytest.raises(ValueError, match="unknown measurement kind"):
            query_measurements(conn, kind="hourly")


def test_raw_frames_keep_bytes_peer_and_verdict(engine) -> None:
    frames = [
        {
            "peer": "10.0.0.7:50211",
            "mn": "88888880000001",
            "cn": "2051",
            "qn": "20250301100000123",
            "data": b"##0101QN=...&&1C80\r\n",
            "verdict": "accepted",
            "received_at": RECEIVED,
        },
        {"peer": "10.0.0.8:40000", "data": b"\xff\x00garbage", "verdict": "rejected",
         "reason": "no ## header"},
    ]  # fmt: skip
    with engine.begin() as conn:
        insert_raw_frames(conn, frames)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(schema.raw_frame).order_by(schema.raw_frame.c.id)).all()
    assert [bytes(r.data) for r in stored] == [frames[0]["data"], frames[1]["data"]]
    assert stored[0].received_at == RECEIVED and stored[0].mn == "88888880000001"
    assert (stored[1].verdict, stored[1].reason, stored[1].mn) == ("rejected", "no ## header", None)
    assert stored[1].received_at.tzinfo is not None


def test_a_raw_frame_verdict_other_than_accepted_or_rejected_is_refused(engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        insert_raw_frames(conn, [{"peer": "p", "data": b"x", "verdict": "maybe"}])
