"""HJ 212 code tables, checked against the text of HJ 212-2017 (Appendix B, clause 6.6)."""

from __future__ import annotations

import re

import pytest

from ecozone.hj212 import codes
from ecozone.hj212.codes import (
    AMBIENT_AIR,
    CODES_2005_TO_2017,
    CODES_2005_WITHOUT_2017,
    COMMANDS,
    COMMANDS_2025,
    EXE_RTN,
    FLUE_GAS,
    NOISE,
    PARAMETER,
    POLLUTANT_FIELDS,
    POLLUTANTS,
    QN_RTN,
    SURFACE_WATER,
    SYSTEM_CODES,
    WASTEWATER,
    DataFlag,
    PollutantCode,
    code_from_2005,
    command_group,
    command_name,
    pollutant,
    system_name,
)

# --- Appendix B: spot checks, read off the standard's pages 21-26 ---------------------------


def _get(code: str) -> PollutantCode:
    entry = pollutant(code)
    assert entry is not None, code
    return entry


def test_a21026_is_sulphur_dioxide_in_mg_per_m3_formerly_02():
    so2 = _get("a21026")
    assert (so2.name, so2.unit, so2.unit_zh) == ("二氧化硫", "mg/m3", "毫克/立方米")
    assert so2.mass_unit == "kg"
    assert (so2.legacy_2005, so2.data_type, so2.medium) == ("02", "N5.2", FLUE_GAS)


def test_a21002_is_nitrogen_oxides_in_mg_per_m3_formerly_03():
    nox = _get("a21002")
    assert (nox.name, nox.unit, nox.legacy_2005) == ("氮氧化物", "mg/m3", "03")
    assert nox.data_type == "N5.1"


def test_a34013_is_particulates_smoke_dust_formerly_01():
    dust = _get("a34013")
    assert (dust.name, dust.unit, dust.legacy_2005, dust.data_type) == ("烟尘", "mg/m3", "01", "N4")
    assert "particulates" in dust.name_en


def test_w01018_is_cod_in_mg_per_l_with_mass_in_kg_formerly_011():
    cod = _get("w01018")
    assert (cod.name, cod.unit, cod.unit_zh) == ("化学需氧量", "mg/L", "毫克/升")
    assert cod.mass_unit == "kg"
    assert (cod.legacy_2005, cod.data_type, cod.medium) == ("011", "N5.1", WASTEWATER)


def test_w21003_is_ammonia_nitrogen_formerly_060():
    nh3n = _get("w21003")
    assert (nh3n.name, nh3n.unit, nh3n.legacy_2005) == ("氨氮", "mg/L", "060")
    assert nh3n.data_type == "N4.2"


def test_a19001_is_oxygen_content_in_percent_formerly_s01():
    o2 = _get("a19001")
    assert (o2.name, o2.unit, o2.mass_unit, o2.legacy_2005, o2.medium) == (
        "氧气含量",
        "%",
        None,
        "S01",
        PARAMETER,
    )


def test_flows_are_in_the_units_the_standard_prints():
    # B.1 prints 升/秒 for w00000 and B.2 立方米/秒 for a00000; both count amounts in 立方米.
    water, gas = _get("w00000"), _get("a00000")
    assert (water.name, water.unit, water.mass_unit) == ("污水", "L/s", "m3")
    assert (gas.name, gas.unit, gas.mass_unit) == ("废气", "m3/s", "m3")
    assert (water.legacy_2005, gas.legacy_2005) == ("B01", "B02")
    assert water.medium == gas.medium == PARAMETER


@pytest.mark.parametrize(
    ("code", "name", "unit", "legacy"),
    [
        ("a01011", "烟气流速", "m/s", "S02"),
        ("a01012", "烟气温度", "℃", "S03"),
        ("a01013", "烟气压力", "kPa", "S08"),
        ("a01014", "烟气湿度", "%", "S05"),
        ("a01015", "制冷温度", "℃", "S06"),
        ("a01016", "烟道截面积", "m2", "S07"),
        ("a01017", "烟气动压", "kPa", "S04"),
    ],
)
def test_flue_gas_parameters_follow_table_b2(code, name, unit, legacy):
    entry = _get(code)
    assert (entry.name, entry.unit, entry.legacy_2005) == (name, unit, legacy)
    assert entry.medium == PARAMETER


