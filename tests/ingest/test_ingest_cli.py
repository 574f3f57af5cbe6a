"""`ecozone ingest FILE` judges logged frames exactly as the gateway does."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from tests.gateway.helpers import (
    STRICT_MN,
    count,
    measurements,
    minute_packet,
    prepare,
    rejected_reasons,
)
from typer.testing import CliRunner

from ecozone import hj212
from ecozone.cli import app
from ecozone.errors import Invalid
from ecozone.store.schema import measurement, raw_frame

T0 = datetime(2026, 11, 20, 8, 40)


def test_ingest_stores_good_frames_and_records_bad_ones_with_reasons(
    database_url, tmp_path, monkeypatch
):
    engine = prepare(database_url)
    good = hj212.encode(minute_packet(T0)).decode()
    resent = hj212.encode(minute_packet(T0, so2=30.0)).decode()
    wrong_pw = hj212.encode(minute_packet(T0, pw="000000")).decode()
    log = tmp_path / "frames.log"
    log.write_text(
        "2026-11-20 08:41:02 recv "
        + good  # text before '##' is ignored
        + "\n"  # a blank line
        + resent.rstrip("\r\n")
        + "\n"  # logged without its CR LF
        + wrong_pw
        + "no frame on this line\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ECOZONE_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["ingest", str(log)])
    assert result.exit_code == 0, result.output
    assert "accepted: 2" in result.stdout
    assert f"line 4: rejected: wrong password for MN {STRICT_MN}" in result.stderr
    # Three codes, re-sent once: updated in place, not duplicated.
    assert count(engine, measurement) == 3
    assert count(engine, raw_frame) == 3
    assert rejected_reasons(engine) == [f"wrong password for MN {STRICT_MN}"]
    with engine.connect() as conn:
        avg = (
            conn.execute(measurement.select().where(measurement.c.pollutant == "a21026"))
            .one()
            ._mapping["avg"]
        )
    assert avg == 30.0


@pytest.mark.parametrize("columns", ["30", "80", "400"])
def test_ingest_of_a_missing_file_fails_clearly(tmp_path, columns):
    # Whatever the terminal width: the message is one line, never cut by a box.
    missing = tmp_path / "nope.log"
    result = CliRunner().invoke(app, ["ingest", str(missing)], env={"COLUMNS": columns})
    assert result.exit_code == 2
    assert f"{missing} does not exist" in result.output


def test_ingest_names_unstorable_and_oversized_lines_and_changes_nothing_stored(
    database_url, tmp_path, monkeypatch
):
    engine = prepare(database_url)
    monkeypatch.setenv("ECOZONE_DATABASE_URL", database_url)
    first = tmp_path / "first.log"
    first.write_bytes(hj212.encode(minute_packet(T0)))
    assert CliRunner().invoke(app, ["ingest", str(first)]).exit_code == 0

    # The same minute again, now with NUL in SO2's flag: it must not overwrite what is stored.
    packet = minute_packet(T0, so2=99.0)
    pollutants = {**packet.cp.pollutants}
    pollutants["a21026"] = {**pollutants["a21026"], "Flag": "N\x00"}
    poisoned = hj212.encode(replace(packet, cp=replace(packet.cp, pollutants=pollutants)))
    oversized = b"##9999QN=" + b"7" * 30_000 + b"\r\n"
    later = hj212.encode(minute_packet(T0 + timedelta(minutes=10)))
    log = tmp_path / "frames.log"
    log.write_bytes(poisoned + oversized + later)
    result = CliRunner().invoke(app, ["ingest", str(log)])

    assert result.exit_code == Invalid.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert (
        "line 1: rejected: a21026-Flag: character U+0000 (NUL) at position 2 is not allowed"
        in result.stderr
    )
    assert (
        "line 2: rejected: line of 30011 bytes is longer than the longest frame (10011 bytes);"
        " first 256 kept" in result.stderr
    )
    so2 = measurements(engine, measurement.c.pollutant == "a21026")
    assert [(r["data_time"], r["avg"], r["flag"]) for r in so2] == [
        (T0, 21.5, "N"),  # unchanged
        (T0 + timedelta(minutes=10), 21.5, "N"),  # the good line after the bad ones
    ]
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(raw_frame.c.peer, raw_frame.c.data)
            .where(raw_frame.c.verdict == "rejected")
            .order_by(raw_frame.c.id)
        ).all()
    assert [peer for peer, _ in stored] == ["file:1", "file:2"]
    assert stored[0].data == poisoned
    assert stored[1].data == oversized[:256]  # the prefix the gateway keeps of junk
