"""Energy use cases over the seeded zone (tests.energy.data), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from tests.energy.data import FACTORY, OTHER
from typer.testing import CliRunner

from ecozone import cli
from ecozone.accounts.model import SYSTEM_SCOPE, Role, Scope
from ecozone.energy import carbon, service, zone
from ecozone.energy.model import (
    ElectricityMethod,
    EnergyError,
    EnergyNotFound,
    EnergySettings,
    GridFactorKind,
)
from ecozone.errors import Forbidden
from ecozone.store.schema import audit_log, energy_month

S = EnergySettings()


def _checks(rows):
    return {c["name"]: c for c in rows[0]["checks"]}


def test_a_month_in_tce_and_co2_from_the_statistics(energy):
    engine, _ids = energy
    account = service.month_account(engine, SYSTEM_SCOPE, FACTORY, "2026-11", S)
    # 100 000 kWh × 0.1229 + 20 000 m3 × 1.2143 + 500 t × 128.6 kgce = 100 876 kgce
    assert account["tce"] == pytest.approx(100.876)
    assert account["tce_equivalent"] == pytest.approx(100.876)
    assert account["tce_equal_value"] == pytest.approx(31.5 + 24.286 + 64.3)
    # Electricity 100 MWh × 0.5703 (2022 onward) + steam 500 t × 3.763 GJ/t × 0.11 t/GJ
    assert account["carbon"]["scope2_t"] == pytest.approx(57.03 + 500 * 3.763 * 0.11)
    # Gas 2 × 10^4 Nm3 × 389.31 GJ × 15.3 tC/TJ × 0.99 × 44/12
    assert account["carbon"]["scope1_t"] == pytest.approx(0.77862 * 15.3 * 0.99 * 44 / 12)
    kinds = {s["kind"]: s["version"] for s in account["factor_sets"]}
    assert "GB/T 2589-2020" in kinds["energy"] and "0.5703" in kinds["grid"]


def test_the_statistical_grid_factor_and_equal_value_method_are_settings(energy):
    engine, _ids = energy
    settings = EnergySettings(grid_kind=GridFactorKind.STATISTICAL,
                              electricity_method=ElectricityMethod.EQUAL_VALUE)  # fmt: skip
    account = service.month_account(engine, SYSTEM_SCOPE, FACTORY, "2026-11", settings)
    assert account["method"] == "equal_value" and account["tce"] == pytest.approx(120.086)
    elec = next(x for x in account["carbon"]["lines"] if x["carrier"] == "electricity")
    assert elec["t_co2"] == pytest.approx(100 * 0.5306)


def test_data_quality_checks_of_the_metered_month(energy):
    engine, _ids = energy
    checks = _checks(service.quality(engine, SYSTEM_SCOPE, FACTORY, "2026-11", S))
    assert checks["realtime_completeness"]["figure"] == pytest.approx(90.0)  # 2592 / 2880
    assert checks["realtime_completeness"]["passed"] is True
    assert checks["daily_completeness"]["figure"] == pytest.approx(100.0)
    assert checks["daily_vs_monthly"]["figure"] == pytest.approx(5.0)  # 105 000 vs 100 000
    assert checks["daily_vs_monthly"]["passed"] is True
    assert checks["timestamp_offset"]["passed"] is True
    # Monthly total 99 999 kWh: |105 000 − 99 999| / 99 999 = 5.0005 % > 5 %
    service.record_month(engine, SYSTEM_SCOPE, FACTORY, "2026-11", {"electricity": 99_999},
                         actor="t")  # fmt: skip
    checks = _checks(service.quality(engine, SYSTEM_SCOPE, FACTORY, "2026-11", S))
    assert checks["daily_vs_monthly"]["passed"] is False
    # Relaxed to one indicator an hour: 720 expected, the 2 592 received cap at 100 %.
    hourly = EnergySettings(realtime_minutes=60)
    checks = _checks(service.quality(engine, SYSTEM_SCOPE, FACTORY, "2026-11", hourly))
    assert checks["realtime_completeness"]["figure"] == pytest.approx(100.0)


def test_a_month_without_statistics_takes_the_meter_daily_totals(energy):
    engine, _ids = energy
    with engine.begin() as conn:
        conn.execute(sa.delete(energy_month).where(energy_month.c.carrier == "electricity"))
    account = service.month_account(engine, SYSTEM_SCOPE, FACTORY, "2026-11", S)
    elec = next(x for x in account["lines"] if x["carrier"] == "electricity")
    assert elec["amount"] == pytest.approx(105_000) and elec["source"] == "meter"


def test_monthly_statistics_are_checked_and_audited(energy):
    engine, _ids = energy
    with pytest.raises(EnergyError, match="不是数字"):
        service.record_month(engine, SYSTEM_SCOPE, FACTORY, "2026-10",
                             {"electricity": "12a"}, actor="t")  # fmt: skip
    with pytest.raises(EnergyError, match="超出范围"):
        service.record_month(engine, SYSTEM_SCOPE, FACTORY, "2026-10",
                             {"electricity": 1, "natural_gas": -5}, actor="t")  # fmt: skip
    with pytest.raises(EnergyError, match="月份"):
        service.record_month(engine, SYSTEM_SCOPE, FACTORY, "2026-13", {"steam": 1}, actor="t")
    with engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(energy_month)
                              .where(energy_month.c.month == date(2026, 10, 1))).scalar()
    assert stored == 0  # nothing of a refused form was kept
    service.record_month(engine, SYSTEM_SCOPE, FACTORY, "2026-10", {"electricity": 5},
                         actor="alice")  # fmt: skip
    with engine.connect() as conn:
        entry = conn.execute(sa.select(audit_log).where(audit_log.c.actor == "alice")).first()
    assert entry is not None and entry.entity == "energy_month"


def test_an_enterprise_writes_only_its_own_months(energy):
    engine, ids = energy
    own = Scope(role=Role.ENTERPRISE, enterprise_ids=frozenset({ids["factory"]}))
    service.record_month(engine, own, FACTORY, "2026-10", {"electricity": 1}, actor="e")
    with pytest.raises(EnergyNotFound):
        service.record_month(engine, own, OTHER, "2026-10", {"electricity": 1}, actor="e")
    with pytest.raises(EnergyNotFound):
        service.month_account(engine, own, OTHER, "2026-11", S)
    with pytest.raises(Forbidden):
        service.set_target(engine, own, FACTORY, 2026, actor="e", tce_per_10k_yuan=0.1)


def _xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_import_of_monthly_statistics_is_all_or_nothing(energy):
    engine, _ids = energy
    good = _xlsx([["credit_code", "month", "carrier", "amount", "ncv_gj"],
                  [FACTORY, "2026-09", "electricity", 90_000, None],
                  [FACTORY, "2026-09", "天然气", 1000, None],
                  [OTHER, "2026-09", "raw_coal", 2, 25.0]])  # fmt: skip
    assert service.import_xlsx(engine, SYSTEM_SCOPE, good, actor="importer") == 3
    with engine.connect() as conn:
        entries = conn.execute(sa.select(audit_log).where(audit_log.c.actor == "importer")).all()
    assert len(entries) == 1 and entries[0].action == "import"  # the import, with its rows
    assert f"{OTHER}/2026-09/raw_coal" in entries[0].after
    coal = service.month_account(engine, SYSTEM_SCOPE, OTHER, "2026-09", S)
    assert coal["tce"] == pytest.approx(2 * 25_000_000 / 29_307 / 1000)  # measured NCV
    bad = _xlsx([["credit_code", "month", "carrier", "amount"],
                 [FACTORY, "2026-08", "electricity", 1], [FACTORY, "2026-08", "plutonium", 1]])
    with pytest.raises(EnergyError, match="第 3 行"):
        service.import_xlsx(engine, SYSTEM_SCOPE, bad, actor="t")
    assert service.month_account(engine, SYSTEM_SCOPE, FACTORY, "2026-08", S)["lines"] == []
    with pytest.raises(EnergyError, match="xlsx"):
        service.import_xlsx(engine, SYSTEM_SCOPE, b"not a workbook", actor="t")


def test_year_account_against_targets_and_key_user_class(energy):
    engine, _ids = energy
    service.record_output(engine, SYSTEM_SCOPE, FACTORY, "2026-11", actor="t",
                          value_added_10k_yuan=500, product="主板", product_amount=1000,
                          product_unit="件")  # fmt: skip
    service.set_target(engine, SYSTEM_SCOPE, FACTORY, 2026, actor="t", tce_per_10k_yuan=0.2,
                       tce_per_product=0.1)  # fmt: skip
    year = service.year_account(engine, SYSTEM_SCOPE, FACTORY, 2026, S)
    assert year["tce"] == pytest.approx(100.876)
    assert year["tce_per_10k_yuan"] == pytest.approx(100.876 / 500)  # 0.2018 > 0.2
    assert year["meets"]["tce_per_10k_yuan"] is False
    assert year["tce_per_product"] == pytest.approx(0.100876)
    assert year["meets"]["tce_per_product"] is False
    assert year["user_class"] == "other"


def test_zone_dashboard_sums_in_sql_and_the_item1_indicator(energy):
    engine, _ids = energy
    # 2025: 100 000 kWh (12.29 tce) on 400 × 10^4 yuan; 2026 as seeded on 500.
    service.record_month(engine, SYSTEM_SCOPE, FACTORY, "2025-11", {"electricity": 100_000},
                         actor="t")  # fmt: skip
    for y, va, gdp, gdp_tce in ((2025, 400, 10_000, 4_000), (2026, 500, 11_000, 4_180)):
        service.record_output(engine, SYSTEM_SCOPE, FACTORY, f"{y}-11", actor="t",
                              value_added_10k_yuan=va)  # fmt: skip
        service.set_district_year(engine, SYSTEM_SCOPE, "两江新区", y, actor="t",
                                  gdp_10k_yuan=gdp, gdp_energy_tce=gdp_tce,
                                  industrial_target_tce_per_10k_yuan=0.25)  # fmt: skip
    board = zone.dashboard(engine, SYSTEM_SCOPE, 2026, S, date(2026, 12, 3))
    by_district = dict(board["by_district"])
    assert by_district["两江新区"] == pytest.approx(100.876)
    assert by_district["重庆高新区"] == pytest.approx(10 * 1457.1 / 1000)  # diesel
    lj = next(d for d in board["districts"] if d["district"] == "两江新区")
    # Industrial: 2025 12.29 tce / 400 = 0.030725; 2026 100.876 / 500 = 0.201752: rising.
    assert lj["industrial_decline_pct"] == pytest.approx((0.030725 - 0.201752) / 0.030725 * 100)
    # GDP: 0.4 → 0.38 tce per 10^4 yuan: 5 % decline; industrial rose, so item 1 is not met.
    assert lj["gdp_decline_pct"] == pytest.approx(5.0)
    assert lj["item1_met"] is False and lj["meets_target"] is True
    # The SQL sums agree with the per-enterprise rules.
    one = service.month_account(engine, SYSTEM_SCOPE, FACTORY, "2026-11", S)
    ent = next(e for e in board["enterprises"] if e["credit_code"] == FACTORY)
    assert ent["t_co2"] == pytest.approx(one["carbon"]["total_t"])


def test_the_annual_carbon_report_and_its_files(energy):
    engine, _ids = energy
    report = carbon.carbon_report(engine, SYSTEM_SCOPE, OTHER, 2026, S)
    diesel = 10 * 42.652 / 1000 * 20.2 * 0.98 * 44 / 12  # 30.959 tCO2
    assert report["scope1_t"] == pytest.approx(diesel) and report["scope2_t"] == 0
    assert report["factor_sets"] and report["lines"][0]["name"] == "柴油"
    assert carbon.render_xlsx(report)[:2] == b"PK"
    assert "系数与因子来源" in carbon.render_html(report)


def test_forest_sinks_are_staff_records(energy):
    engine, ids = energy
    new = service.add_sink(engine, SYSTEM_SCOPE, actor="t", name="示例林", area_ha=120,
                           species="马尾松", annual_t_co2=600, method_source="CCER 造林",
                           district_name="两江新区")  # fmt: skip
    assert [s["id"] for s in service.sinks(engine)] == [new]
    own = Scope(role=Role.ENTERPRISE, enterprise_ids=frozenset({ids["factory"]}))
    with pytest.raises(Forbidden):
        service.add_sink(engine, own, actor="e", name="x", area_ha=1, species="x",
                         annual_t_co2=1, method_source="x")  # fmt: skip
    with pytest.raises(EnergyError, match="须大于 0"):
        service.add_sink(engine, SYSTEM_SCOPE, actor="t", name="x", area_ha=0, species="x",
                         annual_t_co2=1, method_source="x")  # fmt: skip


def test_cli_import_month_and_carbon_report(energy, monkeypatch, tmp_path):
    engine, _ids = energy
    monkeypatch.setenv("ECOZONE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    path = tmp_path / "statistics.xlsx"
    path.write_bytes(_xlsx([["credit_code", "month", "carrier", "amount"],
                            [OTHER, "2026-07", "electricity", 10_000]]))  # fmt: skip
    result = CliRunner().invoke(cli.app, ["energy", "import", str(path), "--actor", "clerk"])
    assert result.exit_code == 0, result.output
    assert "1 statistics stored" in result.output
    result = CliRunner().invoke(cli.app, ["energy", "month", "--enterprise", OTHER,
                                          "--month", "2026-07"])  # fmt: skip
    assert json.loads(result.output)["tce"] == pytest.approx(1.229)  # 10 000 × 0.1229 kgce
    out = tmp_path / "carbon.xlsx"
    result = CliRunner().invoke(cli.app, ["energy", "carbon-report", "--enterprise", OTHER,
                                          "--year", "2026", "--output", str(out)])  # fmt: skip
    assert result.exit_code == 0 and out.read_bytes()[:2] == b"PK"
    bad = CliRunner().invoke(cli.app, ["energy", "month", "--enterprise", OTHER,
                                       "--month", "July"])  # fmt: skip
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
