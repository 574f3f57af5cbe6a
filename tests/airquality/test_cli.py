"""`ecozone airquality latest|station` through Typer's test runner."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.airquality.data import DAY_1, PM25, hours, setup, store
from typer.testing import CliRunner

from ecozone.airquality import service
from ecozone.airquality.cli import app

runner = CliRunner()


def run(url: str, *args: str, **env: str):
    return runner.invoke(app, list(args), env={"ECOZONE_DATABASE_URL": url, **env})


def test_latest_and_station_print_json_and_csv(database_url: str):
    engine, ids = setup(database_url)
    try:
        last = service.now_local().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        store(engine, hours(ids["AQ01"], PM25, last, [80_000.0]))
        store(engine, hours(ids["AQ01"], PM25, DAY_1, [80_000.0] * 20))

        result = run(database_url, "latest")
        assert result.exit_code == 0, result.output
        by_code = {r["station"]: r for r in json.loads(result.stdout)}
        assert sorted(by_code) == ["AQ01", "AQ02", "AQ09"]  # the command line sees every station
        assert (by_code["AQ01"]["aqi"], by_code["AQ01"]["category"]) == (107, "轻度污染")

        result = run(database_url, "station", "--point-id", str(ids["AQ01"]), "--kind", "day",
                     "--start", "2026-05-01", "--end", "2026-05-02", "--format", "csv")  # fmt: skip
        assert result.exit_code == 0, result.output
        _header, row = result.stdout.splitlines()
        assert ",107,3,轻度污染,#FF7E00,PM2.5," in row

        # the 2026 reading (UNCONFIRMED) through the environment: 80 -> 50/55 x 20 + 100 = 118.2
        result = run(database_url, "station", "--point-id", str(ids["AQ01"]), "--kind", "day",
                     "--start", "2026-05-01", "--end", "2026-05-02",
                     ECOZONE_AIRQUALITY_EDITION="2026")  # fmt: skip
        [day] = json.loads(result.stdout)
        assert (day["aqi"], day["edition"]) == (119, "HJ 633-2026")
    finally:
        engine.dispose()


def test_bad_input_exits_2_with_the_reason_and_prints_nothing(sqlite_url: str):
    engine, ids = setup(sqlite_url)
    engine.dispose()
    for args, env, message in (
        (["station", "--point-id", "999"], {}, "no air station with point id 999"),
        (["station", "--point-id", str(ids["AQ01"]), "--kind", "week"], {},
         "unknown report kind 'week'"),
        (["station", "--point-id", str(ids["AQ01"]), "--start", "2026-05-02", "--end",
          "2026-05-01"], {}, "is not before end"),
        (["latest", "--format", "xml"], {}, "unknown format 'xml'"),
        (["latest"], {"ECOZONE_AIRQUALITY_IAQI_ROUNDING": "up"}, "unknown IAQI rounding 'up'"),
    ):  # fmt: skip
        result = run(sqlite_url, *args, **env)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr
        assert result.stdout == ""
