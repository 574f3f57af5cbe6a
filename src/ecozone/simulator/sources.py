# What the simulator knows of codes and sources: data tables, no I/O.
#
# Per point kind, the codes a virtual instrument can send (decimals, instrument group,
# zero and span readings, Cou role); per source type (combustion by reference O2, water by
# industry), typical means and the nominal limits of the standard that sizes exceedance
# bursts and span gases; operating schedules by industry. profiles.py computes the values.

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ecozone.hj212.codes import pollutant
from ecozone.simulator.model import DeviceSpec, PointKind, SimulatorError


@dataclass(frozen=True)
class Code:
    decimals: int
    group: str  # the instrument: faults and calibrations hit a whole group
    zero: float | None = None  # zero/span check readings; None: not checked
    span: float | None = None
    role: str = ""  # "flow": Cou is the volume; "mass": Cou is the mass carried by the flow


# Decimals follow the data types of HJ 212-2017 Appendix B where those leave a useful
# resolution, and add digits where they do not (N4 particulates, N5.2 SO2 in mg/m3 at
# ambient levels). A span of -1 means "twice the nominal limit", set per source type.
CODES: dict[PointKind, dict[str, Code]] = {
    PointKind.FLUE_GAS: {
        "a21026": Code(2, "gas", 0.0, -1, "mass"),
        "a21002": Code(1, "gas", 0.0, -1, "mass"),
        "a21005": Code(2, "gas", 0.0, -1, "mass"),
        "a19001": Code(2, "gas", 0.0, 20.9),  # zero gas N2, span air
        "a34013": Code(2, "dust", 0.0, -1, "mass"),
        "a00000": Code(2, "cms", 0.0, 0.0, "flow"),  # blow-back: no flow reading
        "a01011": Code(2, "cms", 0.0, 0.0),
        "a01012": Code(1, "cms"),
        "a01014": Code(1, "cms"),
    },
    PointKind.WASTEWATER: {
        "w01018": Code(1, "w01018", 0.0, -1, "mass"),
        "w21003": Code(2, "w21003", 0.0, -1, "mass"),
        "w21011": Code(2, "w21011", 0.0, -1, "mass"),
        "w21001": Code(2, "w21001", 0.0, -1, "mass"),
        "w01001": Code(2, "w01001", 6.86, 9.18),  # pH buffers
        "w00000": Code(2, "w00000", role="flow"),
    },
    PointKind.AMBIENT_AIR: {
        "a21026": Code(3, "a21026", 0.0, 0.4),
        "a21004": Code(3, "a21004", 0.0, 0.4),
        "a21005": Code(3, "a21005", 0.0, 10.0),
        "a05024": Code(3, "a05024", 0.0, 0.4),
        "a34002": Code(0, "a34002", 0.0, 0.0),  # beta gauges: zero check only
        "a34004": Code(0, "a34004", 0.0, 0.0),
    },
    PointKind.SURFACE_WATER: {
        "w01001": Code(2, "probe", 6.86, 9.18),
        "w01009": Code(2, "probe", 0.0, 9.09),  # zero solution, air-saturated water
        "w01010": Code(1, "probe"),
        "w01019": Code(2, "w01019", 0.0, 5.0),
        "w21003": Code(3, "w21003", 0.0, 1.0),
        "w21011": Code(3, "w21011", 0.0, 0.2),
    },
    PointKind.POWER: {
        "d20405": Code(2, "meter"),
        "d30406": Code(2, "meter"),
    },
}
_COU_DECIMALS = {"flow": 3, "mass": 6}

# Units sent: the default units of HJ 212-2017 Appendix B as ecozone.hj212.codes has
# them (mg/m3 for gases, ng/m3 for PM10/PM2.5, m3/s flue gas flow, L/s wastewater
# flow); ozone, absent from B.2, in mg/m3 like the other gases.
_UNIT_OVERRIDES = {"a05024": "mg/m3"}


def unit(code: str) -> str:
    """The unit a simulated device sends `code` in."""
    if code in _UNIT_OVERRIDES:
        return _UNIT_OVERRIDES[code]
    entry = pollutant(code)
    return entry.unit if entry is not None else ""


