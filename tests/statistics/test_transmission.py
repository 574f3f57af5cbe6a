"""Transmission effectiveness (传输率 × 有效率 = 传输有效率), worked by hand."""

from __future__ import annotations

import copy
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from tests.statistics.data import ALPHA, BETA, JUNE, NOW_LOCAL, SHUTDOWN, seed

from ecozone.accounts.model import Scope
from ecozone.monitoring.model import MonitoringSettings
from ecozone.statistics import transmission as rules
from ecozone.statistics import transmission_service as service
from ecozone.statistics.transmission import Counts, StatisticsError, TransmissionSettings
from ecozone.store.schema import district

ADMIN = Scope("admin")
JULY = datetime(2024, 7, 1)


def test_the_issue_example_720_expected_684_received_650_valid():
    # 684 / 720 = 0.95 -> 95.0 %; 650 / 684 = 0.950292... -> 95.03 %;
    # 0.95 x 0.950292 = 0.902778 = 650 / 720 -> 90.28 %.
    r = rules.rates(Counts(720, 684, 650))
    assert r.transmission_pct == pytest.approx(95.0)
    assert round(r.effectiveness_pct, 2) == 95.03
    assert round(r.transmission_effectiveness_pct, 2) == 90.28


def test_a_30_day_month_owes_720_hours_and_a_shutdown_excuses_the_hours_it_touches():
    assert rules.expected_uploads(JUNE, JULY) == 30 * 24
    # 10th 08:00 to 12th 08:00: 48 hours.
    assert rules.expected_uploads(JUNE, JULY, marks=[SHUTDOWN]) == 720 - 48
    # 08:30-09:15 touches the hours starting 08:00 and 09:00.
    touched = (datetime(2024, 6, 3, 8, 30), datetime(2024, 6, 3, 9, 15))
    assert rules.expected_uploads(JUNE, JULY, marks=[touched]) == 718
    # Overlapping marks excuse an hour once; a mark beyond the period excuses nothing.
    assert rules.expected_uploads(JUNE, JULY, marks=[SHUTDOWN, SHUTDOWN]) == 672
    assert rules.expected_uploads(JUNE, JULY, marks=[(JULY, datetime(2024, 7, 3))]) == 720


def test_a_point_not_yet_in_operation_owes_nothing_before_its_first_day():
    assert rules.expected_uploads(JUNE, JULY, operating_from=date(2024, 6, 21)) == 10 * 24
    assert rules.expected_uploads(JUNE, JULY, operating_from=date(2024, 8, 1)) == 0
    assert rules.expected_uploads(JUNE, JULY, operating_from=datetime(2024, 6, 30, 22, 30)) == 1


def test_nothing_received_gives_no_effectiveness_and_zero_product():
    r = rules.rates(Counts(720, 0, 0))
    assert (r.transmission_pct, r.effectiveness_pct, r.transmission_effectiveness_pct) == (
        0.0, None, 0.0)  # fmt: skip
    assert rules.rates(Counts(0, 0, 0)).transmission_pct is None
    assert not rules.below(rules.rates(Counts(0, 0, 0)), 90.0)


def test_impossible_counts_and_bad_periods_are_refused():
    with pytest.raises(StatisticsError, match="650 valid uploads out of 600"):
        Counts(720, 600, 650)
    with pytest.raises(StatisticsError, match="neither a month"):
        rules.parse_period("2024-13")
    with pytest.raises(StatisticsError, match="THRESHOLD_PCT"):
        TransmissionSettings.from_environ({"ECOZONE_STATISTICS_THRESHOLD_PCT": "ninety"})
    with pytest.raises(StatisticsError, match="unknown mark kind"):
        TransmissionSettings(excluded_mark_kinds=("holiday",))


def _report(url, scope=ADMIN, period="2024-06", **kw):
    engine, ids = seed(url)
    try:
        report = service.compute(
            engine, scope, rules.parse_period(period), now_local=NOW_LOCAL,
            settings=TransmissionSettings(), monitoring=MonitoringSettings(), **kw,
        )  # fmt: skip
        return service.as_dict(report), ids
    finally:
        engine.dispose()


