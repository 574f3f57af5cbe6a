"""The HJ 663 evaluation over stored hourly values: stations, districts and their ranking,
the zone, and the scope of a district supervisor."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from tests.airquality.data import DAY_1, setup, store
from tests.airquality.test_service import six
from typer.testing import CliRunner

from ecozone.accounts.model import Scope
from ecozone.airquality.cli import app
from ecozone.airquality.evaluation import service
from ecozone.airquality.model import AirQualityError, Pollutant
from ecozone.store.schema import district

HOUR = timedelta(hours=1)


@pytest.fixture
def zone(database_url: str):
    engine, ids = setup(database_url)
    rows = []
    for h in range(48):  # 2026-05-01 and 02, every hour; 03 none
        rows += six(ids["AQ01"], DAY_1 + h * HOUR)  # PM2.5 80 µg/m3
        rows += six(ids["AQ09"], DAY_1 + h * HOUR, pm25_ng=40_000.0)  # PM2.5 40
    store(engine, rows)
    yield engine, ids
    engine.dispose()


def test_stations_and_districts_worked_by_hand(zone):
    engine, _ = zone
    result = service.evaluate(engine, start="2026-05-01", end="2026-05-04")
    by_code = {s.station.code: s.evaluation for s in result.stations}
    aq01 = by_code["AQ01"]
    pm25 = next(r for r in aq01.pollutants if r.pollutant is Pollutant.PM2_5)
    # Two valid days of 80: mean 80, 95th (k = 1.95) 80; day 3 has no value.
    assert (pm25.valid_days, pm25.mean, pm25.percentile_value) == (2, 80, 80)
    # SO2 9/60 + NO2 41/40 + PM10 58/70 + PM2.5 80/35 + CO 0.8/4 + O3 102/160 = 5.1268.
    assert aq01.comprehensive_index == pytest.approx(5.13)
    assert aq01.days_by_level == {3: 2}  # PM2.5 80: IAQI 107, lightly polluted
    assert by_code["AQ02"].comprehensive_index is None  # no data at all
    # AQ09: PM2.5 40/35 instead of 80/35: 3.9839; IAQI 57, good, PM2.5 primary.
    assert by_code["AQ09"].comprehensive_index == pytest.approx(3.98)
    assert by_code["AQ09"].days_by_primary == {"PM2.5": 2}
    # 两江新区 is the mean of AQ01 and AQ02 (no data): AQ01's values.
    assert [(d.rank, d.district, d.stations) for d in result.districts] == [
        (1, "重庆高新区", 1),
        (2, "两江新区", 2),
    ]
    assert result.districts[1].evaluation.comprehensive_index == pytest.approx(5.13)
    # The zone: PM2.5 (80 + 40) / 2 = 60 each day.
    zone_pm25 = next(r for r in result.zone.pollutants if r.pollutant is Pollutant.PM2_5)
    assert zone_pm25.mean == 60
    assert (result.start, result.end) == (date(2026, 5, 1), date(2026, 5, 4))


def test_a_district_supervisor_evaluates_the_stations_standing_there(zone):
    engine, _ = zone
    with engine.connect() as conn:
        gaoxin = conn.execute(
            sa.select(district.c.id).where(district.c.name == "重庆高新区")
        ).scalar_one()
    scope = Scope(role="supervisor", district_id=gaoxin)
    result = service.evaluate(engine, start="2026-05-01", end="2026-05-04", scope=scope)
    assert [s.station.code for s in result.stations] == ["AQ09"]


def test_bad_periods_are_named():
    with pytest.raises(AirQualityError, match="not after start"):
        service.period(start="2026-05-04", end="2026-05-01")
    with pytest.raises(AirQualityError, match="give a year"):
        service.period()
    assert service.period(2025) == (date(2025, 1, 1), date(2026, 1, 1))


def test_the_command_line_evaluates_a_period(zone, database_url):
    env = {"ECOZONE_DATABASE_URL": database_url}
    runner = CliRunner()
    result = runner.invoke(
        app, ["evaluate", "--start", "2026-05-01", "--end", "2026-05-04"], env=env
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [(d["rank"], d["district"]) for d in body["districts"]] == [
        (1, "重庆高新区"),
        (2, "两江新区"),
    ]
    assert body["districts"][0]["comprehensive_index"] == pytest.approx(3.98)
    bad = runner.invoke(app, ["evaluate", "--year", "2026", "--start", "2026-05-01"], env=env)
    assert bad.exit_code == 2 and "give a year or a start and end" in bad.stderr