def decimals(kind: PointKind, code: str) -> int:
    """Decimal places of a value of `code` as a device of `kind` sends it."""
    return CODES[PointKind(kind)][code].decimals


def cou_decimals(kind: PointKind, code: str) -> int | None:
    """Decimal places of `code`'s Cou, or None when it has no Cou."""
    role = CODES[PointKind(kind)][code].role
    return _COU_DECIMALS.get(role)


def check_pollutants(spec: DeviceSpec) -> None:
    """Raise SimulatorError when the spec lists a code the simulator cannot produce."""
    table = CODES[spec.kind]
    unknown = [code for code in spec.pollutants if code not in table]
    if unknown:
        raise SimulatorError(
            f"device {spec.mn}: cannot simulate {', '.join(unknown)} at a {spec.kind} point;"
            f" known codes: {', '.join(table)}"
        )


# --- source types --------------------------------------------------------------------------


@dataclass(frozen=True)
class Combustion:
    """A flue-gas source type: O2 at full and low load, flow, temperature, and the mean
    and nominal limit (mg/m3 at the reference O2) of each pollutant."""

    o2_full: float
    o2_low: float
    flow_m3_per_s: float  # standard state, dry, at full load
    temp_full: float
    temp_idle: float
    humidity: float
    mean: Mapping[str, float]
    limit: Mapping[str, float]


# Limits are those of domain.md section 6 (GB 13223-2011, GB 13271-2014 table 3) and
# GB 16297 for process exhaust. They only size exceedance bursts and span gases here;
# the compliance module judges against permits.
COMBUSTION: dict[str, Combustion] = {
    # GB 13223 coal-fired unit, reference O2 6 %
    "coal_power": Combustion(
        5.5, 8.0, 250.0, 50.0, 30.0, 12.0,
        {"a21026": 40.0, "a21002": 70.0, "a34013": 8.0, "a21005": 30.0},
        {"a21026": 100.0, "a21002": 100.0, "a34013": 30.0, "a21005": 200.0},
    ),
    # GB 13223 gas-fired boiler, reference O2 3 %
    "gas_power": Combustion(
        3.5, 7.0, 40.0, 110.0, 40.0, 11.0,
        {"a21026": 8.0, "a21002": 60.0, "a34013": 2.5, "a21005": 20.0},
        {"a21026": 35.0, "a21002": 100.0, "a34013": 5.0, "a21005": 100.0},
    ),
    # GB 13223 gas turbine, reference O2 15 %
    "gas_turbine": Combustion(
        14.0, 16.0, 150.0, 95.0, 40.0, 8.0,
        {"a21026": 5.0, "a21002": 30.0, "a34013": 2.0, "a21005": 10.0},
        {"a21026": 35.0, "a21002": 50.0, "a34013": 5.0, "a21005": 100.0},
    ),
    # GB 13271 gas-fired boiler, reference O2 3.5 %
    "gas_boiler": Combustion(
        4.5, 9.0, 4.0, 110.0, 35.0, 10.0,
        {"a21026": 12.0, "a21002": 80.0, "a34013": 4.0, "a21005": 25.0},
        {"a21026": 50.0, "a21002": 150.0, "a34013": 20.0, "a21005": 100.0},
    ),
    # GB 13271 coal-fired boiler, reference O2 9 %
    "coal_boiler": Combustion(
        8.5, 12.0, 12.0, 140.0, 40.0, 9.0,
        {"a21026": 150.0, "a21002": 180.0, "a34013": 25.0, "a21005": 60.0},
        {"a21026": 300.0, "a21002": 300.0, "a34013": 50.0, "a21005": 200.0},
    ),
    # process exhaust (coating lines, furnaces): no reference O2, GB 16297
    "process": Combustion(
        19.0, 20.2, 8.0, 35.0, 25.0, 3.0,
        {"a21026": 3.0, "a21002": 15.0, "a34013": 6.0, "a21005": 5.0},
        {"a21026": 200.0, "a21002": 200.0, "a34013": 30.0, "a21005": 100.0},
    ),
}  # fmt: skip

_REFERENCE_O2 = {6.0: "coal_power", 3.0: "gas_power", 15.0: "gas_turbine",
                 3.5: "gas_boiler", 9.0: "coal_boiler"}  # fmt: skip


