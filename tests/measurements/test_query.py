"""The history query: keyset pages give every row once, the scope holds, every kind reads,
marks and flags show, and the export holds exactly the rows of all pages.

The zone is tests.web.data's: POWER's DA001 sent SO2 and O2 every minute for three hours
(two rows per minute), CHEMICAL's DA001 SO2 every minute for 30 minutes (a third row at
those minutes), 24 computed hourly SO2 values (the 3rd and 7th newest invalid).
"""

# ruff: noqa: F811 - the web tests' fixtures, imported below, are taken as arguments
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from tests.web.conftest import client_as, fresh_zone, zone  # noqa: F401 - fixtures
from tests.web.data import local

from ecozone.accounts.model import SYSTEM_SCOPE, Scope
from ecozone.measurements import history
from ecozone.measurements.history import HistoryError
from ecozone.store.schema import data_mark, measurement


def _week() -> tuple[str, str]:
    today = local(datetime.now(UTC)).date()
    return str(today - timedelta(days=6)), str(today)


def _all_pages(engine: sa.Engine, scope: Scope, q: history.HistoryQuery, size: int) -> list:
    rows, after, pages = [], None, 0
    while True:
        page, _ = history.read_page(engine, scope, q, after, size)
        rows += page.rows
        pages += 1
        if page.next_after is None:
            return rows, pages, page.total
        after = page.next_after


