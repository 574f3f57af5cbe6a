# Plain data of the simulator: what a virtual device is (DeviceSpec) and how the
# world around it behaves (Scenario). Frozen dataclasses, so a spec and a
# scenario can key caches and two runs with equal inputs produce equal data.
#
# The HJ 212 version a device speaks is decided from its MN alone, since the
# registry file has no field for it (see protocol_for_mn).

from __future__ import annotations

import math
from dataclasses import dataclass

from ecozone.errors import Invalid
from ecozone.registry.model import PointKind

__all__ = [
    "DEFAULT_MIN_INTERVAL",
    "DEFAULT_POLLUTANTS",
    "DeviceSpec",
    "PointKind",
    "Scenario",
    "SimulatorError",
    "protocol_for_mn",
]


class SimulatorError(Invalid):
    """A device list, registry file or option the simulator cannot run with."""


def protocol_for_mn(mn: str) -> str:
    """The HJ 212 version a device speaks, read from its MN.

    - 24 characters starting "0200": HJ 212-2025 (Flag version bits 000010,
      heartbeat 9015);
    - 14 characters (an HJ/T 212-2005 era MN): a legacy data logger. When the
      last character is an even digit it still speaks HJ/T 212-2005 (no Flag,
      2005 pollutant codes, no answers awaited); otherwise it was upgraded to
      HJ 212-2017 but kept its old MN, so its frames parse only leniently;
    - anything else: HJ 212-2017.
    """
    if len(mn) == 24 and mn.startswith("0200"):
        return "2025"
    if len(mn) == 14:
        last = mn[-1]
        return "2005" if last.isdigit() and int(last) % 2 == 0 else "2017"
    return "2017"


# What each kind of point measures when the spec names no pollutants (HJ 212-2017
# Appendix B codes; ozone has no code in B.2, so a05024, the code air stations use for it).
DEFAULT_POLLUTANTS: dict[PointKind, tuple[str, ...]] = {
    # SO2, NOx, particulates, O2, flue gas temperature, flue gas flow
    PointKind.FLUE_GAS: ("a21026", "a21002", "a34013", "a19001", "a01012", "a00000"),
    # COD, ammonia nitrogen, pH, total phosphorus, wastewater flow
    PointKind.WASTEWATER: ("w01018", "w21003", "w01001", "w21011", "w00000"),
    # SO2, NO2, CO, O3, PM10, PM2.5
    PointKind.AMBIENT_AIR: ("a21026", "a21004", "a21005", "a05024", "a34002", "a34004"),
    # pH, dissolved oxygen, permanganate index, ammonia nitrogen, water temperature
    PointKind.SURFACE_WATER: ("w01001", "w01009", "w01019", "w21003", "w01010"),
    # Production line and control facility power, kW (the d-codes of HJ 212-2025's example
    # C37/C38 as public code maps them; their meaning is UNCONFIRMED, domain-2.md §1.2)
    PointKind.POWER: ("d20405", "d30406"),
}

# Minute-data interval (MinInterval, HJ 212-2017 Table 4) per kind: CEMS report every
# minute (HJ 212-2017 App. D: an hour needs >= 45 minute means), water analysers and
# stations every 10 minutes (App. D.1: 1 <= m <= 6 per hour), air stations every 5.
DEFAULT_MIN_INTERVAL: dict[PointKind, int] = {
    PointKind.FLUE_GAS: 1,
    PointKind.WASTEWATER: 10,
    PointKind.AMBIENT_AIR: 5,
    PointKind.SURFACE_WATER: 10,
    PointKind.POWER: 1,
}

_DEFAULT_ST = {
    PointKind.FLUE_GAS: "31",
    PointKind.WASTEWATER: "32",
    PointKind.AMBIENT_AIR: "22",
    PointKind.SURFACE_WATER: "21",
    PointKind.POWER: "44",
}


