"""Surface-water sections and their GB 3838-2002 classes: plain data, no I/O.

A section is a point of kind surface_water with its water body type (rivers and lakes differ
for TP and TN) and the class it is meant to meet (水功能区目标).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from ecozone.errors import Invalid, NotFound


class WaterQualityError(Invalid):
    """Bad input to a water-quality use case; the message says what is wrong."""


class SectionNotFound(NotFound):
    """No surface-water section with this id that the caller may see."""


class Body(StrEnum):
    RIVER = "river"
    LAKE = "lake"  # lakes and reservoirs (湖、库)


class WaterClass(IntEnum):
    """GB 3838-2002 §4: classes I-V by use; 6 is 劣V (worse than V, no use)."""

    I = 1  # noqa: E741 - the standard's own name
    II = 2
    III = 3
    IV = 4
    V = 5
    WORSE_THAN_V = 6

    @property
    def label(self) -> str:
        return "劣Ⅴ" if self is WaterClass.WORSE_THAN_V else "ⅠⅡⅢⅣⅤ"[self - 1]

    @property
    def roman(self) -> str:
        return "worse than V" if self is WaterClass.WORSE_THAN_V else self.name


#: Target classes a section may have (劣V is never a target).
TARGET_CLASSES = tuple(c for c in WaterClass if c is not WaterClass.WORSE_THAN_V)


@dataclass(frozen=True)
class Section:
    point_id: int
    code: str
    name: str
    enterprise_id: int
    enterprise: str
    district: str | None
    body: Body
    target_class: WaterClass


@dataclass(frozen=True)
class ParameterClass:
    """One parameter's verdict: its class, and against the target the exceedance multiple
    (None where it meets the target or the evaluation gives none, as for pH and DO)."""

    code: str
    value: float
    water_class: WaterClass
    exceeds: bool
    multiple: float | None


@dataclass(frozen=True)
class Evaluation:
    """A section's class over one period: the worst parameter class (None: no value)."""

    water_class: WaterClass | None
    parameters: tuple[ParameterClass, ...]

    @property
    def exceeding(self) -> tuple[ParameterClass, ...]:
        return tuple(p for p in self.parameters if p.exceeds)


@dataclass(frozen=True)
class WaterSettings:
    """What the reference marks (R): the river evaluation leaves out TN and fecal coliform
    (环办〔2011〕22号 §3), and pH and DO have no exceedance multiple there."""

    river_excluded: tuple[str, ...] = ("w21001", "w02003")
    multiple_for_do: bool = False
