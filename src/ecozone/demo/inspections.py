"""The demo's enforcement loop, after the drawn campaign: two inspections recorded from the
drawn assignments (one violation exempt under the exemption list, one fined, one
rectification overdue), an exceedance alert left unanswered past its deadline that
triggers an on-site check with a violation awaiting its decision, and a complaint waiting
for a check. Demo data, not rulings.
"""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.compliance import alerts
from ecozone.compliance.evaluation import record_conditions
from ecozone.compliance.model import AlertAction, AlertType, Condition
from ecozone.registry import store as registry_store
from ecozone.supervision import inspection_reads as reads
from ecozone.supervision import inspections as ins
from ecozone.supervision.model import SupervisionSettings

ACTOR = "demo"


def site_photo(
    width: int = 64, height: int = 48, rgb: tuple[int, int, int] = (74, 120, 90)
) -> bytes:
    """A small solid-colour PNG standing in for a site photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _record(
    engine: sa.Engine,
    inspection_id: int,
    findings: str,
    location: str,
    coords: tuple[float, float] | None = None,
) -> None:
    lat, lon = coords or (None, None)
    ins.update_inspection(
        engine,
        inspection_id,
        findings=findings,
        location=location,
        latitude=lat,
        longitude=lon,
        actor=ACTOR,
    )
    ins.add_files(engine, inspection_id, [("现场照片.png", site_photo())], actor=ACTOR)


def _overdue_alert(engine: sa.Engine, enterprise_id: int, today: date) -> int | None:
    """An exceedance raised through the alert desk's one path, dispatched 12 days ago with a
    3-working-day deadline and never answered: overdue."""
    with engine.connect() as conn:
        points = registry_store.points_in_scope(conn, SYSTEM_SCOPE, enterprise_id=enterprise_id)
    if not points:
        return None
    start = datetime.combine(today - timedelta(days=14), time(2))
    cond = Condition(
        type=AlertType.EXCEEDANCE,
        condition_key=f"demo-inspection:{enterprise_id}",
        point_id=points[0]["id"],
        pollutant="a21026",
        start=start,
        end=start + timedelta(hours=3),
        peak=58.0,
        limit_value=50.0,
    )
    [alert_id] = record_conditions(
        engine,
        [cond],
        {cond.point_id: {"enterprise_id": enterprise_id}},
        _at(today - timedelta(days=14)),
    )
    alerts.act(
        engine,
        alert_id,
        AlertAction.DISPATCH,
        actor=ACTOR,
        deadline_days=3,
        comment="请核查二氧化硫超标原因并反馈",
        now=_at(today - timedelta(days=12)),
    )
    return alert_id


def seed_inspections(engine: sa.Engine, registry: dict[str, Any], today: date) -> None:
    settings = SupervisionSettings()
    tasks = reads.desk(engine, SYSTEM_SCOPE, today)["assignments"]
    if len(tasks) >= 1:  # fined: serious harm; a second violation's rectification overdue
        made = ins.create_inspection(
            engine,
            assignment_id=tasks[0]["id"],
            actor=ACTOR,
            inspected_on=today - timedelta(days=20),
            settings=settings,
        )
        _record(
            engine,
            made["id"],
            "污水处理站二沉池出水浑浊，总排口在线监测化学需氧量超标；危险废物贮存间标识缺失。",
            "污水处理站及总排口",
            (29.7152, 106.6341),
        )
        fined = ins.add_violation(
            engine,
            made["id"],
            provision="《水污染防治法》第八十三条",
            description="总排口化学需氧量日均值超标 1.4 倍",
            harm="serious",
            rectification_order="立即调整生化系统运行参数，确保稳定达标",
            rectify_by=today - timedelta(days=13),
            actor=ACTOR,
        )
        ins.add_violation(
            engine,
            made["id"],
            provision="《固体废物污染环境防治法》第一百一十二条",
            item="hazardous-waste-label",
            description="危险废物贮存间未设置识别标志",
            harm="minor",
            rectification_order="按 HJ 1276 设置危险废物识别标志",
            rectify_by=today - timedelta(days=10),
            actor=ACTOR,
        )
        ins.submit_inspection(
            engine,
            made["id"],
            actor=ACTOR,
            today=today,
            settings=settings,
            public=True,
            public_summary="发现超标排放等问题 2 项，已责令整改",
        )
        ins.record_rectification(
            engine,
            fined["id"],
            rectified_on=today - timedelta(days=15),
            note="复查时出水已达标",
            actor=ACTOR,
            today=today,
        )
        ins.decide(
            engine,
            fined["id"],
            ins.DecisionInput(
                outcome="penalty",
                amount_yuan="150000",
                public=True,
                decided_on=today - timedelta(days=8),
                explanation="超标排放水污染物，危害后果较重，依法处以罚款（不符合免罚清单条件）",
            ),
            actor=ACTOR,
            today=today,
        )
    if len(tasks) >= 2:  # exempt: an unfiled EIA registration filed within 5 working days
        made = ins.create_inspection(
            engine,
            assignment_id=tasks[1]["id"],
            actor=ACTOR,
            inspected_on=today - timedelta(days=18),
            settings=settings,
        )
        _record(
            engine,
            made["id"],
            "新建危废暂存间未填报建设项目环境影响登记表，其余环保设施运行正常。",
            "厂区西侧危废暂存间",
        )
        exempt = ins.add_violation(
            engine,
            made["id"],
            provision="《环境影响评价法》第三十一条",
            item="eia-registration-unfiled",
            description="建设项目环境影响登记表未备案",
            harm="none",
            rectification_order="在 5 个工作日内补办登记表备案",
            rectify_by=today - timedelta(days=11),
            actor=ACTOR,
        )
        ins.submit_inspection(
            engine,
            made["id"],
            actor=ACTOR,
            today=today,
            settings=settings,
            public=True,
            public_summary="发现问题 1 项，已责令限期改正",
        )
        ins.record_rectification(
            engine,
            exempt["id"],
            rectified_on=today - timedelta(days=16),
            note="已在系统完成登记表备案",
            actor=ACTOR,
            today=today,
        )
        ins.decide(
            engine,
            exempt["id"],
            ins.DecisionInput(
                outcome="exempt",
                rule_id="eia-registration-unfiled",
                public=True,
                decided_on=today - timedelta(days=9),
                explanation="没有造成危害后果并及时改正，依据免罚清单不予行政处罚；免罚不免责，已进行批评教育",
            ),
            actor=ACTOR,
            today=today,
        )
    liangjiang = [e for e in registry["enterprises"] if e["district"] == "两江新区"]
    by_code = {}
    with engine.connect() as conn:
        for e in registry_store.enterprises_in_scope(conn, SYSTEM_SCOPE):
            by_code[e["credit_code"]] = e["id"]
    drawn = {t["enterprise_id"] for t in tasks[:2]}
    alerted = None
    for e in liangjiang:
        enterprise_id = by_code.get(e["credit_code"])
        if enterprise_id is None or enterprise_id in drawn:
            continue
        alert_id = _overdue_alert(engine, enterprise_id, today)
        if alert_id is None:
            continue
        trigger = ins.open_trigger(
            engine, alert_id=alert_id, actor=ACTOR, reason="报警派单后逾期未反馈，转现场检查"
        )
        team = [
            p["id"]
            for p in reads.team_choices(engine, {**trigger, "district_id": None})
            if not p["conflicted"]
        ][:2]
        made = ins.create_inspection(
            engine,
            trigger_id=trigger["id"],
            inspector_ids=team,
            inspected_on=today - timedelta(days=2),
            actor=ACTOR,
            settings=settings,
        )
        _record(
            engine,
            made["id"],
            "脱硫塔循环泵故障停运约 3 小时，已更换备用泵，现场在线监测恢复正常。",
            "1 号锅炉脱硫塔",
        )
        ins.add_violation(
            engine,
            made["id"],
            provision="《大气污染防治法》第九十九条",
            item="air-minor-exceedance",
            description="二氧化硫小时浓度超标 0.16 倍，持续 3 小时",
            harm="minor",
            rectification_order="修复循环泵并提交故障分析报告",
            rectify_by=today + timedelta(days=3),
            actor=ACTOR,
        )
        ins.submit_inspection(engine, made["id"], actor=ACTOR, today=today, settings=settings)
        alerted = enterprise_id
        break
    # The complaint goes to a third enterprise, never the alerted one: the draw is random, so
    # the alert may land on any of the first few.
    complained = [e["credit_code"] for e in liangjiang[2:]
                  if by_code.get(e["credit_code"]) not in (None, alerted)]  # fmt: skip
    if complained:
        ins.open_trigger(
            engine,
            source="complaint",
            credit_code=complained[0],
            reference="12345-2026-0815",
            actor=ACTOR,
            reason="群众反映夜间厂区有刺激性气味",
        )