def test_a_month_of_stored_uploads_gives_the_hand_computed_rates(migrated_database_url):
    result, ids = _report(migrated_database_url)
    points = {p["point_id"]: p for p in result["points"]}
    # ALPHA DA001: 720 owed (the pending shutdown excuses nothing), 684 sent; 34 hours carry
    # a NOx value flagged D -> 650 valid (T and no flag count as valid).
    da = points[ids["alpha_da"]]
    assert (da["expected"], da["received"], da["valid"]) == (720, 684, 650)
    assert (da["transmission_pct"], da["effectiveness_pct"],
            da["transmission_effectiveness_pct"]) == (95.0, 95.03, 90.28)  # fmt: skip
    # ALPHA DW001: 720 - 48 shutdown hours = 672 owed; 600 sent outside the shutdown (the 10
    # inside are not counted), 540 valid. 600/672 = 89.2857 %, 540/600 = 90 %,
    # 540/672 = 80.3571 %: below 90 %.
    dw = points[ids["alpha_dw"]]
    assert (dw["expected"], dw["received"], dw["valid"]) == (672, 600, 540)
    assert (dw["transmission_pct"], dw["effectiveness_pct"],
            dw["transmission_effectiveness_pct"]) == (89.29, 90.0, 80.36)  # fmt: skip
    # BETA DA001 from 21 June: 240 owed, 240 sent and valid (the 10 hours of 17 June before
    # its operation are not counted).
    beta = points[ids["beta_da"]]
    assert (beta["expected"], beta["received"], beta["valid"]) == (240, 240, 240)
    assert beta["transmission_effectiveness_pct"] == 100.0
    # Below 90 %: DW001 only (DA001's 90.28 % is not below).
    assert [p["point_id"] for p in result["below_threshold"]] == [ids["alpha_dw"]]
    # ALPHA pooled: 1392 owed, 1284 sent, 1190 valid -> 92.24 %, 92.68 %, 85.49 %.
    alpha = next(e for e in result["enterprises"] if e["credit_code"] == ALPHA)
    assert (alpha["expected"], alpha["received"], alpha["valid"]) == (1392, 1284, 1190)
    assert (alpha["transmission_pct"], alpha["effectiveness_pct"],
            alpha["transmission_effectiveness_pct"]) == (92.24, 92.68, 85.49)  # fmt: skip
    districts = {d["district"]: d["expected"] for d in result["districts"]}
    assert districts == {"两江新区": 1392, "重庆高新区": 240}
    assert result["months"] == [{"month": "2024-06", **result["total"]}]
    # Zone: 1632 owed, 1524 sent, 1430 valid.
    assert (result["total"]["expected"], result["total"]["received"],
            result["total"]["valid"]) == (1632, 1524, 1430)  # fmt: skip


def test_a_year_counts_each_month_up_to_the_last_full_hour(sqlite_url):
    result, _ = _report(sqlite_url, period="2024")
    months = {m["month"]: m for m in result["months"]}
    # January-May: 3 points x hours of the month; BETA is not in operation before 21 June.
    assert months["2024-05"]["expected"] == 2 * 31 * 24
    assert months["2024-06"]["expected"] == 1632
    # July up to NOW_LOCAL (15th 20:00): 14 days and 20 hours = 356 hours per point.
    assert months["2024-07"]["expected"] == 3 * 356
    assert "2024-08" not in months
    assert result["until"] == "2024-07-15T20:00:00"


def test_a_district_supervisor_and_an_enterprise_see_their_own_points(sqlite_url):
    engine, ids = seed(sqlite_url)
    with engine.connect() as conn:
        gaoxin = conn.execute(sa.select(district.c.id).where(district.c.name == "重庆高新区")
                              ).scalar_one()  # fmt: skip

    def seen(scope):
        report = service.compute(
            engine, scope, rules.parse_period("2024-06"), now_local=NOW_LOCAL,
            settings=TransmissionSettings(), monitoring=MonitoringSettings(),
        )  # fmt: skip
        return service.as_dict(report)

    try:
        for scope in (Scope("supervisor", district_id=gaoxin),
                      Scope("enterprise", enterprise_ids=frozenset({ids["beta"]}))):  # fmt: skip
            result = seen(scope)
            assert [p["credit_code"] for p in result["points"]] == [BETA]
            assert result["total"]["expected"] == 240
        assert len(seen(Scope("supervisor"))["points"]) == 3
        # The public, coordinators and banks read no statistic, disclosed or not.
        public = seen(Scope("public"))
        assert public["points"] == [] and public["total"]["expected"] == 0
    finally:
        engine.dispose()


def test_filters_narrow_to_a_district_or_an_enterprise(sqlite_url):
    result, ids = _report(sqlite_url, filters=service.Filters(district="重庆高新区"))
    assert [p["point_id"] for p in result["points"]] == [ids["beta_da"]]
    assert result["total"]["received"] == 240
    result, ids = _report(sqlite_url, filters=service.Filters(credit_code=ALPHA))
    assert result["total"]["expected"] == 1392 and result["total"]["received"] == 1284


def test_the_registry_file_carries_a_points_first_day_of_operation(sqlite_url):
    from tests.statistics.data import REGISTRY

    from ecozone.registry import export_registry, import_registry

    engine, ids = seed(sqlite_url)
    try:
        data = copy.deepcopy(REGISTRY)
        data["enterprises"][0]["points"][0]["operating_from"] = date(2024, 6, 11)
        import_registry(engine, data)
        result = service.as_dict(service.compute(
            engine, ADMIN, rules.parse_period("2024-06"), now_local=NOW_LOCAL,
            settings=TransmissionSettings(), monitoring=MonitoringSettings()))  # fmt: skip
        da = next(p for p in result["points"] if p["point_id"] == ids["alpha_da"])
        # From 11 June: 20 days = 480 hours owed; the 480 hours sent from then are counted
        # (hours 240..683 = 444 of them), 444 valid (the D flags were in hours 0-33).
        assert (da["expected"], da["received"], da["valid"]) == (480, 444, 444)
        exported = export_registry(engine)
        first = exported["enterprises"][0]["points"][0]
        assert first["operating_from"] == date(2024, 6, 11)
        bad = copy.deepcopy(REGISTRY)
        bad["enterprises"][0]["points"][0]["operating_from"] = "June"
        with pytest.raises(Exception, match="operating_from: must be a day YYYY-MM-DD"):
            import_registry(engine, bad)
    finally:
        engine.dispose()
