"""The supervision vocabulary: target categories, listings, campaign states, the settings.

Plain enums and frozen dataclasses; the draw's inputs and result are JSON-able dicts
(see rules.py), because the published record must be readable by anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ecozone.errors import Invalid


class SupervisionError(Invalid):
    """Supervision input refused; the message names what is wrong."""


class Category(StrEnum):
    """Target lists of 双随机 (domain.md §8 "一单两库"; domain-2.md §7)."""

    KEY = "key"  # 重点排污单位: an enterprise holding a key-class (重点管理) permit
    ATTENTION = "attention"  # 特殊监管对象: set by staff
    GENERAL = "general"  # 一般排污单位: every other enterprise


#: The order the draw works through the categories in; part of the algorithm.
CATEGORY_ORDER = (Category.KEY, Category.ATTENTION, Category.GENERAL)


class ListingKind(StrEnum):
    """Staff-kept lists that change how an enterprise is drawn."""

    POSITIVE = "positive"  # 监督执法正面清单: mainly off-site; its weight is lowered
    PLEDGE = "pledge"  # 承诺免检: no routine check; on-site only when triggered
    ATTENTION = "attention"  # 特殊监管对象: its own target category


class CandidateStatus(StrEnum):
    """Why a candidate is or is not in the draw."""

    ELIGIBLE = "eligible"
    TRIGGERED = "triggered"  # a triggered on-site check: always in
    CAPPED = "capped"  # already inspected in its cap window (渝 2025 caps)
    PLEDGED = "pledged"  # pledge-based exemption


class CampaignState(StrEnum):
    COMMITTED = "committed"  # inputs and the commitment stored and shown; seed secret
    DRAWN = "drawn"  # drawn once; the seed revealed


@dataclass(frozen=True)
class SupervisionSettings:
    """Figures the reference marks as local practice, (R) or UNCONFIRMED: each a setting
    (ECOZONE_SUPERVISION_<FIELD>). Ratios: Guangdong/Chizhou examples (domain-2.md §7,
    domain.md §8); caps: Chongqing 2025 (domain-2.md §6)."""

    min_inspectors: int = 2
    #: Weight added per open alert of the enterprise (raised weight, plan item 17).
    alert_weight_step: float = 0.5
    #: Weight factor of an enterprise on the positive list (mainly off-site supervision).
    positive_weight: float = 0.2
    #: Categories counted as high-risk for the caps; the others are ordinary.
    high_risk_categories: str = "key,attention"
    #: Cap windows in calendar months: high-risk ≤ 1 on-site check a quarter, ordinary ≤ 1 a year.
    high_risk_cap_months: int = 3
    ordinary_cap_months: int = 12
    default_key_ratio: float = 0.05
    default_attention_ratio: float = 0.15
    default_general_ratio: float = 0.05

    def __post_init__(self) -> None:
        if self.min_inspectors < 2:
            raise SupervisionError("min_inspectors: at least 2 inspectors per inspection")
        for months in (self.high_risk_cap_months, self.ordinary_cap_months):
            if months not in (1, 2, 3, 4, 6, 12):
                raise SupervisionError(f"cap months: {months}; one of 1, 2, 3, 4, 6, 12")
        if not 0 < self.positive_weight <= 1 or self.alert_weight_step < 0:
            raise SupervisionError("positive_weight in (0, 1], alert_weight_step ≥ 0")

    @property
    def high_risk(self) -> frozenset[str]:
        return frozenset(c.strip() for c in self.high_risk_categories.split(",") if c.strip())
