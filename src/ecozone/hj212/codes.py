"""Code tables of HJ 212: pollutant codes, system and command codes, reply codes, data flags.

Job: give the codec, the gateway and the domain modules one reading of HJ 212-2017 Appendix B
(tables B.1 water, B.2 air, B.3 noise) and clause 6.6 (tables 5-9), plus the HJ/T 212-2005 ->
2017 code mapping and the command codes HJ 212-2025 adds. Strategy: the tables are literal data
transcribed row by row from the standard's text (units kept as printed, with an SI symbol beside
them); lookups are dict reads. Pure data, no I/O, nothing parsed at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "AMBIENT_AIR",
    "CODES_2005_TO_2017",
    "CODES_2005_WITHOUT_2017",
    "COMMANDS",
    "COMMANDS_2025",
    "COMMAND_REQUESTS",
    "EXE_RTN",
    "FLUE_GAS",
    "NOISE",
    "PARAMETER",
    "POLLUTANTS",
    "POLLUTANT_FIELDS",
    "QN_RTN",
    "SURFACE_WATER",
    "SYSTEM_CODES",
    "SYSTEM_CODES_2025",
    "WASTEWATER",
    "DataFlag",
    "PollutantCode",
    "code_from_2005",
    "command_group",
    "command_name",
    "pollutant",
    "system_name",
]


# ---------------------------------------------------------------------------------------------
# Data flags: HJ 212-2017 6.6.4, Table 8 (xxxxxx-Flag, C1)
# ---------------------------------------------------------------------------------------------


class DataFlag(StrEnum):
    """The instrument state a value was taken in (Table 8). The table is extensible ("可扩充"):
    a flag not listed here is not an error of this module, so `parse` answers None for it and
    the caller decides."""

    meaning: str
    meaning_en: str

    def __new__(cls, value: str, meaning: str, meaning_en: str) -> DataFlag:
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        member.meaning_en = meaning_en
        return member

    N = ("N", "在线监控（监测）仪器仪表工作正常", "instrument working normally")
    F = ("F", "在线监控（监测）仪器仪表停运", "instrument stopped")
    M = ("M", "在线监控（监测）仪器仪表处于维护期间产生的数据", "data produced during maintenance")
    S = ("S", "手工输入的设定值", "set value entered by hand")
    D = ("D", "在线监控（监测）仪器仪表故障", "instrument fault")
    C = ("C", "在线监控（监测）仪器仪表处于校准状态", "instrument under calibration")
    T = ("T", "在线监控（监测）仪器仪表采样数值超过测量上限", "sampled value above measuring range")
    B = ("B", "在线监控（监测）仪器仪表与数采仪通讯异常", "instrument-to-data-logger link fault")

    @classmethod
    def parse(cls, text: object) -> DataFlag | None:
        """The flag for `text` ("N", "n", " N "), or None for anything Table 8 does not list
        (extension flags, empty text, non-strings). Never raises: a frame with an odd flag is
        still data to keep."""
        if not isinstance(text, str):
            return None
        return cls._value2member_map_.get(text.strip().upper())  # type: ignore[return-value]

    @property
    def is_normal(self) -> bool:
        """N only: the instrument was measuring normally."""
        return self is DataFlag.N

    @property
    def is_out_of_service(self) -> bool:
        """F, M, C, D: stopped, under maintenance, under calibration or faulty; the states an
        enterprise declares in advance or after the fact (data marking)."""
        return self in _OUT_OF_SERVICE

    @property
    def is_manual(self) -> bool:
        """S: a value typed in by hand, not measured."""
        return self is DataFlag.S

    @property
    def is_over_range(self) -> bool:
        """T: the sampled value exceeded the instrument's upper measuring limit."""
        return self is DataFlag.T

    @property
    def is_link_fault(self) -> bool:
        """B: the instrument could not talk to the data logger; the value is not a reading."""
        return self is DataFlag.B


_OUT_OF_SERVICE = frozenset({DataFlag.F, DataFlag.M, DataFlag.C, DataFlag.D})


# ---------------------------------------------------------------------------------------------
# Pollutant codes: HJ 212-2017 Appendix B, tables B.1 (water, after HJ 525-2009), B.2 (air,
# after HJ 524-2009) and B.3 (noise, the items of GB 3096-2008)
# ---------------------------------------------------------------------------------------------

# `medium` says where a code is usually met. The standard itself has one water table and one air
# table; the split below is ecozone's reading and a hint only: a monitoring point's own type
# decides which rules apply to its data.
WASTEWATER = "wastewater"  # B.1 codes that carry a 2005 (source-monitoring) code
SURFACE_WATER = "surface_water"  # B.1 codes without a 2005 code: water-quality items
FLUE_GAS = "flue_gas"  # B.2 mass concentrations in mg/m3 and other stack items
AMBIENT_AIR = "ambient_air"  # B.2 ng/m3 items without a 2005 code, TSP, PM10, PM2.5, PM1.0, dust
PARAMETER = "parameter"  # flows and state quantities: velocity, temperature, pressure, O2 ...
NOISE = "noise"  # B.3


