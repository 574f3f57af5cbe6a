"""A frame the database cannot hold costs only itself: refused at the boundary when its
text is unstorable, isolated by bisecting when the database refuses its rows."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from tests.gateway.helpers import (
    LENIENT_MN,
    STRICT_MN,
    count,
    measurements,
    minute_packet,
    prepare,
)

from ecozone import hj212
from ecozone.ingest.rules import Reason, Verdict, judge, make_storable
from ecozone.ingest.service import GroupCommitter, write_isolating
from ecozone.registry.service import load_devices
from ecozone.store.engine import make_engine
from ecozone.store.schema import measurement, raw_frame

T0 = datetime(2026, 11, 20, 8, 40)
RECEIVED = datetime(2026, 11, 20, 0, 45, tzinfo=UTC)
LOCAL_NOW = datetime(2026, 11, 20, 8, 45)


def judged(engine: sa.Engine, packet: hj212.Packet) -> Verdict:
    with engine.connect() as conn:
        devices = dict(load_devices(conn))
    return judge(
        hj212.encode(packet),
        peer="127.0.0.1:5000",
        devices=devices,
        received_at=RECEIVED,
        local_now=LOCAL_NOW,
    )


def with_so2(packet: hj212.Packet, **so2) -> hj212.Packet:
    pollutants = dict(packet.cp.pollutants)
    pollutants["a21026"] = {**pollutants["a21026"], **so2}
    return replace(packet, cp=replace(packet.cp, pollutants=pollutants))


@pytest.mark.parametrize(
    ("packet", "named"),
    [
        # An unknown MN with NUL in its QN: rejected anyway, but the record must be storable.
        (
            minute_packet(T0, mn="FFFFFFFFFFFFFFFFFFFFFFFF", qn="2026112008\x004000000"),
            "QN: character U+0000 (NUL) at position 11 is not allowed",
        ),
        (
            with_so2(minute_packet(T0), Flag="N\x00"),
            "a21026-Flag: character U+0000 (NUL) at position 2 is not allowed",
        ),
        (
            replace(
                minute_packet(T0),
                cp=hj212.CommandParams(
                    data_time=T0, pollutants={"a21\x00026": {"Avg": 1.0, "Flag": "N"}}
                ),
            ),
            "CP code: character U+0000 (NUL) at position 4 is not allowed",
        ),
        (
            with_so2(minute_packet(T0), EFlag="A\x1b[0m"),
            "a21026-EFlag: character U+001B (ESC) at position 2 is not allowed",
        ),
    ],
    ids=["nul-in-qn", "nul-in-flag", "nul-in-code", "esc-in-eflag"],
)
def test_unstorable_text_is_refused_with_the_field_named(sqlite_url, packet, named):
    engine = prepare(sqlite_url)
    verdict = judged(engine, packet)
    assert (verdict.accepted, verdict.kind, verdict.reason) == (
        False,
        Reason.UNSTORABLE_TEXT,
        named,
    )
    assert verdict.rows == []
    # The record keeps the bytes as received; its text columns hold no control character.
    assert verdict.raw["data"] == hj212.encode(packet)
    assert "\x00" not in (verdict.raw["qn"] or "")


def test_rows_with_unstorable_text_become_a_rejection_before_the_batch(sqlite_url):
    engine = prepare(sqlite_url)
    verdict = judged(engine, minute_packet(T0))
    assert verdict.accepted
    verdict.rows[0]["flag"] = "N\x00"  # as if a later step had let it through
    make_storable(verdict)
    assert (verdict.accepted, verdict.kind, verdict.rows) == (False, Reason.UNSTORABLE_TEXT, [])
    assert verdict.reason == "measurement flag: character U+0000 (NUL) at position 2 is not allowed"
    assert verdict.raw["verdict"] == "rejected"


def refused_by_the_database(engine: sa.Engine) -> Verdict:
    """A verdict that passes every check but whose rows the database refuses: its point
    does not exist (foreign key)."""
    verdict = judged(engine, minute_packet(T0, mn=LENIENT_MN, pw="654321"))
    assert verdict.accepted
    for row in verdict.rows:
        row["point_id"] = 999_999
    return verdict


def test_bisecting_retry_commits_the_good_frames_and_records_the_refused_one(migrated_database_url):
    engine = prepare(migrated_database_url)
    good = [judged(engine, minute_packet(T0 + timedelta(minutes=10 * i))) for i in range(4)]
    bad = refused_by_the_database(engine)
    batch = [good[0], good[1], bad, good[2], good[3]]

    outcomes = write_isolating(engine, batch)

    assert outcomes == [None] * 5
    assert [v.accepted for v in batch] == [True, True, False, True, True]
    assert bad.kind is Reason.DATABASE_REFUSED
    assert bad.reason.startswith("the database refused the frame: IntegrityError")
    # Four good frames x three codes, each at its own minute (T0, T0+10, T0+20, T0+30).
    assert count(engine, measurement) == 12
    assert count(engine, raw_frame, raw_frame.c.verdict == "accepted") == 4
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(raw_frame.c.mn, raw_frame.c.reason).where(raw_frame.c.verdict == "rejected")
        ).one()
    assert stored == (LENIENT_MN, bad.reason)


def test_an_unavailable_database_fails_the_whole_batch_without_splitting(tmp_path, sqlite_url):
    engine = prepare(sqlite_url)
    verdicts = [judged(engine, minute_packet(T0)), refused_by_the_database(engine)]
    missing = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")
    outcomes = write_isolating(missing, verdicts)
    assert all(isinstance(error, sa.exc.OperationalError) for error in outcomes)
    assert [v.accepted for v in verdicts] == [True, True]  # nothing judged by the failure


def test_group_commit_answers_the_good_frames_and_not_the_refused_one(migrated_database_url):
    engine = prepare(migrated_database_url)
    good = judged(engine, minute_packet(T0))
    bad = refused_by_the_database(engine)
    committed: list[dict] = []

    async def scenario():
        committer = GroupCommitter(engine, after_commit=[committed.extend])
        committer.start()
        futures = [committer.submit(good, wait=True), committer.submit(bad, wait=True)]
        results = await asyncio.gather(*futures)
        await committer.close()
        return results

    assert asyncio.run(scenario()) == [True, False]
    assert {r["pollutant"] for r in measurements(engine)} == {"a21026", "a21002", "a19001"}
    # Only committed rows reach aggregation and alerts.
    assert {r["point_id"] for r in committed} == {good.device.point_id}
    assert count(engine, raw_frame, raw_frame.c.mn == STRICT_MN) == 1