def combustion_type(reference_o2: float | None) -> str:
    """The source type a flue-gas point's reference O2 points to (domain.md section 6):
    6 % coal-fired power, 3 % gas-fired power boiler, 15 % gas turbine, 3.5 % gas boiler,
    9 % coal boiler; none: process exhaust. Other values take the nearest."""
    if reference_o2 is None:
        return "process"
    nearest = min(_REFERENCE_O2, key=lambda o2: (abs(o2 - reference_o2), o2))
    return _REFERENCE_O2[nearest]


@dataclass(frozen=True)
class Water:
    flow_l_per_s: float
    ph: float
    mean: Mapping[str, float]
    limit: Mapping[str, float]


WATER: dict[str, Water] = {
    # GB 18918-2002 class 1A outlet
    "municipal": Water(400.0, 7.1, {"w01018": 22.0, "w21003": 1.2, "w21011": 0.25,
                                     "w21001": 9.0},
                        {"w01018": 50.0, "w21003": 5.0, "w21011": 0.5, "w21001": 15.0}),
    # indirect discharge to a sewer (GB 8978 grade 3, GB/T 31962)
    "industrial": Water(8.0, 7.6, {"w01018": 150.0, "w21003": 12.0, "w21011": 1.5,
                                    "w21001": 25.0},
                         {"w01018": 500.0, "w21003": 45.0, "w21011": 8.0, "w21001": 70.0}),
    # GB 21900-2008 table 2
    "electroplating": Water(3.0, 7.5, {"w01018": 35.0, "w21003": 4.0, "w21011": 0.3,
                                        "w21001": 8.0},
                             {"w01018": 80.0, "w21003": 15.0, "w21011": 1.0, "w21001": 20.0}),
    # GB 18466-2005 pre-treatment
    "hospital": Water(5.0, 7.3, {"w01018": 90.0, "w21003": 15.0, "w21011": 2.0,
                                  "w21001": 25.0},
                       {"w01018": 250.0, "w21003": 45.0, "w21011": 8.0, "w21001": 70.0}),
}  # fmt: skip


def water_type(industry: str) -> str:
    """municipal, electroplating, hospital or industrial, from the enterprise's industry."""
    if any(word in industry for word in ("污水处理", "污水厂", "水务", "水处理")):
        return "municipal"
    if any(word in industry for word in ("电镀", "表面处理")):
        return "electroplating"
    if any(word in industry for word in ("医院", "医疗")):
        return "hospital"
    return "industrial"


_CONTINUOUS = ("热电", "发电", "电力", "能源", "热力", "燃气", "污水", "水务", "化工", "半导体",
               "集成电路", "芯片", "显示", "医药", "制药", "医院", "玻璃", "监测")  # fmt: skip
_DAY_SHIFT = ("电镀", "表面处理", "物流", "仓储", "仪表")


def schedule_for(industry: str) -> str:
    """continuous, two_shift (06:30-23:00, Monday-Saturday) or day_shift (08:00-18:00,
    Monday-Friday), from the enterprise's industry."""
    if any(word in industry for word in _CONTINUOUS):
        return "continuous"
    if any(word in industry for word in _DAY_SHIFT):
        return "day_shift"
    return "two_shift"


STANDARDS = {
    "coal_power": "GB 13223-2011", "gas_power": "GB 13223-2011", "gas_turbine": "GB 13223-2011",
    "gas_boiler": "GB 13271-2014", "coal_boiler": "GB 13271-2014", "process": "GB 16297-1996",
    "municipal": "GB 18918-2002", "industrial": "GB 8978-1996", "electroplating": "GB 21900-2008",
    "hospital": "GB 18466-2005",
}  # fmt: skip


def source_limits(
    kind: str, reference_o2: float | None, industry: str
) -> tuple[str, Mapping[str, float]]:
    """(standard, limits by code) of the source type the simulated values are sized for,
    so demo permits and simulated exceedances agree."""
    if kind == PointKind.FLUE_GAS:
        source = combustion_type(reference_o2)
        return STANDARDS[source], COMBUSTION[source].limit
    source = water_type(industry)
    return STANDARDS[source], WATER[source].limit
