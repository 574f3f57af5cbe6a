"""Use cases of EIA projects: create, move between stages (audited, who/when/why), pause and
resume the clock for hearings and expert review, record the post-approval sampling of a
pledge, read the schedule with each project's clock, and raise due and overdue alerts.

Pages, API and CLI call these. Messages are Chinese, as the pages show them.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone import textguard
from ecozone.accounts import audit
from ecozone.accounts.model import Role, Scope
from ecozone.compliance import alerts
from ecozone.compliance.evaluation import record_conditions
from ecozone.compliance.model import (
    AlertAction,
    AlertState,
    AlertType,
    CloseReason,
    Condition,
    WorkCalendar,
)
from ecozone.errors import Forbidden
from ecozone.projects import handoff, rules, store
from ecozone.projects.model import (
    CLOCK_STAGES,
    Category,
    Clock,
    ClockState,
    Outlet,
    PauseKind,
    Project,
    ProjectError,
    ProjectNotFound,
    ProjectSettings,
    Route,
    SamplingOutcome,
    Stage,
    TransitionRefused,
    stage_name,
)
from ecozone.registry.rules import check_credit_code
from ecozone.times import as_instant, cst_naive, utc_now

#: Who runs the clock and the transitions; a builder (enterprise) submits its own projects.
BUREAU_ROLES = (Role.ADMIN, Role.SUPERVISOR)
OUTLET_KINDS = ("flue_gas", "wastewater")
NAME_MAX, REASON_MAX = 200, 500


def today(now: datetime | None = None) -> date:
    """The day in China Standard Time."""
    return cst_naive(now or utc_now()).date()


def _text(value: Any, field: str, limit: int, *, required: bool = True) -> str | None:
    text = str(value or "").strip()
    if not text:
        if required:
            raise ProjectError(f"{field}：不能为空")
        return None
    if len(text) > limit:
        raise ProjectError(f"{field}：{len(text)} 个字符，最多 {limit} 个")
    return textguard.check_text(text, field, multiline=limit >= REASON_MAX)


def _day(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ProjectError(f"{field}：{value!r} 不是日期（YYYY-MM-DD）") from None


def _number(
    value: Any, field: str, low: float, high: float, *, required: bool = True
) -> float | None:
    if value is None or str(value).strip() == "":
        if required:
            raise ProjectError(f"{field}：不能为空")
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ProjectError(f"{field}：{value!r} 不是数字") from None
    if not low <= number <= high:
        raise ProjectError(f"{field}：{number:g} 超出范围 {low:g}–{high:g}")
    return number


def _choice(value: Any, kind: type[Any], field: str) -> Any:
    try:
        return kind(str(value or "").strip())
    except ValueError:
        allowed = "、".join(k.value for k in kind)
        raise ProjectError(f"{field}：{value!r} 无效，应为 {allowed}") from None


def parse_outlets(value: Any) -> tuple[Outlet, ...]:
    """Outlets as a list of {code, name, kind, lon, lat}, or text with one a line:
    `DA001 锅炉废气排放口 flue_gas 106.52 29.61` (lon and lat may be left out)."""
    items: list[dict[str, Any]] = []
    if isinstance(value, str):
        for number, line in enumerate(value.splitlines(), 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) not in (3, 5):
                raise ProjectError(
                    f"排放口第 {number} 行：应写“编号 名称 类型 [经度 纬度]”，如 "
                    "DA001 锅炉废气排放口 flue_gas 106.52 29.61"
                )
            item = {"code": parts[0], "name": parts[1], "kind": parts[2]}
            if len(parts) == 5:
                item |= {"lon": parts[3], "lat": parts[4]}
            items.append(item)
    elif isinstance(value, list):
        items = value
    elif value is not None:
        raise ProjectError("排放口：应为列表")
    out: list[Outlet] = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ProjectError(f"排放口第 {i} 个：应为对象")
        code = _text(item.get("code"), f"排放口第 {i} 个编号", 32)
        assert code is not None
        if not code.isascii() or not code.replace("-", "").isalnum():
            raise ProjectError(f"排放口第 {i} 个编号：{code!r} 只能用字母、数字和 -")
        if code.upper() in {o.code for o in out}:
            raise ProjectError(f"排放口编号 {code.upper()} 重复")
        kind = str(item.get("kind") or "")
        if kind not in OUTLET_KINDS:
            raise ProjectError(f"排放口 {code}：类型 {kind!r} 无效，应为 flue_gas 或 wastewater")
        name = _text(item.get("name"), f"排放口 {code} 名称", NAME_MAX)
        assert name is not None
        lon = _number(item.get("lon"), f"排放口 {code} 经度", -180, 180, required=False)
        lat = _number(item.get("lat"), f"排放口 {code} 纬度", -90, 90, required=False)
        out.append(Outlet(code.upper(), name, kind, lon, lat))
    return tuple(out)


def _polygon(value: Any) -> dict[str, Any] | None:
    """A GeoJSON Polygon or MultiPolygon geometry (or a Feature holding one)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ProjectError(f"用地范围：不是有效的 GeoJSON（{exc.msg}）") from None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise ProjectError("用地范围：应为 GeoJSON Polygon 或 MultiPolygon")
    rings = value.get("coordinates")
    polygons = [rings] if value["type"] == "Polygon" else rings
    try:
        for polygon in polygons:
            for ring in polygon:
                if len(ring) < 4 or ring[0] != ring[-1]:
                    raise ProjectError("用地范围：每个环至少 4 个点，且首尾相同")
                for lon, lat in ring:
                    if not (-180 <= float(lon) <= 180 and -90 <= float(lat) <= 90):
                        raise ProjectError(f"用地范围：坐标 {lon}, {lat} 超出经纬度范围")
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ProjectError):
            raise
        raise ProjectError("用地范围：坐标应为 [经度, 纬度] 数对") from None
    return {"type": value["type"], "coordinates": rings}


