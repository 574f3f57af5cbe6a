"""The exemption list (免罚清单, 行政处罚法 art. 33) as data and the check of a violation,
with hand-worked dates: the 12-month first-violation window and the correction deadline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from ecozone.compliance.model import WorkCalendar
from ecozone.supervision import exemptions as ex
from ecozone.supervision.enforcement import Harm
from ecozone.supervision.model import SupervisionError

AIR = "《大气污染防治法》第九十九条"
WEEKENDS = WorkCalendar()
SHIPPED = Path(ex.__file__).with_name("data") / "exemption_list.yaml"


def the_list(**rule: object) -> ex.ExemptionList:
    base = {"id": "air", "title": "轻微超标", "class": "may_not_punish", "provisions": [AIR],
            "first_violation": True, "max_harm": "minor", "corrected_in_time": True,
            "correct_within_working_days": 5, "text": "…"}  # fmt: skip
    return ex.parse_list({"version": "t1", "source": "test", "effective": "2026-01-01",
                          "rules": [{**base, **rule}]})  # fmt: skip


def facts(found_on: date, **kw: object) -> ex.ViolationFacts:
    return ex.ViolationFacts(**{"id": 100, "provision": AIR, "item": None, "found_on": found_on,
                                "harm": Harm.MINOR, **kw})  # fmt: skip


def condition(s: ex.Suggestion, key: str) -> ex.ConditionCheck:
    [check] = s.checks
    return next(c for c in check.conditions if c.key == key)


def test_the_shipped_list_parses_with_version_source_and_effective_date() -> None:
    shipped = ex.parse_list(yaml.safe_load(SHIPPED.read_text("utf-8")))
    assert shipped.version == "2026.1" and shipped.effective == date(2026, 1, 1)
    assert "第三十三条" in shipped.source and shipped.first_violation_months == 12
    assert {r.klass for r in shipped.rules} == set(ex.ExemptionClass)
    air = shipped.rule("air-minor-exceedance")
    assert air is not None and air.provisions == (AIR,) and air.manual


@pytest.mark.parametrize(("change", "message"), [
    ({"max_harm": "serious"}, "never exempt"),
    ({"class": "not_punished"}, "max_harm none"),
    ({"provisions": []}, "no provision"),
    ({"correct_within_working_days": 0}, "≥ 1"),
    ({"class": "lenient"}, "lenient"),
])  # fmt: skip
def test_a_bad_rule_is_refused_naming_what_is_wrong(change: dict, message: str) -> None:
    with pytest.raises(SupervisionError, match=message):
        the_list(**change)


def test_twelve_months_before_is_the_same_calendar_day_or_the_months_last() -> None:
    assert ex.months_before(date(2026, 3, 15), 12) == date(2025, 3, 15)
    assert ex.months_before(date(2028, 2, 29), 12) == date(2027, 2, 28)  # no 29th in 2027
    assert ex.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert ex.months_before(date(2026, 1, 10), 3) == date(2025, 10, 10)


@pytest.mark.parametrize(("earlier", "first"), [
    (date(2025, 3, 14), True),   # a day before the window opens (2025-03-15): not counted
    (date(2025, 3, 15), False),  # the window's first day: counted
    (date(2026, 3, 14), False),  # the day before
    (date(2026, 3, 15), True),   # the same day is the same finding, not an earlier one
])  # fmt: skip
def test_first_violation_counts_the_same_provision_in_the_12_months_before(
    earlier: date, first: bool
) -> None:
    prior = [ex.PriorViolation(1, earlier, AIR)]
    s = ex.check_violation(facts(date(2026, 3, 15), rectify_by=date(2026, 3, 20),
                                 rectified_on=date(2026, 3, 16)), prior, the_list(),
                           today=date(2026, 3, 30), calendar=WEEKENDS)  # fmt: skip
    c = condition(s, "first_violation")
    assert c.met is first and c.facts["since"] == date(2025, 3, 15)
    assert s.outcome == (ex.SuggestionOutcome.MAY_EXEMPT if first
                         else ex.SuggestionOutcome.NO_EXEMPTION)  # fmt: skip


def test_another_provision_or_the_same_item_decide_what_is_the_same_violation() -> None:
    water = ex.PriorViolation(1, date(2026, 1, 5), "《水污染防治法》第八十三条")
    same_item = ex.PriorViolation(2, date(2026, 1, 6), "《大气污染防治法》第一百零八条", "air")
    v = facts(date(2026, 3, 15), item="air")
    assert ex.earlier_same(v, [water], 12)[1] == []
    assert ex.earlier_same(v, [water, same_item], 12)[1] == [same_item]


# 2026-03-02 is a Monday: five working days later (the day itself not counted) is Monday
# 2026-03-09; the order's own deadline 2026-03-10 is later, so the rule's period decides.
@pytest.mark.parametrize(("rectified_on", "met"), [
    (date(2026, 3, 9), True),    # on the last day: in time
    (date(2026, 3, 10), False),  # a day late (though within the order's deadline)
])  # fmt: skip
def test_corrected_in_time_ends_on_the_rules_fifth_working_day(
    rectified_on: date, met: bool
) -> None:
    v = facts(date(2026, 3, 2), rectify_by=date(2026, 3, 10), rectified_on=rectified_on)
    s = ex.check_violation(v, [], the_list(), today=date(2026, 3, 20), calendar=WEEKENDS)
    c = condition(s, "corrected_in_time")
    assert (c.met, c.facts["deadline"]) == (met, date(2026, 3, 9))


def test_a_holiday_moves_the_working_day_deadline_and_an_earlier_order_wins() -> None:
    holiday = WorkCalendar(holidays=frozenset({date(2026, 3, 4)}))
    v = facts(date(2026, 3, 2), rectify_by=date(2026, 3, 31), rectified_on=date(2026, 3, 10))
    s = ex.check_violation(v, [], the_list(), today=date(2026, 3, 20), calendar=holiday)
    assert condition(s, "corrected_in_time").facts["deadline"] == date(2026, 3, 10)
    assert condition(s, "corrected_in_time").met is True
    early = facts(date(2026, 3, 2), rectify_by=date(2026, 3, 5), rectified_on=date(2026, 3, 6))
    s = ex.check_violation(early, [], the_list(), today=date(2026, 3, 20), calendar=WEEKENDS)
    c = condition(s, "corrected_in_time")
    assert (c.met, c.facts["deadline"]) == (False, date(2026, 3, 5))


def test_an_open_correction_is_pending_until_its_deadline_then_fails() -> None:
    v = facts(date(2026, 3, 2), rectify_by=date(2026, 3, 6))
    waiting = ex.check_violation(v, [], the_list(), today=date(2026, 3, 6), calendar=WEEKENDS)
    assert condition(waiting, "corrected_in_time").met is None
    assert waiting.outcome == ex.SuggestionOutcome.PENDING
    late = ex.check_violation(v, [], the_list(), today=date(2026, 3, 7), calendar=WEEKENDS)
    assert condition(late, "corrected_in_time").met is False
    assert late.outcome == ex.SuggestionOutcome.NO_EXEMPTION


def test_a_day_count_rule_counts_calendar_days() -> None:
    rules = the_list(correct_within_working_days=None, correct_within_days=1)
    v = facts(date(2026, 3, 6), rectified_on=date(2026, 3, 7))  # Friday → Saturday
    s = ex.check_violation(v, [], rules, today=date(2026, 3, 9), calendar=WEEKENDS)
    assert condition(s, "corrected_in_time").facts["deadline"] == date(2026, 3, 7)
    assert s.outcome == ex.SuggestionOutcome.MAY_EXEMPT and s.rule_id == "air"


def test_harm_and_class_decide_between_exempt_may_exempt_and_no_exemption() -> None:
    done = {"rectify_by": date(2026, 3, 6), "rectified_on": date(2026, 3, 3)}
    kw = {"today": date(2026, 3, 20), "calendar": WEEKENDS}
    serious = ex.check_violation(facts(date(2026, 3, 2), harm=Harm.SERIOUS, **done), [],
                                 the_list(), **kw)  # fmt: skip
    assert condition(serious, "harm").met is False
    assert serious.outcome == ex.SuggestionOutcome.NO_EXEMPTION
    strict = the_list(**{"class": "not_punished", "max_harm": "none", "first_violation": False})
    none = ex.check_violation(facts(date(2026, 3, 2), harm=Harm.NONE, **done), [], strict, **kw)
    assert none.outcome == ex.SuggestionOutcome.EXEMPT
    assert [c.key for c in none.checks[0].conditions] == [
        "provision", "harm", "corrected_in_time"]  # fmt: skip
    minor = ex.check_violation(facts(date(2026, 3, 2), **done), [], strict, **kw)
    assert minor.outcome == ex.SuggestionOutcome.NO_EXEMPTION


def test_a_provision_no_rule_covers_gets_no_rule_and_a_paragraph_is_covered() -> None:
    kw = {"today": date(2026, 3, 20), "calendar": WEEKENDS}
    other = facts(date(2026, 3, 2), provision="《环境保护法》第六十三条")
    assert ex.check_violation(other, [], the_list(), **kw).outcome == ex.SuggestionOutcome.NO_RULE
    item = facts(date(2026, 3, 2), provision="《大气污染防治法》 第九十九条第二项")
    s = ex.check_violation(item, [], the_list(), **kw)
    assert condition(s, "provision").met is True
    named = facts(date(2026, 3, 2), provision="《环境保护法》第六十三条", item="air")
    s = ex.check_violation(named, [], the_list(), **kw)  # named by item, provision not covered
    assert condition(s, "provision").met is False
    assert s.to_dict()["checks"][0]["conditions"][0]["facts"]["covered"] == [AIR]
