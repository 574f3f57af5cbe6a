"""A manifest's carrier leg on SQLite and PostgreSQL: the declared route, track points sent by
the API (idempotent by time) and imported from CSV, xlsx and GPX (all or nothing, every bad
row named), the deviation raised into the alert desk and closed once the route is declared
anew, and who may read and write a leg.

The route runs east along latitude 29.6° from 106.50° E to 106.60° E. The track has one point
a minute from 08:00 CST; minutes 10 to 16 are 0.006° north of the route: the meridian arc of
0.006° at 29.6°, M · δ = 6 351 266 m · 1.0472e-4 ≈ 665 m, beyond the 500 m corridor for the
6 minutes from 08:10 to 08:16 (at least the 5 minutes of the setting).
"""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.waste.data import GENERATOR, OTHER
from tests.web.conftest import web_app

from ecozone.accounts import deps
from ecozone.accounts.model import Principal, Scope
from ecozone.compliance.model import WorkCalendar
from ecozone.errors import Forbidden, Invalid, NotFound
from ecozone.store.schema import alert, enterprise, waste_track_point
from ecozone.waste import checks, legs, manifests, service
from ecozone.waste.model import WasteSettings
from ecozone.web import auth

S = WasteSettings()
ROUTE = [[106.50, 29.60], [106.60, 29.60]]
A, F = 6_378_137.0, 1 / 298.257223563
E2 = F * (2 - F)


def cst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


def meridian_arc_m(lat1: float, lat2: float) -> float:
    mid = math.radians((lat1 + lat2) / 2)
    return A * (1 - E2) / (1 - E2 * math.sin(mid) ** 2) ** 1.5 * math.radians(abs(lat2 - lat1))


def track(minutes: range = range(30)) -> list[dict]:
    t0 = datetime(2026, 5, 1, 8, 0)
    return [{"at": (t0 + timedelta(minutes=m)).isoformat(), "lon": round(106.50 + m * 0.003, 6),
             "lat": 29.606 if 10 <= m <= 16 else 29.60, "speed_kmh": 40.0}
            for m in minutes]  # fmt: skip


def _ids(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(enterprise.c.credit_code, enterprise.c.id)).all())


def _scope(engine, credit_code: str) -> Scope:
    return Scope(role="enterprise", enterprise_ids=frozenset({_ids(engine)[credit_code]}))


def _dispatched(engine, ids, carrier_id: int | None = None) -> dict:
    made = manifests.draft(engine, GENERATOR, handler_id=ids["LICENSED"], code="900-041-49",
                           quantity_t=1.0, carrier_id=carrier_id, settings=S, actor="t",
                           now=cst("2026-04-30T09:00"))  # fmt: skip
    manifests.act(engine, made["id"], "dispatch", settings=S, calendar=WorkCalendar(),
                  actor="t", now=cst("2026-05-01T07:30"), vehicle_plate="渝D12345",
                  driver="王五")  # fmt: skip
    return made


def _points(engine, manifest_id: int) -> int:
    with engine.connect() as conn:
        stmt = sa.select(sa.func.count()).where(waste_track_point.c.manifest_id == manifest_id)
        return conn.execute(stmt).scalar_one()


def _alerts(engine, kind: str) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(alert).where(alert.c.type == kind))
                .mappings()]  # fmt: skip


def test_a_track_sent_twice_is_stored_once(waste):
    engine, ids = waste
    made = _dispatched(engine, ids)
    mine = _scope(engine, GENERATOR)
    first = legs.add_points(engine, made["id"], track(), actor="t", scope=mine)
    assert (first["received"], first["added"], first["already"]) == (30, 30, 0)
    again = legs.add_points(engine, made["id"], track(range(25, 35)), actor="t", scope=mine)
    # minutes 25..29 are stored already, 30..34 are new
    assert (again["received"], again["added"], again["already"]) == (10, 5, 5)
    assert _points(engine, made["id"]) == 35


