"""Facts for the credit and disclosure tests, written straight into the tables of the
enforcement loop: violations, penalty decisions, exceedance alerts, hourly aggregates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from ecozone.store.schema import aggregate, alert, penalty_decision, point, violation


def add_violation(
    engine: sa.Engine, enterprise_id: int, harm: str, found: date, *,
                  due: date | None = None, done: date | None = None,
                  item: str = "废气超标排放") -> int:  # fmt: skip
    state = "rectified" if done else ("rectifying" if due else "open")
    with engine.begin() as conn:
        return conn.execute(violation.insert().values(
            enterprise_id=enterprise_id, found_on=found, provision="《大气污染防治法》第九十九条",
            item=item, description=f"{item}（{found}）", harm=harm, state=state,
            rectification_order="立即停止超标排放" if due else None, rectify_by=due,
            rectified_on=done, created_by="t")).inserted_primary_key[0]  # fmt: skip


def add_decision(engine: sa.Engine, violation_id: int, enterprise_id: int, outcome: str,
                 amount: float | None, decided: date, published: date | None = None) -> int:  # fmt: skip
    with engine.begin() as conn:
        return conn.execute(penalty_decision.insert().values(
            violation_id=violation_id, enterprise_id=enterprise_id, decided_on=decided,
            outcome=outcome, amount_yuan=amount,
            exemption_rule="r1@1" if outcome == "exempt" else None, explanation="依法决定",
            decided_by="t", public=published is not None,
            published_on=published)).inserted_primary_key[0]  # fmt: skip


def add_exceedances(engine: sa.Engine, enterprise_id: int, starts: list[datetime]) -> None:
    with engine.begin() as conn:
        conn.execute(alert.insert(), [
            {"type": "exceedance", "enterprise_id": enterprise_id, "pollutant": "a21026",
             "start": s, "state": "closed", "condition_key": f"x:{enterprise_id}:{s}"}
            for s in starts
        ])  # fmt: skip


def add_hours(engine: sa.Engine, enterprise_id: int, code: str, first: datetime,
              valid: list[bool]) -> None:  # fmt: skip
    """A point with one hourly aggregate of SO2 per flag, consecutive from `first`."""
    with engine.begin() as conn:
        point_id = conn.execute(point.insert().values(
            enterprise_id=enterprise_id, code=code, name=f"{code} 排放口", kind="flue_gas",
        )).inserted_primary_key[0]  # fmt: skip
        conn.execute(aggregate.insert(), [
            {"point_id": point_id, "pollutant": "a21026", "kind": "hour",
             "data_time": first + timedelta(hours=n), "avg": 20.0, "valid": ok,
             "valid_count": 60 if ok else 10, "sample_count": 60,
             "computed_at": datetime(2026, 1, 1, tzinfo=UTC)}
            for n, ok in enumerate(valid)
        ])  # fmt: skip
