"""Plain data of the registry: the zone's enterprises, monitoring points and devices.

Frozen dataclasses and enums only; `RegistryError` (a refused file or request)
and `UnknownEnterprise` are the exceptions this package raises. Nothing here
touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from ecozone.errors import Invalid, NotFound

DEFAULT_ZONE = "中国（重庆）自由贸易试验区"


class PointKind(StrEnum):
    FLUE_GAS = "flue_gas"
    WASTEWATER = "wastewater"
    AMBIENT_AIR = "ambient_air"
    SURFACE_WATER = "surface_water"
    POWER = "power"  # 用电监控点: a logger uploading meters (HJ 212-2025 ST=44/45)
    NOISE = "noise"  # 噪声监测点: a functional-zone station or a site boundary (ST=23/36)
    DUST = "dust"  # 工地扬尘监测点 (HJ 212-2025 ST=39)
    SEWER = "sewer"  # 排水管网溢流口 / 液位监测点


#: The point kinds as plain strings, in the order above (the point table's CHECK).
POINT_KINDS = tuple(kind.value for kind in PointKind)

#: Longest texts the registry stores (the zone, district, enterprise and point tables'
#: column lengths are these; registry files are checked against them before any write).
ZONE_NAME_LENGTH = 100
DISTRICT_NAME_LENGTH = 100
ENTERPRISE_NAME_LENGTH = 200
INDUSTRY_LENGTH = 100
ADDRESS_LENGTH = 300
POINT_NAME_LENGTH = 200


class RegistryError(Invalid):
    """A registry file or request was refused; `errors` lists every problem by its path."""

    exit_code = 1  # what `ecozone registry` has always exited with for a refused file

    def __init__(self, errors: list[str], *, heading: str | None = None) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        heading = heading or (
            f"registry not imported, {count} error{'s' if count != 1 else ''}; nothing was written"
        )
        super().__init__("\n".join([heading + ":", *(f"  {error}" for error in self.errors)]))


class UnknownEnterprise(NotFound):
    """No enterprise with this credit code, or none the asker may see: both read alike."""

    def __init__(self, credit_code: str) -> None:
        self.credit_code = credit_code
        super().__init__(f"no enterprise with credit code {credit_code}")


@dataclass(frozen=True)
class DeviceInfo:
    """What the gateway needs to accept a device's frames and file its data."""

    mn: str
    point_id: int
    password: str
    st: str
    lenient: bool
    credit_code: str
    point_code: str
    kind: PointKind
    reference_o2: float | None
    # HJ 212-2025 §6.4 SM4 keys (16 bytes): the current one, and the one it replaced
    # through CN 1014 with the time of the change (valid for a grace period after it).
    sm4_key: bytes | None = None
    sm4_previous_key: bytes | None = None
    sm4_key_changed_at: datetime | None = None
    encryption_required: bool = False


@dataclass(frozen=True)
class DeviceSpec:
    """A device as a registry file gives it. A secret the file leaves out or masks
    (SECRET_MASK) is kept as stored: `password` None, `keep_sm4_key` True."""

    mn: str
    password: str | None
    st: str
    lenient: bool = False
    sm4_key: str | None = None
    encryption_required: bool = False
    keep_sm4_key: bool = False


#: How device secrets appear where they are shown: frames, exports without --with-secrets.
SECRET_MASK = "******"


class PendingStatus(StrEnum):
    PENDING = "pending"  # announced itself with CN 1001, waits for an administrator
    APPROVED = "approved"  # an MN is assigned; CN 1002 goes out when the logger calls again
    ASSIGNED = "assigned"  # the logger was sent its MN


@dataclass(frozen=True)
class PendingDevice:
    """A logger that sent CN 1001 (HJ 212-2025) and is not registered."""

    id: int
    logger_sn: str
    cpu_id: str | None
    mac1: str | None
    mac2: str | None
    sent_mn: str | None
    st: str
    peer: str
    first_seen_at: datetime
    last_seen_at: datetime
    status: PendingStatus
    assigned_mn: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None


@dataclass(frozen=True)
class PointSpec:
    path: str  # where it sits in the file, for messages: enterprises[0].points[1]
    code: str
    name: str
    kind: PointKind
    reference_o2: float | None = None
    lon: float | None = None
    lat: float | None = None
    device: DeviceSpec | None = None
    # Where the point stands when not in its enterprise's district (an air station).
    district: str | None = None
    # First day its automatic monitoring is in operation; it owes no data before it.
    operating_from: date | None = None


@dataclass(frozen=True)
class EnterpriseSpec:
    path: str
    credit_code: str
    name: str
    district: str
    credit_code_verified: bool = True
    industry: str | None = None
    address: str | None = None
    lon: float | None = None
    lat: float | None = None
    # Key discharging units disclose their monitoring data; only that is public.
    disclosed: bool = False
    points: tuple[PointSpec, ...] = ()


@dataclass(frozen=True)
class RegistryDocument:
    """A registry file as parsed. Entries keep the values they were given even when
    a rule failed (the errors say so), so cross-checks can still name conflicts;
    it is fit for writing only when parsing reported no errors."""

    zone: str
    districts: tuple[str, ...]
    enterprises: tuple[EnterpriseSpec, ...]


@dataclass
class RegistrySnapshot:
    """The registry as stored, keyed the way a file names things (for diffing)."""

    zones: dict[str, int] = field(default_factory=dict)  # name -> id
    districts: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> row
    enterprises: dict[str, dict[str, Any]] = field(default_factory=dict)  # credit code -> row
    points: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (code, code)
    devices: dict[int, dict[str, Any]] = field(default_factory=dict)  # point id -> row


ENTITIES = ("zone", "district", "enterprise", "point", "device")


@dataclass
class ImportSummary:
    """Counts of what an import did, per entity, and warnings that did not stop it."""

    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTITIES, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTITIES, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTITIES, 0))
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def __str__(self) -> str:
        def counts(numbers: dict[str, int]) -> str:
            parts = [f"{n} {entity}{'s' if n != 1 else ''}" for entity, n in numbers.items() if n]
            return ", ".join(parts) or "nothing"

        lines = [
            f"created: {counts(self.created)}",
            f"updated: {counts(self.updated)}",
            f"unchanged: {counts(self.unchanged)}",
        ]
        lines += [f"warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)