def test_the_deviation_is_raised_and_closed_when_the_route_is_declared_anew(waste):
    engine, ids = waste
    made = _dispatched(engine, ids)
    legs.set_route(engine, made["id"], ROUTE, actor="t")
    legs.add_points(engine, made["id"], track(), actor="t")
    leg = legs.leg(engine, made["id"], _scope(engine, GENERATOR), S)
    assert [f["kind"] for f in leg["findings"]] == ["deviation"]
    f = leg["findings"][0]
    assert (f["start"], f["end"], f["minutes"]) == ("2026-05-01T08:10:00", "2026-05-01T08:16:00",
                                                    6.0)  # fmt: skip
    assert f["max_distance_m"] == pytest.approx(meridian_arc_m(29.60, 29.606), abs=2.0)

    checks.raise_alerts(engine, S, WorkCalendar(), now=cst("2026-05-01T12:00"))
    [raised] = _alerts(engine, "waste_route_deviation")
    assert raised["enterprise_id"] == _ids(engine)[GENERATOR] and raised["point_id"] is None
    assert raised["state"] == "open" and raised["detail"]["number"] == made["number"]
    assert raised["peak"] == pytest.approx(665.2, abs=2.5) and raised["limit_value"] == 500
    # the same run again merges into it
    checks.raise_alerts(engine, S, WorkCalendar(), now=cst("2026-05-01T13:00"))
    assert len(_alerts(engine, "waste_route_deviation")) == 1

    # the detour was the declared route after all: a waypoint at 0.006° north
    legs.set_route(engine, made["id"], [[106.50, 29.60], [106.53, 29.606], [106.548, 29.606],
                                        [106.60, 29.60]], actor="t")  # fmt: skip
    checks.raise_alerts(engine, S, WorkCalendar(), now=cst("2026-05-01T14:00"))
    [closed] = _alerts(engine, "waste_route_deviation")
    assert closed["state"] == "closed"


def test_a_bad_file_is_refused_whole_naming_each_row(waste):
    engine, ids = waste
    made = _dispatched(engine, ids)
    legs.add_points(engine, made["id"], track(range(3)), actor="t")
    text = ("时间,经度,纬度,速度\n"
            "2026-05-01T09:00,106.55,29.60,30\n"
            "2026-05-01T09:01,东经,29.60,30\n"
            "2026-05-01T09:02,106.56,99.0,30\n"
            "2026-05-01T09:01:30,106.57,29.60,30\n"
            "2026-05-01T05:00,106.57,29.60,\n"
            "昨天,106.57,29.60,\n")  # fmt: skip
    with pytest.raises(Invalid) as refused:
        legs.import_points(engine, made["id"], "track.csv", text.encode(), actor="t")
    message = str(refused.value)
    assert "第 3 行：经度“东经”不是数字" in message
    assert "第 7 行：时间“昨天”无法识别" in message
    assert _points(engine, made["id"]) == 3
    # the readable rows checked in turn: latitude, order, the dispatch window (07:30)
    text = "\n".join(text.splitlines()[:3][:1] + text.splitlines()[1:2] + text.splitlines()[3:6])
    with pytest.raises(Invalid) as refused:
        legs.import_points(engine, made["id"], "track.csv", text.encode(), actor="t")
    message = str(refused.value)
    assert "第 3 行：纬度 99.0 超出 −90 至 90" in message
    assert "第 4 行：时间 2026-05-01 09:01:30 不晚于上一个点" in message
    assert "第 5 行：时间 2026-05-01 05:00:00 早于联单运行时间 2026-05-01 07:30" in message
    assert _points(engine, made["id"]) == 3
    with pytest.raises(Invalid, match="表头缺少列 纬度"):
        legs.import_points(engine, made["id"], "t.csv", b"at,lon\n2026-05-01T09:00,106.5\n",
                           actor="t")  # fmt: skip
    with pytest.raises(Invalid, match=r"应为 \.csv、\.xlsx 或 \.gpx"):
        legs.import_points(engine, made["id"], "t.txt", b"x", actor="t")
    assert _points(engine, made["id"]) == 3


