"""`ecozone ingest FILE` judges logged frames exactly as the gateway does."""

from __future__ import annotations

from datetime import datetime

import pytest
from tests.gateway.helpers import STRICT_MN, count, minute_packet, prepare, rejected_reasons
from typer.testing import CliRunner

from ecozone import hj212
from ecozone.cli import app
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