def test_names_wrapped_over_two_lines_in_the_pdf_are_joined():
    assert _get("a01901").name == "垃圾焚烧炉膛内焚烧平均温度"
    assert _get("a01902").name == "垃圾焚烧炉膛内DCS温度"
    assert _get("a34002").name == "可吸入颗粒物PM10"
    assert _get("a34005").name == "亚微米颗粒物PM1.0"


def test_units_with_bracketed_parts_get_their_symbols():
    assert _get("w01014").unit == "µS/cm"  # 微西[门子]/厘米
    assert _get("w03001").unit == "Bq/L"  # 贝可[勒尔]/升
    assert _get("a01008").unit == "°"  # [角]度
    assert _get("w01002").unit == "度"  # [色]度, a degree of colour
    assert _get("w01001").unit == ""  # 无量纲
    assert _get("a34011").unit == "t/(km2·month)"  # 吨/平方千米·月


def test_trace_metals_keep_the_standards_small_units():
    assert (_get("w20111").unit, _get("w20111").mass_unit) == ("µg/L", "g")  # 总汞
    assert (_get("w20089").unit, _get("w20089").mass_unit) == ("ng/L", "mg")  # 铊
    assert _get("a20058").unit == "ng/m3"  # 汞 (ambient)
    assert _get("a20057").unit == "mg/m3"  # 汞及其化合物 (stack)


def test_media_separate_stack_ambient_water_and_noise_codes():
    assert _get("a34004").medium == AMBIENT_AIR  # PM2.5
    assert _get("a20044").medium == AMBIENT_AIR  # 铅, ng/m3
    assert _get("a20043").medium == FLUE_GAS  # 铅及其化合物, mg/m3
    assert _get("w01019").medium == SURFACE_WATER  # 高锰酸盐指数
    assert _get("Leq").medium == NOISE
    media = {p.medium for p in POLLUTANTS.values()}
    assert media == {WASTEWATER, SURFACE_WATER, FLUE_GAS, AMBIENT_AIR, PARAMETER, NOISE}


# --- Appendix B: completeness and shape ------------------------------------------------------


def test_tables_b1_b2_b3_have_the_standards_row_counts():
    # Rows counted on the standard's pages: B.1 pp. 21-22, B.2 pp. 22-26, B.3 p. 26.
    per_table = {"B.1": 0, "B.2": 0, "B.3": 0}
    for entry in POLLUTANTS.values():
        per_table[entry.table] += 1
    assert per_table == {"B.1": 63, "B.2": 121, "B.3": 12}


def test_no_code_is_listed_twice():
    rows = codes._TABLE_B1 + codes._TABLE_B2 + codes._TABLE_B3
    assert len(rows) == len({row[0] for row in rows}) == len(POLLUTANTS) == 196


def test_water_and_air_codes_are_a_letter_and_five_digits():
    # HJ 525-2009 / HJ 524-2009 codes as used in HJ 212-2017: "w" or "a", then 5 digits.
    for code, entry in POLLUTANTS.items():
        assert entry.code == code
        if entry.table == "B.1":
            assert re.fullmatch(r"w\d{5}", code), code
        elif entry.table == "B.2":
            assert re.fullmatch(r"a\d{5}", code), code


def test_noise_codes_are_the_twelve_of_table_b3_as_printed():
    noise = [code for code, entry in POLLUTANTS.items() if entry.table == "B.3"]
    assert noise == ["LA", "L5", "L10", "L50", "L90", "L95", "Leq", "Ldn", "Ld", "Ln", "LMx", "LMn"]
    assert {_get(code).unit for code in noise} == {"dB"}


