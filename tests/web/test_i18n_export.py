"""Translations are complete in both languages; values are written out and exported faithfully."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from importlib import resources

import openpyxl
import pytest

from ecozone.web import CAPABILITY_VIEWS, i18n
from ecozone.web.export import to_csv, to_xlsx
from ecozone.web.model import Column, Table
from ecozone.web.shell import TEMPLATE_PACKAGES

#: Every page template: the shell's and each capability's.
TEMPLATE_DIRS = [resources.files("ecozone.web") / "templates"] + [
    resources.files(f"ecozone.{name}") / "templates" for name in TEMPLATE_PACKAGES
]
#: Every module that builds page text: the shell's and each capability's views.
PAGE_MODULES = [
    resources.files("ecozone.web") / name for name in ("pages.py", "dashboard.py", "shell.py")
] + [resources.files(m.rsplit(".", 1)[0]) / f"{m.rsplit('.', 1)[1]}.py" for m in CAPABILITY_VIEWS]


def _keys_in(text: str) -> set[str]:
    # t('key'), t("key"), t(lang, "key") and t(lang, 'key'), but not keys built with ~ or f-strings
    found = set(re.findall(r"""\bt\(\s*(?:lang,\s*)?['"]([a-z_]+(?:\.[a-z0-9_]+)+)['"]""", text))
    found |= set(re.findall(r"""panel_head\(\s*['"]([a-z_.]+)['"]""", text))
    found |= set(
        re.findall(r"""\(\s*['"][a-z_]+['"],\s*['"]((?:col|table)\.[a-z_]+)['"]\s*\)""", text)
    )
    return found


def test_every_key_the_templates_and_service_use_is_translated():
    used: set[str] = set()
    for folder in TEMPLATE_DIRS:
        for entry in folder.iterdir():
            if entry.name.endswith(".html"):
                used |= _keys_in(entry.read_text("utf-8"))
    for module in PAGE_MODULES:
        used |= _keys_in(module.read_text("utf-8"))
    assert len(used) > 100
    assert sorted(used - set(i18n.TEXTS)) == []


def test_keys_built_from_codes_are_translated():
    for prefix, codes in {
        "state.": ("normal", "exceeding", "offline", "fault"),
        "kind.": ("flue_gas", "wastewater", "ambient_air", "surface_water"),
        "alert_state.": ("open", "dispatched", "feedback", "verified", "closed"),
        "role.": ("admin", "supervisor", "enterprise", "coordinator", "public"),
        "permit_class.": ("key", "simplified", "registration"),
        "permit_status.": ("not_yet_valid", "valid", "renewal_due", "expired"),
        "mark.": ("shutdown", "maintenance", "calibration", "fault"),
        "action.": ("dispatch", "feedback", "verify", "close", "reopen"),
        "plan.status.": ("not_started", "on_track", "at_risk", "off_track", "done", "none"),
    }.items():
        for code in codes:
            assert prefix + code in i18n.TEXTS


def test_every_text_has_chinese_and_english():
    for key, (zh, en) in i18n.TEXTS.items():
        assert zh.strip() and en.strip(), key
        assert re.findall(r"\{(\w+)\}", zh) == re.findall(r"\{(\w+)\}", en), key


def test_unknown_key_is_an_error_unless_a_default_is_given():
    with pytest.raises(KeyError, match="no translation"):
        i18n.t("zh", "no.such.key")
    assert i18n.t("en", "alert.brand_new_type", default="brand_new_type") == "brand_new_type"
    assert i18n.t("en", "reports.year", year=2025) == "Year 2025"
    assert i18n.t("zh", "reports.year", year=2025) == "2025 年度"


def test_language_comes_from_query_then_cookie_then_chinese():
    assert i18n.pick_language("en", "zh") == "en"
    assert i18n.pick_language(None, "en") == "en"
    assert i18n.pick_language("fr", None) == "zh"
    assert i18n.pick_language(None, None) == "zh"


def test_numbers_keep_three_significant_decimals_at_most():
    assert i18n.format_number(1234.56) == "1234.6"  # >= 100: one decimal
    assert i18n.format_number(12.346) == "12.35"  # >= 1: two decimals
    assert i18n.format_number(0.04567) == "0.046"  # < 1: three decimals
    assert i18n.format_number(35.0) == "35"  # trailing zeros dropped
    assert i18n.format_number(0.8) == "0.8"


def test_show_writes_times_in_china_standard_time():
    # 06:05 UTC is 14:05 CST; device times are already CST
    assert i18n.show(datetime(2026, 3, 10, 6, 5, tzinfo=UTC), "zh") == "2026-03-10 14:05"
    assert i18n.show(datetime(2026, 3, 10, 14, 5, 59), "zh") == "2026-03-10 14:05"
    assert i18n.show(date(2026, 3, 10), "en") == "2026-03-10"
    assert i18n.show(None, "en") == "—"
    assert i18n.show(True, "en") == "yes"


TABLE = Table(
    name="t",
    columns=(Column("when", "时间"), Column("value", "Value"), Column("note", "Note")),
    rows=(
        {
            "when": datetime(2026, 3, 10, 6, 5, tzinfo=UTC),
            "value": 52.5,
            "note": "=1+1",
            "_href": {"note": "/x"},
        },
        {"when": datetime(2026, 3, 10, 14, 0), "value": None, "note": "-2 plain"},
    ),
)


def test_csv_has_a_bom_raw_values_and_no_formulas():
    body = to_csv(TABLE)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [
        ["时间", "Value", "Note"],
        ["2026-03-10 14:05:00", "52.5", "'=1+1"],  # 06:05 UTC -> 14:05 CST
        ["2026-03-10 14:00:00", "", "'-2 plain"],
    ]


def test_xlsx_keeps_numbers_and_times_and_writes_formula_text_as_text():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(TABLE, "open alerts")))
    sheet = book.active
    assert sheet.title == "open alerts"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["时间", "Value", "Note"]
    assert values[1] == [datetime(2026, 3, 10, 14, 5), 52.5, "=1+1"]
    assert sheet["C2"].data_type == "s"  # text, not a formula
    assert values[2] == [datetime(2026, 3, 10, 14, 0), None, "-2 plain"]
