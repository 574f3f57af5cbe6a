"""Emissions against permitted annual amounts, and exceedance events and hours, by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from tests.statistics.data import ALPHA, BETA, NOW_LOCAL, add_emissions_and_exceedances, seed

from ecozone.accounts.model import Scope
from ecozone.compliance.model import Limit, LimitBasis
from ecozone.statistics import emissions, emissions_service, exceedances, exceedances_service
from ecozone.statistics.transmission import parse_period

ADMIN = Scope("admin")


@pytest.fixture
def zone(migrated_database_url):
    engine, ids = seed(migrated_database_url)
    add_emissions_and_exceedances(engine, ids)
    yield engine, ids
    engine.dispose()


def _limit(cap, start, end):
    return Limit("P", 1, "a21026", 50.0, "mg/m3", LimitBasis.HOUR, None, cap, start, end)


def test_the_smallest_cap_of_the_permits_in_force_during_the_year_applies():
    limits = [_limit(50.0, date(2023, 1, 1), date(2099, 12, 31)),
              _limit(40.0, date(2024, 1, 1), date(2024, 3, 31)),
              _limit(None, date(2024, 1, 1), date(2024, 12, 31))]  # fmt: skip
    assert emissions.annual_cap_t(limits, "a21026", 2024) == 40.0
    assert emissions.annual_cap_t(limits, "a21026", 2025) == 50.0
    assert emissions.annual_cap_t(limits, "a21002", 2024) is None
    # 12.5 t of 50 t is a quarter of the cap.
    assert emissions.share_pct(12.5, 50.0) == 25.0


def _by(rows, **match):
    return [r for r in rows if all(r[k] == v for k, v in match.items())]


def test_a_month_of_emissions_against_the_annual_cap(zone):
    engine, _ = zone
    result = emissions_service.as_dict(
        emissions_service.compute(engine, ADMIN, parse_period("2024-06"))
    )
    # ALPHA SO2: 720 h x 5 kg = 3600 kg = 3.6 t of the 40 t cap: 9.0 %.
    (so2,) = _by(result["enterprises"], credit_code=ALPHA, pollutant="a21026")
    assert (so2["emitted_t"], so2["cap_t"], so2["share_pct"]) == (3.6, 40.0, 9.0)
    # ALPHA COD: 720 h x 0.5 kg = 360 kg = 0.36 t of 10 t: 3.6 %.
    (cod,) = _by(result["enterprises"], credit_code=ALPHA, pollutant="w01018")
    assert (cod["emitted_t"], cod["cap_t"], cod["share_pct"]) == (0.36, 10.0, 3.6)
    # BETA SO2: 240 h x 1 kg = 0.24 t, no cap, no share.
    (beta,) = _by(result["enterprises"], credit_code=BETA)
    assert (beta["emitted_t"], beta["cap_t"], beta["share_pct"]) == (0.24, None, None)
    # 两江新区 is ALPHA's; by industry, 热电联产 likewise; the zone's June SO2 3.84 t.
    assert _by(result["districts"], district="两江新区", pollutant="a21026")[0]["emitted_t"] == 3.6
    assert _by(result["industries"], industry="热电联产", pollutant="a21026")[0]["cap_t"] == 40.0
    (june,) = _by(result["months"], month="2024-06", pollutant="a21026")
    assert june["emitted_t"] == 3.84
    # The zone's SO2 share compares the capped outlets' 3.6 t with their 40 t, not 3.84 t.
    assert (june["capped_emitted_t"], june["share_pct"]) == (3.6, 9.0)
    # By pollutant over the zone, the same as the single month.
    (so2_zone,) = _by(result["pollutants"], pollutant="a21026")
    assert (so2_zone["emitted_t"], so2_zone["cap_t"], so2_zone["share_pct"]) == (3.84, 40.0, 9.0)


def test_a_year_of_emissions_adds_its_months(zone):
    engine, _ = zone
    result = emissions_service.as_dict(
        emissions_service.compute(engine, ADMIN, parse_period("2024"))
    )
    # May 744 h x 2.5 kg = 1.86 t, June 3.6 t: 5.46 t of 40 t = 13.65 %.
    (so2,) = _by(result["enterprises"], credit_code=ALPHA, pollutant="a21026")
    assert (so2["emitted_t"], so2["share_pct"]) == (5.46, 13.65)
    assert [m["month"] for m in _by(result["months"], pollutant="a21026")] == [
        "2024-05", "2024-06"]  # fmt: skip


def test_an_enterprise_sees_only_its_own_emissions(zone):
    engine, ids = zone
    result = emissions_service.as_dict(emissions_service.compute(
        engine, Scope("enterprise", enterprise_ids=frozenset({ids["beta"]})),
        parse_period("2024-06")))  # fmt: skip
    assert {r["credit_code"] for r in result["enterprises"]} == {BETA}


def test_an_event_is_split_at_the_month_boundary():
    assert exceedances.split_by_month(datetime(2024, 5, 31, 22), datetime(2024, 6, 1, 3)) == [
        ("2024-05", datetime(2024, 6, 1) - datetime(2024, 5, 31, 22)),
        ("2024-06", datetime(2024, 6, 1, 3) - datetime(2024, 6, 1)),
    ]


def test_exceedance_events_and_hours_of_a_month(zone):
    engine, _ = zone
    result = exceedances_service.as_dict(exceedances_service.compute(
        engine, ADMIN, parse_period("2024-06"), now_local=NOW_LOCAL))  # fmt: skip
    # ALPHA SO2: the event of 31 May 22:00 counts 3 h in June (00:00-03:00) but as May's
    # event; 10 June 08:00-12:00 is 4 h; the one running since 20 June counts to the end of
    # June, 11 days = 264 h; the false alarm of 15 June is left out.
    # -> 2 events, 3 + 4 + 264 = 271 h.
    (so2,) = _by(result["enterprises"], credit_code=ALPHA, pollutant="a21026")
    assert (so2["events"], so2["hours"], so2["days"]) == (2, 271.0, 0.0)
    # ALPHA COD: a daily-limit exceedance 5-7 June: 1 event, 2 days.
    (cod,) = _by(result["enterprises"], credit_code=ALPHA, pollutant="w01018")
    assert (cod["events"], cod["hours"], cod["days"]) == (1, 0.0, 2.0)
    # BETA NOx 01:00-03:00 on 25 June: 1 event, 2 h.
    (nox,) = _by(result["enterprises"], credit_code=BETA)
    assert (nox["events"], nox["hours"]) == (1, 2.0)
    assert result["total"] == {"events": 4, "hours": 273.0, "days": 2.0}
    by_pollutant = {r["pollutant"]: (r["events"], r["hours"], r["days"])
                    for r in result["pollutants"]}  # fmt: skip
    assert by_pollutant == {"a21026": (2, 271.0, 0.0), "w01018": (1, 0.0, 2.0),
                            "a21002": (1, 2.0, 0.0)}  # fmt: skip
    assert {(d["district"], d["pollutant"]): d["hours"] for d in result["districts"]} == {
        ("两江新区", "a21026"): 271.0, ("两江新区", "w01018"): 0.0, ("重庆高新区", "a21002"): 2.0}  # fmt: skip


def test_a_year_counts_the_may_event_in_may(zone):
    engine, _ = zone
    result = exceedances_service.as_dict(exceedances_service.compute(
        engine, ADMIN, parse_period("2024"), now_local=datetime(2024, 6, 21)))  # fmt: skip
    months = {(m["month"], m["pollutant"]): m for m in result["months"]}
    # May: the 31 May event, 2 h of it. June up to 21 June 00:00: 3 + 4 h and the running
    # event's 24 h (20 June); COD's 2 days.
    assert (months[("2024-05", "a21026")]["events"], months[("2024-05", "a21026")]["hours"]) == (
        1, 2.0)  # fmt: skip
    assert months[("2024-06", "a21026")]["hours"] == 31.0
    assert months[("2024-06", "a21026")]["events"] == 2
