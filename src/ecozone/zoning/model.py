"""Zoning and risk as plain data: layers and their features, the access list of an
environmental control unit, the answer of a location check, soil sites, risk sources,
emergency plans and incidents. No I/O; geometries are shapely objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from ecozone.errors import Conflict, Invalid, NotFound


class ZoningError(Invalid):
    """Bad input to a zoning use case; the message names what is wrong."""


class LayerInvalid(ZoningError):
    """A layer file refused: unreadable, or a feature whose geometry is invalid (named)."""


class ZoningNotFound(NotFound):
    """No such layer version, site, source, plan or incident."""


class StepRefused(Conflict):
    """A status step the current status does not allow."""


class LayerKind(StrEnum):
    """The layers of 三线一单 as the plan (item 1) names them, and the park boundaries and
    shorelines item 12 asks to respect."""

    RED_LINE = "red_line"  # 生态保护红线
    CONTROL_UNIT = "control_unit"  # 环境管控单元 with its 生态环境准入清单
    PARK = "park"  # 园区边界
    SHORELINE = "shoreline"  # 河湖岸线

    @property
    def lines(self) -> bool:
        """Shorelines are lines; every other layer is polygons."""
        return self is LayerKind.SHORELINE


class Access(StrEnum):
    """What an access list says for an industry, strictest first."""

    FORBIDDEN = "forbidden"  # 禁止准入
    RESTRICTED = "restricted"  # 限制准入 (with conditions)
    ALLOWED = "allowed"  # 允许准入


#: Strictness of each answer: the strictest matching entry of a list decides.
STRICTNESS = {Access.FORBIDDEN: 3, Access.RESTRICTED: 2, Access.ALLOWED: 1}


@dataclass(frozen=True)
class AccessEntry:
    """One line of a unit's access list: the industry, what it says, its rule text and the
    conditions that go with a restricted entry."""

    industry: str
    access: Access
    rule: str = ""
    conditions: str = ""


@dataclass(frozen=True)
class Feature:
    """One feature of a layer file: its key (code), name, shapely geometry and attributes."""

    key: str
    name: str
    geometry: Any
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VersionRef:
    """The layer version a check used."""

    kind: LayerKind
    version_id: int
    valid_from: date
    label: str


@dataclass(frozen=True)
class UnitAnswer:
    """One control unit containing the point and what its list says for the industry
    (access None: the industry is not on the list, the unit's general requirements apply)."""

    key: str
    name: str
    access: Access | None
    entries: tuple[AccessEntry, ...]
    requirements: str = ""


@dataclass(frozen=True)
class LocationCheck:
    """The answer of `service.check_location`: the red-line polygons containing the point,
    the control units containing it with their answers, the parks, and the layers used."""

    lon: float
    lat: float
    industry: str
    on_date: date
    red_lines: tuple[tuple[str, str], ...]  # (key, name) of each red-line polygon
    units: tuple[UnitAnswer, ...]
    parks: tuple[tuple[str, str], ...]
    versions: tuple[VersionRef, ...]

    @property
    def inside_red_line(self) -> bool:
        return bool(self.red_lines)

    @property
    def verdict(self) -> Access | None:
        """Forbidden inside the red line (no development there); else the strictest answer
        of the units; None when no unit lists the industry."""
        if self.inside_red_line:
            return Access.FORBIDDEN
        found = [u.access for u in self.units if u.access is not None]
        return max(found, key=STRICTNESS.__getitem__) if found else None


@dataclass(frozen=True)
class FeatureChange:
    """A red-line polygon that differs between two versions."""

    key: str
    name: str
    change: str  # added | removed | changed
    area_before_m2: float
    area_after_m2: float
    flags: tuple[str, ...]


class SoilStatus(StrEnum):
    """建设用地土壤污染风险管控和修复名录 statuses (土壤污染防治法 arts. 58-66)."""

    LISTED = "listed"  # 列入名录
    UNDER_CONTROL = "under_control"  # 风险管控
    REMEDIATION = "remediation"  # 修复
    REMOVED = "removed"  # 移出名录


class RiskLevel(StrEnum):
    """企业突发环境事件风险等级, HJ 941-2018: general, larger, major."""

    GENERAL = "general"  # 一般
    LARGER = "larger"  # 较大
    MAJOR = "major"  # 重大


class SourceKind(StrEnum):
    ENTERPRISE = "enterprise"
    PIPELINE = "pipeline"  # 油气输运
    STORAGE = "storage"  # 重化工储运站点
    SITE = "site"


class ResourceKind(StrEnum):
    MATERIAL = "material"  # 应急物资
    TEAM = "team"  # 应急队伍
    EQUIPMENT = "equipment"  # 应急装备


class PlanState(StrEnum):
    """A filed plan against its review date: current, expiring within the warning, expired."""

    CURRENT = "current"
    EXPIRING = "expiring"
    EXPIRED = "expired"


class IncidentState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class EmergencySettings:
    """突发环境事件应急预案备案管理办法（试行）(环发〔2015〕4号) art. 12: a plan is reviewed at
    least every three years; the warning before that date is the platform's choice (R)."""

    review_years: int = 3
    expiring_days: int = 90
