"""The exemption list (免罚清单) as rule data, and the check of a violation against it.

行政处罚法 (2021) art. 33 para. 1: a minor violation, promptly corrected, without harmful
consequence is not punished (不予处罚); a first violation with minor harmful consequence,
promptly corrected, may go unpunished (可以不予处罚); 《生态环境行政处罚办法》 art. 42. A
rule of the list names the provisions it covers and machine-checkable conditions (first
violation within N months, harm at most, corrected within the deadline, the item's own
correction period) plus text conditions a person confirms (domain-2.md §8). The check
explains each condition with its facts and suggests; a person decides. Pure: no I/O.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from ecozone.compliance.model import WorkCalendar
from ecozone.compliance.rules import add_working_days
from ecozone.supervision.enforcement import Harm
from ecozone.supervision.model import SupervisionError

HARM_ORDER = {Harm.NONE: 0, Harm.MINOR: 1, Harm.SERIOUS: 2}


class ExemptionClass(StrEnum):
    NOT_PUNISHED = "not_punished"  # 不予行政处罚 (art. 33 para. 1, first sentence)
    MAY_NOT_PUNISH = "may_not_punish"  # 可以不予行政处罚 (art. 33 para. 1, second sentence)


class SuggestionOutcome(StrEnum):
    EXEMPT = "exempt"  # a not_punished rule is met: 不予处罚
    MAY_EXEMPT = "may_exempt"  # a may_not_punish rule is met: 可以不予处罚
    PENDING = "pending"  # nothing fails yet, but a fact is still open (the deadline runs)
    NO_EXEMPTION = "no_exemption"  # a covering rule exists, but a condition fails
    NO_RULE = "no_rule"  # no rule of the list covers the violation


@dataclass(frozen=True)
class ExemptionRule:
    id: str
    title: str
    klass: ExemptionClass
    legal_basis: str
    provisions: tuple[str, ...]
    first_violation: bool
    max_harm: Harm
    corrected_in_time: bool
    text: str
    correct_within_days: int | None = None
    correct_within_working_days: int | None = None
    manual: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExemptionList:
    version: str
    source: str
    effective: date
    first_violation_months: int
    rules: tuple[ExemptionRule, ...]

    def rule(self, rule_id: str) -> ExemptionRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def citation(self, rule_id: str) -> str:
        """How a decision cites a rule: "<rule id>@<list version>"."""
        return f"{rule_id}@{self.version}"


@dataclass(frozen=True)
class ViolationFacts:
    """What the check reads of the violation under decision."""

    id: int
    provision: str
    item: str | None
    found_on: date
    harm: Harm
    rectify_by: date | None = None
    rectified_on: date | None = None


@dataclass(frozen=True)
class PriorViolation:
    """Another violation of the same enterprise."""

    id: int
    found_on: date
    provision: str
    item: str | None = None


@dataclass(frozen=True)
class ConditionCheck:
    """One condition: met (True), not met (False) or not yet known (None), with its facts."""

    key: str  # provision | first_violation | harm | corrected_in_time
    met: bool | None
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleCheck:
    rule_id: str
    title: str
    klass: ExemptionClass
    conditions: tuple[ConditionCheck, ...]
    manual: tuple[str, ...]
    text: str

    @property
    def met(self) -> bool:
        return all(c.met is True for c in self.conditions)

    @property
    def failed(self) -> bool:
        return any(c.met is False for c in self.conditions)


@dataclass(frozen=True)
class Suggestion:
    outcome: SuggestionOutcome
    rule_id: str | None  # the rule met, if any
    version: str
    checks: tuple[RuleCheck, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, as a decision stores what was shown when it was taken."""
        return {
            "outcome": str(self.outcome),
            "rule_id": self.rule_id,
            "version": self.version,
            "checks": [
                {"rule_id": c.rule_id, "title": c.title, "class": str(c.klass),
                 "manual": list(c.manual), "text": c.text,
                 "conditions": [{"key": x.key, "met": x.met, "facts": _jsonable(x.facts)}
                                for x in c.conditions]}
                for c in self.checks
            ],
        }  # fmt: skip


