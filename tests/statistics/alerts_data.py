"""A hand-built month of alerts (March 2025) over the web tests' zone, with known dispatch,
answer and close times; the figures the tests expect are worked out from these by hand.

All alerts are raised at T = 2025-03-10 00:00 UTC (08:00 CST). POWER is in 两江新区,
CHEMICAL in 重庆高新区. A2 is answered at 2025-03-14 17:00 UTC: still the 14th in UTC, but
01:00 on the 15th in China Standard Time, the day the deadline is judged in: late.

    alert  enterprise  type         dispatch  answer (CST day)  deadline    close   state
    A1     POWER       exceedance   T+1 h     2025-03-11        2025-03-14  T+48 h  closed
    A2     POWER       exceedance   T+2 h     2025-03-15 (late) 2025-03-14  T+160 h closed
    A3     CHEMICAL    offline      T+4 h     —                 2025-03-14  —       dispatched
    A4     CHEMICAL    offline      T+10 h    —                 2025-04-30  —       dispatched
    A5     POWER       offline      —         —                 —           —       open
    A6     CHEMICAL    exceedance   —         (the close)       —           T+3 h   closed (误报)
    A7     POWER       exceedance   an alert of April 2025, outside the month
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from tests.web.data import add_alert

from ecozone.store.schema import alert_action

T = datetime(2025, 3, 10, tzinfo=UTC)
H = timedelta(hours=1)


def seed_alerts(engine: sa.Engine, ids: dict[str, int]) -> dict[str, int]:
    power, chem = ids["power"], ids["chemical"]
    rows = {
        "A1": (power, "exceedance", "closed", "2025-03-14"),
        "A2": (power, "exceedance", "closed", "2025-03-14"),
        "A3": (chem, "offline", "dispatched", "2025-03-14"),
        "A4": (chem, "offline", "dispatched", "2025-04-30"),
        "A5": (power, "offline", "open", None),
        "A6": (chem, "exceedance", "closed", None),
        "A7": (power, "exceedance", "open", None),
    }
    steps = {
        "A1": [("dispatch", T + 1 * H), ("feedback", datetime(2025, 3, 11, 2, tzinfo=UTC)),
               ("verify", T + 40 * H), ("close", T + 48 * H)],
        "A2": [("dispatch", T + 2 * H), ("feedback", datetime(2025, 3, 14, 17, tzinfo=UTC)),
               ("verify", T + 150 * H), ("close", T + 160 * H)],
        "A3": [("dispatch", T + 4 * H), ("urge", T + 200 * H)],
        "A4": [("dispatch", T + 10 * H)],
        "A5": [],
        "A6": [("close", T + 3 * H)],
        "A7": [],
    }  # fmt: skip
    made = {}
    with engine.begin() as conn:
        for i, (name, (enterprise_id, kind, state, deadline)) in enumerate(rows.items()):
            start = datetime(2025, 4 if name == "A7" else 3, 10, 8, i)
            made[name] = add_alert(
                conn, type=kind, enterprise_id=enterprise_id, start=start, state=state,
                deadline=datetime.strptime(deadline, "%Y-%m-%d").date() if deadline else None,
                close_reason="false_alarm" if name == "A6" else "resolved" if state == "closed"
                else None, condition_key=f"stats:{name}", created_at=T, updated_at=T,
            )  # fmt: skip
            for action, at in steps[name]:
                conn.execute(alert_action.insert().values(
                    alert_id=made[name], at=at, actor="tests", action=action))  # fmt: skip
    return made