def test_keyset_pages_give_every_row_once_even_when_times_are_equal(zone):
    engine, ids = zone
    start, end = _week()
    q = history.check_query([ids["power_da"], ids["chem_da"]], None, "minute", start, end)
    # 180 minutes × (SO2 + O2) of POWER, 30 minutes × SO2 of CHEMICAL: 390 rows; pages of
    # 7 split the three rows sharing a minute again and again.
    rows, pages, total = _all_pages(engine, SYSTEM_SCOPE, q, 7)
    keys = [(r["data_time"], r["point_id"], r["pollutant"]) for r in rows]
    assert total == 180 * 2 + 30 == len(keys) == len(set(keys))
    assert pages == -(-390 // 7) == 56
    assert keys == sorted(keys)
    with engine.connect() as conn:
        stored = set(
            conn.execute(
                sa.select(measurement.c.data_time, measurement.c.point_id, measurement.c.pollutant)
                .where(measurement.c.kind == "minute")
                .where(measurement.c.point_id.in_([ids["power_da"], ids["chem_da"]]))
            ).all()
        )
    assert set(keys) == stored


def test_one_pollutant_and_each_kind(zone):
    engine, ids = zone
    start, end = _week()
    point = [ids["power_da"]]
    so2 = history.check_query(point, "a21026", "minute", start, end)
    assert history.read_page(engine, SYSTEM_SCOPE, so2, None, 500)[0].total == 180
    rtd = history.check_query(point, None, "rtd", start, end)
    assert history.read_page(engine, SYSTEM_SCOPE, rtd, None, 500)[0].total == 60  # 30 min / 30 s
    computed = history.check_query(point, None, "computed_hour", start, end)
    page, _ = history.read_page(engine, SYSTEM_SCOPE, computed, None, 500)
    assert page.total == 24
    assert [r["valid"] for r in page.rows].count(False) == 2  # the 3rd and 7th newest
    assert history.check_query(point, None, "computed_day", start, end).table.name == "aggregate"


def test_a_request_the_query_refuses_says_why():
    with pytest.raises(HistoryError) as caught:
        history.check_query([], None, "minute", "2024-05-01", "2024-05-07")
    assert caught.value.key == "no_point"
    with pytest.raises(HistoryError) as caught:
        history.check_query([1], None, "minute", "2024-05-07", "2024-05-01")
    assert caught.value.key == "end_before_start"
    with pytest.raises(HistoryError) as caught:
        history.check_query([1], None, "second", "2024-05-01", "2024-05-01")
    assert caught.value.key == "bad_kind"
    with pytest.raises(HistoryError) as caught:
        history.decode_after("not a key")
    assert caught.value.key == "bad_after"
    # both days included: [May 1 00:00, May 8 00:00)
    q = history.check_query([1], None, "minute", "2024-05-01", "2024-05-07")
    assert (q.start, q.end) == (datetime(2024, 5, 1), datetime(2024, 5, 8))


@pytest.mark.parametrize(
    "path", ["/data-query", "/web/api/data-query", "/web/api/data-query/series"]
)
def test_an_enterprise_cannot_query_another_enterprises_point(client_as, zone, path):
    _, ids = zone
    start, end = _week()
    params = {"point": ids["chem_da"], "kind": "minute", "start": start, "end": end}
    enterprise = client_as("enterprise")
    foreign = enterprise.get(path, params=params)
    missing = enterprise.get(path, params={**params, "point": 999_999})
    assert foreign.status_code == missing.status_code == 404
    if path != "/data-query":
        assert foreign.json() == {"detail": f"no monitoring point {ids['chem_da']}"}
        assert missing.json() == {"detail": "no monitoring point 999999"}
    own = enterprise.get(path, params={**params, "point": ids["power_da"]})
    assert own.status_code == 200
    # several points, one of them foreign: refused as a whole
    both = enterprise.get(path, params=[("point", ids["power_da"]), ("point", ids["chem_da"]),
                                        ("kind", "minute"), ("start", start), ("end", end)])  # fmt: skip
    assert both.status_code == 404


def test_the_public_and_coordinators_do_not_get_the_page(client_as):
    assert client_as("public").get("/data-query").status_code == 303
    assert client_as("coordinator").get("/data-query").status_code == 403
    assert client_as("public").get("/web/api/data-query").status_code == 401


def test_the_export_holds_exactly_the_rows_of_all_pages(client_as, zone, monkeypatch):
    monkeypatch.setenv("ECOZONE_QUERY_PAGE_SIZE", "40")
    _, ids = zone
    start, end = _week()
    params = {"point": ids["power_da"], "kind": "minute", "start": start, "end": end}
    admin = client_as("admin")
    shown, after = [], None
    while True:
        body = admin.get(
            "/web/api/data-query", params={**params, **({"after": after} if after else {})}
        ).json()
        shown += [[row[c["key"]] for c in body["columns"]] for row in body["rows"]]
        after = body["next_after"]
        if after is None:
            break
    assert len(shown) == body["total"] == 360
    text = admin.get("/web/api/data-query", params={**params, "format": "csv"}).content
    assert text.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert lines[0] == [c["heading"] for c in body["columns"]]
    as_shown = [[cell or "—" for cell in line] for line in lines[1:]]
    as_shown = [[line[0][:16], *line[1:]] for line in as_shown]  # the page shows minutes
    assert as_shown == shown
    book = openpyxl.load_workbook(
        io.BytesIO(admin.get("/web/api/data-query", params={**params, "format": "xlsx"}).content)
    )
    sheet = list(book.active.iter_rows(values_only=True))
    assert len(sheet) == 1 + 360
    first = sheet[1]
    assert first[0].strftime("%Y-%m-%d %H:%M") == shown[0][0]


def test_flags_units_and_decimals_as_the_standard_prints_them(client_as, zone):
    _, ids = zone
    start, end = _week()
    admin = client_as("admin")
    body = admin.get("/web/api/data-query", params={
        "point": ids["chem_da"], "kind": "minute", "start": start, "end": end}).json()  # fmt: skip
    newest = body["rows"][-1]
    # SO2 (a21026) is N5.2 in HJ 212-2017 App. B: two decimals; flag D is a fault
    assert (newest["value"], newest["zs_value"], newest["unit"]) == ("12.00", "11.00", "mg/m3")
    assert newest["flag"] == "D" and newest["flag_meaning"] == "在线监控（监测）仪器仪表故障"
    assert newest["_class"] == "flag-d"
    # the air station in µg/m3 like every other page: PM2.5 sent as 35 000 ng/m3 -> 35
    station = admin.get("/web/api/data-query", params={
        "point": ids["station"], "pollutant": "a34004", "kind": "hour", "start": start,
        "end": end}).json()  # fmt: skip
    assert [(r["value"], r["unit"]) for r in station["rows"]] == [("35", "µg/m3")]


def test_data_marks_overlapping_a_row_are_shown(fresh_zone):
    engine, ids = fresh_zone
    start, end = _week()
    q = history.check_query([ids["power_da"]], None, "minute", start, end)
    page, _ = history.read_page(engine, SYSTEM_SCOPE, q, None, 1000)
    times = sorted({r["data_time"] for r in page.rows})
    begin, finish = times[10], times[15]  # five minutes: 10..14
    with engine.begin() as conn:
        conn.execute(data_mark.insert().values(
            point_id=ids["power_da"], pollutant="a21026", kind="maintenance", start=begin,
            end=finish, reason="更换滤芯", declared_by="enterprise",
            declared_at=datetime.now(UTC)))  # fmt: skip
    page, _ = history.read_page(engine, SYSTEM_SCOPE, q, None, 1000)
    marked = [(r["data_time"], r["pollutant"]) for r in page.rows if r["marks"]]
    assert marked == [(t, "a21026") for t in times[10:15]]


def test_a_refused_query_is_said_in_chinese_in_the_form_keeping_what_was_chosen(client_as, zone):
    _, ids = zone
    page = client_as("admin").get("/data-query", params={
        "point": ids["power_da"], "kind": "computed_hour", "start": "2024-05-07",
        "end": "2024-05-01"}).text  # fmt: skip
    assert '<p class="form-error" role="alert">结束日期早于开始日期。</p>' in page
    assert 'value="2024-05-07"' in page and 'value="2024-05-01"' in page
    assert f'<option value="{ids["power_da"]}" selected>' in page
    assert '<option value="computed_hour" selected>' in page