def create_project(engine: sa.Engine, scope: Scope, data: dict[str, Any], *, actor: str) -> Project:
    """A new project in planning. The builder is a registry enterprise (`enterprise`, its
    credit code) or a builder not yet registered (`builder_name` + `credit_code`); an
    enterprise user creates projects of its own enterprise only."""
    name = _text(data.get("name"), "项目名称", NAME_MAX)
    industry = _text(data.get("industry"), "行业", 100)
    category = _choice(data.get("category"), Category, "环评类别")
    route = _choice(data.get("route") or "normal", Route, "审批方式")
    rules.check_route(category, route)
    lon = _number(data.get("lon"), "经度", -180, 180)
    lat = _number(data.get("lat"), "纬度", -90, 90)
    investment = _number(data.get("investment_wan_yuan"), "总投资（万元）", 0, 1e9,
                         required=False)  # fmt: skip
    outlets = parse_outlets(data.get("outlets"))
    polygon = _polygon(data.get("polygon"))
    with engine.begin() as conn:
        builder = _builder(conn, scope, data)
        values = {
            "name": name, "builder_name": builder["name"], "credit_code": builder["credit_code"],
            "enterprise_id": builder["enterprise_id"], "district_id": builder["district_id"],
            "industry": industry, "category": category.value, "route": route.value,
            "major": bool(data.get("major")), "pilot_park": bool(data.get("pilot_park")),
            "investment_wan_yuan": investment, "lon": lon, "lat": lat, "polygon": polygon,
            "outlets": [o.__dict__ for o in outlets], "stage": Stage.PLANNING.value,
            "created_by": actor, "created_at": utc_now(),
        }  # fmt: skip
        project_id = store.insert_project(conn, values)
        store.insert_transition(conn, {
            "project_id": project_id, "from_stage": None, "to_stage": Stage.PLANNING.value,
            "on_date": today(), "at": utc_now(), "actor": actor, "reason": "登记项目"})  # fmt: skip
        audit.record(conn, actor=actor, action="create", entity="eia_project",
                     entity_id=str(project_id), before=None,
                     after={k: v for k, v in values.items() if k != "created_at"})  # fmt: skip
        return store.projects(conn, None, project_id=project_id)[0]