def _jsonable(facts: Mapping[str, Any]) -> dict[str, Any]:
    def one(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, (list, tuple)):
            return [one(v) for v in value]
        return value

    return {k: one(v) for k, v in facts.items()}


# --- the list as data ----------------------------------------------------------------------


def _positive(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SupervisionError(f"{where}: {value!r} is not a whole number of days ≥ 1")
    return value


def parse_list(data: Mapping[str, Any], source: str = "exemption list") -> ExemptionList:
    """The list in `data` (the YAML file's mapping); SupervisionError names what is wrong."""
    if not isinstance(data, Mapping):
        raise SupervisionError(f"{source}: not a mapping")
    missing = [k for k in ("version", "source", "effective", "rules") if k not in data]
    if missing:
        raise SupervisionError(f"{source}: missing {', '.join(missing)}")
    effective = data["effective"]
    if not isinstance(effective, date):
        try:
            effective = date.fromisoformat(str(effective))
        except ValueError:
            raise SupervisionError(f"{source}: effective {effective!r} is not a date") from None
    months = data.get("first_violation_months", 12)
    if not isinstance(months, int) or not 1 <= months <= 60:
        raise SupervisionError(f"{source}: first_violation_months {months!r}; 1 to 60")
    rules, seen = [], set()
    for n, raw in enumerate(data["rules"] or (), start=1):
        where = f"{source}, rule {n}"
        try:
            rule_id = str(raw["id"]).strip()
            klass = ExemptionClass(raw["class"])
            harm = Harm(raw["max_harm"])
            provisions = tuple(str(p).strip() for p in raw["provisions"] if str(p).strip())
        except KeyError as exc:
            raise SupervisionError(f"{where}: missing {exc.args[0]}") from None
        except ValueError as exc:
            raise SupervisionError(f"{where}: {exc}") from None
        if not rule_id or rule_id in seen:
            raise SupervisionError(f"{where}: id {rule_id!r} empty or repeated")
        if not provisions:
            raise SupervisionError(f"{where} ({rule_id}): no provision covered")
        if harm is Harm.SERIOUS:
            raise SupervisionError(f"{where} ({rule_id}): max_harm serious is never exempt")
        if klass is ExemptionClass.NOT_PUNISHED and harm is not Harm.NONE:
            raise SupervisionError(
                f"{where} ({rule_id}): not_punished needs max_harm none (art. 33 para. 1)"
            )
        seen.add(rule_id)
        rules.append(ExemptionRule(
            id=rule_id, title=str(raw.get("title") or rule_id), klass=klass,
            legal_basis=str(raw.get("legal_basis") or ""), provisions=provisions,
            first_violation=bool(raw.get("first_violation", False)), max_harm=harm,
            corrected_in_time=bool(raw.get("corrected_in_time", True)),
            text=str(raw.get("text") or "").strip(),
            correct_within_days=_positive(raw.get("correct_within_days"), where),
            correct_within_working_days=_positive(raw.get("correct_within_working_days"), where),
            manual=tuple(str(m) for m in raw.get("manual") or ()),
        ))  # fmt: skip
    return ExemptionList(
        version=str(data["version"]), source=" ".join(str(data["source"]).split()),
        effective=effective, first_violation_months=months, rules=tuple(rules),
    )  # fmt: skip


# --- the check -------------------------------------------------------------------------------


def _norm(text: str | None) -> str:
    return "".join((text or "").split())


def covers(rule: ExemptionRule, provision: str) -> bool:
    """The provision cited falls under one of the rule's: equal, or a paragraph or item of it
    ("《大气污染防治法》第九十九条第二项" falls under "…第九十九条")."""
    cited = _norm(provision)
    return any(cited.startswith(_norm(p)) for p in rule.provisions)


def months_before(day: date, months: int) -> date:
    """The same calendar day `months` earlier; the month's last day when it has none
    (2028-02-29 twelve months earlier is 2027-02-28)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def same_violation(v: ViolationFacts, p: PriorViolation) -> bool:
    """The same item of the list, or the same provision cited."""
    if v.item and p.item and v.item == p.item:
        return True
    return _norm(v.provision) == _norm(p.provision)


def earlier_same(
    v: ViolationFacts, prior: Iterable[PriorViolation], months: int
) -> tuple[date, list[PriorViolation]]:
    """The window's first day and the same violations found in it: on or after the same day
    `months` earlier and before the day of `v` (a violation found the same day is part of the
    same finding, not an earlier one)."""
    since = months_before(v.found_on, months)
    found = [p for p in prior if p.id != v.id and since <= p.found_on < v.found_on
             and same_violation(v, p)]  # fmt: skip
    return since, sorted(found, key=lambda p: (p.found_on, p.id))


def correction_deadline(
    rule: ExemptionRule, v: ViolationFacts, calendar: WorkCalendar
) -> date | None:
    """The last day to correct: the rectification order's deadline, shortened to the rule's
    own period counted from the day the violation was found (the day itself not counted)."""
    limits = [v.rectify_by] if v.rectify_by else []
    if rule.correct_within_days:
        limits.append(v.found_on + timedelta(days=rule.correct_within_days))
    if rule.correct_within_working_days:
        limits.append(add_working_days(v.found_on, rule.correct_within_working_days, calendar))
    return min(limits) if limits else None


def check_rule(
    rule: ExemptionRule,
    v: ViolationFacts,
    prior: Iterable[PriorViolation],
    months: int,
    *,
    today: date,
    calendar: WorkCalendar,
) -> RuleCheck:
    shown = {"provision": v.provision, "covered": list(rule.provisions)}
    conditions = [ConditionCheck("provision", covers(rule, v.provision), shown)]
    if rule.first_violation:
        since, same = earlier_same(v, prior, months)
        conditions.append(ConditionCheck("first_violation", not same, {
            "months": months, "since": since, "found_on": v.found_on,
            "earlier": [p.found_on for p in same]}))  # fmt: skip
    harm_facts = {"harm": str(v.harm), "max_harm": str(rule.max_harm)}
    harm_met = HARM_ORDER[v.harm] <= HARM_ORDER[rule.max_harm]
    conditions.append(ConditionCheck("harm", harm_met, harm_facts))
    if rule.corrected_in_time:
        deadline = correction_deadline(rule, v, calendar)
        facts = {"deadline": deadline, "rectified_on": v.rectified_on, "today": today}
        if deadline is None:
            met: bool | None = None  # no deadline set: nothing to judge "in time" against
        elif v.rectified_on is not None:
            met = v.rectified_on <= deadline
        else:
            met = None if today <= deadline else False
        conditions.append(ConditionCheck("corrected_in_time", met, facts))
    return RuleCheck(rule.id, rule.title, rule.klass, tuple(conditions), rule.manual, rule.text)


def check_violation(
    v: ViolationFacts,
    prior: Iterable[PriorViolation],
    exemption_list: ExemptionList,
    *,
    today: date,
    calendar: WorkCalendar,
) -> Suggestion:
    """Check `v` against every rule that names its item or covers its provision; suggest
    the first rule met (not_punished before may_not_punish), else whether a fact is pending."""
    prior = list(prior)
    candidates = [r for r in exemption_list.rules
                  if r.id == v.item or covers(r, v.provision)]  # fmt: skip
    checks = tuple(check_rule(r, v, prior, exemption_list.first_violation_months, today=today,
                              calendar=calendar) for r in candidates)  # fmt: skip
    version = exemption_list.version
    if not checks:
        return Suggestion(SuggestionOutcome.NO_RULE, None, version, ())
    met = sorted((c for c in checks if c.met),
                 key=lambda c: c.klass is not ExemptionClass.NOT_PUNISHED)  # fmt: skip
    if met:
        best = met[0]
        outcome = (SuggestionOutcome.EXEMPT if best.klass is ExemptionClass.NOT_PUNISHED
                   else SuggestionOutcome.MAY_EXEMPT)  # fmt: skip
        return Suggestion(outcome, best.rule_id, version, checks)
    if any(not c.failed for c in checks):
        return Suggestion(SuggestionOutcome.PENDING, None, version, checks)
    return Suggestion(SuggestionOutcome.NO_EXEMPTION, None, version, checks)
