"""The plan's data file: its shape, facts checked by hand against the plan's text, and the
errors a broken file gets.

Facts are quoted from 渝环〔2021〕154号 (shared/reference/chongqing-ftz-eco-plan-2021.zh.txt);
where the reference file is beside the checkout, the clause texts are also compared with it
word for word.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from ecozone.plan.model import Comparison, PlanDataError, parse_plan
from ecozone.plan.service import PLAN_FILE, load_plan, read_plan

REFERENCE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "reference"
    / "chongqing-ftz-eco-plan-2021.zh.txt"
)
NINE_DISTRICTS = ["渝中区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "北碚区", "渝北区",
                  "两江新区", "重庆高新区"]  # fmt: skip


@pytest.fixture(scope="module")
def plan():
    return load_plan()


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))


def reference_text() -> str:
    if not REFERENCE.is_file():
        pytest.skip(f"the plan's text is not at {REFERENCE}")
    return REFERENCE.read_text(encoding="utf-8")


# --- shape ----------------------------------------------------------------------------


def test_the_plan_has_23_measures_numbered_1_to_23(plan):
    assert [m.number for m in plan.measures] == list(range(1, 24))


def test_every_measure_has_at_least_one_lead_unit(plan):
    for measure in plan.measures:
        assert measure.lead_units, measure.number
        assert set(measure.lead_units).isdisjoint(measure.co_units)


def test_indicator_measure_numbers_exist(plan):
    numbers = {m.number for m in plan.measures}
    for indicator in plan.indicators:
        assert indicator.measure in numbers, indicator.code


def test_every_named_unit_is_declared_once(plan):
    named = {unit for m in plan.measures for c in m.clauses for unit in c.units}
    assert named == set(plan.unit_names)
    assert len(plan.unit_names) == len(set(plan.unit_names)) == 23


def test_the_five_sections_hold_the_measures_in_the_plans_order(plan):
    # （一）items 1-5, （二）6-11, （三）12-18, （四）19-21, （五）22-23
    sections = {m.number: m.section for m in plan.measures}
    assert [n for n, s in sections.items() if s == 1] == [1, 2, 3, 4, 5]
    assert [n for n, s in sections.items() if s == 2] == [6, 7, 8, 9, 10, 11]
    assert [n for n, s in sections.items() if s == 3] == [12, 13, 14, 15, 16, 17, 18]
    assert [n for n, s in sections.items() if s == 4] == [19, 20, 21]
    assert [n for n, s in sections.items() if s == 5] == [22, 23]


# --- facts, checked by hand against the plan's text -------------------------------------


def test_item_1_makes_the_nine_districts_carry_every_measure(plan):
    # 1.…（市发展改革委、市生态环境局、市商务委，渝中区、江北区、沙坪坝区、九龙坡区、南岸区、
    # 北碚区、渝北区、两江新区、重庆高新区有关部门﹝单位﹞，以下均需上述区有关部门﹝单位﹞落实，不再列出）
    assert plan.district_names == tuple(NINE_DISTRICTS)
    for measure in plan.measures:
        assert measure.districts == tuple(NINE_DISTRICTS)


def test_item_1_energy_intensity_decline_not_below_the_gdp_one(plan):
    # 严格落实能耗双控制度，…确保“十四五”期间规上工业增加值能耗下降率不低于本地区单位GDP能耗
    # 下降率（市发展改革委）。  "不低于" is >=, relative to the GDP figure; the 14th FYP ends 2025.
    indicator = plan.indicator("industrial_energy_intensity_decline")
    assert indicator.measure == 1
    assert indicator.comparison is Comparison.AT_LEAST
    assert indicator.relative_to == "gdp_energy_intensity_decline"
    assert indicator.target is None
    assert indicator.target_year == 2025
    assert plan.measure(1).clauses[2].units == ("市发展改革委",)
    # clause 1 names three units, so its first is a lead and the others co-operate:
    assert plan.measure(1).lead_units == ("市发展改革委", "市生态环境局")
    assert plan.measure(1).co_units == ("市商务委",)


def test_item_10_green_building_materials_at_least_70_percent(plan):
    # 加大绿色建材推广应用力度，严格执行绿色建材应用核算制度，确保绿色建材应用比例达到70%以上
    # （市住房城乡建委）。  "70%以上" includes 70 %, so the comparison is >= 70.
    indicator = plan.indicator("green_building_material_share")
    assert (indicator.measure, indicator.comparison, indicator.target, indicator.unit) == (
        10, Comparison.AT_LEAST, 70.0, "%",
    )  # fmt: skip
    assert plan.measure(10).lead_units == ("市住房城乡建委",)
    assert plan.measure(10).co_units == ()


def test_item_10_two_star_standard_for_public_buildings_from_20000_m2(plan):
    # 推进政府投资（含以政府投资为主）的公共建筑以及社会投资建筑面积2万平方米及以上的大型公共建筑
    # 执行二星级绿色建筑标准
    indicator = plan.indicator("public_building_green_star_level")
    assert (indicator.comparison, indicator.target, indicator.unit) == (
        Comparison.AT_LEAST, 2.0, "星级",
    )  # fmt: skip
    assert "2万平方米及以上" in indicator.quote
    assert "20000" in indicator.note


def test_item_13_sewers_fully_covered_and_maintained(plan):
    # 统筹考虑自由贸易试验区内污水收集管网全覆盖…实现城市污水管网养护全覆盖，确保污水处理稳定达标
    # 排放（市住房城乡建委）。  "全覆盖" read as 100 %.
    for code in ("sewage_collection_network_coverage", "sewer_maintenance_coverage"):
        indicator = plan.indicator(code)
        assert (indicator.measure, indicator.comparison, indicator.target) == (
            13, Comparison.AT_LEAST, 100.0,
        )  # fmt: skip
        assert indicator.basis.value == "wording"


def test_item_6_hydrogen_pilot_in_the_two_districts(plan):
    # 在高新区试点油气电氢综合能源站“一站通办”…在“两区”（九龙坡区、两江新区）等区域启动氢燃料
    # 电池汽车试点示范（市经济信息委）。
    clause = plan.measure(6).clauses[3]
    assert clause.units == ("市经济信息委",)
    assert clause.areas == ("高新区", "九龙坡区", "两江新区")


def test_item_20_green_finance_is_led_by_the_peoples_bank_with_the_csrc(plan):
    # …完善“长江绿融通”和“长江渝融通”大数据系统（人行重庆营管部、重庆证监局）。
    measure = plan.measure(20)
    assert measure.clauses[1].units == ("人行重庆营管部", "重庆证监局")
    assert measure.lead_units == ("市生态环境局", "人行重庆营管部")
    assert measure.co_units == ("重庆证监局",)


def test_item_23_names_seven_units(plan):
    # （市商务委、市招商投资局）（市发展改革委、市商务委、市生态环境局）（市商务委、重庆海关）
    # （人行重庆营管部）（市林业局、重庆海关）
    measure = plan.measure(23)
    assert measure.lead_units == ("市商务委", "市发展改革委", "人行重庆营管部", "市林业局")
    assert measure.co_units == ("市招商投资局", "市生态环境局", "重庆海关")


def test_the_goals_are_for_2025(plan):
    # 到2025年，自由贸易试验区统筹推动高质量发展和高水平保护的架构基本形成，…
    assert plan.goal_year == 2025
    assert plan.goals[0].text == "自由贸易试验区统筹推动高质量发展和高水平保护的架构基本形成"
    assert plan.document.document_number == "渝环〔2021〕154号"
    assert plan.document.issued.isoformat() == "2021-12-15"


def test_clause_texts_and_quotes_are_the_plans_words():
    text = reference_text()
    plan = load_plan()
    for measure in plan.measures:
        for clause in measure.clauses:
            at = text.find(clause.text)
            assert at >= 0, (measure.number, clause.text[:20])
            units = "（" + "、".join(clause.units)
            assert text[at + len(clause.text) :].startswith(units), (measure.number, units)
    for indicator in plan.indicators:
        assert indicator.quote in text, indicator.code
    for goal in plan.goals:
        assert goal.text in text


def test_every_list_of_units_in_the_plan_closes_a_clause():
    text = reference_text()
    plan = load_plan()
    units = set(plan.unit_names)
    lists = [
        found
        for found in re.finditer(r"（([^（）]*)）", text)
        if re.split("[、，]", found[1])[0] in units
    ]
    clauses = [c for m in plan.measures for c in m.clauses]
    assert len(lists) == len(clauses) == 65


# --- a broken file is refused with every problem named ----------------------------------


def test_a_gap_in_the_numbering_is_named(raw):
    raw["measures"][4]["number"] = 50
    with pytest.raises(PlanDataError) as caught:
        parse_plan(raw)
    assert "expected measures numbered 1..23 in order" in str(caught.value)


def test_a_missing_measure_is_named(raw):
    del raw["measures"][22]
    with pytest.raises(PlanDataError, match=r"numbered 1\.\.23"):
        parse_plan(raw)


def test_a_clause_without_units_is_refused(raw):
    raw["measures"][9]["clauses"][0]["units"] = []
    with pytest.raises(PlanDataError) as caught:
        parse_plan(raw)
    assert "measures[9] (number 10).clauses[0].units: expected a non-empty list" in str(
        caught.value
    )


def test_every_problem_is_listed_by_its_path(raw):
    broken = copy.deepcopy(raw)
    broken["measures"][0]["clauses"][0]["units"][0] = "市发改委"
    broken["indicators"][0]["measure"] = 24
    broken["indicators"][1]["comparison"] = "at least"
    broken["indicators"][2]["relative_to"] = "nowhere"
    with pytest.raises(PlanDataError) as caught:
        parse_plan(broken, source="plan.yaml")
    message = str(caught.value)
    assert message.startswith("plan.yaml: ")
    assert "measures[0] (number 1).clauses[0].units[0]: unit '市发改委' is not declared" in message
    assert "indicators[0] (industrial_energy_intensity_decline).measure: no measure 24" in message
    assert "indicators[1] (gdp_energy_intensity_decline).comparison: expected one of" in message
    assert "indicators[2] (new_project_in_park_share): a target needs one of" in message
    assert len(caught.value.errors) >= 4


def test_an_unreadable_file_names_itself(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("measures: [unclosed", encoding="utf-8")
    with pytest.raises(PlanDataError, match=re.escape(str(path))):
        read_plan(path)


def test_chinese_texts_carry_no_spaces_from_line_folding(plan):
    texts = [m.title for m in plan.measures] + [m.summary for m in plan.measures]
    texts += [c.text for m in plan.measures for c in m.clauses] + [g.text for g in plan.goals]
    assert [t for t in texts if " " in t] == []
