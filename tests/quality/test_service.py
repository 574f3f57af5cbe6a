"""Noise, dust and overflow use cases over the seeded zone (tests.quality.data), on SQLite
and PostgreSQL: levels against limits, alerts into the desk, the registers and their audit."""

from __future__ import annotations

import io
import json
import math
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from tests.quality.data import NIGHT
from typer.testing import CliRunner

from ecozone import cli
from ecozone.accounts.model import Scope
from ecozone.errors import Invalid, NotFound
from ecozone.quality import dust, noise, service, sewer
from ecozone.quality.model import Period, QualitySettings
from ecozone.store.schema import alert, audit_log, honking_event, night_approval

S = QualitySettings()


def _alerts(engine, type_: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(alert).where(alert.c.type == type_)).mappings().all()
    return [dict(r) for r in rows]


def test_night_leq_of_the_class_1_station_is_over_its_limit(quality):
    engine, ids = quality
    station = noise.station(engine, None, ids["N01"])
    ((_s, periods),) = noise.day_night(engine, [station], NIGHT, NIGHT, S)
    by = {p.period: p for p in periods}
    # Day 21h only: 54 dB against 55. Night 22h 44 and 23h 48 dB: 10·lg((10^4.4+10^4.8)/2).
    assert by[Period.DAY].leq == pytest.approx(54.0) and not by[Period.DAY].exceeds
    night = by[Period.NIGHT]
    assert night.leq == pytest.approx(10 * math.log10((10**4.4 + 10**4.8) / 2))
    assert night.limit == 45.0 and night.exceeds
    # Lmax 61 at night against 45 + 15 = 60: sudden noise.
    assert night.lmax == 61.0 and night.lmax_limit == 60.0 and night.sudden


def test_night_work_alerted_at_the_site_without_approval_only(quality):
    engine, ids = quality
    found = noise.check_night_construction(
        engine, datetime(2026, 11, 5), datetime(2026, 11, 7), S, now=datetime(2026, 11, 6)
    )
    assert [(s.code, f.start, f.end) for s, f in found] == [
        ("NB01", datetime(2026, 11, 5, 22), datetime(2026, 11, 6, 0))
    ]
    (raised,) = _alerts(engine, "night_construction")
    assert raised["point_id"] == ids["NB01"] and raised["peak"] == 62.0
    assert raised["limit_value"] == 55.0
    # Run again: the same condition is merged, not raised twice.
    noise.check_night_construction(
        engine, datetime(2026, 11, 5), datetime(2026, 11, 7), S, now=datetime(2026, 11, 6)
    )
    assert len(_alerts(engine, "night_construction")) == 1


def test_an_approval_is_registered_audited_and_refused_when_bad(quality):
    engine, ids = quality
    made = noise.register_approval(
        engine,
        None,
        site_id=ids["S1"],
        permit_no="YJ-9",
        first_day="2026-11-05",
        last_day="2026-11-06",
        start="22:00",
        end="04:00",
        actor="staff",
    )
    assert (made.first_day, made.start.hour, made.end.hour) == (date(2026, 11, 5), 22, 4)
    with engine.connect() as conn:
        entry = conn.execute(sa.select(audit_log).where(
            audit_log.c.entity == "night_approval", audit_log.c.entity_id == str(made.id)
        )).one()  # fmt: skip
        before = conn.execute(sa.select(sa.func.count()).select_from(night_approval)).scalar()
    assert entry.actor == "staff"
    for bad in ({"start": "25:00"}, {"last_day": "2026-11-01"}, {"permit_no": " "}):
        args = {
            "site_id": ids["S1"],
            "permit_no": "YJ-10",
            "first_day": "2026-11-05",
            "last_day": "2026-11-06",
            "start": "22:00",
            "end": "04:00",
            **bad,
        }
        with pytest.raises(Invalid):
            noise.register_approval(engine, None, actor="staff", **args)
    with engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(night_approval)).scalar()
    assert after == before
    # Now S1 is approved for that night: no alert.
    assert (
        noise.check_night_construction(engine, datetime(2026, 11, 5), datetime(2026, 11, 7), S)
        == []
    )


def test_a_district_supervisor_reads_only_the_sites_of_the_district(quality):
    engine, ids = quality
    scope = Scope(role="supervisor", district_id=ids["district_b"])
    assert [s.code for s in service.sites(engine, scope)] == ["S2"]
    with pytest.raises(NotFound):
        service.site(engine, scope, ids["S1"])
    with pytest.raises(NotFound):
        noise.register_approval(
            engine,
            scope,
            site_id=ids["S1"],
            permit_no="X",
            first_day="2026-11-05",
            last_day="2026-11-05",
            start="22:00",
            end="23:00",
            actor="b",
        )
    assert [s.code for s in noise.stations(engine, scope)] == ["NB02"]


def test_dust_rules_count_exceedances_and_alert_the_breached_days(quality):
    engine, ids = quality
    found = {r.code: d for _m, r, d in dust.exceedances(engine, None, NIGHT, NIGHT)}
    # Absolute 150: 200, 170, 185, 260, 400 → 5 > 0 allowed.
    assert len(found["pm10-warning"].exceedances) == 5 and found["pm10-warning"].breached
    # Background: 200−100, 185−90, 260−120 over 80 (170−100 is not; 12h has no background)
    # → 3 > 2 allowed.
    background = found["pm10-background"]
    assert [e.judged for e in background.exceedances] == [100.0, 95.0, 140.0]
    assert background.breached
    dust.check_dust(engine, NIGHT, NIGHT, now=datetime(2026, 11, 6))
    raised = _alerts(engine, "dust_exceedance")
    assert sorted(a["condition_key"] for a in raised) == [
        f"quality:dust:{ids['DU01']}:pm10-background",
        f"quality:dust:{ids['DU01']}:pm10-warning",
    ]


