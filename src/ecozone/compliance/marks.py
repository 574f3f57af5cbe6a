"""Data marks (自动监测数据标记): an enterprise declares, lists and revokes them.

A declaration says a point's data (or one pollutant's) over [start, end) was taken during
a shutdown, maintenance, calibration or fault; it is kept for ever and audited, and
listings flag late and overlapping ones for the supervisor. Evaluation reads the live
ones to leave that data out of judgement.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.compliance import rules, store
from ecozone.compliance._usecase import audited, checked_actor, instant, write
from ecozone.compliance.model import ComplianceError, ConflictError, MarkKind, NotFoundError
from ecozone.compliance.rules import format_local
from ecozone.errors import Invalid
from ecozone.store.schema import data_mark
from ecozone.textguard import UnstorableText, check_optional
from ecozone.times import parse_time


def declare_mark(
    engine: sa.Engine,
    *,
    kind: str,
    start: datetime | str,
    end: datetime | str,
    reason: str,
    actor: str,
    mn: str | None = None,
    point_id: int | None = None,
    pollutant: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Record an enterprise's declaration that a point's data (or one pollutant's) over
    [start, end) was taken during a shutdown, maintenance, calibration or fault.

    Declarations may be made ahead or after the fact; both are kept, and a late one
    (declared after its range began) is flagged in listings. Name the point by device MN
    or by point id.
    """
    actor = checked_actor(actor)
    errors: list[str] = []
    try:
        start_l = parse_time(start, "start")
    except Invalid as exc:
        errors.append(str(exc))
        start_l = None
    try:
        end_l = parse_time(end, "end")
    except Invalid as exc:
        errors.append(str(exc))
        end_l = None
    if start_l is not None and end_l is not None:
        errors += rules.check_mark(
            kind=kind, start=start_l, end=end_l, reason=reason, pollutant=pollutant
        )
    elif kind not in [m.value for m in MarkKind]:
        errors.append(f"kind: {kind!r} is not {', '.join(MarkKind)}")
    try:
        check_optional(reason, "reason", multiline=True)
    except UnstorableText as exc:
        errors.append(str(exc))
    if (mn is None) == (point_id is None):
        errors.append("point: name it by mn or by point_id (one of them)")
    at = instant(now)
    with write(engine) as conn, conn.begin():
        target = None
        if mn is not None:
            target = store.point_by_mn(conn, mn)
            if target is None:
                raise NotFoundError(f"mn: no device with MN {mn}")
        elif point_id is not None:
            target = store.select_points(conn, [point_id]).get(point_id)
            if target is None:
                raise NotFoundError(f"point_id: no point {point_id}")
        if errors:
            raise ComplianceError(errors, heading="declaration not recorded")
        assert target is not None and start_l is not None and end_l is not None
        values = {
            "point_id": target["id"],
            "pollutant": pollutant,
            "kind": kind,
            "start": start_l,
            "end": end_l,
            "reason": reason.strip(),
            "declared_by": actor,
            "declared_at": at,
        }
        mark_id = store.insert_row(conn, data_mark, values)
        audited(conn, actor, "create", "data_mark", mark_id, None, values)
    return _marks_out(engine, mark_id=mark_id)[0]


def revoke_mark(
    engine: sa.Engine,
    mark_id: int,
    *,
    actor: str,
    now: datetime | None = None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Withdraw a declaration: it stays on record with revoked_at set, and no longer hides
    data from judgement. A mark outside `scope` answers NotFoundError like a missing one."""
    actor = checked_actor(actor)
    at = instant(now)
    with write(engine) as conn, conn.begin():
        rows = store.marks(conn, mark_id=mark_id, scope=scope, limit=None)
        if not rows:
            raise NotFoundError(f"no data mark {mark_id}")
        if not store.revoke_mark(conn, mark_id, at):
            raise ConflictError(
                f"data mark {mark_id} was revoked already, at {rows[0]['revoked_at'].isoformat()}"
            )
        audited(conn, actor, "revoke", "data_mark", mark_id, None, {"revoked_at": at})
    return _marks_out(engine, mark_id=mark_id)[0]


def list_marks(
    engine: sa.Engine,
    *,
    mn: str | None = None,
    credit_code: str | None = None,
    point_id: int | None = None,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    include_revoked: bool = True,
    scope: Scope | None = None,
) -> list[dict[str, Any]]:
    """Declarations overlapping [start, end), oldest first, each flagged for the supervisor:
    `late` (declared after its range began) and `overlaps` (ids of other live declarations
    for the same data)."""
    start_l = parse_time(start, "start") if start is not None else None
    end_l = parse_time(end, "end") if end is not None else None
    return _marks_out(
        engine,
        mn=mn,
        credit_code=credit_code,
        point_id=point_id,
        start=start_l,
        end=end_l,
        include_revoked=include_revoked,
        scope=scope,
    )


def _marks_out(
    engine: sa.Engine,
    *,
    mark_id: int | None = None,
    mn: str | None = None,
    credit_code: str | None = None,
    point_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    include_revoked: bool = True,
    scope: Scope | None = None,
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        point_ids: list[int] | None = None
        if mn is not None:
            target = store.point_by_mn(conn, mn)
            if target is None:
                raise NotFoundError(f"mn: no device with MN {mn}")
            point_ids = [target["id"]]
        if point_id is not None:
            point_ids = [point_id] if point_ids is None or point_id in point_ids else []
        rows = store.marks(
            conn,
            point_ids=point_ids,
            start=start,
            end=end,
            include_revoked=include_revoked,
            mark_id=mark_id,
            scope=scope,
            limit=None,
        )
        rows.sort(key=lambda row: (row["start"], row["id"]))  # oldest first
        if credit_code is not None:
            rows = [row for row in rows if row["credit_code"] == credit_code]
        involved = sorted({row["point_id"] for row in rows})
        everything = store.marks(conn, point_ids=involved, include_revoked=False, limit=None)
    overlaps = rules.overlapping([store.mark_of(row) for row in everything])
    out = []
    for row in rows:
        mark = store.mark_of(row)
        out.append(
            {
                "id": row["id"],
                "credit_code": row["credit_code"],
                "mn": row["mn"],
                "point": row["point"],
                "pollutant": row["pollutant"],
                "kind": row["kind"],
                "start": format_local(row["start"]),
                "end": format_local(row["end"]),
                "reason": row["reason"],
                "declared_by": row["declared_by"],
                "declared_at": row["declared_at"].isoformat(),
                "revoked_at": row["revoked_at"].isoformat() if row["revoked_at"] else None,
                "late": rules.is_late(mark),
                "overlaps": sorted(overlaps.get(row["id"], [])),
            }
        )
    return out
