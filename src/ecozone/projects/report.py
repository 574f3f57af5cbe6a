"""The monthly scheduling report of major projects (重大项目环评调度月报), as bureaus send it:
one line per major project with its stage, its clock and what moved in the month.

Rows are plain data; the pages export them through web.export (xlsx, CSV, and PDF with its
print layout), the CLI as CSV or JSON.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.compliance.model import WorkCalendar
from ecozone.projects import service, store
from ecozone.projects.model import STAGE_NAMES, ProjectSettings, Stage

CATEGORY_NAMES = {"report": "报告书", "form": "报告表", "registration": "登记表",
                  "exempt": "豁免"}  # fmt: skip
ROUTE_NAMES = {"normal": "常规审批", "pledge": "告知承诺制", "exempt": "豁免",
               "green": "绿色通道"}  # fmt: skip
CLOCK_NAMES = {"none": "不计时", "running": "计时中", "due_soon": "临近时限", "overdue": "已超时限",
               "paused": "暂停计时", "met": "按期办结", "late": "超期办结"}  # fmt: skip

#: (key, heading) of the report's columns, in the bureau's order.
COLUMNS = (
    ("no", "序号"), ("name", "项目名称"), ("builder_name", "建设单位"), ("district", "区县"),
    ("industry", "行业"), ("investment_wan_yuan", "总投资（万元）"), ("category", "环评类别"),
    ("route", "审批方式"), ("stage", "当前阶段"), ("submitted_on", "报批日期"),
    ("accepted_on", "受理日期"), ("limit", "审批时限"), ("due_on", "届满日"),
    ("days_left", "剩余天数"), ("clock", "计时状态"), ("decided_on", "批复日期"),
    ("progress", "本月进展"),
)  # fmt: skip


def month_range(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, date(first.year + first.month // 12, first.month % 12 + 1, 1)


def monthly_rows(
    engine: sa.Engine, scope: Scope, month: date, settings: ProjectSettings,
    calendar: WorkCalendar,
) -> list[dict[str, Any]]:  # fmt: skip
    """The major projects as they stood at the end of `month` (or today, if earlier), with
    the month's moves."""
    first, following = month_range(month)
    as_of = min(following - timedelta(days=1), service.today())
    chosen = service.projects(engine, scope, major=True)
    moves: dict[int, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for m in store.transitions(conn, [p.id for p in chosen]):
            if m["from_stage"] and first <= m["on_date"] < following:
                moves.setdefault(m["project_id"], []).append(m)
    rows = []
    for n, p in enumerate(sorted(chosen, key=lambda p: p.id), 1):
        clock = service.clock_of(p, as_of, settings, calendar)
        progress = "；".join(f"{m['on_date']:%m-%d} {STAGE_NAMES[Stage(m['to_stage'])]}"
                            for m in moves.get(p.id, ()))  # fmt: skip
        kind = "工作日" if clock.day_kind and clock.day_kind.value == "working" else "日"
        rows.append({
            "no": n, "name": p.name, "builder_name": p.builder_name, "district": p.district,
            "industry": p.industry, "investment_wan_yuan": p.investment_wan_yuan,
            "category": CATEGORY_NAMES[p.category.value], "route": ROUTE_NAMES[p.route.value],
            "stage": STAGE_NAMES[p.stage], "submitted_on": p.submitted_on,
            "accepted_on": p.accepted_on,
            "limit": f"{clock.limit_days} {kind}" if clock.limit_days is not None else "",
            "due_on": clock.due_on, "days_left": clock.days_left,
            "clock": CLOCK_NAMES[clock.state.value], "decided_on": p.decided_on,
            "progress": progress, "_project_id": p.id, "_clock": clock.state.value,
        })  # fmt: skip
    return rows