def _builder(conn: sa.Connection, scope: Scope, data: dict[str, Any]) -> dict[str, Any]:
    code = str(data.get("enterprise") or "").strip().upper()
    if code:
        found = store.enterprise_by_code(conn, code)
        readable = found is not None and (
            scope.everything or found["id"] in scope.enterprise_ids
            or (scope.role == Role.SUPERVISOR and found["district_id"] == scope.district_id)
        )  # fmt: skip
        if found is None or not readable:  # another's enterprise answers like a missing one
            raise ProjectNotFound(f"建设单位：没有统一社会信用代码为 {code} 的企业")
        return {"name": found["name"], "credit_code": code, "enterprise_id": found["id"],
                "district_id": found["district_id"]}  # fmt: skip
    if scope.role == Role.ENTERPRISE:
        raise ProjectError("建设单位：请选择本企业")
    builder = _text(data.get("builder_name"), "建设单位名称", NAME_MAX)
    credit_code = str(data.get("credit_code") or "").strip().upper()
    problem = check_credit_code(credit_code)
    if problem:
        raise ProjectError(f"统一社会信用代码：{problem}")
    if store.enterprise_by_code(conn, credit_code) is not None:
        raise ProjectError(f"统一社会信用代码：{credit_code} 已是登记企业，请从企业中选择")
    district_name = _text(data.get("district"), "区县", 100)
    district_id = store.district_by_name(conn, district_name or "")
    if district_id is None:
        raise ProjectError(f"区县：没有名为 {district_name!r} 的区县")
    if scope.district_id is not None and district_id != scope.district_id:
        raise Forbidden("区县监管人员只能登记本区县的项目")
    return {"name": builder, "credit_code": credit_code, "enterprise_id": None,
            "district_id": district_id}  # fmt: skip


def projects(
    engine: sa.Engine, scope: Scope, *, stage: str | None = None, major: bool | None = None
) -> list[Project]:
    chosen = _choice(stage, Stage, "阶段") if stage else None
    with engine.connect() as conn:
        return store.projects(conn, scope, stage=chosen, major=major)


def project(engine: sa.Engine, scope: Scope, project_id: int) -> Project:
    """One project the scope may read; another's answers like a missing one."""
    with engine.connect() as conn:
        found = store.projects(conn, scope, project_id=project_id)
    if not found:
        raise ProjectNotFound(f"没有编号为 {project_id} 的项目")
    return found[0]


def history(engine: sa.Engine, scope: Scope, project_id: int) -> dict[str, Any]:
    """The project's transitions, pauses and sampling flag, oldest first."""
    found = project(engine, scope, project_id)
    with engine.connect() as conn:
        return {
            "transitions": store.transitions(conn, [found.id]),
            "pauses": store.pause_rows(conn, found.id),
            "sampling": store.sampling(conn, [found.id]).get(found.id),
        }


def clock_of(
    found: Project, as_of: date, settings: ProjectSettings, calendar: WorkCalendar
) -> Clock:
    return rules.clock(found.stage, found.category, found.route, found.pilot_park,
                       found.accepted_on, found.decided_on, found.pauses, as_of, settings,
                       calendar)  # fmt: skip


def next_stages(found: Project, scope: Scope) -> tuple[Stage, ...]:
    """The moves this viewer may make now: the bureau any allowed one, a builder only
    submission."""
    allowed = rules.allowed_next(found.stage, found.category, found.route)
    if scope.role in BUREAU_ROLES:
        return allowed
    return tuple(s for s in allowed if (found.stage, s) in rules.BUILDER_MOVES)


