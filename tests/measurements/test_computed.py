"""`--source computed`: the monitoring aggregates through the measurement query, CLI and REST.

The seeded data (tests.measurements.data) holds device hours and one minute value; after a
recompute, DA001's SO2 (a21026) hours are, worked by hand:
- 10:00 from its one minute value (12.0): 1 of the 45 valid minutes needed, so invalid;
  the device's own 12.5 sits beside it;
- 11:00 the device hour (13.0, N), no minute data: one valid input;
- 12:00 the device hour flagged M (maintenance): invalid, no mean, 9.5 kept as device_avg;
and the day: 1 valid hour of 20 needed, invalid; 2 of 3 hours normal (67 % < 75 %): D.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.measurements.data import MN_BOILER_1, MN_CHEM_WATER
from typer.testing import CliRunner

from ecozone.accounts import deps
from ecozone.accounts.model import Principal
from ecozone.measurements import QueryError, query, to_csv
from ecozone.measurements.api import router
from ecozone.measurements.cli import app
from ecozone.measurements.service import columns_of
from ecozone.monitoring import recompute

SO2_HOURS = [
    {"mn": MN_BOILER_1, "point": "DA001", "pollutant": "a21026", "kind": "hour",
     "data_time": "2024-05-01T10:00:00+08:00", "avg": 12.0, "min": 12.0, "max": 12.0,
     "cou": None, "zs_avg": None, "zs_min": None, "zs_max": None, "valid": False,
     "valid_count": 1, "sample_count": 1, "emission_kg": None, "flag": "N", "device_avg": 12.5},
    {"mn": MN_BOILER_1, "point": "DA001", "pollutant": "a21026", "kind": "hour",
     "data_time": "2024-05-01T11:00:00+08:00", "avg": 13.0, "min": 11.0, "max": 15.5,
     "cou": 0.26, "zs_avg": None, "zs_min": None, "zs_max": None, "valid": True,
     "valid_count": 1, "sample_count": 1, "emission_kg": None, "flag": "N", "device_avg": 13.0},
    {"mn": MN_BOILER_1, "point": "DA001", "pollutant": "a21026", "kind": "hour",
     "data_time": "2024-05-01T12:00:00+08:00", "avg": None, "min": None, "max": None,
     "cou": None, "zs_avg": None, "zs_min": None, "zs_max": None, "valid": False,
     "valid_count": 0, "sample_count": 1, "emission_kg": None, "flag": "M", "device_avg": 9.5},
]  # fmt: skip

SO2_DAY_CSV = (
    "mn,point,pollutant,kind,data_time,avg,min,max,cou,zs_avg,zs_min,zs_max,valid,valid_count,"
    "sample_count,emission_kg,flag,device_avg\n"
    f"{MN_BOILER_1},DA001,a21026,day,2024-05-01T00:00:00+08:00,13.0,11.0,15.5,0.26,,,,false,1,"
    "3,,D,\n"
)


@pytest.fixture
def computed(engine: sa.Engine) -> sa.Engine:
    recompute(engine)
    return engine


def test_computed_hours_carry_validity_and_the_devices_value(computed: sa.Engine):
    rows = query(computed, mn=MN_BOILER_1, pollutant="a21026", kind="hour", source="computed")
    assert rows == SO2_HOURS


def test_computed_day_as_csv(computed: sa.Engine):
    rows = query(computed, mn=MN_BOILER_1, pollutant="a21026", kind="day", source="computed")
    assert to_csv(rows, columns_of("computed")) == SO2_DAY_CSV


def test_raw_stays_the_default(computed: sa.Engine):
    [raw] = query(computed, mn=MN_BOILER_1, pollutant="a21026", kind="hour", end="2024-05-01T11")
    assert (raw["avg"], raw["zs_avg"], "valid" in raw) == (12.5, 14.2, False)


def test_computed_source_has_hours_and_days_only(computed: sa.Engine):
    with pytest.raises(QueryError, match="computed values exist for kind hour and day only"):
        query(computed, mn=MN_BOILER_1, kind="minute", source="computed")
    with pytest.raises(QueryError, match="unknown source 'derived'"):
        query(computed, mn=MN_BOILER_1, kind="hour", source="derived")


def test_enterprise_ids_limit_the_points(computed: sa.Engine):
    with computed.connect() as conn:
        chemical = conn.exec_driver_sql(
            "SELECT id FROM enterprise WHERE credit_code = '91500112MA60XKQ2EE'"
        ).scalar()
    rows = query(computed, kind="hour", source="computed", enterprise_ids={chemical})
    assert {row["mn"] for row in rows} == {MN_CHEM_WATER, "010000A8900016F000169DC3"}
    with pytest.raises(QueryError, match=f"no device with MN {MN_BOILER_1}"):
        query(computed, mn=MN_BOILER_1, kind="hour", enterprise_ids={chemical})


def test_cli_source_computed(computed: sa.Engine, seeded_url: str):
    result = CliRunner().invoke(
        app,
        ["query", "--mn", MN_BOILER_1, "--pollutant", "a21026", "--kind", "day",
         "--source", "computed", "--format", "csv"],
        env={"ECOZONE_DATABASE_URL": seeded_url},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == SO2_DAY_CSV
    result = CliRunner().invoke(
        app, ["query", "--mn", MN_BOILER_1, "--kind", "rtd", "--source", "computed"],
        env={"ECOZONE_DATABASE_URL": seeded_url},
    )  # fmt: skip
    assert result.exit_code == 2
    assert "computed values exist for kind hour and day only" in result.stderr


def test_rest_source_computed(computed: sa.Engine):
    api = FastAPI()
    api.state.engine = computed
    api.include_router(router)
    api.dependency_overrides[deps.current_principal] = lambda: Principal(1, "root", "admin")
    client = TestClient(api)
    body = client.get("/api/v1/measurements", params={
        "mn": MN_BOILER_1, "pollutant": "a21026", "kind": "hour", "source": "computed",
    }).json()  # fmt: skip
    assert body == {"items": SO2_HOURS, "limit": 1000, "offset": 0, "next_offset": None}
    csv = client.get("/api/v1/measurements", params={
        "mn": MN_BOILER_1, "pollutant": "a21026", "kind": "day", "source": "computed",
        "format": "csv",
    })  # fmt: skip
    assert csv.text == SO2_DAY_CSV
    bad = client.get("/api/v1/measurements", params={"kind": "minute", "source": "computed"})
    assert bad.status_code == 400
    schema = json.dumps(client.get("/openapi.json").json())
    assert "ComputedPage" in schema and "MeasurementPage" in schema
