"""Take the screenshots in docs/screenshots/ of the main pages, on the demo zone with made-up data.

Builds a throwaway SQLite database from the demo registry (src/ecozone/demo/seed.yaml),
adds three hours of synthetic monitoring data, computed hourly and daily values,
permits, alerts in every state, data marks and plan progress, serves the app with
the web pages on a local port and photographs them with Debian's Chromium.
Run once after `make assets`: .venv/bin/python web/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import math
import random
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.web.server import LiveServer  # noqa: E402

from ecozone import web  # noqa: E402
from ecozone.accounts import service as accounts  # noqa: E402
from ecozone.api.app import create_app  # noqa: E402
from ecozone.compliance import alerts  # noqa: E402
from ecozone.measurements.store import upsert_measurements  # noqa: E402
from ecozone.registry import import_registry  # noqa: E402
from ecozone.store.engine import make_engine  # noqa: E402
from ecozone.store.migrate import upgrade_engine  # noqa: E402
from ecozone.store.schema import (  # noqa: E402
    aggregate,
    alert,
    alert_action,
    data_mark,
    enterprise,
    permit,
    permit_limit,
    point,
)
from ecozone.times import CHINA_STANDARD_TIME  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# pollutant: (typical value, permit limit, unit, converted to reference O2)
FLUE = {
    "a21026": (22.0, 35.0, "mg/m3", True),
    "a21002": (38.0, 50.0, "mg/m3", True),
    "a34013": (4.0, 10.0, "mg/m3", True),
    "a19001": (9.5, None, "%", False),
}
WATER = {"w01018": (28.0, 50.0, "mg/L", False), "w21003": (2.1, 5.0, "mg/L", False)}
SURFACE = {"w01001": (7.4, None, "", False), "w01009": (7.8, None, "mg/L", False)}
AMBIENT = {
    "a34004": 38_000.0,
    "a34002": 61_000.0,
    "a05024": 0.095,
    "a21004": 0.036,
    "a21026": 0.008,
    "a21005": 0.7,
}
KINDS = {"flue_gas": FLUE, "wastewater": WATER, "surface_water": SURFACE}


def _local(now: datetime) -> datetime:
    return now.astimezone(CHINA_STANDARD_TIME).replace(tzinfo=None)


def build(url: str, now: datetime) -> sa.Engine:
    rnd = random.Random(212)
    engine = make_engine(url)
    upgrade_engine(engine)
    registry = yaml.safe_load((ROOT / "src/ecozone/demo/seed.yaml").read_text("utf-8"))
    import_registry(engine, registry)
    with engine.connect() as conn:
        points = [dict(r) for r in conn.execute(sa.select(point)).mappings()]
        ents = [dict(r) for r in conn.execute(sa.select(enterprise)).mappings()]
    with engine.begin() as conn:
        conn.execute(enterprise.update().values(disclosed=True))
    t0 = _local(now).replace(second=0, microsecond=0)
    flue = [p for p in points if p["kind"] == "flue_gas"]
    water = [p for p in points if p["kind"] == "wastewater"]
    offline = {water[3]["id"], water[9]["id"], flue[11]["id"]}
    fault = {flue[5]["id"], water[14]["id"]}
    exceeding = {flue[1]["id"], flue[8]["id"], water[6]["id"]}
    rows: list[dict[str, Any]] = []
    aggregates: list[dict[str, Any]] = []
    for p in points:
        stop = 180 if p["id"] in offline else 0
        if p["kind"] == "ambient_air":
            for m in range(0, 180, 5):
                for code, base in AMBIENT.items():
                    v = base * (1 + 0.15 * math.sin((m + p["id"] * 7) / 40) + rnd.gauss(0, 0.04))
                    rows.append(_row(p["id"], code, "minute", t0 - timedelta(minutes=m), now, v))
            for h in range(1, 25):
                for code, base in AMBIENT.items():
                    v = base * (1 + 0.25 * math.sin((h + p["id"]) / 4))
                    rows.append(
                        _row(
                            p["id"], code, "hour", t0.replace(minute=0) - timedelta(hours=h), now, v
                        )
                    )
            continue
        table = KINDS.get(p["kind"])
        if table is None:  # power meters: no concentrations (the power pages have their own)
            continue
        step = 1 if p["kind"] == "flue_gas" else 10
        for m in range(stop, stop + 180, step):
            t = t0 - timedelta(minutes=m)
            for code, (base, limit, _unit, converted) in table.items():
                v = base * (1 + 0.12 * math.sin((m + p["id"] * 13) / 25) + rnd.gauss(0, 0.03))
                if p["id"] in exceeding and limit and m < 45 and code in ("a21026", "w01018"):
                    v = limit * (1.25 + 0.1 * math.sin(m / 6))
                flag = "D" if p["id"] in fault and m == stop else "N"
                rows.append(_row(p["id"], code, "minute", t, now, v, converted and v * 1.18, flag))
        if p["kind"] == "flue_gas" and p["id"] not in offline:
            for s in range(0, 1800, 30):
                t = t0 - timedelta(seconds=s)
                for code, (base, limit, _unit, converted) in table.items():
                    v = base * (1 + 0.1 * math.sin(s / 200 + p["id"]) + rnd.gauss(0, 0.03))
                    if p["id"] in exceeding and limit and code == "a21026":
                        v = limit * (1.28 + 0.06 * math.sin(s / 120) + rnd.gauss(0, 0.02))
                    rows.append(_row(p["id"], code, "rtd", t, now, v, converted and v * 1.18))
        for h in range(1, 49):
            for code, (base, _limit, _unit, converted) in table.items():
                v = base * (1 + 0.15 * math.sin((h + p["id"]) / 5))
                valid = not (p["id"] in offline and h <= 3) and rnd.random() > 0.03
                aggregates.append(
                    _agg(
                        p["id"],
                        code,
                        "hour",
                        t0.replace(minute=0) - timedelta(hours=h),
                        now,
                        v,
                        converted,
                        valid,
                    )
                )
        for d in range(1, 8):
            for code, (base, _limit, _unit, converted) in table.items():
                aggregates.append(
                    _agg(
                        p["id"],
                        code,
                        "day",
                        t0.replace(hour=0, minute=0) - timedelta(days=d),
                        now,
                        base,
                        converted,
                        True,
                    )
                )
    with engine.begin() as conn:
        upsert_measurements(conn, rows)
        conn.execute(aggregate.insert(), aggregates)
        _permits(conn, ents, points)
        _alerts(conn, points, t0, now, exceeding, offline, fault)
        _marks(conn, points, t0)
    _plan(engine)
    return engine


def _row(pid, code, kind, t, now, value, converted=None, flag="N") -> dict[str, Any]:
    key = "rtd" if kind == "rtd" else "avg"
    row = {
        "point_id": pid,
        "pollutant": code,
        "kind": kind,
        "data_time": t,
        "received_at": now,
        "flag": flag,
        key: round(value, 4),
    }
    if converted:
        row["zs_rtd" if kind == "rtd" else "zs_avg"] = round(converted, 4)
    return row


def _agg(pid, code, kind, t, now, value, converted, valid) -> dict[str, Any]:
    count = 60 if kind == "hour" else 24
    return {
        "point_id": pid,
        "pollutant": code,
        "kind": kind,
        "data_time": t,
        "avg": round(value, 3),
        "min": round(value * 0.8, 3),
        "max": round(value * 1.2, 3),
        "zs_avg": round(value * 1.18, 3) if converted else None,
        "valid": valid,
        "valid_count": count if valid else count // 2,
        "sample_count": count,
        "emission_kg": round(value * 0.05, 3),
        "flag": "N",
        "computed_at": now,
    }


def _permits(conn: sa.Connection, ents: list[dict], points: list[dict]) -> None:
    today = date.today()
    for n, e in enumerate(ents):
        valid_to = today + timedelta(days=40) if n == 2 else date(today.year + 3, 6, 30)
        permit_id = conn.execute(
            permit.insert()
            .values(
                permit_no=f"{e['credit_code']}001P",
                enterprise_id=e["id"],
                management_class="key" if n % 3 else "simplified",
                valid_from=date(today.year - 2, 7, 1),
                valid_to=valid_to,
            )
            .returning(permit.c.id)
        ).scalar_one()
        for p in points:
            if p["enterprise_id"] != e["id"] or p["kind"] not in ("flue_gas", "wastewater"):
                continue
            for code, (_base, limit, unit, _c) in KINDS[p["kind"]].items():
                if limit:
                    conn.execute(
                        permit_limit.insert().values(
                            permit_id=permit_id,
                            point_id=p["id"],
                            pollutant=code,
                            limit_value=limit,
                            unit=unit,
                            basis="hour" if p["kind"] == "flue_gas" else "day",
                            standard="DB50/ 658-2016"
                            if p["kind"] == "flue_gas"
                            else "GB 8978-1996",
                            annual_cap_t=None,
                        )
                    )


def _alerts(conn, points, t0, now, exceeding, offline, fault) -> None:
    by_id = {p["id"]: p for p in points}
    states = ["dispatched", "open", "feedback"]
    for n, pid in enumerate(sorted(exceeding)):
        p = by_id[pid]
        code, limit = ("a21026", 35.0) if p["kind"] == "flue_gas" else ("w01018", 50.0)
        alert_id = _alert(
            conn,
            "exceedance",
            p,
            t0 - timedelta(minutes=40),
            now,
            states[n],
            pollutant=code,
            peak=limit * 1.36,
            limit_value=limit,
        )
        if states[n] in ("dispatched", "feedback"):
            conn.execute(
                alert_action.insert().values(
                    alert_id=alert_id,
                    at=now,
                    actor="supervisor",
                    action="dispatch",
                    comment="请立即核查治理设施运行情况",
                )
            )
        if states[n] == "feedback":
            conn.execute(
                alert_action.insert().values(
                    alert_id=alert_id,
                    at=now,
                    actor="enterprise",
                    action="feedback",
                    cause="脱硫循环泵故障",
                    measures="已切换备用泵",
                )
            )
    for pid in sorted(offline):
        _alert(conn, "offline", by_id[pid], t0 - timedelta(hours=1), now, "open")
    for pid in sorted(fault):
        _alert(conn, "device_fault", by_id[pid], t0 - timedelta(minutes=5), now, "open")
    for days in (3, 9, 17):
        p = points[days]
        _alert(
            conn,
            "exceedance",
            p,
            t0 - timedelta(days=days),
            now,
            "closed",
            end=t0 - timedelta(days=days) + timedelta(hours=days % 5 + 1),
            pollutant="a21026",
            peak=48.0,
            limit_value=35.0,
        )


def _alert(conn, kind, p, start, now, state, **extra) -> int:
    return conn.execute(
        alert.insert()
        .values(
            type=kind,
            point_id=p["id"],
            enterprise_id=p["enterprise_id"],
            start=start,
            state=state,
            condition_key=f"{kind}:{p['id']}:{start}",
            created_at=now,
            updated_at=now,
            **extra,
        )
        .returning(alert.c.id)
    ).scalar_one()


def _marks(conn: sa.Connection, points: list[dict], t0: datetime) -> None:
    first = points[0]
    day = t0.replace(hour=9, minute=0) - timedelta(days=1)
    conn.execute(
        data_mark.insert(),
        [
            {
                "point_id": first["id"],
                "pollutant": None,
                "kind": "calibration",
                "start": day,
                "end": day + timedelta(hours=1),
                "reason": "季度比对校准",
                "declared_by": "enterprise",
                "declared_at": (day - timedelta(days=1)).replace(tzinfo=CHINA_STANDARD_TIME),
            },
            {
                "point_id": first["id"],
                "pollutant": "a21026",
                "kind": "fault",
                "start": day + timedelta(hours=5),
                "end": day + timedelta(hours=7),
                "reason": "采样管线堵塞",
                "declared_by": "enterprise",
                "declared_at": (day + timedelta(hours=9)).replace(tzinfo=CHINA_STANDARD_TIME),
            },
        ],
    )


def _plan(engine: sa.Engine) -> None:
    """Progress reports on several measures, so the matrix has every status in it."""
    try:
        from ecozone.plan import service as plan
    except ImportError:
        return
    statuses = ["on_track", "done", "at_risk", "off_track", "on_track", "not_started"]
    year = date.today().year
    for n, measure in enumerate(plan.list_measures()):
        if n % 3 == 2:
            continue
        for k, unit in enumerate(measure["lead_units"][:2] + measure["co_units"][:1]):
            status = statuses[(n + k) % len(statuses)]
            plan.record_progress(
                engine,
                measure=measure["number"],
                unit=unit,
                period=f"{year}-Q{max(1, (date.today().month - 1) // 3)}",
                status=status,
                actor="coordinator",
                narrative="按计划推进",
            )
        district = measure["districts"][n % len(measure["districts"])]
        plan.record_progress(
            engine,
            measure=measure["number"],
            unit=measure["lead_units"][0],
            district=district,
            period=str(year - 1),
            status="done",
            actor="coordinator",
        )


def admin_examples(engine: sa.Engine, now: datetime) -> None:
    """What the admin pages show: two loggers awaiting approval and two API tokens."""
    from ecozone.registry.onboarding import record_announcement

    for n, (serial, peer) in enumerate((("ZK2026A0137", "10.12.4.21:50311"),
                                        ("ZK2026A0142", "10.12.7.8:41022"))):  # fmt: skip
        record_announcement(
            engine, {"logger_sn": serial, "cpu_id": f"STM32F4-{n}", "mac1": f"00-1A-2B-3C-4D-{n}"},
            sent_mn=None, password="123456", st="31", peer=peer, at=now - timedelta(hours=n + 1),
        )  # fmt: skip
    for username, days in (("supervisor", 90), ("enterprise", 30)):
        accounts.issue_api_token(engine, username, actor="admin", days=days, now=now)


def shoot(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    folder = tempfile.mkdtemp(prefix="ecozone-shots-")
    engine = build(f"sqlite:///{folder}/ecozone.db", now)
    users = {u: p for u, p, _r in accounts.ensure_demo_users(engine)}
    admin_examples(engine, now)
    app = create_app(engine)
    web.install(app)
    paths = {getattr(r, "path", "") for r in app.routes}
    if "/api/v1/plan/matrix" not in paths:
        from ecozone.plan.api import router as plan_router

        app.include_router(plan_router)
    server = LiveServer(app).start()
    with engine.connect() as conn:
        flue_point = conn.execute(
            sa.select(alert.c.point_id).where(
                alert.c.type == "exceedance", alert.c.state == "dispatched"
            )
        ).scalar_one()
        # the desk: a feedback to verify, and an exceedance of the enterprise user's own
        # enterprise (the first), dispatched to it for an answer
        desk_alert = conn.execute(
            sa.select(alert.c.id).where(alert.c.type == "exceedance", alert.c.state == "feedback")
        ).scalar_one()
        first = conn.execute(sa.select(sa.func.min(enterprise.c.id))).scalar_one()
        own_point = (
            conn.execute(
                sa.select(point.c.id)
                .where(point.c.enterprise_id == first)
                .order_by(point.c.kind != "flue_gas", point.c.id)
            )
            .scalars()
            .first()
        )
    t0 = _local(now).replace(minute=0, second=0, microsecond=0)
    with engine.begin() as conn:
        answer_alert = _alert(
            conn, "exceedance", {"id": own_point, "enterprise_id": first},
            t0 - timedelta(hours=5), now, "open", end=t0 - timedelta(hours=3),
            pollutant="a21026", peak=41.3, limit_value=35.0,
            detail={"basis": "hour", "unit": "mg/m3"},
        )  # fmt: skip
    alerts.act(engine, answer_alert, "dispatch", actor="supervisor", deadline_days=5,
               comment="请核查脱硫设施运行情况并于期限内反馈")  # fmt: skip
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)

            def page_as(username: str):
                context = browser.new_context(
                    base_url=server.url,
                    device_scale_factor=1,
                    viewport={"width": 1600, "height": 1000},
                )
                page = context.new_page()
                page.goto("/login")
                page.fill("#username", username)
                page.fill("#password", users[username])
                with page.expect_navigation():
                    page.click("button[type=submit]")
                return page

            page = page_as("supervisor")
            page.wait_for_function("document.querySelectorAll('.point-marker').length > 40")
            page.wait_for_timeout(800)
            page.screenshot(path=out / "dashboard.png", full_page=True)
            page.goto(f"/points/{flue_point}")
            page.wait_for_selector("#chart-minute[data-points]", state="attached")
            page.wait_for_timeout(600)
            page.screenshot(path=out / "point.png", full_page=True)
            page.goto(page.locator(".crumbs a").nth(1).get_attribute("href"))
            page.screenshot(path=out / "enterprise.png", full_page=True)
            page.goto("/alerts")
            page.screenshot(path=out / "alert-desk.png", full_page=True)
            page.goto(f"/alerts/{desk_alert}")
            page.wait_for_selector("#evidence[data-points]", state="attached")
            page.wait_for_timeout(400)
            page.screenshot(path=out / "alert-detail.png", full_page=True)
            day = _local(now).date()
            page.goto(
                f"/data-query?point={flue_point}&kind=minute&start={day - timedelta(days=6)}"
                f"&end={day}"
            )
            page.wait_for_selector("#query-chart[data-values]", state="attached")
            page.wait_for_timeout(600)
            page.screenshot(path=out / "data-query.png", full_page=False)
            for name, path in (("live-points", "/points"), ("enterprises", "/enterprises"),
                               ("permits", "/permits"), ("reports", "/reports")):  # fmt: skip
                page.goto(path)
                page.screenshot(path=out / f"{name}.png", full_page=name != "live-points")
            page = page_as("enterprise")
            page.goto(f"/alerts/{answer_alert}")
            page.wait_for_selector("#evidence[data-points]", state="attached")
            page.wait_for_timeout(400)
            page.screenshot(path=out / "alert-feedback.png", full_page=True)
            page.goto("/portal")
            page.click("details.feedback summary")  # show the feedback form
            page.screenshot(path=out / "enterprise-portal.png", full_page=True)
            page.goto("/marks")  # data marks: the enterprise's list and its declaration form
            page.screenshot(path=out / "marks-enterprise.png", full_page=True)
            page = page_as("supervisor")
            page.goto("/marks")
            page.locator("details.review").first.evaluate("d => { d.open = true; }")
            page.screenshot(path=out / "marks-review.png", full_page=True)
            page = page_as("coordinator")
            page.wait_for_selector("table.matrix")
            page.screenshot(path=out / "plan-matrix.png", full_page=False)
            page = page_as("admin")
            for name, path in (("admin-users", "/admin/users"),
                               ("admin-user", "/admin/users/district-supervisor"),
                               ("admin-tokens", "/admin/tokens"),
                               ("admin-audit", "/admin/audit"),
                               ("admin-devices", "/admin/devices")):  # fmt: skip
                page.goto(path)
                page.screenshot(path=out / f"{name}.png", full_page=name != "admin-audit")
            page.goto("/admin/users/new")  # a refused form: each problem under its field
            page.fill("#username", "x")
            page.select_option("#role", "enterprise")
            page.fill("#password", "short")
            with page.expect_navigation():
                page.click("button.primary")
            page.screenshot(path=out / "admin-user-new.png", full_page=True)
            browser.close()
    finally:
        server.stop()
        engine.dispose()
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
