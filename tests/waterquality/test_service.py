"""Water-quality use cases, REST and CLI over the seeded sections (tests.waterquality.data)."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ecozone import cli
from ecozone.errors import Invalid, NotFound
from ecozone.store.schema import audit_log, water_section
from ecozone.waterquality import service
from ecozone.waterquality.model import WaterSettings

S = WaterSettings()


def _by_code(rows):
    return {r["code"]: r for r in rows}


def test_a_months_class_from_the_valid_daily_means(water):
    engine, _ids = water
    chosen = service.sections(engine, None)
    rows = _by_code(service.evaluation_rows(
        service.evaluate_period(engine, chosen, date(2026, 11, 1), date(2026, 12, 1), S),
        "2026-11"))  # fmt: skip
    sw01 = rows["SW01"]
    # NH3-N (0.9 + 1.1 + 1.3) / 3 = 1.1 → IV; the invalid day of 9.0 does not count.
    assert sw01["class_label"] == "Ⅳ" and sw01["exceeding"] == ["w21003"]
    nh3 = {p["code"]: p for p in sw01["parameters"]}["w21003"]
    assert nh3["value"] == pytest.approx(1.1) and nh3["multiple"] == pytest.approx(0.1)
    # Lake: TP 0.05 → III against target II, (0.05 − 0.025) / 0.025 = 1.0; TN 0.4 → II.
    sw02 = rows["SW02"]
    assert sw02["class_label"] == "Ⅲ"
    tp = {p["code"]: p for p in sw02["parameters"]}
    assert tp["w21011"]["multiple"] == pytest.approx(1.0) and tp["w21001"]["class_label"] == "Ⅱ"
    assert rows["SW03"]["class_label"] == "劣Ⅴ"  # DO 1.5 < 2


def test_monthly_and_annual_class_of_a_section(water):
    engine, ids = water
    history = service.monthly(engine, None, ids["SW01"], 2026, S)
    classes = {m["month"]: m["class_label"] for m in history["months"]}
    assert classes["2026-10"] == "Ⅱ" and classes["2026-11"] == "Ⅳ" and classes["2026-01"] is None
    # Year: NH3-N (0.4·2 + 0.9 + 1.1 + 1.3) / 5 = 0.82 → III; DO (7.6·2 + 6 + 8) / 4 = 7.3 → II.
    assert history["annual"]["class_label"] == "Ⅲ"


def test_configure_checks_the_point_and_is_audited(water):
    engine, ids = water
    with pytest.raises(Invalid, match="not surface_water"):
        service.configure_section(engine, ids["DW001"], "river", "III", actor="t")
    with pytest.raises(Invalid, match="target class"):
        service.configure_section(engine, ids["SW01"], "river", "VI", actor="t")
    with pytest.raises(NotFound):
        service.configure_section(engine, 99999, "river", "III", actor="t")
    made = service.configure_section(engine, ids["SW01"], "lake", 2, actor="t")
    assert (made.body.value, int(made.target_class)) == ("lake", 2)
    with engine.connect() as conn:
        assert conn.execute(sa.select(water_section.c.target_class).where(
            water_section.c.point_id == ids["SW01"])).scalar_one() == 2  # fmt: skip
        entry = conn.execute(sa.select(audit_log).where(audit_log.c.entity == "water_section")
                             .order_by(audit_log.c.id.desc())).mappings().first()  # fmt: skip
    assert entry["before"] == {"body": "river", "target_class": 3}


def test_api_public_reads_the_disclosed_sections_only(water, client_as):
    _engine, ids = water
    public = client_as("public")
    rows = public.get("/api/v1/waterquality/sections", params={"month": "2026-11"}).json()
    assert sorted(r["code"] for r in rows) == ["SW01", "SW02"]
    assert public.get(f"/api/v1/waterquality/sections/{ids['SW03']}").status_code == 404
    admin = client_as("admin")
    rows = admin.get("/api/v1/waterquality/sections", params={"month": "2026-11"}).json()
    assert sorted(r["code"] for r in rows) == ["SW01", "SW02", "SW03"]
    history = admin.get(f"/api/v1/waterquality/sections/{ids['SW01']}", params={"year": 2026})
    assert history.json()["annual"]["class_label"] == "Ⅲ"


def test_api_period_and_bad_month(water, client_as):
    admin = client_as("admin")
    rows = admin.get("/api/v1/waterquality/sections",
                     params={"start": "2026-11-01", "end": "2026-11-02"}).json()  # fmt: skip
    # Only 1 November: NH3-N 0.9 → III, DO 6.0 → II: the target is met.
    assert _by_code(rows)["SW01"]["class_label"] == "Ⅲ" and not _by_code(rows)["SW01"]["exceeding"]
    bad = admin.get("/api/v1/waterquality/sections", params={"month": "2026-13"})
    assert bad.status_code in (400, 422) and "YYYY-MM" in bad.text


def test_api_configure_is_for_admin(water, client_as):
    _engine, ids = water
    body = {"body": "river", "target_class": "II"}
    url = f"/api/v1/waterquality/sections/{ids['SW01']}"
    assert client_as("supervisor").put(url, json=body).status_code == 403
    answer = client_as("admin").put(url, json=body)
    assert answer.status_code == 200 and answer.json()["target_label"] == "Ⅱ"


def test_cli_evaluate_and_history(water, monkeypatch):
    engine, ids = water
    monkeypatch.setenv("ECOZONE_DATABASE_URL", str(engine.url))
    result = CliRunner().invoke(cli.app, ["waterquality", "evaluate", "--month", "2026-11"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if ",SW01," in x)
    assert line.endswith(',Ⅲ,Ⅳ,"w21003=1.1(Ⅳ,x0.1)"')
    result = CliRunner().invoke(cli.app, ["waterquality", "history", "--point-id",
                                          str(ids["SW02"]), "--year", "2026"])  # fmt: skip
    assert json.loads(result.output)["annual"]["class_label"] == "Ⅲ"
    bad = CliRunner().invoke(cli.app, ["waterquality", "section", "--point-id", str(ids["SW01"]),
                                       "--body", "sea", "--target-class", "II"])  # fmt: skip
    assert bad.exit_code == 2 and "river or lake" in bad.output