def transition(
    engine: sa.Engine,
    scope: Scope,
    project_id: int,
    target: str,
    *,
    on_date: Any,
    reason: str,
    actor: str,
) -> Project:
    """Move a project to `target` on `on_date` (the day it counts from), with the reason;
    audited. Entering technical review pauses the clock, leaving it resumes it; a pledge
    approval is flagged for the quarterly sampling; reaching operation hands the project to
    the registry (enterprise, outlets, permit skeleton)."""
    to = _choice(target, Stage, "目标阶段")
    day = _day(on_date, "日期")
    why = _text(reason, "理由", REASON_MAX)
    found = project(engine, scope, project_id)
    if to not in next_stages(found, scope) and scope.role not in BUREAU_ROLES:
        rules.check_transition(found.stage, to, found.category, found.route)
        raise Forbidden(f"建设单位只能报批项目；{stage_name(to)}由生态环境部门办理")
    rules.check_transition(found.stage, to, found.category, found.route)
    if to is Stage.OPERATION:
        # The registry's writes are their own transactions: check the date first, so a
        # refused move leaves the registry as it was.
        with engine.connect() as conn:
            _check_order(conn, project_id, day)
        found = _with_enterprise(engine, found, day, actor)
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        current = store.projects(conn, None, project_id=project_id)[0]
        if current.stage is not found.stage:
            raise TransitionRefused(f"项目阶段已变为{stage_name(current.stage)}，请刷新后再办理")
        _check_order(conn, project_id, day)
        values: dict[str, Any] = {"stage": to.value}
        if to is Stage.SUBMITTED:
            values["submitted_on"] = day
        elif to is Stage.ACCEPTED:
            values["accepted_on"] = day
        elif to in (Stage.APPROVED, Stage.REFUSED):
            values["decided_on"] = day
        if to is Stage.OPERATION and found.enterprise_id is not None:
            values["enterprise_id"] = found.enterprise_id
        opened = store.open_pause(conn, project_id)
        if opened is not None and (
            to not in CLOCK_STAGES or opened["kind"] == PauseKind.TECHNICAL_REVIEW.value
        ):
            if opened["start"] >= day:
                raise ProjectError(f"日期：{day} 不晚于暂停开始日 {opened['start']}")
            store.end_pause(conn, opened["id"], day)
        if to is Stage.TECHNICAL_REVIEW:
            store.insert_pause(conn, {"project_id": project_id, "start": day, "end": None,
                                      "kind": PauseKind.TECHNICAL_REVIEW.value, "reason": why,
                                      "actor": actor})  # fmt: skip
        if to is Stage.APPROVED and found.route is Route.PLEDGE:
            store.flag_sampling(conn, project_id, rules.sampling_quarter(day))
        if to in (Stage.APPROVED, Stage.REFUSED):
            _close_deadline_alerts(conn, project_id, to, actor)
        store.update_project(conn, project_id, values)
        store.insert_transition(conn, {
            "project_id": project_id, "from_stage": found.stage.value, "to_stage": to.value,
            "on_date": day, "at": utc_now(), "actor": actor, "reason": why})  # fmt: skip
        audit.record(conn, actor=actor, action="transition", entity="eia_project",
                     entity_id=str(project_id), before={"stage": found.stage.value},
                     after={**{k: str(v) for k, v in values.items()}, "reason": why})  # fmt: skip
        return store.projects(conn, None, project_id=project_id)[0]


def _close_deadline_alerts(conn: sa.Connection, project_id: int, to: Stage, actor: str) -> None:
    """The decision ends the approval clock: its due and overdue alerts that nobody has
    acted on yet are closed with it (one already dispatched stays with the supervisor)."""
    keys = [deadline_key(kind, project_id) for kind in DEADLINE_ALERTS]
    for row in alerts.unacted(conn, [kind.value for kind in DEADLINE_ALERTS], keys):
        alerts.transition(conn, row["id"], AlertState.OPEN, AlertAction.CLOSE, actor=actor,
                          at=utc_now(), reason=CloseReason.RESOLVED,
                          comment=f"项目已{stage_name(to)}，审批时限不再计算")  # fmt: skip


#: The alerts an approval clock raises (check_deadlines).
DEADLINE_ALERTS = (AlertType.EIA_DUE, AlertType.EIA_OVERDUE)


def deadline_key(kind: AlertType, project_id: int) -> str:
    """The condition key of a project's due or overdue alert: one alert per kind."""
    return f"eia:{kind.value}:{project_id}"


def _check_order(conn: sa.Connection, project_id: int, day: date) -> None:
    """A step is dated no earlier than the step before it. The record of registration (from
    stage None) is dated when the project was entered, which may be after its real steps."""
    last = max((t["on_date"] for t in store.transitions(conn, [project_id])
                if t["from_stage"] is not None), default=day)  # fmt: skip
    if day < last:
        raise ProjectError(f"日期：{day} 早于上一步的日期 {last}")


def _with_enterprise(engine: sa.Engine, found: Project, day: date, actor: str) -> Project:
    made = handoff.to_registry(engine, found, day, actor=actor)
    return replace(found, enterprise_id=made)


