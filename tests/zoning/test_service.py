"""The use cases on SQLite and PostgreSQL: layer import by version, the location check,
invalid files refused with nothing stored, the Shapefile round trip, red-line integrity,
the soil list and emergency readiness."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
import shapefile
import sqlalchemy as sa
from tests.zoning.data import (
    CAR_CONDITIONS,
    FORBID_CHEM,
    PARKS,
    RED_LINE,
    RESTRICT_CAR,
    UNITS,
    box,
    collection,
    feature,
)

from ecozone.errors import Invalid, NotFound
from ecozone.store.schema import audit_log, layer_feature, layer_version
from ecozone.zoning import emergency, service, soil
from ecozone.zoning.model import (
    Access,
    EmergencySettings,
    LayerInvalid,
    StepRefused,
    ZoningError,
)

ON = date(2025, 6, 1)


def _import_all(engine: sa.Engine) -> None:
    for kind, content in (("red_line", RED_LINE), ("control_unit", UNITS), ("park", PARKS)):
        service.import_upload(engine, f"{kind}.geojson", content, kind, "2024-01-01",
                              actor="tests")  # fmt: skip


def _count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_a_point_inside_the_red_line_is_refused_whatever_the_industry(engine):
    _import_all(engine)
    found = service.check(engine, 106.81, 29.67, "电子", ON)
    assert found.inside_red_line and found.red_lines == (("RL-1", "御临河生态保护红线"),)
    assert found.verdict is Access.FORBIDDEN
    assert [u.key for u in found.units] == ["U-ECO"]


def test_a_point_on_the_red_line_boundary_is_inside(engine):
    _import_all(engine)
    assert service.check(engine, 106.82, 29.67, "电子", ON).inside_red_line  # east edge


def test_a_point_outside_the_red_line_gets_its_units_answer(engine):
    _import_all(engine)
    found = service.check(engine, 106.75, 29.65, "汽车制造", ON)
    assert not found.inside_red_line
    (unit,) = found.units
    assert (unit.key, unit.access) == ("U-IND", Access.RESTRICTED)
    assert unit.entries[0].rule == RESTRICT_CAR and unit.entries[0].conditions == CAR_CONDITIONS
    assert found.parks == (("P-1", "两江新区水土园区"),)
    assert {v.kind.value for v in found.versions} == {"red_line", "control_unit", "park"}


def test_a_forbidden_industry_in_a_unit_is_refused_with_the_rule_text(engine):
    _import_all(engine)
    found = service.check(engine, 106.75, 29.65, "化工（农药）", ON)
    assert found.verdict is Access.FORBIDDEN
    assert found.units[0].entries[0].rule == FORBID_CHEM
    data = service.check_dict(found)
    assert data["verdict"] == "forbidden" and data["inside_red_line"] is False
    assert data["units"][0]["entries"][0]["rule"] == FORBID_CHEM
    # The flat Shapefile-style list of U-ECO, outside the red line square:
    eco = service.check(engine, 106.85, 29.65, "电镀", ON)
    assert eco.verdict is Access.FORBIDDEN
    assert eco.units[0].entries[0].rule == "优先保护单元禁止新建工业项目"


def test_the_version_in_force_on_the_date_is_used(engine):
    service.import_upload(engine, "v2024.geojson", RED_LINE, "red_line", "2024-01-01",
                          actor="tests")  # fmt: skip
    moved = collection(feature("RL-1", "御临河生态保护红线", box(106.70, 29.66, 106.72, 29.68)))
    service.import_upload(engine, "v2025.geojson", moved, "red_line", "2025-03-01", actor="t")
    point = (106.81, 29.67)  # inside the 2024 square, outside the 2025 one
    assert service.check(engine, *point, "电子", date(2023, 12, 31)).versions == ()
    assert service.check(engine, *point, "电子", date(2024, 1, 1)).inside_red_line
    assert service.check(engine, *point, "电子", date(2025, 2, 28)).inside_red_line
    late = service.check(engine, *point, "电子", date(2025, 3, 1))
    assert not late.inside_red_line and late.versions[0].valid_from == date(2025, 3, 1)


def test_an_invalid_polygon_is_refused_naming_it_and_nothing_is_stored(engine):
    bowtie = {"type": "Polygon", "coordinates": [[[106.8, 29.6], [106.9, 29.7], [106.9, 29.6],
                                                  [106.8, 29.7], [106.8, 29.6]]]}  # fmt: skip
    bad = collection(feature("RL-1", "好图斑", box(106.80, 29.66, 106.82, 29.68)),
                     feature("RL-2", "自相交图斑", bowtie))  # fmt: skip
    with pytest.raises(LayerInvalid, match=r"feature 'RL-2' \(自相交图斑\): invalid geometry"):
        service.import_upload(engine, "bad.geojson", bad, "red_line", "2024-01-01", actor="t")
    assert _count(engine, layer_version) == 0 and _count(engine, layer_feature) == 0
    with pytest.raises(LayerInvalid, match="not GeoJSON"):
        service.import_upload(engine, "x.geojson", b"{oops", "red_line", "2024-01-01", actor="t")


def test_a_second_import_for_the_same_date_is_refused(engine):
    service.import_upload(engine, "a.geojson", RED_LINE, "red_line", "2024-01-01", actor="t")
    with pytest.raises(ZoningError, match="already has a version of 2024-01-01"):
        service.import_upload(engine, "a.geojson", RED_LINE, "red_line", "2024-01-01", actor="t")
    with pytest.raises(ZoningError, match="layer 'lake'"):
        service.import_upload(engine, "a.geojson", RED_LINE, "lake", "2024-02-01", actor="t")


def _write_units_shapefile(folder: Path) -> Path:
    """Two control units written with pyshp, attributes as a Shapefile holds them."""
    path = folder / "units"
    with shapefile.Writer(str(path), shapeType=shapefile.POLYGON, encoding="utf-8") as w:
        for name, size in (("CODE", 20), ("NAME", 50), ("FORBIDDEN", 100), ("F_RULE", 200),
                           ("RESTRICTED", 100), ("R_RULE", 200), ("R_COND", 200)):  # fmt: skip
            w.field(name, "C", size=size)
        # Rings clockwise, as the Shapefile specification has outer rings.
        w.poly([[[106.70, 29.60], [106.70, 29.70], [106.80, 29.70], [106.80, 29.60],
                 [106.70, 29.60]]])  # fmt: skip
        w.record("SU-1", "西部重点管控单元", "化工", FORBID_CHEM, "汽车制造", RESTRICT_CAR,
                 CAR_CONDITIONS)  # fmt: skip
        w.poly([[[106.80, 29.60], [106.80, 29.70], [106.90, 29.70], [106.90, 29.60],
                 [106.80, 29.60]]])  # fmt: skip
        w.record("SU-2", "东部优先保护单元", "化工;电镀", "禁止工业", "", "", "")
    (folder / "units.prj").write_text('GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984"]]')
    return path.with_suffix(".shp")


def test_a_shapefile_round_trip_imports_the_units_and_their_lists(engine, tmp_path):
    shp = _write_units_shapefile(tmp_path)
    made = service.import_file(engine, shp, "control_unit", "2024-01-01", actor="tests")
    assert made["feature_count"] == 2
    found = service.check(engine, 106.75, 29.65, "汽车制造", ON)
    (unit,) = found.units
    assert (unit.key, unit.name, unit.access) == ("SU-1", "西部重点管控单元", Access.RESTRICTED)
    assert unit.entries[0].conditions == CAR_CONDITIONS
    # The same files zipped, as staff upload them:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for suffix in (".shp", ".shx", ".dbf", ".prj"):
            archive.write(shp.with_suffix(suffix), f"units{suffix}")
    service.import_upload(engine, "units.zip", buffer.getvalue(), "control_unit", "2025-01-01",
                          actor="tests")  # fmt: skip
    assert service.check(engine, 106.85, 29.65, "电镀", ON).units[0].entries[0].rule == "禁止工业"


def test_red_line_integrity_lists_areas_and_flags_a_reduction(engine):
    two = collection(feature("RL-1", "甲", box(106.80, 29.66, 106.82, 29.68), function="水源涵养"),
                     feature("RL-2", "乙", box(106.84, 29.66, 106.85, 29.67)))  # fmt: skip
    one = collection(feature("RL-1", "甲", box(106.80, 29.66, 106.82, 29.67), function="水源涵养"))
    service.import_upload(engine, "a.geojson", two, "red_line", "2024-01-01", actor="t")
    service.import_upload(engine, "b.geojson", one, "red_line", "2025-01-01", actor="t")
    first, second = service.red_line_integrity(engine)
    assert first["flags"] == [] and first["area_change_m2"] is None
    # RL-1 halved (0.02° × 0.01°) and RL-2 (0.01° × 0.01°) removed: the total is half of
    # RL-1's old area, each about 4.29 km² / 2, and RL-2's 1.07 km² are gone too.
    assert second["area_m2"] == pytest.approx(first["area_m2"] * 0.5 * 4 / 5, rel=2e-3)
    assert second["area_change_m2"] < 0
    assert second["flags"] == ["total_area_decreased", "area_decreased", "removed"]
    assert {c["key"]: c["change"] for c in second["changes"]} == {"RL-1": "changed",
                                                                    "RL-2": "removed"}


def test_soil_sites_move_through_their_statuses(engine):
    made = soil.list_site(engine, code="CQ-LJ-001", name="原化工厂地块", owner="重庆某化工公司",
                          area_m2="12500", pollutants="苯；镉", land_use="工业用地",
                          listed_on="2024-03-01", district="两江新区", actor="tests")  # fmt: skip
    site_id = made["id"]
    with pytest.raises(StepRefused, match="a site listed cannot go to removed"):
        soil.move_status(engine, None, site_id, "removed", "2024-06-01", actor="t")
    with pytest.raises(ZoningError, match="before the current status began"):
        soil.move_status(engine, None, site_id, "remediation", "2024-02-01", actor="t")
    soil.move_status(engine, None, site_id, "remediation", "2024-06-01", actor="t")
    flagged = soil.change_land_use(engine, None, site_id, "居住用地", "2024-07-01", actor="t")
    assert flagged["flagged"]  # still on the list (remediation)
    soil.move_status(engine, None, site_id, "removed", "2025-06-01", "效果评估通过", actor="t")
    later = soil.change_land_use(engine, None, site_id, "公园绿地", "2025-07-01", actor="t")
    assert not later["flagged"]
    found = soil.site(engine, None, site_id)
    assert found["status"] == "removed" and found["next"] == [] and found["flags"] == 1
    assert [e["kind"] for e in found["events"]] == ["listed", "status", "land_use", "status",
                                                    "land_use"]  # fmt: skip
    assert found["pollutants"] == ["苯", "镉"]


def test_soil_documents_are_checked_and_scoped(engine):
    made = soil.list_site(engine, code="S-2", name="地块二", owner="某公司", area_m2=800,
                          pollutants=["铅"], land_use="工业用地", listed_on="2024-03-01",
                          district="重庆高新区", actor="tests")  # fmt: skip
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    kept = soil.attach_document(engine, None, made["id"], "调查报告.png", png, "2024-04-01",
                                actor="t")  # fmt: skip
    assert soil.document(engine, None, made["id"], kept["sha256"])[2] == png
    with pytest.raises(Invalid, match="only JPEG or PNG photos and PDF"):
        soil.attach_document(engine, None, made["id"], "x.exe", b"MZ..", "2024-04-01", actor="t")
    from ecozone.accounts.model import Scope

    with engine.connect() as conn:
        lj = conn.execute(sa.text("SELECT id FROM district WHERE name = '两江新区'")).scalar()
    other = Scope(role="supervisor", district_id=lj)
    assert soil.sites(engine, other) == []
    with pytest.raises(NotFound):
        soil.site(engine, other, made["id"])


def test_plans_expire_and_incidents_close(engine):
    settings = EmergencySettings(review_years=3, expiring_days=90)
    source = emergency.add_risk_source(
        engine, name="某油库", kind="storage", risk_level="major",
        substances="汽油 2500\n柴油 1800", lon="106.78", lat="29.64", actor="t")  # fmt: skip
    assert source["substances"] == [{"name": "汽油", "quantity_t": 2500.0},
                                    {"name": "柴油", "quantity_t": 1800.0}]  # fmt: skip
    old = emergency.file_plan(engine, title="油库预案", filing_no="500112-2022-001-H",
                              filed_on="2022-05-10", risk_source_id=source["id"],
                              settings=settings, actor="t")  # fmt: skip
    assert old["valid_until"] == date(2025, 5, 10)
    emergency.record_drill(engine, old["id"], held_on="2024-06-01", scenario="储罐泄漏",
                           participants="35", actor="t")  # fmt: skip
    plans = emergency.plans(engine, date(2025, 5, 11), settings)
    assert plans[0]["state"] == "expired" and plans[0]["last_drill"] == date(2024, 6, 1)
    assert emergency.plans(engine, date(2025, 3, 1), settings)[0]["state"] == "expiring"
    with pytest.raises(ZoningError, match="alert 999: not found"):
        emergency.open_incident(engine, started_at="2025-06-01T08:30", kind="泄漏",
                                location="油库", alert_id="999", actor="t")  # fmt: skip
    made = emergency.open_incident(engine, started_at="2025-06-01T08:30", kind="泄漏",
                                   location="油库", risk_source_id=source["id"], actor="t")
    with pytest.raises(ZoningError, match="before the incident started"):
        emergency.add_action(engine, made["id"], at="2025-06-01T08:00", text="到场", actor="t")
    emergency.add_action(engine, made["id"], at="2025-06-01T08:50", text="围堵导流", actor="t")
    closed = emergency.close_incident(engine, made["id"], closed_at="2025-06-01T12:00",
                                      closure="泄漏物全部回收", actor="t")  # fmt: skip
    assert closed["state"] == "closed" and closed["closed_at"] == datetime(2025, 6, 1, 12)
    assert [a["text"] for a in closed["actions"]] == ["围堵导流"]
    with pytest.raises(StepRefused, match="already closed"):
        emergency.close_incident(engine, made["id"], closed_at="2025-06-02", closure="x",
                                 actor="t")  # fmt: skip


def test_every_change_is_audited(engine):
    _import_all(engine)
    soil.list_site(engine, code="S-9", name="地块", owner="某", area_m2=1, pollutants="铅",
                   land_use="工业", listed_on="2024-01-01", actor="tests")  # fmt: skip
    with engine.connect() as conn:
        entities = set(conn.execute(sa.select(audit_log.c.entity)).scalars())
    assert {"layer_version", "soil_site"} <= entities