@dataclass(frozen=True)
class DeviceSpec:
    """One data logger at one monitoring point.

    `industry` (the enterprise's, as the registry names it: 热电, 污水处理, 汽车零部件...)
    shapes the production schedule and the wastewater type; `reference_o2` (flue gas
    only) selects the combustion type and makes the device send converted (Zs) values.
    `pollutants` empty means DEFAULT_POLLUTANTS of the kind. `protocol` None means
    protocol_for_mn(mn).
    """

    mn: str
    password: str
    kind: PointKind
    st: str = ""
    protocol: str | None = None
    reference_o2: float | None = None
    pollutants: tuple[str, ...] = ()
    industry: str = ""
    lenient: bool = False
    name: str = ""

    def __post_init__(self) -> None:
        kind = PointKind(self.kind)
        object.__setattr__(self, "kind", kind)
        if not self.st:
            object.__setattr__(self, "st", _DEFAULT_ST[kind])
        if self.protocol is None:
            object.__setattr__(self, "protocol", protocol_for_mn(self.mn))
        elif self.protocol not in ("2005", "2017", "2025"):
            raise SimulatorError(
                f"device {self.mn}: protocol {self.protocol!r} is not 2005, 2017 or 2025"
            )
        if not self.pollutants:
            object.__setattr__(self, "pollutants", DEFAULT_POLLUTANTS[kind])
        if self.reference_o2 is not None:
            if kind is not PointKind.FLUE_GAS:
                raise SimulatorError(
                    f"device {self.mn}: reference_o2 applies to flue_gas points, not {kind}"
                )
            if not 0 <= self.reference_o2 < 21:
                raise SimulatorError(
                    f"device {self.mn}: reference_o2 {self.reference_o2} is outside 0..21 %"
                )

    @property
    def label(self) -> str:
        return f"{self.mn} ({self.name})" if self.name else self.mn


@dataclass(frozen=True)
class Scenario:
    """How the simulated world behaves. Every value-shaping field is part of the seed:
    the same scenario gives the same data for the same device and time.

    Shares are fractions of hours (of each instrument for faults); the event models
    turn them into start probabilities, so over a long run the observed share comes
    close to the configured one (less where events overlap). Network times are wall
    seconds: the network does not run faster when simulated time does.
    """

    seed: int = 0
    # data values and flags
    exceedance_device_share: float = 0.25  # devices prone to exceedances
    exceedance_hour_share: float = 0.03  # hours in exceedance bursts (1-3 h) of a prone device
    fault_hour_share: float = 0.004  # instrument fault (D), per instrument, episodes of 1-6 h
    maintenance_hour_share: float = 0.003  # station maintenance (M), 1-3 h in working hours
    calibration_per_day: float = 1.0  # chance of a daily 10-minute zero/span check (C)
    # uploads
    rtd_interval_s: int = 30
    min_interval: int | None = None  # None: DEFAULT_MIN_INTERVAL of the point's kind
    send_rtd: bool = True
    announce_restart: bool = True  # CN 2081 after the first connect (HJ 212-2017 C.24)
    history_ack: bool = True  # history uploads ask for 9014 (C.48) rather than not (C.47)
    history_max_records: int = 10_000
    # network
    over_time_s: float = 5.0  # OverTime: wait for an answer (HJ 212-2017 6.2, Table 1)
    re_count: int = 3  # ReCount: resends after the first try
    reconnect_on_timeout: bool = True  # 6.2.1: retries exhausted means the link is down
    heartbeat_interval_s: float = 60.0  # HJ 212-2025 devices only
    reconnect_delay_s: float = 1.0
    reconnect_delay_max_s: float = 30.0
    disconnect_mean_s: float | None = None  # mean wall time between random disconnects
    clock_skew_s: float = 0.0  # each device's clock is off by up to this much, either way

    def __post_init__(self) -> None:
        for name in (
            "exceedance_device_share",
            "exceedance_hour_share",
            "fault_hour_share",
            "maintenance_hour_share",
            "calibration_per_day",
        ):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise SimulatorError(f"{name}={value} is not a fraction in 0..1")
        if not 1 <= self.rtd_interval_s <= 3600:
            raise SimulatorError(f"rtd_interval_s={self.rtd_interval_s} is outside 1..3600")
        if self.min_interval is not None and 60 % self.min_interval:
            raise SimulatorError(f"min_interval={self.min_interval} does not divide an hour")
        if self.over_time_s <= 0 or self.re_count < 0:
            raise SimulatorError("over_time_s must be > 0 and re_count >= 0")
        if self.disconnect_mean_s is not None and not (
            self.disconnect_mean_s > 0 and math.isfinite(self.disconnect_mean_s)
        ):
            raise SimulatorError(f"disconnect_mean_s={self.disconnect_mean_s} must be > 0")

    def min_interval_for(self, kind: PointKind) -> int:
        return self.min_interval or DEFAULT_MIN_INTERVAL[PointKind(kind)]
