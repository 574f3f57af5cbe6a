"""Enterprise environmental credit, pure: a rule set read from data, the year's facts in,
the score, the level and every factor with the fact that caused it out.

Two schemes ship as data (data/credit-*.yaml, each with its version and source): the
Chongqing one (渝环规〔2021〕7号: base 100, 诚信 100–108, 良好 80–99, 警示 60–79, 不良 0–59)
and the national four colours (环发〔2013〕150号); domain-2.md §6. The rules never read a
clock or a file: the caller passes the rule set, the facts and the day of evaluation.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from ecozone.supervision.model import SupervisionError

HARMS = ("none", "minor", "serious")
OUTCOMES = ("penalty", "exempt", "warning")
#: Violation states in which the rectification is done (violation table, supervision).
RECTIFIED_STATES = ("rectified", "closed")


class CreditError(SupervisionError):
    """A credit rule file or a credit request refused; the message names what is wrong."""


class FactorKind(StrEnum):
    """What a line of the breakdown counts; each has its entry under `factors` in the file."""

    VIOLATION = "violation"  # 环境违法行为
    PENALTY = "penalty"  # 行政处罚（按罚款金额分档）
    EXCEEDANCE = "exceedance"  # 超标排放报警
    DATA_QUALITY = "data_quality"  # 自动监测数据有效率
    ALERT_OVERDUE = "alert_overdue"  # 报警逾期未反馈
    RECTIFICATION = "rectification"  # 整改（按期 / 逾期）
    CLEAN_YEAR = "clean_year"  # 全年无违法、无超标、无逾期（加分项）
    REPAIR = "repair"  # 信用修复：已修复违法行为的扣分恢复
    VETO = "veto"  # 一票否决：直接评为不良


@dataclass(frozen=True)
class Level:
    code: str  # honest, good, warning, poor
    name: str
    colour: str  # green, blue, yellow, red
    min: int


@dataclass(frozen=True)
class RuleSet:
    """One scheme's rules as shipped in its data file."""

    scheme: str
    version: str
    title: str
    source: str
    base: int
    floor: int
    ceiling: int
    levels: tuple[Level, ...]
    factors: Mapping[str, Any]
    veto_fine_yuan: float | None
    publicity_months: Mapping[str, int]
    #: Factor on a candidate's draw weight by level code (absent: 1).
    draw_weight: Mapping[str, float] = field(default_factory=dict)

    def level(self, score: float) -> Level:
        return next(lv for lv in self.levels if score >= lv.min)

    @property
    def worst(self) -> Level:
        return self.levels[-1]


@dataclass(frozen=True)
class Line:
    """One factor of the breakdown: what it counts, the fact that caused it, its points."""

    kind: FactorKind
    fact: str
    points: float
    ref: str | None = None  # e.g. "violation:12", "alert:5"


@dataclass(frozen=True)
class Facts:
    """What the platform holds on one enterprise for one year, as plain dicts.

    violations: id, found_on, provision, item, harm, state, rectify_by, rectified_on;
    penalties: id, violation_id, decided_on, outcome, amount_yuan;
    exceedances: id, start, pollutant (exceedance alerts started in the year);
    data_quality: point, pollutant, valid_rate (0–1), over the monitored days of the year;
    overdue_alerts: id, type, deadline (answered late or not at all);
    repairs: violation_id -> the day the repair was recorded.
    """

    year: int
    violations: Sequence[Mapping[str, Any]] = ()
    penalties: Sequence[Mapping[str, Any]] = ()
    exceedances: Sequence[Mapping[str, Any]] = ()
    data_quality: Sequence[Mapping[str, Any]] = ()
    overdue_alerts: Sequence[Mapping[str, Any]] = ()
    repairs: Mapping[int, date] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    scheme: str
    version: str
    year: int
    score: float
    level: Level
    vetoed: bool
    lines: tuple[Line, ...]


# --- the rule file ---------------------------------------------------------------------------


