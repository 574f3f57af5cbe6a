"""Settings from ECOZONE_* environment variables, with defaults that work out of the box.

Read once per call of `load()` (and of the capabilities' settings below);
nothing is cached at import so tests can change the environment freely. This
is the only module that reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecozone.airquality.model import AqiSettings
    from ecozone.compliance.model import MarkSettings
    from ecozone.monitoring.model import MonitoringSettings


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    http_host: str
    http_port: int
    gateway_host: str
    gateway_port: int
    # Key that encrypts device passwords and SM4 keys at rest (ECOZONE_SECRET_KEY). Without
    # it a random key is generated once in data_dir/secret.key (mode 0600): back that file
    # up with the database, or the stored device secrets cannot be read.
    secret_key: str | None = None
    # HJ 212-2025 CN 1014: how long a device's previous SM4 key stays valid after a new one.
    sm4_key_grace_s: float = 24 * 3600.0
    # Length field of SM4-encrypted frames the platform sends: the plaintext segment's
    # (the standard's Appendix A.2 examples) or the transmitted one's. UNCONFIRMED.
    sm4_length_counts: str = "plaintext"

    @property
    def secret_key_file(self) -> Path:
        return self.data_dir / "secret.key"


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"{name}={port} is outside 0..65535")
    return port


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of seconds") from None
    if not value >= 0:
        raise ValueError(f"{name}={raw!r} must be 0 or more seconds")
    return value


def load() -> Settings:
    data_dir = Path(os.environ.get("ECOZONE_DATA_DIR") or "ecozone-data")
    url = os.environ.get("ECOZONE_DATABASE_URL") or f"sqlite:///{data_dir / 'ecozone.db'}"
    return Settings(
        data_dir=data_dir,
        database_url=url,
        http_host=os.environ.get("ECOZONE_HTTP_HOST") or "127.0.0.1",
        http_port=_port("ECOZONE_HTTP_PORT", 8212),
        gateway_host=os.environ.get("ECOZONE_GATEWAY_HOST") or "127.0.0.1",
        gateway_port=_port("ECOZONE_GATEWAY_PORT", 9212),
        secret_key=os.environ.get("ECOZONE_SECRET_KEY") or None,
        sm4_key_grace_s=_seconds("ECOZONE_SM4_KEY_GRACE_S", 24 * 3600.0),
        sm4_length_counts=_length_counts(os.environ.get("ECOZONE_SM4_LENGTH") or "plaintext"),
    )


def _length_counts(raw: str) -> str:
    if raw not in ("plaintext", "transmitted"):
        raise ValueError(f"ECOZONE_SM4_LENGTH={raw!r}: 'plaintext' or 'transmitted'")
    return raw


# --- settings of the capabilities' rules ----------------------------------------------------
# The settings types live in the capabilities' models (pure); they are imported on call so
# this module stays importable from anywhere.


def _code_units(raw: str, bad_item: Callable[[str], Exception]) -> dict[str, str]:
    """CODE=UNIT items ("a00000=m3/h,a21026=ppm") as {code: unit}; raises `bad_item(item)`."""
    units: dict[str, str] = {}
    for item in raw.split(","):
        code, sep, unit = item.partition("=")
        if not sep or not code.strip() or not unit.strip():
            raise bad_item(item)
        units[code.strip()] = unit.strip()
    return units


def monitoring_settings(environ: Mapping[str, str] | None = None) -> MonitoringSettings:
    """Settings from the environment: ECOZONE_MONITORING_O2_CAP (%),
    ECOZONE_MONITORING_MINUTE_INTERVAL (minutes) and ECOZONE_MONITORING_UNITS
    ("a00000=m3/h,a21026=ppm"); defaults otherwise."""
    from ecozone.monitoring.model import MonitoringError, MonitoringSettings

    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    raw = env.get("ECOZONE_MONITORING_O2_CAP")
    if raw:
        try:
            values["o2_cap"] = float(raw)
        except ValueError:
            raise MonitoringError(f"ECOZONE_MONITORING_O2_CAP={raw!r} is not a number") from None
    raw = env.get("ECOZONE_MONITORING_MINUTE_INTERVAL")
    if raw:
        try:
            values["minute_interval"] = int(raw)
        except ValueError:
            raise MonitoringError(
                f"ECOZONE_MONITORING_MINUTE_INTERVAL={raw!r} is not a whole number of minutes"
            ) from None
    raw = env.get("ECOZONE_MONITORING_UNITS")
    if raw:
        values["units"] = _code_units(
            raw,
            lambda item: MonitoringError(
                f"ECOZONE_MONITORING_UNITS item {item!r} is not CODE=UNIT, e.g. a00000=m3/h"
            ),
        )
    return MonitoringSettings(**values)  # type: ignore[arg-type]


def airquality_settings(environ: Mapping[str, str] | None = None) -> AqiSettings:
    """Settings from the environment, defaults otherwise:
    ECOZONE_AIRQUALITY_EDITION (2012|2026), ECOZONE_AIRQUALITY_IAQI_ROUNDING (ceil|round|floor),
    ECOZONE_AIRQUALITY_PM_HOURLY_BASIS (1h|24h), ECOZONE_AIRQUALITY_HOURLY_O3_8H (0|1),
    ECOZONE_AIRQUALITY_UNITS ("a34004=µg/m3,a34002=µg/m3")."""
    from ecozone.airquality.model import AirQualityError, AqiSettings

    env = os.environ if environ is None else environ
    prefix = "ECOZONE_AIRQUALITY_"
    values: dict[str, object] = {}
    for name in ("edition", "iaqi_rounding", "pm_hourly_basis"):
        text = env.get(prefix + name.upper())
        if text:
            values[name] = text.strip()
    flag = env.get(prefix + "HOURLY_O3_8H")
    if flag:
        if flag.strip().lower() not in ("0", "1", "true", "false", "yes", "no"):
            raise AirQualityError(f"{prefix}HOURLY_O3_8H must be 0 or 1, not {flag!r}")
        values["hourly_o3_8h"] = flag.strip().lower() in ("1", "true", "yes")
    units = env.get(prefix + "UNITS")
    if units:
        values["units"] = _code_units(
            units,
            lambda item: AirQualityError(
                f"{prefix}UNITS: {item.strip()!r} is not CODE=UNIT (e.g. a34004=µg/m3)"
            ),
        )
    return AqiSettings(**values)  # type: ignore[arg-type]


def mark_settings(environ: Mapping[str, str] | None = None) -> MarkSettings:
    """Data-marking settings from the environment, defaults otherwise (all UNCONFIRMED: no
    rule on declaration deadlines was found): ECOZONE_MARK_LATE_HOURS (declared more than
    this after the range began is late, 补报; default 0), ECOZONE_MARK_LONGEST_DAYS (366),
    ECOZONE_MARK_BACK_DAYS and ECOZONE_MARK_AHEAD_DAYS (how far before or after the
    declaration a range may begin; unset: no limit)."""
    from datetime import timedelta

    from ecozone.compliance.model import MarkSettings

    env = os.environ if environ is None else environ

    def number(name: str) -> float | None:
        raw = env.get(name)
        if raw is None or raw.strip() == "":
            return None
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{name}={raw!r} is not a number") from None
        if not value >= 0:
            raise ValueError(f"{name}={raw!r} must be 0 or more")
        return value

    values: dict[str, timedelta] = {}
    late = number("ECOZONE_MARK_LATE_HOURS")
    if late is not None:
        values["late_after"] = timedelta(hours=late)
    for field, name in (
        ("longest", "ECOZONE_MARK_LONGEST_DAYS"),
        ("back_limit", "ECOZONE_MARK_BACK_DAYS"),
        ("ahead_limit", "ECOZONE_MARK_AHEAD_DAYS"),
    ):
        days = number(name)
        if days is not None:
            values[field] = timedelta(days=days)
    return MarkSettings(**values)