def test_every_entry_has_names_and_a_data_type_format():
    for entry in POLLUTANTS.values():
        assert entry.name and entry.name_en and " " not in entry.name, entry
        assert entry.unit_zh, entry
        # a34011 降尘 is the only row without a default data type.
        assert entry.data_type is None or re.fullmatch(r"N\d+(\.\d+)?", entry.data_type), entry
    assert [p.code for p in POLLUTANTS.values() if p.data_type is None] == ["a34011"]


def test_pollutant_lookup_is_strict_about_unknown_codes():
    assert pollutant("a99999") is None
    assert pollutant("011") is None  # a 2005 code: use code_from_2005 first
    assert pollutant("W01018") is _get("w01018")  # only one thing this can mean
    assert pollutant("leq") is None  # noise codes are case-sensitive, as printed


# --- HJ/T 212-2005 -> HJ 212-2017 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("01", "a34013"),  # 烟尘
        ("02", "a21026"),  # 二氧化硫
        ("03", "a21002"),  # 氮氧化物
        ("B02", "a00000"),  # 废气
        ("S01", "a19001"),  # 氧气含量
        ("S03", "a01012"),  # 烟气温度
        ("37", "a01010"),  # 林格曼黑度
        ("011", "w01018"),  # 化学需氧量
        ("060", "w21003"),  # 氨氮
        ("065", "w21001"),  # 总氮
        ("101", "w21011"),  # 总磷
        ("B01", "w00000"),  # 污水
        ("001", "w01001"),  # pH 值: three characters, not the air code "01"
    ],
)
def test_2005_code_maps_to_the_2017_code_of_the_same_row(old, new):
    assert CODES_2005_TO_2017[old] == new
    assert code_from_2005(old) == new
    assert _get(new).legacy_2005 == old


def test_2005_mapping_is_exactly_the_old_code_column():
    # 48 rows of B.1 and 45 rows of B.2 carry an old code; none is shared by two rows.
    with_old = [p for p in POLLUTANTS.values() if p.legacy_2005 is not None]
    assert len(with_old) == len(CODES_2005_TO_2017) == 93
    assert sum(p.table == "B.1" for p in with_old) == 48
    assert sum(p.table == "B.2" for p in with_old) == 45


def test_code_from_2005_passes_other_codes_through_unchanged():
    assert code_from_2005("a21026") == "a21026"  # already a 2017 code
    assert code_from_2005("025") == "025"  # 三价铬: no 2017 code
    assert "025" in CODES_2005_WITHOUT_2017
    assert code_from_2005("B00") == "B00"  # a vendor extension
    assert code_from_2005("s01") == "a19001"  # case of the letter does not matter


def test_2005_codes_without_a_2017_code_are_not_in_the_mapping():
    assert not set(CODES_2005_WITHOUT_2017) & set(CODES_2005_TO_2017)


# --- Data flags: 6.6.4, Table 8 --------------------------------------------------------------


def test_data_flags_are_the_eight_of_table_8():
    assert [flag.value for flag in DataFlag] == ["N", "F", "M", "S", "D", "C", "T", "B"]
    assert DataFlag.N.meaning == "在线监控（监测）仪器仪表工作正常"
    assert DataFlag.T.meaning == "在线监控（监测）仪器仪表采样数值超过测量上限"
    assert DataFlag.B.meaning == "在线监控（监测）仪器仪表与数采仪通讯异常"
    assert all(flag.meaning_en for flag in DataFlag)


def test_data_flag_is_the_wire_text():
    assert DataFlag.N == "N"
    assert str(DataFlag.D) == "D"
    assert f"w01018-Flag={DataFlag.C}" == "w01018-Flag=C"


@pytest.mark.parametrize("text", ["N", "n", " n ", "N\r\n"])
def test_data_flag_parse_tolerates_case_and_blanks(text):
    assert DataFlag.parse(text) is DataFlag.N