def _number(data: Mapping[str, Any], key: str, where: str) -> float:
    value = data.get(key) if isinstance(data, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CreditError(f"{where}.{key}: a number is required, found {value!r}")
    return value


def parse_rule_set(data: Any, source: str = "credit rules") -> RuleSet:
    """A RuleSet from a data file's content; CreditError names the first thing wrong."""
    if not isinstance(data, Mapping):
        raise CreditError(f"{source}: not a mapping")
    for key in ("scheme", "version", "title", "source"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise CreditError(f"{source}: {key} is required")
    levels = []
    for n, raw in enumerate(data.get("levels") or ()):
        where = f"{source}: levels[{n}]"
        if not isinstance(raw, Mapping) or not all(raw.get(k) for k in ("code", "name", "colour")):
            raise CreditError(f"{where}: code, name, colour and min are required")
        levels.append(Level(str(raw["code"]), str(raw["name"]), str(raw["colour"]),
                            int(_number(raw, "min", where))))  # fmt: skip
    mins = [lv.min for lv in levels]
    if not levels or mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        raise CreditError(f"{source}: levels must be listed highest first, minimums decreasing")
    floor, ceiling = int(_number(data, "floor", source)), int(_number(data, "ceiling", source))
    if levels[-1].min > floor:
        raise CreditError(f"{source}: the lowest level must start at the floor ({floor})")
    factors = data.get("factors")
    missing = [k for k in ("violation", "penalty", "exceedance", "data_quality",
                           "alert_overdue", "rectification", "clean_year")
               if not isinstance(factors, Mapping) or k not in factors]  # fmt: skip
    if missing:
        raise CreditError(f"{source}: factors missing {', '.join(missing)}")
    for harm in HARMS:
        _number(factors["violation"], harm, f"{source}: factors.violation")
    for n, band in enumerate(factors["penalty"].get("bands") or ()):
        _number(band, "from", f"{source}: factors.penalty.bands[{n}]")
        _number(band, "points", f"{source}: factors.penalty.bands[{n}]")
    if not factors["penalty"].get("bands"):
        raise CreditError(f"{source}: factors.penalty.bands is required")
    months = (data.get("repair") or {}).get("min_publicity_months") or {}
    if sorted(months) != sorted(HARMS):
        raise CreditError(f"{source}: repair.min_publicity_months needs {', '.join(HARMS)}")
    veto = (data.get("veto") or {}).get("serious_violation_fined_from")
    return RuleSet(
        scheme=data["scheme"], version=data["version"], title=data["title"],
        source=" ".join(str(data["source"]).split()), base=int(_number(data, "base", source)),
        floor=floor, ceiling=ceiling, levels=tuple(levels), factors=factors,
        veto_fine_yuan=float(veto) if veto is not None else None,
        publicity_months={k: int(v) for k, v in months.items()},
        draw_weight={str(k): float(v) for k, v in (data.get("draw_weight") or {}).items()},
    )  # fmt: skip


# --- the score -------------------------------------------------------------------------------


def penalty_points(rule: RuleSet, outcome: str, amount_yuan: float | None) -> float:
    """A decision's points: warning and exemption fixed; a fine by the band of its amount
    (the band whose lower bound, inclusive, is the highest not above the amount)."""
    table = rule.factors["penalty"]
    if outcome != "penalty":
        return float(table.get(outcome, 0))
    amount = amount_yuan or 0
    bands = sorted(table["bands"], key=lambda b: b["from"])
    return float([b for b in bands if amount >= b["from"]][-1]["points"])


def _capped(each: float, count: int, cap: float | None) -> float:
    total = each * count
    return max(total, cap) if cap is not None else total


def _violation_text(v: Mapping[str, Any]) -> str:
    harm = {"none": "未造成危害", "minor": "危害轻微", "serious": "危害严重"}[v["harm"]]
    return f"{v['found_on']} {v['item']}（{v['provision']}，{harm}）"


def evaluate(rule: RuleSet, facts: Facts, *, as_of: date) -> Evaluation:
    """The year's score under `rule`: base + every line, bounded to [floor, ceiling]; the
    level from the score, or the lowest level on a one-vote veto. `as_of` decides whether an
    open rectification is already late."""
    f = rule.factors
    lines: list[Line] = []
    by_violation: dict[int, list[Line]] = {}
    fined: dict[int, float] = {}

    def add(line: Line, violation_id: int | None = None) -> None:
        lines.append(line)
        if violation_id is not None:
            by_violation.setdefault(violation_id, []).append(line)

    for v in sorted(facts.violations, key=lambda v: (v["found_on"], v["id"])):
        add(Line(FactorKind.VIOLATION, _violation_text(v), float(f["violation"][v["harm"]]),
                 f"violation:{v['id']}"), v["id"])  # fmt: skip
        due, done = v.get("rectify_by"), v.get("rectified_on")
        if due is None:
            continue
        if done is not None and done <= due:
            points, text = float(f["rectification"]["on_time"]), f"按期整改：{done}（限 {due}）"
        elif done is not None:
            points, text = float(f["rectification"]["late"]), f"逾期整改：{done}（限 {due}）"
        elif as_of > due:
            points, text = float(f["rectification"]["late"]), f"逾期未整改（限 {due}）"
        else:
            continue
        if points:
            add(Line(FactorKind.RECTIFICATION, f"{v['item']}：{text}", points,
                     f"violation:{v['id']}"), v["id"])  # fmt: skip
    for p in sorted(facts.penalties, key=lambda p: (p["decided_on"], p["id"])):
        amount = p.get("amount_yuan")
        what = {"penalty": f"罚款 {amount or 0:g} 元", "exempt": "免予处罚", "warning": "警告"}
        points = penalty_points(rule, p["outcome"], amount)
        if p["outcome"] == "penalty":
            fined[p["violation_id"]] = fined.get(p["violation_id"], 0) + (amount or 0)
        add(Line(FactorKind.PENALTY, f"{p['decided_on']} 处罚决定：{what[p['outcome']]}",
                 points, f"penalty:{p['id']}"), p.get("violation_id"))  # fmt: skip
    exceed = f["exceedance"]
    if facts.exceedances:
        ids = sorted(a["id"] for a in facts.exceedances)
        shown = "、".join(str(i) for i in ids[:10]) + ("…" if len(ids) > 10 else "")
        add(Line(FactorKind.EXCEEDANCE, f"超标报警 {len(ids)} 次（报警编号 {shown}）",
                 _capped(float(exceed["each"]), len(ids), exceed.get("cap"))))  # fmt: skip
    if facts.data_quality:
        worst = min(facts.data_quality, key=lambda q: (q["valid_rate"], str(q["point"])))
        bands = sorted(f["data_quality"]["bands"], key=lambda b: b["below"])
        band = next((b for b in bands if worst["valid_rate"] < b["below"]), None)
        if band is not None:
            add(Line(FactorKind.DATA_QUALITY,
                     f"{worst['point']} {worst['pollutant']} 有效数据率 "
                     f"{worst['valid_rate'] * 100:.1f}%（低于 {band['below'] * 100:g}%）",
                     float(band["points"])))  # fmt: skip
    overdue = f["alert_overdue"]
    if facts.overdue_alerts:
        ids = sorted(a["id"] for a in facts.overdue_alerts)
        add(Line(FactorKind.ALERT_OVERDUE,
                 f"报警逾期未反馈 {len(ids)} 次（报警编号 {'、'.join(map(str, ids[:10]))}）",
                 _capped(float(overdue["each"]), len(ids), overdue.get("cap"))))  # fmt: skip
    if not (facts.violations or facts.exceedances or facts.overdue_alerts) and f["clean_year"]:
        add(Line(FactorKind.CLEAN_YEAR, f"{facts.year} 年无违法、无超标、无逾期报警",
                 float(f["clean_year"])))  # fmt: skip
    for violation_id, repaired_on in sorted(facts.repairs.items()):
        lost = -sum(ln.points for ln in by_violation.get(violation_id, ()) if ln.points < 0)
        if lost:
            lines.append(
                Line(
                    FactorKind.REPAIR,
                    f"{repaired_on} 信用修复：恢复违法行为 {violation_id} 的扣分",
                    lost,
                    f"violation:{violation_id}",
                )
            )
    vetoed = False
    if rule.veto_fine_yuan is not None:
        for v in facts.violations:
            amount = fined.get(v["id"], 0)
            if (
                v["harm"] == "serious"
                and amount >= rule.veto_fine_yuan
                and (v["id"] not in facts.repairs)
            ):
                vetoed = True
                lines.append(Line(FactorKind.VETO, f"{v['item']}：危害严重且罚款 {amount:g} 元"
                                  f"（≥ {rule.veto_fine_yuan:g} 元），直接评为"
                                  f"{rule.worst.name}", 0.0, f"violation:{v['id']}"))  # fmt: skip
    total = rule.base + sum(ln.points for ln in lines)
    score = min(max(total, rule.floor), rule.ceiling)
    level = rule.worst if vetoed else rule.level(score)
    return Evaluation(rule.scheme, rule.version, facts.year, score, level, vetoed, tuple(lines))


# --- credit repair ---------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def repair_refusal(
    rule: RuleSet, violation: Mapping[str, Any], published_on: date | None, day: date
) -> str | None:
    """Why the violation's credit cannot be repaired on `day`, or None when it can: it must
    be rectified, and its publicity period (at least the rule's months by harm, counted
    from the publication of the decision, else from its finding) must have run."""
    if violation["state"] not in RECTIFIED_STATES or violation.get("rectified_on") is None:
        return "该违法行为尚未整改完成，不能修复信用"
    start = published_on or violation["found_on"]
    months = rule.publicity_months[violation["harm"]]
    earliest = add_months(start, months)
    if day < earliest:
        return f"公示期未满：自 {start} 起至少公示 {months} 个月，{earliest} 起方可修复"
    return None
