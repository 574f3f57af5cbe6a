"""The water-quality pages: sections coloured by class, a section's monthly history, the
public page's table, and who may open them."""

from __future__ import annotations

import re

import sqlalchemy as sa

from ecozone.store.schema import district


def _row(html: str, name: str) -> str:
    return next(r for r in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if name in r)


def test_water_page_colours_each_section_by_class(water, client_as):
    page = client_as("admin").get("/water", params={"month": "2026-11"})
    assert page.status_code == 200
    river = _row(page.text, "示例河流断面")
    assert 'class="water-class-4"' in river
    assert "1.1 (Ⅳ)" in river and "氨氮 0.10" in river  # the exceeding one and its multiple
    lake = _row(page.text, "示例水库断面")
    assert 'class="water-class-3"' in lake and "总磷 1.00" in lake
    assert 'class="water-class-6"' in _row(page.text, "示例企业断面")


def test_district_supervisor_sees_the_sections_of_their_district(water, client_as):
    engine, _ids = water
    with engine.connect() as conn:
        lj = conn.execute(sa.select(district.c.id).where(district.c.name == "两江新区")).scalar()
    page = client_as("supervisor", lj).get("/water", params={"month": "2026-11"}).text
    assert "示例河流断面" in page and "示例企业断面" not in page


def test_section_page_lists_the_monthly_classes(water, client_as):
    _engine, ids = water
    page = client_as("admin").get(f"/water/{ids['SW01']}", params={"year": "2026"})
    assert page.status_code == 200
    assert 'class="water-class-2"' in _row(page.text, "2026-10")
    assert 'class="water-class-4"' in _row(page.text, "2026-11")
    assert "年度类别 2026: Ⅲ" in page.text
    assert client_as("admin").get("/water/99999").status_code == 404
    bad = client_as("admin").get(f"/water/{ids['SW01']}?year=x")
    assert bad.status_code == 400 and "年份“x”无效" in bad.text
    bad = client_as("admin").get("/water?month=2026-13")
    assert bad.status_code == 400 and "月份“2026-13”无效" in bad.text


def test_pages_are_for_staff(water, client_as):
    assert client_as("public").get("/water").status_code == 303
    assert client_as("enterprise").get("/water").status_code == 403


def test_public_page_shows_the_class_of_disclosed_stations(water, client_as):
    page = client_as("public").get("/").text
    assert "地表水水质类别" in page
    assert 'class="water-class-4"' in _row(page, "示例河流断面")
    assert "示例企业断面" not in page and 'href="/water/' not in page


def test_menu_has_the_water_page_under_online_monitoring(water, client_as):
    page = client_as("supervisor").get("/water").text
    assert 'href="/water"' in page and "地表水水质" in page