def test_xlsx_and_gpx_tracks_are_read(waste):
    from openpyxl import Workbook

    engine, ids = waste
    made = _dispatched(engine, ids)
    book = Workbook()
    sheet = book.active
    sheet.append(["at", "lon", "lat", "speed_kmh"])
    sheet.append([datetime(2026, 5, 1, 8, 0), 106.50, 29.60, 35])
    sheet.append([datetime(2026, 5, 1, 8, 1), 106.503, 29.60, None])
    buffer = io.BytesIO()
    book.save(buffer)
    done = legs.import_points(engine, made["id"], "t.xlsx", buffer.getvalue(), actor="t")
    assert done["added"] == 2
    # GPX times are UTC: 00:02Z is 08:02 CST; speed 10 m/s is 36 km/h
    gpx = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
<trkpt lat="29.60" lon="106.506"><time>2026-05-01T00:02:00Z</time></trkpt>
<trkpt lat="29.60" lon="106.509"><time>2026-05-01T00:03:00Z</time></trkpt>
</trkseg></trk></gpx>"""
    done = legs.import_points(engine, made["id"], "t.gpx", gpx.encode(), actor="t")
    assert done["added"] == 2
    times = [p["at"] for p in legs.leg(engine, made["id"], _scope(engine, GENERATOR), S)["track"]]
    assert times[2:] == ["2026-05-01T08:02:00", "2026-05-01T08:03:00"]


def test_another_enterprise_neither_reads_nor_writes_a_leg_but_its_carrier_does(waste):
    engine, ids = waste
    other = _scope(engine, OTHER)
    made = _dispatched(engine, ids)
    with pytest.raises(NotFound):
        legs.leg(engine, made["id"], other, S)
    with pytest.raises(NotFound):
        legs.add_points(engine, made["id"], track(range(2)), actor="t", scope=other)
    with pytest.raises(NotFound):
        legs.set_route(engine, made["id"], ROUTE, actor="t", scope=other)
    # OTHER runs the trucks of a manifest that names it as carrier
    lorry = service.add_handler(engine, name="示例危废运输公司", kind="transporter",
                                licence_no="渝危运第009号", codes="HW49", capacity_t=1000,
                                valid_from="2024-01-01", valid_to="2027-12-31", actor="t",
                                credit_code=OTHER)  # fmt: skip
    carried = _dispatched(engine, ids, carrier_id=lorry["id"])
    assert legs.add_points(engine, carried["id"], track(range(2)), actor="t",
                           scope=other)["added"] == 2  # fmt: skip
    assert legs.leg(engine, carried["id"], other, S)["may_write"] is True
    # the carrier may not act on the consignor's side of the form
    with pytest.raises(Forbidden):
        manifests.act(engine, carried["id"], "transit", settings=S, calendar=WorkCalendar(),
                      actor="t", scope=other)  # fmt: skip


def test_no_track_before_dispatch(waste):
    engine, ids = waste
    made = manifests.draft(engine, GENERATOR, handler_id=ids["LICENSED"], code="900-041-49",
                           quantity_t=1.0, settings=S, actor="t")  # fmt: skip
    with pytest.raises(Invalid, match="尚未运行"):
        legs.add_points(engine, made["id"], track(range(2)), actor="t")


@pytest.fixture
def api_as(waste):
    engine = waste[0]
    ids = _ids(engine)
    clients: list[TestClient] = []

    def make(own: str | None) -> TestClient:
        app = web_app(engine)
        who = Principal(user_id=1, username="u", role="enterprise" if own else "supervisor",
                        enterprise_ids=frozenset({ids[own]}) if own else frozenset())  # fmt: skip
        app.dependency_overrides[auth.current_principal] = lambda: who
        app.dependency_overrides[deps.current_principal] = lambda: who
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def test_the_api_declares_a_route_and_takes_a_batch_twice(waste, api_as):
    engine, ids = waste
    made = _dispatched(engine, ids)
    mine = api_as(GENERATOR)
    url = f"/api/v1/waste/manifests/{made['id']}"
    assert mine.put(f"{url}/route", json={"waypoints": ROUTE}).status_code == 200
    bad = mine.put(f"{url}/route", json={"waypoints": [[106.5, 29.6]]})
    assert bad.status_code == 400 and "至少" in bad.text
    sent = mine.post(f"{url}/track", json={"points": track()})
    assert sent.status_code == 200 and sent.json()["added"] == 30
    again = mine.post(f"{url}/track", json={"points": track()})
    assert again.json() == {"manifest_id": made["id"], "received": 30, "added": 0, "already": 30}
    leg = mine.get(f"{url}/leg").json()
    assert leg["route"] == ROUTE and len(leg["track"]) == 30
    assert [f["kind"] for f in leg["findings"]] == ["deviation"]
    # a supervisor reads it; another enterprise gets 404 like a missing manifest
    assert api_as(None).get(f"{url}/leg").status_code == 200
    other = api_as(OTHER)
    assert other.get(f"{url}/leg").status_code == 404
    assert other.post(f"{url}/track", json={"points": track(range(40, 42))}).status_code == 404
    assert _points(engine, made["id"]) == 30


def test_the_manifest_page_declares_the_route_and_takes_a_track_file(waste, api_as):
    engine, ids = waste
    made = _dispatched(engine, ids)
    mine = api_as(GENERATOR)
    url = f"/waste/manifests/{made['id']}"
    page = mine.get(url)
    assert page.status_code == 200 and 'id="route-form"' in page.text
    assert "尚未申报路线" in page.text and 'id="track-form"' in page.text
    refused = mine.post(f"{url}/route", data={"waypoints": "106.50,29.60\n106.60"})
    assert refused.status_code == 200 and "第 2 个途经点“106.60”应写作“经度,纬度”" in refused.text
    done = mine.post(f"{url}/route", data={"waypoints": "106.50,29.60\n106.60,29.60"},
                     follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == f"{url}?done=route"
    rows = "at,lon,lat,speed_kmh\n" + "".join(
        f"{p['at']},{p['lon']},{p['lat']},{p['speed_kmh']}\n" for p in track())
    bad = mine.post(f"{url}/track", files={"file": ("t.csv", rows.replace("29.606", "x"))})
    assert "第 12 行：纬度“x”不是数字" in bad.text and _points(engine, made["id"]) == 0
    sent = mine.post(f"{url}/track", files={"file": ("t.csv", rows)}, follow_redirects=False)
    assert sent.headers["location"] == f"{url}?done=track&added=30&already=0"
    page = mine.get(sent.headers["location"])
    assert "已导入 30 个轨迹点（0 个此前已有）" in page.text
    assert 'id="waste-track-map"' in page.text and 'data-kind="deviation"' in page.text
    # another enterprise: the page and the forms answer 404
    other = api_as(OTHER)
    assert other.get(url).status_code == 404
    assert other.post(f"{url}/track", files={"file": ("t.csv", rows)}).status_code == 404


def test_the_cli_declares_a_route_imports_a_track_and_shows_the_leg(waste, monkeypatch, tmp_path):
    import json

    from typer.testing import CliRunner

    from ecozone import cli

    engine, ids = waste
    made = _dispatched(engine, ids)
    monkeypatch.setenv("ECOZONE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    done = runner.invoke(cli.app, ["waste", "route", "--actor", "cli", "--id", str(made["id"]),
                                   "--waypoints", "106.50,29.60;106.60,29.60"])  # fmt: skip
    assert done.exit_code == 0, done.output
    path = tmp_path / "track.csv"
    path.write_text("at,lon,lat\n" + "".join(f"{p['at']},{p['lon']},{p['lat']}\n"
                                             for p in track()), encoding="utf-8")  # fmt: skip
    done = runner.invoke(cli.app, ["waste", "track", "--actor", "cli", "--id", str(made["id"]),
                                   str(path)])  # fmt: skip
    assert done.exit_code == 0 and "30 points added, 0 already there" in done.output
    shown = json.loads(runner.invoke(cli.app, ["waste", "leg", "--id", str(made["id"])]).output)
    assert [f["kind"] for f in shown["findings"]] == ["deviation"]
    path.write_text("at,lon,lat\n2026-05-01T09:00,106.5,91\n", encoding="utf-8")
    refused = runner.invoke(cli.app, ["waste", "track", "--actor", "cli", "--id",
                                      str(made["id"]), str(path)])  # fmt: skip
    assert refused.exit_code == 2 and "第 2 行：纬度 91.0 超出" in refused.output
