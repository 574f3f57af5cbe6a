"""Settings from ECOZONE_* environment variables, with defaults that work out of the box.

Read once per call of `load()` (and of the capabilities' settings below);
nothing is cached at import so tests can change the environment freely. This
is the only module that reads the environment.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecozone.airquality.model import AqiSettings
    from ecozone.compliance.model import DeskSettings, MarkSettings
    from ecozone.energy.model import EnergySettings
    from ecozone.ingest.stream import LogSettings
    from ecozone.measurements.model import QuerySettings
    from ecozone.monitoring.model import MonitoringSettings
    from ecozone.power.model import PowerSettings
    from ecozone.projects.model import ProjectSettings
    from ecozone.quality.model import QualitySettings
    from ecozone.statistics.schedule_service import ReportSettings
    from ecozone.supervision.model import SupervisionSettings
    from ecozone.trading.model import TradingSettings
    from ecozone.waste.model import WasteSettings
    from ecozone.waterquality.model import WaterSettings
    from ecozone.zoning.model import EmergencySettings


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
    # Peers (addresses or networks) whose X-Forwarded-For / -Proto are believed
    # (ECOZONE_TRUSTED_PROXIES); from anyone else those headers are ignored.
    trusted_proxies: tuple[str, ...] = ()
    # Origins besides the request's own host that may send cookie-authenticated writes
    # (ECOZONE_TRUSTED_ORIGINS), e.g. the public https://host of a proxy that rewrites Host.
    trusted_origins: tuple[str, ...] = ()
    # Always mark the session cookie Secure (ECOZONE_SECURE_COOKIE=1), for TLS ended at a proxy.
    secure_cookie: bool = False
    # Request bodies: forms and JSON (ECOZONE_MAX_BODY_BYTES), multipart uploads
    # (ECOZONE_MAX_UPLOAD_BYTES: ecozone.files.MAX_UPLOAD_BYTES plus room for the form).
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 11 * 1024 * 1024
    # Who besides logged-in staff may read /metrics and /status: peers
    # (ECOZONE_METRICS_ALLOW, addresses or networks) and a bearer token (ECOZONE_METRICS_TOKEN).
    metrics_allow: tuple[str, ...] = ()
    metrics_token: str | None = None
    # Gateway limits. A frame must be complete this many seconds after its first byte
    # (after the previous frame): the idle timeout restarts on every read, so alone it
    # never cuts off a client trickling one byte at a time. Ten kilobytes at 1200 bit/s
    # take about 80 s, hence the margin. 0: no deadline.
    gateway_frame_deadline_s: float = 120.0
    # Connections one IP address may hold open (0: no cap). Devices behind one NAT (a
    # DTU provider, a park's router) share an address, so this is generous.
    gateway_max_connections_per_address: int = 200
    # Bytes kept of a burst of junk (bytes outside any frame, an over-long line) in its
    # one rejection record; the rest is only counted. `ecozone ingest` keeps the same.
    gateway_junk_prefix_bytes: int = 256
    # Gateway processes sharing the port with SO_REUSEPORT (ECOZONE_GATEWAY_PROCESSES);
    # one per core is the usual choice. 1: the gateway runs in the `ecozone gateway` process.
    gateway_processes: int = 1
    # The gateway's event loop (ECOZONE_GATEWAY_EVENT_LOOP): "asyncio", or "uvloop" when
    # the optional uvloop package is installed ("auto" picks it then).
    gateway_event_loop: str = "asyncio"
    # Measurement archive (ecozone.archive). Months kept live in the database, the current
    # one included (ECOZONE_ARCHIVE_LIVE_MONTHS); older ones are archived to Parquet by the
    # hourly maintenance round. 0: keep every month live, archive only on command.
    archive_live_months: int = 0
    # Folder of the Parquet files (ECOZONE_ARCHIVE_DIR; default data_dir/archive).
    archive_dir_setting: Path | None = None
    # PostgreSQL monthly partitions made ahead of time: this month and this many more
    # (ECOZONE_PARTITION_MONTHS_AHEAD).
    partition_months_ahead: int = 3

    @property
    def secret_key_file(self) -> Path:
        return self.data_dir / "secret.key"

    @property
    def archive_dir(self) -> Path:
        return self.archive_dir_setting or self.data_dir / "archive"


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


def _integer(name: str, default: int, *, what: str, least: int, too_small: str) -> int:
    """A whole-number setting: `default` when unset; ValueError naming it when it is not
    `what` or is below `least` (`too_small` is the message's tail)."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not {what}") from None
    if value < least:
        raise ValueError(too_small.format(name=name, raw=raw, value=value))
    return value


def _count(name: str, default: int) -> int:
    return _integer(
        name, default, what="a whole number", least=0, too_small="{name}={raw!r} must be 0 or more"
    )


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
        trusted_proxies=_networks("ECOZONE_TRUSTED_PROXIES"),
        trusted_origins=_origins("ECOZONE_TRUSTED_ORIGINS"),
        secure_cookie=_flag("ECOZONE_SECURE_COOKIE"),
        max_body_bytes=_bytes("ECOZONE_MAX_BODY_BYTES", 1024 * 1024),
        max_upload_bytes=_bytes("ECOZONE_MAX_UPLOAD_BYTES", 11 * 1024 * 1024),
        metrics_allow=_networks("ECOZONE_METRICS_ALLOW"),
        metrics_token=os.environ.get("ECOZONE_METRICS_TOKEN") or None,
        gateway_frame_deadline_s=_seconds("ECOZONE_GATEWAY_FRAME_DEADLINE_S", 120.0),
        archive_live_months=_count("ECOZONE_ARCHIVE_LIVE_MONTHS", 0),
        archive_dir_setting=Path(os.environ["ECOZONE_ARCHIVE_DIR"])
        if os.environ.get("ECOZONE_ARCHIVE_DIR")
        else None,
        partition_months_ahead=_count("ECOZONE_PARTITION_MONTHS_AHEAD", 3),
        gateway_max_connections_per_address=_count(
            "ECOZONE_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS", 200
        ),
        gateway_junk_prefix_bytes=_count("ECOZONE_GATEWAY_JUNK_PREFIX_BYTES", 256),
        gateway_processes=_integer(
            "ECOZONE_GATEWAY_PROCESSES",
            1,
            what="a whole number",
            least=1,
            too_small="{name}={raw!r} must be 1 or more",
        ),
        gateway_event_loop=_event_loop(os.environ.get("ECOZONE_GATEWAY_EVENT_LOOP") or "auto"),
    )


