"""The streaming path (update_for_rows after each commit) against recompute, on both engines.

Property: random minute, hour and day data, stored and followed in random batches (with
re-sent rows), leave exactly the aggregates one recompute over all of it writes.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.monitoring.data import (
    COD,
    DAY_1,
    GAS_FLOW,
    O2,
    SO2,
    WATER_FLOW,
    aggregates,
    device_period,
    full_hour,
    point_id,
    setup,
    store,
)

from ecozone.monitoring import affected_periods, recompute, update_for_rows

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# Three hours around midnight, so batches touch two days.
WINDOW = datetime(2024, 5, 1, 22, 0)


def test_affected_periods_are_the_hours_and_days_of_the_rows():
    rows = [
        {"point_id": 1, "kind": "minute", "pollutant": SO2, "data_time": datetime(2024, 5, 1, 10, 7)},
        {"point_id": 1, "kind": "minute", "pollutant": O2, "data_time": datetime(2024, 5, 1, 10, 59)},
        {"point_id": 2, "kind": "hour", "pollutant": COD, "data_time": datetime(2024, 5, 1, 23, 0)},
        {"point_id": 2, "kind": "day", "pollutant": COD, "data_time": datetime(2024, 5, 3)},
        {"point_id": 1, "kind": "rtd", "pollutant": SO2, "data_time": datetime(2024, 5, 4, 1, 0)},
    ]  # fmt: skip
    assert affected_periods(rows) == [
        (1, DAY_1, DAY_1 + DAY),
        (1, DAY_1 + 10 * HOUR, DAY_1 + 11 * HOUR),
        (2, DAY_1, DAY_1 + DAY),
        (2, DAY_1 + 23 * HOUR, DAY_1 + DAY),
        (2, DAY_1 + 2 * DAY, DAY_1 + 3 * DAY),
    ]


def test_update_for_rows_follows_one_commit(sqlite_url: str):
    engine, stack, _ = setup(sqlite_url)
    try:
        rows = full_hour(stack, SO2, DAY_1, 50.0)
        store(engine, rows)
        summary = update_for_rows(engine, rows)
        assert (summary.hours_written, summary.days_written) == (1, 1)
        assert summary.hour_ranges == ((stack, DAY_1, DAY_1 + HOUR),)
        assert summary.day_ranges == ((stack, DAY_1, DAY_1 + DAY),)
        assert update_for_rows(engine, []).hours_written == 0
    finally:
        engine.dispose()


FLAGS = st.sampled_from(["N"] * 6 + ["M", "C", "D", "T", "B", None])
VALUES = st.integers(min_value=0, max_value=40_000).map(lambda v: v / 100)


@st.composite
def measurement_rows(draw, stacks: tuple[int, int], water: int) -> list[dict]:
    rows = []
    points = [(stacks[0], (SO2, O2, GAS_FLOW)), (stacks[1], (SO2, O2)), (water, (COD, WATER_FLOW))]
    for pid, codes in points:
        for code in codes:
            for hour in range(3):
                start = WINDOW + hour * HOUR
                # Dense hours (around the 45-minute limit) and sparse ones, with gaps.
                present = draw(st.sampled_from([0, 1, 30, 44, 45, 46, 60]))
                offsets = draw(st.permutations(range(60)))[:present]
                for minute in offsets:
                    row = {"point_id": pid, "kind": "minute", "pollutant": code,
                           "data_time": start + timedelta(minutes=minute),
                           "avg": draw(VALUES), "flag": draw(FLAGS)}  # fmt: skip
                    if pid == water and draw(st.booleans()):
                        row["cou"] = draw(VALUES)
                    rows.append(row)
                if draw(st.booleans()):
                    rows.append(device_period(pid, code, "hour", start, draw(VALUES),
                                              draw(FLAGS) or "N"))  # fmt: skip
            if draw(st.booleans()):
                rows.append(device_period(pid, code, "day", DAY_1, draw(VALUES)))
    # Re-sent rows: the same key again with other values, later in the stream.
    resent = draw(st.lists(st.sampled_from(rows), max_size=5)) if rows else []
    rows += [dict(row, avg=draw(VALUES), flag=draw(FLAGS)) for row in resent]
    return rows


def test_streaming_in_random_batches_equals_one_recompute(database_url: str):
    engine, stack, water = setup(database_url)
    stacks = (stack, point_id(engine, "DA002"))  # recomputed together on PostgreSQL

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def check(data):
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM aggregate"))
            conn.execute(sa.text("DELETE FROM measurement"))
        rows = data.draw(measurement_rows(stacks, water))
        order = data.draw(st.permutations(range(len(rows))))
        cuts = sorted(data.draw(st.lists(st.integers(0, len(rows)), max_size=6)))
        bounds = [0, *cuts, len(rows)]
        for lo, hi in itertools.pairwise(bounds):
            batch = [rows[i] for i in order[lo:hi]]
            if batch:
                store(engine, batch)
                update_for_rows(engine, batch)
        streamed = aggregates(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM aggregate"))
        recompute(engine)
        assert aggregates(engine) == streamed

    try:
        check()
    finally:
        engine.dispose()