def pause(
    engine: sa.Engine, scope: Scope, project_id: int, kind: str, *, start: Any, reason: str,
    actor: str,
) -> Project:  # fmt: skip
    """Stop the clock from `start` for a hearing or an expert review (技术评估 is a stage)."""
    _bureau(scope)
    what = _choice(kind, PauseKind, "暂停事由")
    if what is PauseKind.TECHNICAL_REVIEW:
        raise ProjectError("技术评估请通过“技术评估”阶段办理")
    day = _day(start, "暂停开始日")
    why = _text(reason, "理由", REASON_MAX)
    found = project(engine, scope, project_id)
    with engine.begin() as conn:
        if found.stage not in CLOCK_STAGES:
            raise TransitionRefused(
                f"项目处于{stage_name(found.stage)}阶段，审批未在计时，不能暂停"
            )
        if store.open_pause(conn, project_id) is not None:
            raise TransitionRefused("审批计时已在暂停中")
        if found.accepted_on is not None and day <= found.accepted_on:
            raise ProjectError(f"暂停开始日：{day} 不晚于受理日 {found.accepted_on}")
        pause_id = store.insert_pause(conn, {"project_id": project_id, "kind": what.value,
                                             "start": day, "end": None, "reason": why,
                                             "actor": actor})  # fmt: skip
        audit.record(conn, actor=actor, action="pause", entity="eia_project",
                     entity_id=str(project_id), before=None,
                     after={"pause_id": pause_id, "kind": what.value, "start": str(day),
                            "reason": why})  # fmt: skip
        return store.projects(conn, None, project_id=project_id)[0]


def resume(engine: sa.Engine, scope: Scope, project_id: int, *, end: Any, actor: str) -> Project:
    """Let the clock run again from `end` (the pause covers the days before it)."""
    _bureau(scope)
    day = _day(end, "恢复计时日")
    project(engine, scope, project_id)
    with engine.begin() as conn:
        opened = store.open_pause(conn, project_id)
        if opened is None or opened["kind"] == PauseKind.TECHNICAL_REVIEW.value:
            raise TransitionRefused("没有可恢复的听证或专家评审暂停")
        if day <= opened["start"]:
            raise ProjectError(f"恢复计时日：{day} 不晚于暂停开始日 {opened['start']}")
        store.end_pause(conn, opened["id"], day)
        audit.record(conn, actor=actor, action="resume", entity="eia_project",
                     entity_id=str(project_id), before={"pause_id": opened["id"], "end": None},
                     after={"pause_id": opened["id"], "end": str(day)})  # fmt: skip
        return store.projects(conn, None, project_id=project_id)[0]


def record_sampling(
    engine: sa.Engine, scope: Scope, project_id: int, outcome: str, *, checked_on: Any,
    note: str, actor: str,
) -> dict[str, Any]:  # fmt: skip
    """The outcome of the post-approval sampling check of a pledge-based approval."""
    _bureau(scope)
    result = _choice(outcome, SamplingOutcome, "抽查结论")
    if result is SamplingOutcome.PENDING:
        raise ProjectError("抽查结论：请选择属实或不实")
    day = _day(checked_on, "抽查日期")
    # 承诺不实 leads to revoking the approval: say what was found.
    text = _text(note, "抽查说明", REASON_MAX,
                 required=result is SamplingOutcome.NONCONFORMING)  # fmt: skip
    project(engine, scope, project_id)
    with engine.begin() as conn:
        before = store.sampling(conn, [project_id]).get(project_id)
        if before is None:
            raise TransitionRefused("该项目不是告知承诺制审批，无需事后抽查")
        values = {"outcome": result.value, "checked_on": day, "note": text, "actor": actor}
        store.record_sampling(conn, project_id, values)
        audit.record(conn, actor=actor, action="sampling", entity="eia_project",
                     entity_id=str(project_id),
                     before={"outcome": before["outcome"]},
                     after={**values, "checked_on": str(day)})  # fmt: skip
        return store.sampling(conn, [project_id])[project_id]


def sampling_list(
    engine: sa.Engine, scope: Scope, quarter: str | None = None
) -> list[dict[str, Any]]:
    """Pledge-based approvals flagged for sampling, with their outcome."""
    chosen = projects(engine, scope)
    with engine.connect() as conn:
        flags = store.sampling(conn, [p.id for p in chosen])
    return [
        {"project_id": p.id, "name": p.name, "builder_name": p.builder_name,
         "district": p.district, "decided_on": p.decided_on, **flags[p.id]}
        for p in chosen if p.id in flags and (quarter is None or flags[p.id]["quarter"] == quarter)
    ]  # fmt: skip