@dataclass(frozen=True)
class PollutantCode:
    """One row of Appendix B.

    `unit` is the SI-style symbol of the standard's default concentration unit ("缺省计量单位
    （浓度）"), `unit_zh` the text the standard prints ("毫克/立方米"); "" means dimensionless.
    `mass_unit` is the default unit of the discharged amount ("（排放量）"), None where the
    standard gives none. `data_type` is the default width (6.3.3.2.2, e.g. "N5.2").
    `legacy_2005` is the HJ/T 212-2005 code from the standard's "原编码" column.
    """

    code: str
    name: str
    name_en: str
    unit: str
    medium: str
    legacy_2005: str | None
    unit_zh: str = ""
    mass_unit: str | None = None
    data_type: str | None = None
    table: str = ""


# The standard's unit text -> symbol. Bracketed characters are the standard's own way of
# printing optional parts of a unit name ("微西[门子]/厘米" = µS/cm).
_UNIT_SYMBOLS: Mapping[str, str] = MappingProxyType(
    {
        "无量纲": "",
        "%": "%",
        "[色]度": "度",  # degree of colour, not an angle
        "[角]度": "°",
        "个/升": "个/L",
        "千帕": "kPa",
        "升/秒": "L/s",
        "吨/平方千米·月": "t/(km2·month)",
        "平方米": "m2",
        "微克/升": "µg/L",
        "微西[门子]/厘米": "µS/cm",
        "摄氏度": "℃",
        "毫克/升": "mg/L",
        "毫克/立方米": "mg/m3",
        "立方米/秒": "m3/s",
        "米/秒": "m/s",
        "纳克/升": "ng/L",
        "纳克/立方米": "ng/m3",
        "贝可[勒尔]/升": "Bq/L",
        "分贝": "dB",
        # amounts (排放量 column)
        "千克": "kg",
        "克": "g",
        "毫克": "mg",
        "立方米": "m3",
    }
)

# Rows in the standard's column order: code, name, 原编码 (HJ/T 212-2005), default unit
# (concentration), default unit (amount), default data type; then ecozone's medium and an English
# name. Transcribed from the text of HJ 212-2017; corrections of the printed text:
#   - names wrapped over two lines in the PDF are joined (a01901, a01902, a34002, a34005);
#   - w25043 is printed "苯并[α]芘": written "苯并[a]芘" like a25044 (benzo[a]pyrene);
#   - a34011's unit is printed "吨/平方千米•月" with a bullet: written with a middle dot;
#   - w20138..w20144 have an empty 原编码 cell (no 2005 code), like "--".
# Units are as printed even where practice differs: B.2 gives ng/m3 for a34002 PM10, a34004
# PM2.5 and a21001 ammonia, and m3/s for a00000 flue gas flow; platforms commonly receive PM in
# µg/m3 (GB 3095) and flue gas flow in m3/h, so a point's configured unit wins over these defaults.
_Row = tuple[str, str, str | None, str, str | None, str | None, str, str]

# fmt: off

