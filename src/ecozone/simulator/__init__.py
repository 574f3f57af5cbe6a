"""Virtual HJ 212 data loggers: devices that speak only TCP to a gateway, like real ones.

    profiles   what instruments read: pure, deterministic functions of (device, seed, time)
    packets    readings and records as HJ 212 uploads (2011, 2051, 2061, 2031, 2081)
    device     one asyncio logger: uploads, OverTime/ReCount resends, answers to requests
    runner     a fleet against one gateway, from a registry file or generated; counters
    cli        `simulate()` and the Typer sub-app `app` (command `run`)

The HJ 212 version of a device follows from its MN (model.protocol_for_mn): MNs
starting "0200" speak HJ 212-2025 (Flag version bits 000010, 9015 heartbeats);
14-character legacy MNs speak HJ/T 212-2005 when their last digit is even and
HJ 212-2017 (parseable only leniently) when it is odd; all others HJ 212-2017.

Same seed, same device, same time: same values, whether sent live or as a backfill
answer to a history request. Simulated time may run faster than wall time (`speed`,
inf for "as fast as the gateway answers"), e.g. to replay the last day in seconds.
"""

from ecozone.simulator.device import Clock, Device, DeviceStats, china_now
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
from ecozone.simulator.runner import (
    Runner,
    RunStats,
    generate_devices,
    load_registry,
    run,
    run_devices,
)

__all__ = [
    "DEFAULT_MIN_INTERVAL",
    "DEFAULT_POLLUTANTS",
    "Clock",
    "Device",
    "DeviceSpec",
    "DeviceStats",
    "PointKind",
    "Reading",
    "Record",
    "RunStats",
    "Runner",
    "Scenario",
    "SimulatorError",
    "china_now",
    "generate_devices",
    "load_registry",
    "protocol_for_mn",
    "run",
    "run_devices",
]