def _bureau(scope: Scope) -> None:
    if scope.role not in BUREAU_ROLES:
        raise Forbidden("只有生态环境部门办理审批计时")


def schedule(
    engine: sa.Engine, scope: Scope, as_of: date, settings: ProjectSettings,
    calendar: WorkCalendar, *, major: bool | None = None,
) -> list[tuple[Project, Clock]]:  # fmt: skip
    return [(p, clock_of(p, as_of, settings, calendar))
            for p in projects(engine, scope, major=major)]  # fmt: skip


def check_deadlines(
    engine: sa.Engine, as_of: date, settings: ProjectSettings, calendar: WorkCalendar,
    *, now: datetime | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Raise eia_due (within `due_soon_days` of the due day) and eia_overdue alerts into the
    alert desk for projects of registered builders; the others are counted, not raised (an
    alert belongs to an enterprise)."""
    by_builder: dict[int, list[Condition]] = {}
    unregistered = []
    for found, clock in schedule(engine, Scope(role=Role.ADMIN), as_of, settings, calendar):
        if found.stage not in CLOCK_STAGES or clock.due_on is None:
            continue
        if clock.state not in (ClockState.DUE_SOON, ClockState.OVERDUE):
            continue
        if found.enterprise_id is None:
            unregistered.append(found.id)
            continue
        overdue = clock.state is ClockState.OVERDUE
        start = (clock.due_on + timedelta(days=1) if overdue
                 else clock.due_on - timedelta(days=settings.due_soon_days))  # fmt: skip
        kind = AlertType.EIA_OVERDUE if overdue else AlertType.EIA_DUE
        # An approval clock has no monitoring point: the alert stands on the builder alone
        # (alert.point_id is NULL).
        by_builder.setdefault(found.enterprise_id, []).append(Condition(
            type=kind, condition_key=deadline_key(kind, found.id), point_id=None,
            enterprise_id=found.enterprise_id,
            pollutant=None, start=datetime(start.year, start.month, start.day), end=None,
            detail={"project_id": found.id, "project": found.name,
                    "due_on": clock.due_on.isoformat(), "limit_days": clock.limit_days,
                    "day_kind": clock.day_kind.value if clock.day_kind else None,
                    "basis": clock.basis, "stage": found.stage.value},
        ))  # fmt: skip
    at = as_instant(now) if now else utc_now()
    raised: dict[int, set[int]] = {}
    for conditions in by_builder.values():
        changed = record_conditions(engine, conditions, {}, at)
        for c in conditions:
            raised[c.detail["project_id"]] = changed
    return {
        "raised": sorted(raised),
        "alerts": sorted(set().union(*raised.values())) if raised else [],
        "unregistered_builders": unregistered,
    }


def clock_dict(clock: Clock) -> dict[str, Any]:
    return {
        "state": clock.state.value, "limit_days": clock.limit_days,
        "day_kind": clock.day_kind.value if clock.day_kind else None, "basis": clock.basis,
        "started_on": clock.started_on, "due_on": clock.due_on, "days_used": clock.days_used,
        "days_left": clock.days_left, "paused_days": clock.paused_days,
    }  # fmt: skip


def project_dict(found: Project, clock: Clock | None = None) -> dict[str, Any]:
    """A project as JSON (the API's and the CLI's one form)."""
    out = {
        "id": found.id, "name": found.name, "builder_name": found.builder_name,
        "credit_code": found.credit_code, "enterprise_id": found.enterprise_id,
        "district": found.district, "industry": found.industry,
        "category": found.category.value, "route": found.route.value, "major": found.major,
        "pilot_park": found.pilot_park, "investment_wan_yuan": found.investment_wan_yuan,
        "lon": found.lon, "lat": found.lat, "polygon": found.polygon,
        "outlets": [o.__dict__ for o in found.outlets], "stage": found.stage.value,
        "submitted_on": found.submitted_on, "accepted_on": found.accepted_on,
        "decided_on": found.decided_on,
        "pauses": [{"kind": p.kind.value, "start": p.start, "end": p.end} for p in found.pauses],
    }  # fmt: skip
    if clock is not None:
        out["clock"] = clock_dict(clock)
    return out
