"""Alert-handling statistics as the page, its exports, the API and the stored report show
them: the use case (read the facts, compute) and the tables with Chinese or English headings;
registered as the report kind "alert_handling".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.compliance.model import AlertState
from ecozone.statistics import alerts, alerts_store
from ecozone.statistics.schedule import Period, ReportContent, ReportKind, register
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import Column, Table

STATES = tuple(s.value for s in AlertState)


def alert_statistics(
    engine: sa.Engine, scope: Scope, period: Period, as_of: date
) -> alerts.AlertStatistics:
    """The statistics of the alerts raised in `period` that `scope` owns; overdue judged on
    `as_of` (today, or the period's last day for a closed period's report)."""
    start = datetime(period.start.year, period.start.month, period.start.day)
    end = datetime(period.end.year, period.end.month, period.end.day)
    with engine.connect() as conn:
        facts = alerts_store.read_facts(conn, scope, start, end)
    return alerts.statistics(facts, as_of, STATES)


def as_dict(result: alerts.AlertStatistics) -> dict[str, Any]:
    return {
        "total": alerts.figures_dict(result.total),
        **{
            name: [alerts.figures_dict(g) for g in getattr(result, name)]
            for name in ("by_type", "by_district", "by_enterprise", "by_month")
        },
    }


_FIGURE_COLUMNS = (
    ("count", "statrep.col.count"),
    ("dispatched", "statrep.col.dispatched"),
    ("dispatch_median_h", "statrep.col.dispatch_median_h"),
    ("dispatch_p90_h", "statrep.col.dispatch_p90_h"),
    ("dispatch_mean_h", "statrep.col.dispatch_mean_h"),
    ("closed", "statrep.col.closed"),
    ("close_median_h", "statrep.col.close_median_h"),
    ("close_p90_h", "statrep.col.close_p90_h"),
    ("close_mean_h", "statrep.col.close_mean_h"),
    ("with_deadline", "statrep.col.with_deadline"),
    ("overdue", "statrep.col.overdue"),
    ("overdue_rate", "statrep.col.overdue_rate"),
)
_GROUPS = (
    ("by_type", "col.alert_type", "statrep.alerts.by_type"),
    ("by_district", "col.district", "statrep.alerts.by_district"),
    ("by_enterprise", "col.enterprise", "statrep.alerts.by_enterprise"),
    ("by_month", "statrep.col.month", "statrep.alerts.by_month"),
)


def _label(group: str, key: str, lang: str) -> str:
    return t(lang, f"alert.{key}", default=key) if group == "by_type" else key


def tables(result: alerts.AlertStatistics, lang: str) -> list[tuple[str, Table]]:
    """The state counts, then the figures per type, district, enterprise and month."""
    states = Table(
        "alert-states",
        (Column("state", t(lang, "col.state")), Column("count", t(lang, "statrep.col.count"))),
        tuple(
            {"state": t(lang, f"alert_state.{s}"), "count": n}
            for s, n in result.total.by_state.items()
        ),
    )
    out = [(t(lang, "statrep.alerts.by_state"), states)]
    for group, key_heading, heading in _GROUPS:
        columns = (
            Column("key", t(lang, key_heading)),
            *tuple(Column(k, t(lang, h)) for k, h in _FIGURE_COLUMNS),
        )
        rows = tuple(
            {**alerts.figures_dict(g), "key": _label(group, g.key, lang)}
            for g in getattr(result, group)
        )
        out.append((t(lang, heading), Table(f"alerts-{group}", columns, rows)))
    return out


def facts(result: alerts.AlertStatistics, lang: str) -> list[tuple[str, Any]]:
    total = alerts.figures_dict(result.total)
    return [
        (t(lang, "statrep.col.count"), total["count"]),
        (t(lang, "statrep.col.dispatch_median_h"), total["dispatch_median_h"]),
        (t(lang, "statrep.col.close_median_h"), total["close_median_h"]),
        (t(lang, "statrep.col.overdue"), total["overdue"]),
        (t(lang, "statrep.col.overdue_rate"), total["overdue_rate"]),
    ]


def produce(engine: sa.Engine, scope: Scope, period: Period, lang: str) -> ReportContent:
    """The report of a closed period: overdue judged on the period's last day."""
    as_of = date.fromordinal(period.end.toordinal() - 1)
    result = alert_statistics(engine, scope, period, as_of)
    return ReportContent(
        facts(result, lang), tables(result, lang), (t(lang, "statrep.alerts.note"),)
    )


register(ReportKind("alert_handling", "报警处置统计", "Alert handling", produce))

add_texts(
    {
        "statrep.alerts.title": ("报警处置统计", "Alert-handling statistics"),
        "statrep.alerts.lead": (
            "统计期内产生的报警：各状态数量，派单与办结用时（自报警产生起，小时；中位数、第 90 "
            "百分位数、均值），逾期数与逾期率（已派单且有办理期限的报警中，企业逾期反馈或至统计日"
            "仍未反馈的比例）。",
            "Alerts raised in the period: counts by state, hours from raising to dispatch and to "
            "closing (median, 90th percentile, mean), overdue count and rate (of the dispatched "
            "alerts with a deadline, those answered late or still unanswered past it).",
        ),
        "statrep.alerts.note": (
            "用时自平台产生报警起计；百分位数按秩线性插值；逾期按企业首次反馈日（未反馈按统计日）"
            "对照办理期限（中国标准时间）。",
            "Hours count from the alert being raised; percentiles interpolate between ranks; "
            "overdue compares the first answer's day (or the statistics day) with the deadline "
            "(China Standard Time).",
        ),
        "statrep.alerts.by_state": ("各状态报警数", "Alerts by state"),
        "statrep.alerts.by_type": ("按报警类型", "By alert type"),
        "statrep.alerts.by_district": ("按区县", "By district"),
        "statrep.alerts.by_enterprise": ("按企业", "By enterprise"),
        "statrep.alerts.by_month": ("按月份", "By month"),
        "statrep.col.month": ("月份", "Month"),
        "statrep.col.count": ("报警数", "Alerts"),
        "statrep.col.dispatched": ("已派单", "Dispatched"),
        "statrep.col.dispatch_median_h": ("派单用时中位数 h", "Hours to dispatch, median"),
        "statrep.col.dispatch_p90_h": ("派单用时 P90 h", "Hours to dispatch, P90"),
        "statrep.col.dispatch_mean_h": ("派单用时均值 h", "Hours to dispatch, mean"),
        "statrep.col.closed": ("已办结", "Closed"),
        "statrep.col.close_median_h": ("办结用时中位数 h", "Hours to close, median"),
        "statrep.col.close_p90_h": ("办结用时 P90 h", "Hours to close, P90"),
        "statrep.col.close_mean_h": ("办结用时均值 h", "Hours to close, mean"),
        "statrep.col.with_deadline": ("有办理期限", "With a deadline"),
        "statrep.col.overdue": ("逾期数", "Overdue"),
        "statrep.col.overdue_rate": ("逾期率 %", "Overdue %"),
    }
)