# Table B.1 水监测因子编码表（引用 HJ 525-2009）: 63 rows.
_TABLE_B1: tuple[_Row, ...] = (
    ("w00000", "污水", "B01", "升/秒", "立方米", "N5.2", PARAMETER, "wastewater flow"),
    ("w01001", "pH值", "001", "无量纲", None, "N2.2", WASTEWATER, "pH"),
    ("w01002", "色度", "002", "[色]度", None, "N3.2", WASTEWATER, "colour"),
    ("w01006", "溶解性总固体", None, "毫克/升", "千克", "N4", SURFACE_WATER,
     "total dissolved solids"),
    ("w01009", "溶解氧", None, "毫克/升", None, "N3.1", SURFACE_WATER, "dissolved oxygen"),
    ("w01010", "水温", None, "摄氏度", None, "N3.1", SURFACE_WATER, "water temperature"),
    ("w01012", "悬浮物", "003", "毫克/升", "千克", "N4", WASTEWATER, "suspended solids"),
    ("w01014", "电导率", None, "微西[门子]/厘米", None, "N3.1", SURFACE_WATER,
     "electrical conductivity"),
    ("w01017", "五日生化需氧量", "010", "毫克/升", "千克", "N5.1", WASTEWATER,
     "five-day biochemical oxygen demand (BOD5)"),
    ("w01018", "化学需氧量", "011", "毫克/升", "千克", "N5.1", WASTEWATER,
     "chemical oxygen demand (COD)"),
    ("w01019", "高锰酸盐指数", None, "毫克/升", "千克", "N3.1", SURFACE_WATER,
     "permanganate index (CODMn)"),
    ("w01020", "总有机碳", "015", "毫克/升", "千克", "N3.1", WASTEWATER, "total organic carbon"),
    ("w02003", "粪大肠菌群", "550", "个/升", None, "N9", WASTEWATER, "faecal coliforms"),
    ("w02006", "细菌总数", None, "个/升", None, "N9", SURFACE_WATER, "total bacterial count"),
    ("w03001", "总α放射性", "570", "贝可[勒尔]/升", None, "N3.1", WASTEWATER,
     "gross alpha radioactivity"),
    ("w03002", "总β放射性", "571", "贝可[勒尔]/升", None, "N3.1", WASTEWATER,
     "gross beta radioactivity"),
    ("w19001", "表面活性剂", None, "毫克/升", "千克", "N3.2", SURFACE_WATER, "surfactants"),
    ("w19002", "阴离子表面活性剂", "520", "毫克/升", "千克", "N3.2", WASTEWATER,
     "anionic surfactants"),
    ("w20012", "钡", "039", "毫克/升", "千克", "N3.3", WASTEWATER, "barium"),
    ("w20023", "硼", "037", "毫克/升", "千克", "N3.3", WASTEWATER, "boron"),
    ("w20038", "钴", "040", "毫克/升", "千克", "N3.4", WASTEWATER, "cobalt"),
    ("w20061", "钼", "038", "毫克/升", "千克", "N3.4", WASTEWATER, "molybdenum"),
    ("w20089", "铊", "041", "纳克/升", "毫克", "N4", WASTEWATER, "thallium"),
    ("w20092", "锡", "036", "毫克/升", "千克", "N3.1", WASTEWATER, "tin"),
    ("w20111", "总汞", "020", "微克/升", "克", "N3.2", WASTEWATER, "total mercury"),
    ("w20113", "烷基汞", "021", "纳克/升", "毫克", "N4", WASTEWATER, "alkyl mercury"),
    ("w20115", "总镉", "022", "微克/升", "克", "N3.1", WASTEWATER, "total cadmium"),
    ("w20116", "总铬", "023", "毫克/升", "千克", "N3.3", WASTEWATER, "total chromium"),
    ("w20117", "六价铬", "024", "微克/升", "克", "N2.3", WASTEWATER, "hexavalent chromium"),
    ("w20119", "总砷", "026", "微克/升", "克", "N2.3", WASTEWATER, "total arsenic"),
    ("w20120", "总铅", "027", "微克/升", "克", "N4", WASTEWATER, "total lead"),
    ("w20121", "总镍", "028", "毫克/升", "千克", "N3.2", WASTEWATER, "total nickel"),
    ("w20122", "总铜", "029", "毫克/升", "千克", "N3.2", WASTEWATER, "total copper"),
    ("w20123", "总锌", "030", "毫克/升", "千克", "N3.3", WASTEWATER, "total zinc"),
    ("w20124", "总锰", "031", "毫克/升", "千克", "N3.3", WASTEWATER, "total manganese"),
    ("w20125", "总铁", "032", "毫克/升", "千克", "N3.3", WASTEWATER, "total iron"),
    ("w20126", "总银", "033", "毫克/升", "千克", "N3.3", WASTEWATER, "total silver"),
    ("w20127", "总铍", "034", "微克/升", "克", "N3.3", WASTEWATER, "total beryllium"),
    ("w20128", "总硒", "035", "微克/升", "克", "N4.2", WASTEWATER, "total selenium"),
    ("w20138", "铜", None, "毫克/升", "千克", "N3.3", SURFACE_WATER, "copper"),
    ("w20139", "锌", None, "毫克/升", "千克", "N3.3", SURFACE_WATER, "zinc"),
    ("w20140", "硒", None, "毫克/升", "千克", "N3.3", SURFACE_WATER, "selenium"),
    ("w20141", "砷", None, "毫克/升", "千克", "N3.3", SURFACE_WATER, "arsenic"),
    ("w20142", "汞", None, "微克/升", "克", "N3.3", SURFACE_WATER, "mercury"),
    ("w20143", "镉", None, "微克/升", "克", "N3.3", SURFACE_WATER, "cadmium"),
    ("w20144", "铅", None, "毫克/升", "千克", "N3.3", SURFACE_WATER, "lead"),
    ("w21001", "总氮", "065", "毫克/升", "千克", "N4.2", WASTEWATER, "total nitrogen"),
    ("w21003", "氨氮", "060", "毫克/升", "千克", "N4.2", WASTEWATER, "ammonia nitrogen"),
    ("w21004", "凯氏氮", "062", "毫克/升", "千克", "N3.1", WASTEWATER, "Kjeldahl nitrogen"),
    ("w21006", "亚硝酸盐", "063", "毫克/升", "千克", "N2.3", WASTEWATER, "nitrite"),
    ("w21007", "硝酸盐", "064", "毫克/升", "千克", "N2.3", WASTEWATER, "nitrate"),
    ("w21011", "总磷", "101", "毫克/升", "千克", "N3.2", WASTEWATER, "total phosphorus"),
    ("w21016", "氰化物", "070", "毫克/升", "千克", "N3.3", WASTEWATER, "cyanide"),
    ("w21017", "氟化物", "072", "毫克/升", "千克", "N4.2", WASTEWATER, "fluoride"),
    ("w21019", "硫化物", "071", "毫克/升", "千克", "N3.3", WASTEWATER, "sulfide"),
    ("w21022", "氯化物", "090", "毫克/升", "千克", "N3.1", WASTEWATER, "chloride"),
    ("w21038", "硫酸盐", None, "毫克/升", "千克", "N6", SURFACE_WATER, "sulfate"),
    ("w22001", "石油类", "080", "毫克/升", "千克", "N3.2", WASTEWATER, "petroleum oils"),
    ("w23002", "挥发酚", "110", "毫克/升", "千克", "N3.4", WASTEWATER, "volatile phenols"),
    ("w25043", "苯并[a]芘", "540", "微克/升", "克", "N3.1", WASTEWATER, "benzo[a]pyrene"),
    ("w33001", "六六六", "350", "纳克/升", "毫克", "N4", WASTEWATER, "hexachlorocyclohexane (HCH)"),
    ("w33007", "滴滴涕", "351", "纳克/升", "毫克", "N4", WASTEWATER, "DDT"),
    ("w99001", "有机氮", "061", "毫克/升", "千克", "N3.1", WASTEWATER, "organic nitrogen"),
)

