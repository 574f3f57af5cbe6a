"""Virtual HJ 212 data loggers: devices that speak only TCP to a gateway, like real ones.

    model      DeviceSpec and Scenario; the HJ 212 version a device speaks, from its MN
    profiles   what instruments read: pure, deterministic functions of (device, seed, time)

Same seed, same device, same time: same values, whenever they are computed.
"""

from ecozone.simulator.model import (
    DEFAULT_MIN_INTERVAL,
    DEFAULT_POLLUTANTS,
    DeviceSpec,
    PointKind,
    Scenario,
    SimulatorError,
    protocol_for_mn,
)
from ecozone.simulator.profiles import Reading, Record

__all__ = [
    "DEFAULT_MIN_INTERVAL",
    "DEFAULT_POLLUTANTS",
    "DeviceSpec",
    "PointKind",
    "Reading",
    "Record",
    "Scenario",
    "SimulatorError",
    "protocol_for_mn",
]