def _event_loop(raw: str) -> str:
    if raw not in ("auto", "asyncio", "uvloop"):
        raise ValueError(f"ECOZONE_GATEWAY_EVENT_LOOP={raw!r} must be auto, asyncio or uvloop")
    if raw == "asyncio":
        return raw
    try:
        import uvloop  # noqa: F401
    except ImportError:
        if raw == "uvloop":
            raise ValueError("ECOZONE_GATEWAY_EVENT_LOOP=uvloop but uvloop is not installed"
                             " (pip install 'ecozone[fast]')") from None  # fmt: skip
        return "asyncio"
    return "uvloop"


def _items(name: str) -> list[str]:
    return [item.strip() for item in (os.environ.get(name) or "").split(",") if item.strip()]


def _networks(name: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (10.0.0.5, 10.1.0.0/16, ::1), checked here."""
    items = _items(name)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{name}: {item!r} is not an IP address or network") from None
    return tuple(items)


def _origins(name: str) -> tuple[str, ...]:
    items = [item.rstrip("/") for item in _items(name)]
    for item in items:
        scheme, sep, host = item.partition("://")
        if scheme not in ("http", "https") or not sep or not host or "/" in host:
            raise ValueError(f"{name}: {item!r} is not an origin like https://ecozone.example")
    return tuple(items)


def _flag(name: str) -> bool:
    raw = (os.environ.get(name) or "0").strip().lower()
    if raw not in ("0", "1", "true", "false", "yes", "no"):
        raise ValueError(f"{name}={raw!r} must be 0 or 1")
    return raw in ("1", "true", "yes")


def _bytes(name: str, default: int) -> int:
    return _integer(
        name,
        default,
        what="a number of bytes",
        least=1024,
        too_small="{name}={value} is below 1024 bytes",
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


def power_settings(environ: Mapping[str, str] | None = None) -> PowerSettings:
    """Linkage settings from ECOZONE_POWER_<FIELD> variables (e.g. ECOZONE_POWER_OFF_FRACTION,
    ECOZONE_POWER_CONTROL_OFF_SLOTS), defaults otherwise; every figure is UNCONFIRMED
    (domain-2.md §1.4), so each is a setting."""
    from dataclasses import fields

    from ecozone.power.model import PowerError, PowerSettings

    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for spec in fields(PowerSettings):
        name = "ECOZONE_POWER_" + spec.name.upper()
        raw = env.get(name)
        if not raw:
            continue
        kind = int if spec.type in ("int", int) else float
        try:
            values[spec.name] = kind(raw)
        except ValueError:
            raise PowerError(f"{name}={raw!r} is not a {kind.__name__}") from None
    return PowerSettings(**values)  # type: ignore[arg-type]


def desk_settings(environ: Mapping[str, str] | None = None) -> DeskSettings:
    """The alert desk's settings: ECOZONE_WORK_CALENDAR, the path of a YAML file with
    `holidays` and `workdays` (调休) lists of dates or ranges "2025-10-01..2025-10-08"
    (default: weekends only), and ECOZONE_ALERT_DEADLINE_DAYS (working days, default 5)."""
    import yaml

    from ecozone.compliance.model import ComplianceError, DeskSettings
    from ecozone.compliance.rules import parse_calendar

    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    path = env.get("ECOZONE_WORK_CALENDAR")
    if path:
        try:
            data = yaml.safe_load(Path(path).read_text("utf-8"))
            values["calendar"] = parse_calendar(data, f"ECOZONE_WORK_CALENDAR={path}")
        except (OSError, yaml.YAMLError, ValueError, AttributeError, TypeError) as exc:
            raise ComplianceError(f"ECOZONE_WORK_CALENDAR={path}: {exc}") from None
    raw = env.get("ECOZONE_ALERT_DEADLINE_DAYS")
    if raw:
        try:
            days = int(raw)
        except ValueError:
            days = 0
        if not 1 <= days <= DeskSettings.max_deadline_days:
            raise ComplianceError(
                f"ECOZONE_ALERT_DEADLINE_DAYS={raw!r}: a whole number of working days, "
                f"1 to {DeskSettings.max_deadline_days}"
            )
        values["deadline_days"] = days
    return DeskSettings(**values)  # type: ignore[arg-type]


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


def query_settings(environ: Mapping[str, str] | None = None) -> QuerySettings:
    """History query settings: ECOZONE_QUERY_PAGE_SIZE (rows per page),
    ECOZONE_QUERY_EXPORT_ROW_CAP (rows per export), ECOZONE_QUERY_DEFAULT_DECIMALS and
    ECOZONE_QUERY_DECIMALS ("a21026=1,w01018=0"); defaults otherwise."""
    from ecozone.measurements.model import QueryError, QuerySettings

    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name, key, least in (
        ("ECOZONE_QUERY_PAGE_SIZE", "page_size", 1),
        ("ECOZONE_QUERY_EXPORT_ROW_CAP", "export_row_cap", 1),
        ("ECOZONE_QUERY_DEFAULT_DECIMALS", "default_decimals", 0),
    ):
        raw = env.get(name)
        if not raw:
            continue
        try:
            number = int(raw)
        except ValueError:
            raise QueryError(f"{name}={raw!r} is not a whole number") from None
        if number < least:
            raise QueryError(f"{name}={number} must be at least {least}")
        values[key] = number
    raw = env.get("ECOZONE_QUERY_DECIMALS")
    if raw:

        def bad(item: str) -> Exception:
            return QueryError(f"ECOZONE_QUERY_DECIMALS item {item!r} is not CODE=DECIMALS")

        decimals = {}
        for code, text in _code_units(raw, bad).items():
            if not text.isdigit():
                raise bad(f"{code}={text}")
            decimals[code] = int(text)
        values["decimals"] = decimals
    return QuerySettings(**values)  # type: ignore[arg-type]


def supervision_settings(environ: Mapping[str, str] | None = None) -> SupervisionSettings:
    """双随机 settings from ECOZONE_SUPERVISION_<FIELD> variables (e.g.
    ECOZONE_SUPERVISION_MIN_INSPECTORS, ECOZONE_SUPERVISION_HIGH_RISK_CAP_MONTHS); the
    ratios, weights and caps are local practice or UNCONFIRMED (domain-2.md §6–7)."""
    from dataclasses import fields

    from ecozone.supervision.model import SupervisionError, SupervisionSettings

    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for spec in fields(SupervisionSettings):
        raw = env.get("ECOZONE_SUPERVISION_" + spec.name.upper())
        if not raw:
            continue
        kind = {"int": int, "float": float}.get(str(spec.type), str)
        try:
            values[spec.name] = kind(raw)
        except ValueError:
            raise SupervisionError(f"ECOZONE_SUPERVISION_{spec.name.upper()}={raw!r}") from None
    return SupervisionSettings(**values)  # type: ignore[arg-type]


def waterquality_settings(environ: Mapping[str, str] | None = None) -> WaterSettings:
    """Settings of the GB 3838-2002 evaluation, defaults otherwise (环办〔2011〕22号, (R)):
    ECOZONE_WATERQUALITY_RIVER_EXCLUDED (codes left out of a river's class, default
    "w21001,w02003": TN and fecal coliform), ECOZONE_WATERQUALITY_MULTIPLE_FOR_DO (0|1)."""
    from ecozone.waterquality.model import WaterQualityError, WaterSettings

    env = os.environ if environ is None else environ
    prefix = "ECOZONE_WATERQUALITY_"
    values: dict[str, object] = {}
    excluded = env.get(prefix + "RIVER_EXCLUDED")
    if excluded is not None:
        values["river_excluded"] = tuple(c.strip() for c in excluded.split(",") if c.strip())
    flag = env.get(prefix + "MULTIPLE_FOR_DO")
    if flag:
        if flag.strip().lower() not in ("0", "1", "true", "false", "yes", "no"):
            raise WaterQualityError(f"{prefix}MULTIPLE_FOR_DO must be 0 or 1, not {flag!r}")
        values["multiple_for_do"] = flag.strip().lower() in ("1", "true", "yes")
    return WaterSettings(**values)  # type: ignore[arg-type]


def exemption_list_path(environ: Mapping[str, str] | None = None) -> str | None:
    """ECOZONE_EXEMPTION_LIST: the path of the exemption list (免罚清单) YAML in force, for a
    bureau whose own list replaces the shipped one (渝环规〔2021〕6号's annex is UNCONFIRMED,
    domain-2.md §8); None: the list shipped in ecozone/supervision/data."""
    env = os.environ if environ is None else environ
    return env.get("ECOZONE_EXEMPTION_LIST") or None
def energy_settings(environ: Mapping[str, str] | None = None) -> EnergySettings:
    """Settings of ecozone.energy (domain-2.md §4 and §5, (C)/(R) values), defaults otherwise:
    ECOZONE_ENERGY_REALTIME_MINUTES (15, relaxable to 30 or 60), _COMPLETENESS_PCT (90),
    _DAILY_MONTHLY_PCT (5), _DAILY_OFFSET_S (60), _KEY_USER_TCE (10000),
    _DESIGNATED_USER_TCE (5000), _ELECTRICITY_METHOD (equivalent | equal_value),
    _GRID_KIND (market | statistical), _NATURAL_GAS (natural_gas | natural_gas_oilfield)."""
    from ecozone.energy.model import (
        ElectricityMethod,
        EnergyError,
        EnergySettings,
        GridFactorKind,
    )

    env = os.environ if environ is None else environ
    kinds = {"realtime_minutes": int, "completeness_pct": float, "daily_monthly_pct": float,
             "daily_offset_s": int, "key_user_tce": float, "designated_user_tce": float,
             "electricity_method": ElectricityMethod, "grid_kind": GridFactorKind,
             "natural_gas": str}  # fmt: skip
    values: dict[str, object] = {}
    for name, kind in kinds.items():
        raw = env.get("ECOZONE_ENERGY_" + name.upper())
        if not raw:
            continue
        try:
            values[name] = kind(raw.strip())
        except ValueError:
            raise EnergyError(f"ECOZONE_ENERGY_{name.upper()}={raw!r} is not valid") from None
    if values.get("natural_gas", "natural_gas") not in ("natural_gas", "natural_gas_oilfield"):
        raise EnergyError("ECOZONE_ENERGY_NATURAL_GAS must be natural_gas or natural_gas_oilfield")
    return EnergySettings(**values)  # type: ignore[arg-type]
def waste_settings(environ: Mapping[str, str] | None = None) -> WasteSettings:
    """Hazardous-waste settings from ECOZONE_WASTE_<FIELD> variables: STORAGE_LIMIT_DAYS (365;
    固废法 art. 81 binds 经营单位, a year for every generator is local practice),
    STORAGE_WARNING_DAYS (35: warn from day 330), KEY_T_PER_YEAR (100) and
    SIMPLIFIED_T_PER_YEAR (10) of HJ 1259-2022 (C), BALANCE_TOLERANCE_T (0.01);
    CONFIRM_WORKING_DAYS (5), RECEIPT_TOLERANCE (0.05) and MANIFEST_AREA ("5000", the form
    number's province and city digits) of order 23 (R); MONTHLY_DUE_DAY (15) and
    QUARTERLY_DUE_DAY (15), the day of the next month by which a month's or a quarter's
    declaration is due (HJ 1259-2022; UNCONFIRMED, 1–28), and DECLARATION_WARNING_DAYS (10),
    how early the "declaration due" reminder comes; ROUTE_CORRIDOR_M (500),
    ROUTE_DEVIATION_MINUTES (5), STOP_RADIUS_M (100), STOP_MINUTES (30) and STOP_END_RADIUS_M
    (500) of the vehicle-track checks (UNCONFIRMED); domain-2.md §3.1–3.4."""
    from dataclasses import fields

    from ecozone.waste.model import WasteError, WasteSettings

    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for spec in fields(WasteSettings):
        name = "ECOZONE_WASTE_" + spec.name.upper()
        raw = env.get(name)
        if not raw:
            continue
        if str(spec.type) == "str":
            if not (raw.isdigit() and len(raw) == 4):
                raise WasteError(f"{name}={raw!r}: expected 4 digits (province and city code)")
            values[spec.name] = raw
            continue
        kind = int if str(spec.type) == "int" else float
        try:
            value = kind(raw)
        except ValueError:
            raise WasteError(f"{name}={raw!r}: expected a number") from None
        if value < 0:
            raise WasteError(f"{name}={raw!r}: must not be negative")
        if spec.name.endswith("_due_day") and not 1 <= value <= 28:
            raise WasteError(f"{name}={raw!r}: expected a day of the month from 1 to 28")
        values[spec.name] = value
    return WasteSettings(**values)  # type: ignore[arg-type]
def trading_settings(environ: Mapping[str, str] | None = None) -> TradingSettings:
    """Settings of the allowance ledgers, defaults otherwise:
    ECOZONE_TRADING_SURRENDER_DEADLINE (MM-DD of the year after the compliance year by which
    carbon allowances are surrendered, default 12-31; the Chongqing date is UNCONFIRMED),
    ECOZONE_TRADING_WARN_DAYS (days before that deadline a shortfall is raised, default 60),
    ECOZONE_TRADING_DISCHARGE_VALIDITY_YEARS (discharge rights' validity, default 5,
    domain-2.md §11, (C))."""
    from datetime import date as _date

    from ecozone.trading.model import TradingError, TradingSettings

    env = os.environ if environ is None else environ
    prefix = "ECOZONE_TRADING_"
    values: dict[str, int] = {}
    deadline = (env.get(prefix + "SURRENDER_DEADLINE") or "").strip()
    if deadline:
        try:
            month, day = (int(part) for part in deadline.split("-"))
            _date(2001, month, day)  # a day every year has (not 02-29)
        except ValueError:
            raise TradingError(
                f"{prefix}SURRENDER_DEADLINE={deadline!r}: expected MM-DD, e.g. 06-30"
            ) from None
        values.update(surrender_month=month, surrender_day=day)
    numbers = (("WARN_DAYS", "warn_days", 0),
               ("DISCHARGE_VALIDITY_YEARS", "discharge_validity_years", 1))  # fmt: skip
    for name, field_name, least in numbers:
        raw = (env.get(prefix + name) or "").strip()
        if raw:
            if not raw.isdigit() or int(raw) < least:
                raise TradingError(f"{prefix}{name}={raw!r}: expected a whole number >= {least}")
            values[field_name] = int(raw)
    return TradingSettings(**values)
def emergency_settings(environ: Mapping[str, str] | None = None) -> EmergencySettings:
    """Emergency-plan review: ECOZONE_EMERGENCY_REVIEW_YEARS (default 3, 环发〔2015〕4号 art.
    12) and ECOZONE_EMERGENCY_EXPIRING_DAYS (warning before the review date, default 90, (R))."""
    from ecozone.zoning.model import EmergencySettings, ZoningError

    env = os.environ if environ is None else environ
    values: dict[str, int] = {}
    for name, least in (("review_years", 1), ("expiring_days", 0)):
        raw = env.get("ECOZONE_EMERGENCY_" + name.upper())
        if not raw:
            continue
        if not raw.strip().isdigit() or int(raw) < least:
            raise ZoningError(f"ECOZONE_EMERGENCY_{name.upper()}={raw!r}: a whole number "
                              f"of at least {least}")  # fmt: skip
        values[name] = int(raw)
    return EmergencySettings(**values)


def projects_settings(environ: Mapping[str, str] | None = None) -> ProjectSettings:
    """The EIA clock's settings from ECOZONE_PROJECTS_<FIELD> variables (domain-2.md §12, (C)):
    DAY_KIND (calendar | working, default calendar: the law says 日), ROLL_TO_WORKING_DAY
    (0|1, default 1), PLEDGE_DAYS (default 0), PILOT_DAYS (working days, default 2),
    DUE_SOON_DAYS (default 5)."""
    from dataclasses import fields

    from ecozone.projects.model import DayKind, ProjectError, ProjectSettings

    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for spec in fields(ProjectSettings):
        name = "ECOZONE_PROJECTS_" + spec.name.upper()
        raw = env.get(name, "").strip()
        if not raw:
            continue
        if spec.name == "day_kind":
            if raw not in tuple(DayKind):
                raise ProjectError(f"{name}={raw!r}: expected calendar or working")
            values[spec.name] = raw
        elif spec.name == "roll_to_working_day":
            if raw not in ("0", "1"):
                raise ProjectError(f"{name}={raw!r}: expected 0 or 1")
            values[spec.name] = raw == "1"
        else:
            if not raw.isdigit() or int(raw) > 365:
                raise ProjectError(f"{name}={raw!r}: expected a whole number of days, 0-365")
            values[spec.name] = int(raw)
    return ProjectSettings(**values)  # type: ignore[arg-type]
def quality_settings(environ: Mapping[str, str] | None = None) -> QualitySettings:
    """Settings of noise, dust and overflows (ecozone.quality), defaults otherwise; what the
    references mark (R) or UNCONFIRMED: ECOZONE_QUALITY_DAY_START_HOUR (6) and
    ECOZONE_QUALITY_NIGHT_START_HOUR (22) (GB 3096-2008 §3.7, a county may move them),
    ECOZONE_QUALITY_SUDDEN_MARGIN_DB (15, §5.4), ECOZONE_QUALITY_CONSTRUCTION_DAY_DB (70),
    ECOZONE_QUALITY_CONSTRUCTION_NIGHT_DB (55), ECOZONE_QUALITY_CONSTRUCTION_SUDDEN_MARGIN_DB
    (15, GB 12523-2011 (R)), ECOZONE_QUALITY_WEIR_CD (0.62), ECOZONE_QUALITY_OVERFLOW_MIN_L_PER_S
    (0.5), and the codes ECOZONE_QUALITY_FLOW_CODE (w00000), ECOZONE_QUALITY_LEVEL_CODE and
    ECOZONE_QUALITY_RAIN_CODE (no HJ 212-2017 code: UNCONFIRMED)."""
    from dataclasses import fields

    from ecozone.quality.model import QualityError, QualitySettings

    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for spec in fields(QualitySettings):
        raw = env.get("ECOZONE_QUALITY_" + spec.name.upper())
        if raw is None or not raw.strip():
            continue
        name = "ECOZONE_QUALITY_" + spec.name.upper()
        if spec.type == "str":
            values[spec.name] = raw.strip()
            continue
        try:
            number = int(raw) if spec.type == "int" else float(raw)
        except ValueError:
            raise QualityError("bad_setting", f"{name}={raw!r} is not a number") from None
        values[spec.name] = number
    made = QualitySettings(**values)  # type: ignore[arg-type]
    if not 0 <= made.day_start_hour < made.night_start_hour <= 23:
        raise QualityError("bad_setting", "ECOZONE_QUALITY_DAY_START_HOUR must be before "
                           "ECOZONE_QUALITY_NIGHT_START_HOUR, both 0-23")  # fmt: skip
    return made


def log_settings(environ: Mapping[str, str] | None = None) -> LogSettings:
    """The durable log (NATS JetStream) between gateways and writers, from ECOZONE_LOG_<FIELD>
    variables: ECOZONE_LOG_URL (servers, comma-separated; unset: no log, the gateway writes
    to the database itself), ECOZONE_LOG_STREAM, ECOZONE_LOG_SUBJECT, ECOZONE_LOG_REPLICAS,
    ECOZONE_LOG_MAX_AGE_S, ECOZONE_LOG_MAX_BYTES, ECOZONE_LOG_DUPLICATE_WINDOW_S,
    ECOZONE_LOG_PUBLISH_TIMEOUT_S, ECOZONE_LOG_ACK_WAIT_S, ECOZONE_LOG_BATCH and the others
    of ingest.stream.LogSettings; docs/operations.md says what each does."""
    from dataclasses import fields

    from ecozone.ingest.stream import LogSettings

    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for spec in fields(LogSettings):
        name = "ECOZONE_LOG_" + spec.name.upper()
        raw = (env.get(name) or "").strip()
        if not raw:
            continue
        if spec.type == "str":
            values[spec.name] = raw
            continue
        try:
            number = int(raw) if spec.type == "int" else float(raw)
        except ValueError:
            raise ValueError(f"{name}={raw!r} is not a number") from None
        if spec.name == "max_bytes" and number < -1:
            raise ValueError(f"{name}={raw!r} must be -1 (no cap) or a number of bytes")
        if spec.name == "max_age_s" and number < 0:
            raise ValueError(f"{name}={raw!r} must be 0 (no limit) or more seconds")
        if spec.name not in ("max_bytes", "max_age_s") and not number > 0:
            raise ValueError(f"{name}={raw!r} must be more than 0")
        values[spec.name] = number
    settings = LogSettings(**values)  # type: ignore[arg-type]
    for server in settings.servers:
        if not server.startswith(("nats://", "tls://", "ws://", "wss://")):
            raise ValueError(f"ECOZONE_LOG_URL: {server!r} is not a NATS URL like nats://host:4222")
    return settings


def statistics_report_settings(environ: Mapping[str, str] | None = None) -> ReportSettings:
    """The statistical reports' schedule and mail (ecozone.statistics.schedule_service):
    ECOZONE_STATISTICS_MONTH_DAY (1-28: last month's report is generated from that day of the
    next month; default 1), ECOZONE_SMTP_HOST (none: notifications in the platform only),
    ECOZONE_SMTP_PORT (25), ECOZONE_SMTP_FROM, ECOZONE_SMTP_USER, ECOZONE_SMTP_PASSWORD,
    ECOZONE_SMTP_STARTTLS (0|1)."""
    from ecozone.statistics.schedule_service import ReportSettings

    env = os.environ if environ is None else environ
    raw_day = env.get("ECOZONE_STATISTICS_MONTH_DAY", "").strip()
    if raw_day and not (raw_day.isdigit() and 1 <= int(raw_day) <= 28):
        raise ValueError(f"ECOZONE_STATISTICS_MONTH_DAY={raw_day!r}: expected a day 1 to 28")
    raw_port = env.get("ECOZONE_SMTP_PORT", "").strip()
    if raw_port and not (raw_port.isdigit() and 0 < int(raw_port) <= 65535):
        raise ValueError(f"ECOZONE_SMTP_PORT={raw_port!r} is not a port number")
    starttls = env.get("ECOZONE_SMTP_STARTTLS", "").strip()
    if starttls not in ("", "0", "1"):
        raise ValueError(f"ECOZONE_SMTP_STARTTLS={starttls!r}: expected 0 or 1")
    return ReportSettings(
        month_day=int(raw_day) if raw_day else 1,
        smtp_host=env.get("ECOZONE_SMTP_HOST", "").strip() or None,
        smtp_port=int(raw_port) if raw_port else 25,
        smtp_from=env.get("ECOZONE_SMTP_FROM", "").strip() or "ecozone@localhost",
        smtp_user=env.get("ECOZONE_SMTP_USER", "").strip() or None,
        smtp_password=env.get("ECOZONE_SMTP_PASSWORD") or None,
        smtp_starttls=starttls == "1",
    )
