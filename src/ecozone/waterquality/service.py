"""Use cases of water quality: configure a section, and evaluate sections over a period, a
month or a year from their valid daily means (the class of each parameter's period mean).

Pages, API and CLI call these; `as_dict` is the one JSON form of an evaluation.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone import times
from ecozone.accounts import audit
from ecozone.accounts.model import Scope
from ecozone.waterquality import rules, store
from ecozone.waterquality.model import (
    Body,
    Evaluation,
    Section,
    SectionNotFound,
    WaterClass,
    WaterQualityError,
    WaterSettings,
)

#: Longest period one request evaluates: two years of days.
MAX_DAYS = 732


def configure_section(
    engine: sa.Engine, point_id: int, body: str, target_class: str | int, *, actor: str
) -> Section:
    """Make the surface-water point `point_id` a section of water body `body` (river | lake)
    with target class `target_class` (1-5 or I-V); audited."""
    try:
        kind = Body(body)
    except ValueError:
        raise WaterQualityError(f"water body {body!r}: expected river or lake") from None
    target = parse_class(target_class)
    with engine.begin() as conn:
        found = store.surface_point(conn, point_id)
        if found is None:
            raise SectionNotFound(f"no point with id {point_id}")
        if found["kind"] != store.SURFACE_WATER:
            raise WaterQualityError(
                f"point {found['code']} is of kind {found['kind']}, not surface_water"
            )
        before = (
            {"body": found["body"], "target_class": found["target_class"]}
            if found["body"] is not None
            else None
        )
        store.save_section(conn, point_id, kind.value, int(target))
        audit.record(
            conn, actor=actor, action="update" if before else "create", entity="water_section",
            entity_id=str(point_id), before=before,
            after={"body": kind.value, "target_class": int(target)},
        )  # fmt: skip
        return store.sections(conn, None, point_id)[0]


def parse_class(value: str | int) -> WaterClass:
    """A target class from 1-5, I-V or Ⅰ-Ⅴ."""
    text = str(value).strip().upper()
    romans = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5}
    number = romans.get(text) or (int(text) if text.isdigit() else 0)
    if not 1 <= number <= 5:
        raise WaterQualityError(f"target class {value!r}: expected I, II, III, IV or V (1-5)")
    return WaterClass(number)


def sections(engine: sa.Engine, scope: Scope | None) -> list[Section]:
    with engine.connect() as conn:
        return store.sections(conn, scope)


def section(engine: sa.Engine, scope: Scope | None, point_id: int) -> Section:
    """One section the scope may read; another's answers like a missing one."""
    with engine.connect() as conn:
        found = store.sections(conn, scope, point_id)
    if not found:
        raise SectionNotFound(f"no surface-water section with point id {point_id}")
    return found[0]


def evaluate_period(
    engine: sa.Engine, chosen: list[Section], start: date, end: date, settings: WaterSettings
) -> list[tuple[Section, Evaluation]]:
    """Each section's class over the days [start, end) from the mean of its daily means."""
    if end <= start:
        raise WaterQualityError(f"empty period: {start} is not before {end}")
    daily: dict[int, list[tuple[str, float]]] = defaultdict(list)
    with engine.connect() as conn:
        rows = store.daily_means(conn, [s.point_id for s in chosen], rules.ORDER,
                                 _midnight(start), _midnight(end))  # fmt: skip
    for point_id, code, _day, value in rows:
        daily[point_id].append((code, value))
    return [
        (s, rules.evaluate(rules.period_means(daily[s.point_id]), s.body, s.target_class,
                           settings))
        for s in chosen
    ]  # fmt: skip


def month_of(engine: sa.Engine, chosen: list[Section], today: date | None = None) -> date:
    """The month shown by default: that of the newest valid day, else this month."""
    with engine.connect() as conn:
        newest = store.latest_day(conn, [s.point_id for s in chosen])
    day = (
        newest.date() if newest is not None else (today or times.cst_naive(times.utc_now()).date())
    )
    return day.replace(day=1)


def month_range(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following


def parse_month(text: str | None) -> date | None:
    """'2026-11' as the first day of that month; None stays None."""
    if text is None or not text.strip():
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise WaterQualityError(f"month {text!r}: expected YYYY-MM") from None


def monthly(
    engine: sa.Engine, scope: Scope | None, point_id: int, year: int, settings: WaterSettings
) -> dict[str, Any]:
    """A section's class for each month of `year` and for the year (mean of its days)."""
    if not 1990 <= year <= 2200:
        raise WaterQualityError(f"year {year} is out of range")
    found = section(engine, scope, point_id)
    months = []
    for m in range(1, 13):
        start, end = month_range(date(year, m, 1))
        ((_s, evaluation),) = evaluate_period(engine, [found], start, end, settings)
        months.append({"month": f"{year}-{m:02d}", **as_dict(evaluation)})
    (_s, annual), = evaluate_period(engine, [found], date(year, 1, 1), date(year + 1, 1, 1),
                                    settings)  # fmt: skip
    return {"section": section_dict(found), "year": year, "annual": as_dict(annual),
            "months": months}  # fmt: skip


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def class_dict(water_class: WaterClass | None) -> dict[str, Any]:
    if water_class is None:
        return {"class": None, "class_label": None}
    return {"class": int(water_class), "class_label": water_class.label}


def section_dict(s: Section) -> dict[str, Any]:
    return {"point_id": s.point_id, "code": s.code, "name": s.name, "enterprise": s.enterprise,
            "district": s.district, "body": s.body.value,
            "target_class": int(s.target_class), "target_label": s.target_class.label}  # fmt: skip


def as_dict(evaluation: Evaluation) -> dict[str, Any]:
    """An evaluation as JSON: overall class, each parameter's class, whether it exceeds the
    target, and its exceedance multiple (rounded to 2 places, as 环办〔2011〕22号 reports)."""
    return {
        **class_dict(evaluation.water_class),
        "edition": rules.EDITION,
        "parameters": [
            {"code": p.code, "name": rules.NAMES.get(p.code, p.code), "value": round(p.value, 4),
             **class_dict(p.water_class), "exceeds": p.exceeds,
             "multiple": round(p.multiple, 2) if p.multiple is not None else None}
            for p in evaluation.parameters
        ],
        "exceeding": [p.code for p in evaluation.exceeding],
    }  # fmt: skip


def evaluation_rows(pairs: list[tuple[Section, Evaluation]], period: str) -> list[dict[str, Any]]:
    return [{**section_dict(s), "period": period, **as_dict(e)} for s, e in pairs]


def period(
    engine: sa.Engine,
    chosen: list[Section],
    month: str | None,
    start: date | None,
    end: date | None,
) -> tuple[date, date, str]:
    """The days [first, following) asked for, and their label: a month (YYYY-MM, default the
    newest with data) or, when both are given, the days from start to end."""
    if start is not None or end is not None:
        if start is None or end is None:
            raise WaterQualityError("give both start and end, or neither")
        if month is not None:
            raise WaterQualityError("give a month, or start and end, not both")
        if end <= start:
            raise WaterQualityError(f"empty period: {start} is not before {end}")
        if (end - start).days > MAX_DAYS:
            raise WaterQualityError(f"period of {(end - start).days} days; at most {MAX_DAYS}")
        return start, end, f"{start}/{end}"
    first = parse_month(month) or month_of(engine, chosen)
    first, following = month_range(first)
    return first, following, f"{first:%Y-%m}"