@pytest.mark.parametrize("text", ["X", "", "NN", "P", None, 5])
def test_unknown_data_flag_parses_to_none_without_raising(text):
    assert DataFlag.parse(text) is None


def test_only_n_is_normal():
    assert [flag for flag in DataFlag if flag.is_normal] == [DataFlag.N]


def test_stopped_maintenance_calibration_and_fault_are_out_of_service():
    out = {flag for flag in DataFlag if flag.is_out_of_service}
    assert out == {DataFlag.F, DataFlag.M, DataFlag.C, DataFlag.D}
    assert DataFlag.S.is_manual and DataFlag.T.is_over_range and DataFlag.B.is_link_fault
    assert not DataFlag.N.is_manual and not DataFlag.N.is_over_range


# --- System codes, replies, commands: 6.6.1-6.6.5 --------------------------------------------


def test_system_codes_follow_table_5():
    assert len(SYSTEM_CODES) == 20
    assert SYSTEM_CODES["31"] == "大气环境污染源"
    assert SYSTEM_CODES["32"] == "地表水体环境污染源"
    assert SYSTEM_CODES["91"] == "系统交互"
    assert system_name("22") == "空气质量监测"
    assert system_name("44") == "用电监控"  # HJ 212-2025
    assert system_name("99") is None


def test_execution_results_follow_table_6():
    assert sorted(EXE_RTN) == [1, 2, 3, 4, 5, 6, 100]
    assert EXE_RTN[1] == "执行成功"
    assert EXE_RTN[100] == "没有数据"


def test_request_returns_follow_table_7():
    assert sorted(QN_RTN) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]
    assert QN_RTN[1] == "准备执行请求"
    assert QN_RTN[9] == "CRC校验错误"


@pytest.mark.parametrize(
    ("cn", "name"),
    [
        ("2011", "上传污染物实时数据"),
        ("2051", "上传污染物分钟数据"),
        ("2061", "上传污染物小时数据"),
        ("2031", "上传污染物日历史数据"),
        ("9011", "请求应答"),
        ("9012", "执行结果"),
        ("9014", "数据应答"),
        ("1000", "设置超时时间及重发次数"),
        ("9015", "心跳包"),  # HJ 212-2025
        ("2013", "上传原始监测数据"),  # HJ 212-2025
    ],
)
def test_command_names(cn, name):
    assert command_name(cn) == name


def test_command_name_as_the_platform_sends_it():
    assert command_name("2011", from_platform=True) == "取污染物实时数据"
    assert command_name("1011", from_platform=True) == "提取现场机时间"
    assert command_name("9011", from_platform=True) == "请求应答"  # only the field unit sends it


def test_2017_table_9_has_33_command_codes_and_no_2025_ones():
    assert len(COMMANDS) == 33
    assert not set(COMMANDS) & set(COMMANDS_2025)
    assert "9015" not in COMMANDS  # reserved in 2017 (9015-9999)


def test_reserved_and_unknown_command_codes_have_no_name():
    assert command_name("1005") is None  # reserved 1001-1010 in 2017, not named by 2025
    assert command_name("2999") is None
    assert command_name("") is None


def test_command_groups_follow_the_ranges_of_6_6_5_1():
    assert command_group("1062") == "初始化命令和参数命令"
    assert command_group("2051") == "数据命令"
    assert command_group("3015") == "控制命令"
    assert command_group("9014") == "交互命令"
    assert command_group("4000") is None
    assert command_group("20x1") is None


# --- Table 4 sub-fields -----------------------------------------------------------------------


def test_pollutant_fields_are_the_suffixes_of_table_4():
    table_4 = {
        "Rtd", "Min", "Avg", "Max", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax", "Flag", "EFlag", "Cou",
        "SampleTime", "Info", "SN", "RS", "RT", "Data", "DayData", "NightData",
    }  # fmt: skip
    assert table_4 == POLLUTANT_FIELDS
    assert "rtd" not in POLLUTANT_FIELDS  # field names are case-sensitive (6.3.3.2.1)