def test_a_new_rule_version_takes_over_from_its_day(quality):
    engine, _ids = quality
    dust.add_rule(engine, code="pm10-background", metric="a34002", window_min=60,
                  basis="background", limit=80, allowed_per_day=3, action="通报",
                  effective_from="2026-11-05", actor="staff")  # fmt: skip
    found = {r.code: (r, d) for _m, r, d in dust.exceedances(engine, None, NIGHT, NIGHT)}
    rule, day = found["pm10-background"]
    assert rule.version == 2 and not day.breached
    with pytest.raises(Invalid):
        dust.add_rule(engine, code="x", metric="a21026", window_min=60, basis="absolute",
                      limit=1, allowed_per_day=0, action="a", effective_from="2026-11-05",
                      actor="staff")  # fmt: skip


def test_an_inspection_records_each_of_the_ten_rules(quality):
    engine, ids = quality
    keys = [c["key"] for c in dust.checklist()]
    assert len(keys) == 10
    made = dust.record_inspection(engine, None, site_id=ids["S1"], inspected_on="2026-11-06",
                                  inspector="张三", met=keys[:8], remarks="裸土未覆盖",
                                  actor="staff")  # fmt: skip
    assert made["items"] == {k: k in keys[:8] for k in keys}
    (listed,) = dust.inspections(engine, None)
    assert (listed["met"], listed["total"]) == (8, 10)
    assert [f["key"] for f in listed["failed"]] == keys[8:]
    with pytest.raises(Invalid):
        dust.record_inspection(engine, None, site_id=ids["S1"], inspected_on="2026-11-06",
                               inspector="张三", met=["nonsense"], actor="staff")  # fmt: skip


def test_overflows_are_detected_with_volume_method_and_rain(quality):
    engine, _ids = quality
    sewer.detect(engine, datetime(2026, 7, 1), datetime(2026, 7, 2), S, now=datetime(2026, 7, 2))
    events = {m.code: e for m, e in sewer.events(engine, None)}
    # (20 + 40 + 20) L/s × 300 s = 24 m3; rain 2 + 3 mm in 10:05-10:20.
    of = events["OF01"]
    assert of.volume_m3 == pytest.approx(24.0) and of.method.value == "flow"
    assert of.rainfall_mm == pytest.approx(5.0)
    # Weir: 2/3·0.62·2·√(2·9.81)·0.1^1.5 m3/s × 600 s = 69.48 m3.
    lv = events["LV01"]
    assert lv.method.value == "weir" and lv.volume_m3 == pytest.approx(69.48, abs=0.01)
    (july,) = sewer.monthly(engine, None)
    assert july["month"] == "2026-07" and july["events"] == 2 and july["with_rain"] == 1
    assert len(_alerts(engine, "sewer_overflow")) == 2
    # Detecting again changes nothing.
    sewer.detect(engine, datetime(2026, 7, 1), datetime(2026, 7, 2), S)
    assert len(sewer.events(engine, None)) == 2


def test_honking_imports_from_csv_and_xlsx_and_refuses_a_bad_row(quality):
    engine, _ids = quality
    csv_text = "抓拍时间,地点,车牌,声级\n2026-11-05 08:01:02,黄山大道,渝A12345,92.5\n"
    assert noise.import_honking(engine, "a.csv", csv_text.encode("utf-8-sig"), actor="s") == 1
    assert noise.import_honking(engine, "a.csv", csv_text.encode(), actor="s") == 0  # held
    book = Workbook()
    book.active.append(["captured_at", "location", "plate"])
    book.active.append([datetime(2026, 11, 5, 9, 0), "金开大道", "渝B00001"])
    out = io.BytesIO()
    book.save(out)
    assert noise.import_honking(engine, "b.xlsx", out.getvalue(), actor="s") == 1
    bad = "captured_at,location\n2026-11-05 10:00:00,甲\nyesterday,乙\n"
    with pytest.raises(Invalid, match="row 3"):
        noise.import_honking(engine, "c.csv", bad.encode(), actor="s")
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(honking_event)).scalar() == 2


def test_cli_checks_reads_and_imports(quality, monkeypatch, tmp_path):
    engine, _ids = quality
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("ECOZONE_DATABASE_URL", url)
    result = CliRunner().invoke(cli.app, ["quality", "check", "--until", "2026-11-07T00:00"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"night_construction": 1, "dust_days": 2,
                                         "overflows": 0}  # fmt: skip
    result = CliRunner().invoke(cli.app, ["quality", "noise", "--first", "2026-11-05"])
    n01 = next(s for s in json.loads(result.output) if s["code"] == "N01")
    assert [p["leq"] for p in n01["periods"]] == [54.0, 46.4]
    bad = tmp_path / "bad.txt"
    bad.write_text("x")
    result = CliRunner().invoke(cli.app, ["quality", "import-honking", str(bad),
                                          "--actor", "ops"])  # fmt: skip
    assert result.exit_code == 2 and "expected a .csv or .xlsx file" in result.output
