"""Queries of the EIA projects: projects, their transitions, clock pauses and the sampling
flags of pledge-based approvals.

Who may read a project is the one Scope: a project reaches its builder through
`enterprise_id` and its district through `district_id`, and `scope_condition` reads them
from a view of the project table shaped like `enterprise` (id, district_id, disclosed).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.projects.model import (
    Category,
    Outlet,
    Pause,
    PauseKind,
    Project,
    Route,
    SamplingOutcome,
    Stage,
)
from ecozone.store.schema import (
    district,
    eia_pause,
    eia_project,
    eia_sampling,
    eia_transition,
    enterprise,
)


def readable_ids(scope: Scope) -> sa.Select[Any]:
    """Ids of the projects the scope may read. Projects are never disclosed to the public:
    an EIA file in progress is the bureau's and the builder's."""
    view = sa.select(
        eia_project.c.id.label("project_id"),
        eia_project.c.enterprise_id.label("id"),
        eia_project.c.district_id,
        sa.false().label("disclosed"),
    ).subquery("project_scope")
    return sa.select(view.c.project_id).where(scope_condition(scope, table=view))  # type: ignore[arg-type]


def _project(row: Any, pauses: tuple[Pause, ...]) -> Project:
    return Project(
        id=row["id"], name=row["name"], builder_name=row["builder_name"],
        credit_code=row["credit_code"], enterprise_id=row["enterprise_id"],
        district_id=row["district_id"], district=row["district"], industry=row["industry"],
        category=Category(row["category"]), route=Route(row["route"]), major=row["major"],
        pilot_park=row["pilot_park"], investment_wan_yuan=row["investment_wan_yuan"],
        lon=row["lon"], lat=row["lat"], polygon=row["polygon"],
        outlets=tuple(Outlet(**o) for o in row["outlets"] or ()), stage=Stage(row["stage"]),
        submitted_on=row["submitted_on"], accepted_on=row["accepted_on"],
        decided_on=row["decided_on"], created_at=row["created_at"], pauses=pauses,
    )  # fmt: skip


def projects(
    conn: sa.Connection,
    scope: Scope | None,
    *,
    project_id: int | None = None,
    stage: Stage | None = None,
    major: bool | None = None,
) -> list[Project]:
    """Projects the scope may read (every one for None), newest first, with their pauses."""
    stmt = (
        sa.select(eia_project, district.c.name.label("district"))
        .join(district, district.c.id == eia_project.c.district_id)
        .order_by(eia_project.c.id.desc())
    )
    if scope is not None:
        stmt = stmt.where(eia_project.c.id.in_(readable_ids(scope)))
    if project_id is not None:
        stmt = stmt.where(eia_project.c.id == project_id)
    if stage is not None:
        stmt = stmt.where(eia_project.c.stage == stage.value)
    if major is not None:
        stmt = stmt.where(eia_project.c.major.is_(major))
    rows = conn.execute(stmt).mappings().all()
    by_project = pauses(conn, [r["id"] for r in rows])
    return [_project(r, by_project.get(r["id"], ())) for r in rows]


def pauses(conn: sa.Connection, project_ids: list[int]) -> dict[int, tuple[Pause, ...]]:
    out: dict[int, list[Pause]] = {}
    if not project_ids:
        return {}
    stmt = (
        sa.select(eia_pause.c.project_id, eia_pause.c.kind, eia_pause.c.start, eia_pause.c.end)
        .where(eia_pause.c.project_id.in_(project_ids))
        .order_by(eia_pause.c.start, eia_pause.c.id)
    )
    for r in conn.execute(stmt).mappings():
        found = Pause(PauseKind(r["kind"]), r["start"], r["end"])
        out.setdefault(r["project_id"], []).append(found)
    return {k: tuple(v) for k, v in out.items()}


def pause_rows(conn: sa.Connection, project_id: int) -> list[dict[str, Any]]:
    stmt = (
        sa.select(eia_pause)
        .where(eia_pause.c.project_id == project_id)
        .order_by(eia_pause.c.start, eia_pause.c.id)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def open_pause(conn: sa.Connection, project_id: int) -> dict[str, Any] | None:
    stmt = sa.select(eia_pause).where(
        eia_pause.c.project_id == project_id, eia_pause.c.end.is_(None)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def insert_project(conn: sa.Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(sa.insert(eia_project).values(**values)).inserted_primary_key[0])


def update_project(conn: sa.Connection, project_id: int, values: dict[str, Any]) -> None:
    conn.execute(sa.update(eia_project).where(eia_project.c.id == project_id).values(**values))


def insert_transition(conn: sa.Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(sa.insert(eia_transition).values(**values)).inserted_primary_key[0])


def transitions(conn: sa.Connection, project_ids: list[int]) -> list[dict[str, Any]]:
    if not project_ids:
        return []
    stmt = (
        sa.select(eia_transition)
        .where(eia_transition.c.project_id.in_(project_ids))
        .order_by(eia_transition.c.project_id, eia_transition.c.id)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def insert_pause(conn: sa.Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(sa.insert(eia_pause).values(**values)).inserted_primary_key[0])


def end_pause(conn: sa.Connection, pause_id: int, end: date) -> None:
    conn.execute(sa.update(eia_pause).where(eia_pause.c.id == pause_id).values(end=end))


def sampling(conn: sa.Connection, project_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not project_ids:
        return {}
    stmt = sa.select(eia_sampling).where(eia_sampling.c.project_id.in_(project_ids))
    return {r["project_id"]: dict(r) for r in conn.execute(stmt).mappings()}


def flag_sampling(conn: sa.Connection, project_id: int, quarter: str) -> None:
    conn.execute(sa.insert(eia_sampling).values(
        project_id=project_id, quarter=quarter, outcome=SamplingOutcome.PENDING.value))  # fmt: skip


def record_sampling(conn: sa.Connection, project_id: int, values: dict[str, Any]) -> None:
    conn.execute(
        sa.update(eia_sampling).where(eia_sampling.c.project_id == project_id).values(**values)
    )


def enterprise_by_code(conn: sa.Connection, credit_code: str) -> dict[str, Any] | None:
    stmt = sa.select(enterprise.c.id, enterprise.c.name, enterprise.c.district_id).where(
        enterprise.c.credit_code == credit_code
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def enterprise_of(conn: sa.Connection, enterprise_id: int) -> dict[str, Any] | None:
    stmt = sa.select(enterprise.c.id, enterprise.c.name, enterprise.c.credit_code,
                     enterprise.c.district_id).where(enterprise.c.id == enterprise_id)  # fmt: skip
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def district_by_name(conn: sa.Connection, name: str) -> int | None:
    return conn.execute(sa.select(district.c.id).where(district.c.name == name)).scalar()


def districts(conn: sa.Connection, scope: Scope) -> list[dict[str, Any]]:
    stmt = sa.select(district.c.id, district.c.name).order_by(district.c.name)
    if scope.district_id is not None:
        stmt = stmt.where(district.c.id == scope.district_id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def enterprises(conn: sa.Connection, scope: Scope) -> list[dict[str, Any]]:
    """Registry enterprises a builder may be chosen from: those the scope may read."""
    stmt = (
        sa.select(enterprise.c.id, enterprise.c.name, enterprise.c.credit_code,
                  district.c.name.label("district"))
        .join(district, district.c.id == enterprise.c.district_id)
        .where(scope_condition(scope))
        .order_by(enterprise.c.name)
    )  # fmt: skip
    return [dict(r) for r in conn.execute(stmt).mappings()]