# Table B.2 气监测因子编码表（引用 HJ 524-2009）: 121 rows.
_TABLE_B2: tuple[_Row, ...] = (
    ("a00000", "废气", "B02", "立方米/秒", "立方米", "N6.1", PARAMETER, "flue gas flow"),
    ("a01001", "温度", None, "摄氏度", None, "N3.1", PARAMETER, "air temperature"),
    ("a01002", "湿度", None, "%", None, "N3.1", PARAMETER, "relative humidity"),
    ("a01006", "气压", None, "千帕", None, "N5.3", PARAMETER, "atmospheric pressure"),
    ("a01007", "风速", None, "米/秒", None, "N4.1", PARAMETER, "wind speed"),
    ("a01008", "风向", None, "[角]度", None, "N4", PARAMETER, "wind direction"),
    ("a01010", "林格曼黑度", "37", "无量纲", None, "N1", FLUE_GAS, "Ringelmann blackness"),
    ("a01011", "烟气流速", "S02", "米/秒", None, "N5.2", PARAMETER, "flue gas velocity"),
    ("a01012", "烟气温度", "S03", "摄氏度", None, "N3.1", PARAMETER, "flue gas temperature"),
    ("a01013", "烟气压力", "S08", "千帕", None, "N5.3", PARAMETER, "flue gas pressure"),
    ("a01014", "烟气湿度", "S05", "%", None, "N3.1", PARAMETER, "flue gas humidity"),
    ("a01015", "制冷温度", "S06", "摄氏度", None, "N3.1", PARAMETER, "cooler temperature"),
    ("a01016", "烟道截面积", "S07", "平方米", None, "N4.2", PARAMETER, "flue cross-sectional area"),
    ("a01017", "烟气动压", "S04", "千帕", None, "N5.3", PARAMETER, "flue gas dynamic pressure"),
    ("a01901", "垃圾焚烧炉膛内焚烧平均温度", None, "摄氏度", None, "N4.1", PARAMETER,
     "waste incinerator furnace mean combustion temperature"),
    ("a01902", "垃圾焚烧炉膛内DCS温度", None, "摄氏度", None, "N4.1", PARAMETER,
     "waste incinerator furnace temperature (DCS)"),
    ("a05001", "二氧化碳", "30", "毫克/立方米", "千克", "N3.3", FLUE_GAS, "carbon dioxide"),
    ("a05002", "甲烷", None, "纳克/立方米", "克", "N4.1", AMBIENT_AIR, "methane"),
    ("a05008", "三氯一氟甲烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "trichlorofluoromethane (CFC-11)"),
    ("a05009", "二氯二氟甲烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "dichlorodifluoromethane (CFC-12)"),
    ("a05013", "三氯三氟乙烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "trichlorotrifluoroethane (CFC-113)"),
    ("a19001", "氧气含量", "S01", "%", None, "N3.1", PARAMETER, "oxygen (O2)"),
    ("a20007", "砷", None, "纳克/立方米", "克", "N1.6", AMBIENT_AIR, "arsenic"),
    ("a20016", "铍及其化合物", "36", "毫克/立方米", "千克", "N4.4", FLUE_GAS,
     "beryllium and its compounds"),
    ("a20025", "镉及其化合物", "33", "毫克/立方米", "千克", "N3.4", FLUE_GAS,
     "cadmium and its compounds"),
    ("a20026", "镉", None, "纳克/立方米", "克", "N3.3", AMBIENT_AIR, "cadmium"),
    ("a20043", "铅及其化合物", "32", "毫克/立方米", "千克", "N2.4", FLUE_GAS,
     "lead and its compounds"),
    ("a20044", "铅", None, "纳克/立方米", "克", "N3.3", AMBIENT_AIR, "lead"),
    ("a20057", "汞及其化合物", "31", "毫克/立方米", "千克", "N4.4", FLUE_GAS,
     "mercury and its compounds"),
    ("a20058", "汞", None, "纳克/立方米", "克", "N3.2", AMBIENT_AIR, "mercury"),
    ("a20063", "镍及其化合物", "35", "毫克/立方米", "千克", "N3.3", FLUE_GAS,
     "nickel and its compounds"),
    ("a20091", "锡及其化合物", "34", "毫克/立方米", "千克", "N4.3", FLUE_GAS,
     "tin and its compounds"),
    ("a21001", "氨（氨气）", "10", "纳克/立方米", "克", "N4.3", FLUE_GAS, "ammonia"),
    ("a21002", "氮氧化物", "03", "毫克/立方米", "千克", "N5.1", FLUE_GAS, "nitrogen oxides (NOx)"),
    ("a21003", "一氧化氮", None, "毫克/立方米", "千克", "N4.1", FLUE_GAS, "nitric oxide (NO)"),
    ("a21004", "二氧化氮", None, "毫克/立方米", "千克", "N4.1", FLUE_GAS, "nitrogen dioxide (NO2)"),
    ("a21005", "一氧化碳", "04", "毫克/立方米", "千克", "N3.3", FLUE_GAS, "carbon monoxide (CO)"),
    ("a21017", "氰化物", "07", "毫克/立方米", "千克", "N3.3", FLUE_GAS, "cyanide"),
    ("a21018", "氟化物", "06", "毫克/立方米", "千克", "N2.3", FLUE_GAS, "fluoride"),
    ("a21022", "氯气", "11", "毫克/立方米", "千克", "N4.3", FLUE_GAS, "chlorine"),
    ("a21024", "氯化氢", "08", "毫克/立方米", "千克", "N4.3", FLUE_GAS, "hydrogen chloride"),
    ("a21026", "二氧化硫", "02", "毫克/立方米", "千克", "N5.2", FLUE_GAS, "sulphur dioxide (SO2)"),
    ("a21028", "硫化氢", "05", "毫克/立方米", "千克", "N3.2", FLUE_GAS, "hydrogen sulfide"),
    ("a23001", "酚类", "27", "毫克/立方米", "千克", "N3.3", FLUE_GAS, "phenols"),
    ("a24003", "二氯甲烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "dichloromethane"),
    ("a24004", "三氯甲烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "trichloromethane"),
    ("a24005", "四氯甲烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "tetrachloromethane"),
    ("a24006", "二溴一氯甲烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "dibromochloromethane"),
    ("a24007", "一溴二氯甲烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "bromodichloromethane"),
    ("a24008", "溴甲烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "bromomethane"),
    ("a24009", "三溴甲烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "tribromomethane"),
    ("a24015", "氯乙烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "chloroethane"),
    ("a24016", "1,1-二氯乙烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "1,1-dichloroethane"),
    ("a24017", "1,2-二氯乙烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "1,2-dichloroethane"),
    ("a24018", "1,1,1-三氯乙烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1,1,1-trichloroethane"),
    ("a24019", "1,1,2-三氯乙烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1,1,2-trichloroethane"),
    ("a24020", "1,1,2,2-四氯乙烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1,1,2,2-tetrachloroethane"),
    ("a24027", "1,2-二氯丙烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1,2-dichloropropane"),
    ("a24034", "1,2-二溴乙烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "1,2-dibromoethane"),
    ("a24036", "环己烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "cyclohexane"),
    ("a24042", "正己烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "n-hexane"),
    ("a24043", "正庚烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "n-heptane"),
    ("a24046", "氯乙烯", "29", "毫克/立方米", "千克", "N4.3", FLUE_GAS, "vinyl chloride"),
    ("a24047", "1,1-二氯乙烯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1,1-dichloroethylene"),
    ("a24049", "三氯乙烯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "trichloroethylene"),
    ("a24050", "四氯乙烯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "tetrachloroethylene"),
    ("a24053", "丙烯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "propylene"),
    ("a24054", "1,3-二氯丙烯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1,3-dichloropropene"),
    ("a24072", "1,4-二恶烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "1,4-dioxane"),
    ("a24078", "1,3-丁二烯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "1,3-butadiene"),
    ("a24087", "碳氢化合物", "25", "毫克/立方米", "千克", "N5.2", FLUE_GAS, "hydrocarbons"),
    ("a24088", "非甲烷总烃", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "non-methane hydrocarbons (NMHC)"),
    ("a24099", "氯甲烷", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "chloromethane"),
    ("a24110", "反式-1,2-二氯乙烯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "trans-1,2-dichloroethylene"),
    ("a24111", "顺式-1,2-二氯乙烯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "cis-1,2-dichloroethylene"),
    ("a24112", "反式-1,3-二氯丙烯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "trans-1,3-dichloropropene"),
    ("a24113", "六氯-1,3-丁二烯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "hexachloro-1,3-butadiene"),
    ("a25002", "苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "benzene"),
    ("a25003", "甲苯", "17", "毫克/立方米", "千克", "N4.2", FLUE_GAS, "toluene"),
    ("a25004", "乙苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "ethylbenzene"),
    ("a25005", "二甲苯", "18", "毫克/立方米", "千克", "N4.2", FLUE_GAS, "xylene"),
    ("a25006", "1,2-二甲基苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1,2-dimethylbenzene (o-xylene)"),
    ("a25007", "1,3-二甲基苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1,3-dimethylbenzene (m-xylene)"),
    ("a25008", "1,4-二甲基苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1,4-dimethylbenzene (p-xylene)"),
    ("a25010", "氯苯", "23", "毫克/立方米", "千克", "N4.3", FLUE_GAS, "chlorobenzene"),
    ("a25011", "1,2-二氯苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "1,2-dichlorobenzene"),
    ("a25012", "1,3-二氯苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "1,3-dichlorobenzene"),
    ("a25013", "1,4-二氯苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "1,4-dichlorobenzene"),
    ("a25014", "1-乙基-4-甲基苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1-ethyl-4-methylbenzene"),
    ("a25015", "1,2,4-三氯苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1,2,4-trichlorobenzene"),
    ("a25019", "1,2,4-三甲基苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1,2,4-trimethylbenzene"),
    ("a25020", "1,2,3-三甲基苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1,2,3-trimethylbenzene"),
    ("a25021", "1,3,5-三甲基苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "1,3,5-trimethylbenzene"),
    ("a25023", "硝基苯", "22", "毫克/立方米", "千克", "N3.4", FLUE_GAS, "nitrobenzene"),
    ("a25038", "乙烯基苯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "vinylbenzene (styrene)"),
    ("a25044", "苯并[a]芘", "20", "毫克/立方米", "千克", "N4.3", FLUE_GAS, "benzo[a]pyrene"),
    ("a25072", "四氢呋喃", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "tetrahydrofuran"),
    ("a26001", "苯胺类", "21", "毫克/立方米", "千克", "N4.3", FLUE_GAS, "anilines"),
    ("a29017", "乙酸乙酯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "ethyl acetate"),
    ("a29026", "乙酸乙烯酯", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "vinyl acetate"),
    ("a30001", "甲醇", "28", "毫克/立方米", "千克", "N4.3", FLUE_GAS, "methanol"),
    ("a30008", "异丙醇", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "isopropanol"),
    ("a30022", "硫醇", "13", "毫克/立方米", "千克", "N4.3", FLUE_GAS, "mercaptans"),
    ("a31001", "甲醛", "19", "毫克/立方米", "千克", "N3.3", FLUE_GAS, "formaldehyde"),
    ("a31002", "乙醛", "26", "毫克/立方米", "千克", "N3.4", FLUE_GAS, "acetaldehyde"),
    ("a31024", "丙酮", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "acetone"),
    ("a31025", "2-丁酮", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "2-butanone"),
    ("a31030", "甲基异丁基甲酮", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS,
     "methyl isobutyl ketone"),
    ("a34001", "总悬浮颗粒物TSP", None, "纳克/立方米", "克", "N4.3", AMBIENT_AIR,
     "total suspended particulates (TSP)"),
    ("a34002", "可吸入颗粒物PM10", None, "纳克/立方米", "克", "N3.3", AMBIENT_AIR,
     "inhalable particulate matter (PM10)"),
    ("a34004", "细微颗粒物PM2.5", None, "纳克/立方米", "克", "N3.3", AMBIENT_AIR,
     "fine particulate matter (PM2.5)"),
    ("a34005", "亚微米颗粒物PM1.0", None, "纳克/立方米", "克", "N3.3", AMBIENT_AIR,
     "submicron particulate matter (PM1.0)"),
    ("a34011", "降尘", None, "吨/平方千米·月", None, None, AMBIENT_AIR, "dustfall"),
    ("a34013", "烟尘", "01", "毫克/立方米", "千克", "N4", FLUE_GAS, "particulates (smoke dust)"),
    ("a34017", "炭黑尘", None, "毫克/立方米", "千克", "N4", FLUE_GAS, "carbon black dust"),
    ("a34038", "沥青烟", "09", "毫克/立方米", "千克", "N4.3", FLUE_GAS, "asphalt fume"),
    ("a34039", "硫酸雾", "14", "毫克/立方米", "千克", "N4.3", FLUE_GAS, "sulphuric acid mist"),
    ("a34040", "铬酸雾", "15", "毫克/立方米", "千克", "N2.3", FLUE_GAS, "chromic acid mist"),
    ("a99010", "丙烯腈", None, "毫克/立方米", "千克", "N7.3", FLUE_GAS, "acrylonitrile"),
    ("a99049", "光气", "24", "毫克/立方米", "千克", "N3.3", FLUE_GAS, "phosgene"),
    ("a99051", "二硫化碳", "12", "毫克/立方米", "千克", "N4.3", FLUE_GAS, "carbon disulfide"),
)

# Table B.3 声环境监测因子编码表（选择 GB 3096-2008 中要求的作为监测项目）: 12 rows. These codes are
# not six characters long; they are used as printed.
_TABLE_B3: tuple[_Row, ...] = (
    ("LA", "A权声级", None, "分贝", None, "N3.1", NOISE, "A-weighted sound level"),
    ("L5", "累计百分声级L5", None, "分贝", None, "N3.1", NOISE, "percentile sound level L5"),
    ("L10", "累计百分声级L10", None, "分贝", None, "N3.1", NOISE, "percentile sound level L10"),
    ("L50", "累计百分声级L50", None, "分贝", None, "N3.1", NOISE, "percentile sound level L50"),
    ("L90", "累计百分声级L90", None, "分贝", None, "N3.1", NOISE, "percentile sound level L90"),
    ("L95", "累计百分声级L95", None, "分贝", None, "N3.1", NOISE, "percentile sound level L95"),
    ("Leq", "等效声级", None, "分贝", None, "N3.1", NOISE, "equivalent continuous sound level"),
    ("Ldn", "昼夜等效声级", None, "分贝", None, "N3.1", NOISE, "day-night equivalent sound level"),
    ("Ld", "昼间等效声级", None, "分贝", None, "N3.1", NOISE, "daytime equivalent sound level"),
    ("Ln", "夜间等效声级", None, "分贝", None, "N3.1", NOISE, "night-time equivalent sound level"),
    ("LMx", "最大的瞬时声级", None, "分贝", None, "N3.1", NOISE,
     "maximum instantaneous sound level"),
    ("LMn", "最小的瞬时声级", None, "分贝", None, "N3.1", NOISE,
     "minimum instantaneous sound level"),
)
# fmt: on


def _build(tables: Mapping[str, tuple[_Row, ...]]) -> Mapping[str, PollutantCode]:
    codes: dict[str, PollutantCode] = {}
    for table, rows in tables.items():
        for code, name, old, unit_zh, mass_zh, data_type, medium, name_en in rows:
            if code in codes:
                raise AssertionError(f"pollutant code {code} appears twice in Appendix B")
            codes[code] = PollutantCode(
                code=code,
                name=name,
                name_en=name_en,
                unit=_UNIT_SYMBOLS[unit_zh],
                medium=medium,
                legacy_2005=old,
                unit_zh=unit_zh,
                mass_unit=None if mass_zh is None else _UNIT_SYMBOLS[mass_zh],
                data_type=data_type,
                table=table,
            )
    return MappingProxyType(codes)


POLLUTANTS: Mapping[str, PollutantCode] = _build(
    {"B.1": _TABLE_B1, "B.2": _TABLE_B2, "B.3": _TABLE_B3}
)
"""Every code of HJ 212-2017 tables B.1 (63), B.2 (121) and B.3 (12), keyed by the 2017 code."""


def pollutant(code: str) -> PollutantCode | None:
    """The Appendix B entry for a 2017 code, or None. Field names are case-sensitive in HJ 212
    (6.3.3.2.1), but "W01018" can only mean w01018, so a/w codes are also found upper-cased.
    A 2005 code ("011") is not found here: pass it through `code_from_2005` first."""
    found = POLLUTANTS.get(code)
    if found is None and len(code) == 6:
        found = POLLUTANTS.get(code.lower())
    return found


# ---------------------------------------------------------------------------------------------
# HJ/T 212-2005 codes
# ---------------------------------------------------------------------------------------------

CODES_2005_TO_2017: Mapping[str, str] = MappingProxyType(
    {p.legacy_2005: p.code for p in POLLUTANTS.values() if p.legacy_2005 is not None}
)
"""2005 code -> 2017 code, exactly the "原编码" column of HJ 212-2017 tables B.1 and B.2
(e.g. "01" 烟尘 -> a34013, "02" -> a21026, "03" -> a21002, "B02" -> a00000, "S01" -> a19001,
"011" -> w01018, "060" -> w21003, "B01" -> w00000). Water codes have three characters and air
codes two, so "001" (pH) and "01" (烟尘) are different codes."""

# 2005 codes that HJ 212-2017 does not map to any 2017 code. NOT in HJ 212-2017: they come
# from a public HJ/T 212-2005 code list (lingkejia/bocon-operation-app, src/lib/polcodeList05.js),
# which otherwise agrees with the "原编码" column above row for row. Kept so a 2005 device's data
# can at least be named; UNCONFIRMED against the HJ/T 212-2005 text.
CODES_2005_WITHOUT_2017: Mapping[str, str] = MappingProxyType(
    {
        "025": "三价铬",
        "092": "余氯",
        "16": "苯系物",
    }
)


def code_from_2005(code: str) -> str:
    """The 2017 code for an HJ/T 212-2005 pollutant code ("011" -> "w01018", "s01" ->
    "a19001"), or `code` unchanged when it is not a 2005 code the 2017 standard maps: a 2017
    code, a code of CODES_2005_WITHOUT_2017, or a device's own extension all pass through."""
    return CODES_2005_TO_2017.get(code.strip().upper(), code)


# ---------------------------------------------------------------------------------------------
# Table 4 sub-fields: "xxxxxx-Rtd", "SBxxx-RS", ...
# ---------------------------------------------------------------------------------------------

POLLUTANT_FIELDS: frozenset[str] = frozenset(
    {
        "Rtd", "Min", "Avg", "Max", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax",
        "Flag", "EFlag", "Cou", "SampleTime", "Info", "SN",
        "RS", "RT", "Data", "DayData", "NightData",
    }
)  # fmt: skip
"""Suffixes after "code-" in a CP data area (HJ 212-2017 Table 4). RS and RT follow a treatment
facility number ("SB1-RS"), Info an Appendix B.10 information code, the rest a pollutant code."""


# ---------------------------------------------------------------------------------------------
# System codes ST: 6.6.1, Table 5 (after GB/T 16706-1996)
# ---------------------------------------------------------------------------------------------

SYSTEM_CODES: Mapping[str, str] = MappingProxyType(
    {
        "21": "地表水质量监测",
        "22": "空气质量监测",
        "23": "声环境质量监测",
        "24": "地下水质量监测",
        "25": "土壤质量监测",
        "26": "海水质量监测",
        "27": "挥发性有机物监测",
        "31": "大气环境污染源",
        "32": "地表水体环境污染源",
        "33": "地下水体环境污染源",
        "34": "海洋环境污染源",
        "35": "土壤环境污染源",
        "36": "声环境污染源",
        "37": "振动环境污染源",
        "38": "放射性环境污染源",
        "39": "工地扬尘污染源",
        "41": "电磁环境污染源",
        "51": "烟气排放过程监控",
        "52": "污水排放过程监控",
        "91": "系统交互",  # 用于现场机和上位机的交互
    }
)

# System codes added by HJ 212-2025 for the electricity-use and production-condition uploads.
# Not checked against the HJ 212-2025 text: names from public HJ 212-2025 receiver code (a
# Python simulation platform that says it was checked against the 2025 text); UNCONFIRMED.
SYSTEM_CODES_2025: Mapping[str, str] = MappingProxyType(
    {
        "44": "用电监控",
        "45": "关键生产工况监控",
    }
)


def system_name(st: str) -> str | None:
    """Name of a system code ST (Table 5, then the HJ 212-2025 additions), None if unknown."""
    return SYSTEM_CODES.get(st) or SYSTEM_CODES_2025.get(st)


# ---------------------------------------------------------------------------------------------
# Replies: ExeRtn (6.6.2, Table 6) and QnRtn (6.6.3, Table 7)
# ---------------------------------------------------------------------------------------------

EXE_RTN: Mapping[int, str] = MappingProxyType(
    {
        1: "执行成功",
        2: "执行失败，但不知道原因",
        3: "命令请求条件错误",
        4: "通讯超时",
        5: "系统繁忙不能执行",
        6: "系统故障",
        100: "没有数据",
    }
)

QN_RTN: Mapping[int, str] = MappingProxyType(
    {
        1: "准备执行请求",
        2: "请求被拒绝",
        3: "PW错误",
        4: "MN错误",
        5: "ST错误",
        6: "Flag错误",
        7: "QN错误",
        8: "CN错误",
        9: "CRC校验错误",
        100: "未知错误",
    }
)


# ---------------------------------------------------------------------------------------------
# Command codes CN: 6.6.5, Table 9
# ---------------------------------------------------------------------------------------------

# CN -> (name when the platform sends it "上位向现场", name when the field unit sends it
# "现场向上位"), as Table 9 lists them. Reserved ranges (1001-1010, 1073-1999, 2082-2999,
# 3022-3999, 9015-9999 in 2017) have no entry.
_TABLE_9: Mapping[str, tuple[str | None, str | None]] = MappingProxyType(
    {
        # 初始化命令
        "1000": ("设置超时时间及重发次数", None),
        # 参数命令
        "1011": ("提取现场机时间", "上传现场机时间"),
        "1012": ("设置现场机时间", None),
        "1013": (None, "现场机时间校准请求"),
        "1061": ("提取实时数据间隔", "上传实时数据间隔"),
        "1062": ("设置实时数据间隔", None),
        "1063": ("提取分钟数据间隔", "上传分钟数据间隔"),
        "1064": ("设置分钟数据间隔", None),
        "1072": ("设置现场机密码", None),
        # 数据命令
        "2011": ("取污染物实时数据", "上传污染物实时数据"),
        "2012": ("停止察看污染物实时数据", None),
        "2021": ("取设备运行状态数据", "上传设备运行状态数据"),
        "2022": ("停止察看设备运行状态", None),
        "2031": ("取污染物日历史数据", "上传污染物日历史数据"),
        "2041": ("取设备运行时间日历史数据", "上传设备运行时间日历史数据"),
        "2051": ("取污染物分钟数据", "上传污染物分钟数据"),
        "2061": ("取污染物小时数据", "上传污染物小时数据"),
        "2081": (None, "上传数采仪开机时间"),
        # 控制命令
        "3011": ("零点校准量程校准", None),
        "3012": ("即时采样", None),
        "3013": ("启动清洗/反吹", None),
        "3014": ("比对采样", None),
        "3015": ("超标留样", "上传超标留样信息"),
        "3016": ("设置采样时间周期", None),
        "3017": ("提取采样时间周期", "上传采样时间周期"),
        "3018": ("提取出样时间", "上传出样时间"),
        "3019": ("提取设备唯一标识", "上传设备唯一标识"),
        "3020": ("提取现场机信息", "上传现场机信息"),
        "3021": ("设置现场机参数", None),
        # 交互命令
        "9011": (None, "请求应答"),
        "9012": (None, "执行结果"),
        "9013": ("通知应答", "通知应答"),
        "9014": ("数据应答", "数据应答"),
    }
)

COMMANDS: Mapping[str, str] = MappingProxyType(
    {cn: upload or request for cn, (request, upload) in _TABLE_9.items() if upload or request}
)
"""CN -> name, HJ 212-2017 Table 9. Where Table 9 names a command differently in each direction
the field unit's name is given ("2011" -> "上传污染物实时数据"), since stored frames are mostly the
field unit's; the platform's names are in COMMAND_REQUESTS."""

COMMAND_REQUESTS: Mapping[str, str] = MappingProxyType(
    {cn: request for cn, (request, _upload) in _TABLE_9.items() if request}
)
"""CN -> name of the command as the platform sends it ("2011" -> "取污染物实时数据")."""

# Commands HJ 212-2025 adds (it replaces HJ 212-2017 from 2026-01-01). Not checked against the
# 2025 text: the codes are those of the project's domain notes; the names are from public
# HJ 212-2025 receiver code (see SYSTEM_CODES_2025). UNCONFIRMED against the 2025 text; 2111 has
# that single source only.
COMMANDS_2025: Mapping[str, str] = MappingProxyType(
    {
        "1001": "上传数采仪硬件序号",
        "1002": "设置数采仪MN编码",
        "1014": "现场机获取/上位机下发新密钥",
        "2013": "上传原始监测数据",
        "2052": "上传噪声单次测量数据",
        "2062": "上传自动标样核查（校准）数据",
        "2111": "上传炉膛温度5min均值",
        "9015": "心跳包",
    }
)

_ALL_COMMANDS: Mapping[str, str] = MappingProxyType({**COMMANDS, **COMMANDS_2025})


def command_name(cn: str, *, from_platform: bool = False) -> str | None:
    """Name of command code `cn` from HJ 212-2017 Table 9 or the HJ 212-2025 additions, None for
    an unknown or reserved code. `from_platform=True` asks for the name Table 9 gives the command
    when the platform sends it ("2011": 取污染物实时数据 rather than 上传污染物实时数据)."""
    if from_platform and cn in COMMAND_REQUESTS:
        return COMMAND_REQUESTS[cn]
    return _ALL_COMMANDS.get(cn)


_COMMAND_GROUPS = (
    (1000, 1999, "初始化命令和参数命令"),
    (2000, 2999, "数据命令"),
    (3000, 3999, "控制命令"),
    (9000, 9999, "交互命令"),
)


def command_group(cn: str) -> str | None:
    """The group a command code belongs to by its range (6.6.5.1), None outside the four ranges
    or for text that is not a 4-digit number. Holds for reserved codes too."""
    if len(cn) != 4 or not cn.isdigit():
        return None
    number = int(cn)
    for low, high, group in _COMMAND_GROUPS:
        if low <= number <= high:
            return group
    return None
