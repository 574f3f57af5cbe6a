"""Texts of the enforcement pages and of the enterprise file's story (zh first, en second),
registered on import, and how a suggestion's conditions read: each condition met / not met
/ open, with its facts."""

from __future__ import annotations

from typing import Any

from ecozone.web.i18n import add_texts, t

TEXTS: dict[str, tuple[str, str]] = {
    "nav.inspections": ("现场检查", "On-site inspections"),
    "insp.title": ("现场检查与执法", "On-site inspections"),
    "insp.lead": (
        "报警逾期未办结、用电监控发现、群众投诉或执法人员可触发双随机之外的现场检查；检查记录提交后不可修改，只可跟踪整改。",
        "An unresolved alert, a power-linkage finding, a complaint or staff can call for an "
        "on-site check outside the draw; a submitted record is immutable except follow-up.",
    ),
    "insp.triggers": ("待检查的触发记录", "Open triggers"),
    "insp.triggers_in_draw": (
        "待检查的触发记录（报警逾期、用电监控、投诉）所涉企业自动列为必检对象",
        "Enterprises with an open trigger (alert, power, complaint) are always in",
    ),
    "insp.triggers_none": ("没有待检查的触发记录。", "No open trigger."),
    "insp.overdue_alerts": ("逾期未办结的报警", "Overdue alerts"),
    "insp.overdue_none": ("没有逾期未办结的报警。", "No overdue alert."),
    "insp.overdue_rectifications": ("整改逾期", "Rectification overdue"),
    "insp.overdue_rectifications_none": ("没有逾期未整改的违法行为。", "No rectification overdue."),
    "insp.assignments": ("双随机抽查任务（待检查）", "Drawn inspections to record"),
    "insp.assignments_none": ("没有待检查的抽查任务。", "No drawn inspection waiting."),
    "insp.list": ("检查记录", "Inspection records"),
    "insp.list_none": ("尚无检查记录。", "No inspection record yet."),
    "insp.new_trigger": ("发起现场检查（投诉或执法人员）", "Call for a check (complaint or staff)"),
    "insp.open_trigger": ("发起现场检查", "Call for an on-site check"),
    "insp.trigger_confirm": (
        "确定发起现场检查？该企业将列入下次双随机抽查的必检对象。",
        "Call for an on-site check? The enterprise is always in the next draw.",
    ),
    "insp.trigger_opened": (
        "已发起现场检查（触发编号 {id}）。",
        "Check called for (trigger {id}).",
    ),
    "insp.source": ("触发来源", "Source"),
    "insp.source.alert": ("报警逾期未办结", "Unresolved alert"),
    "insp.source.power": ("用电监控发现", "Power-linkage finding"),
    "insp.source.complaint": ("群众投诉", "Complaint"),
    "insp.source.staff": ("执法人员发起", "Staff"),
    "insp.reason": ("触发理由", "Reason"),
    "insp.reference": ("投诉编号", "Complaint number"),
    "insp.alert": ("报警", "Alert"),
    "insp.created_at": ("发起时间", "Opened"),
    "insp.cancel": ("撤销", "Cancel"),
    "insp.cancel_reason": ("撤销理由", "Why cancelled"),
    "insp.cancel_confirm": ("确定撤销该触发记录？", "Cancel this trigger?"),
    "insp.cancelled": ("触发记录已撤销。", "Trigger cancelled."),
    "insp.start": ("建立检查记录", "Start the record"),
    "insp.team": ("执法人员（至少两名）", "Inspectors (at least two)"),
    "insp.conflicted": ("（应回避）", "(recused)"),
    "insp.deadline": ("办理期限", "Deadline"),
    "insp.campaign": ("抽查计划", "Campaign"),
    "insp.planned": ("计划日期", "Planned"),
    "insp.date": ("检查日期", "Date"),
    "insp.state": ("状态", "State"),
    "insp.state.draft": ("草稿", "Draft"),
    "insp.state.submitted": ("已提交", "Submitted"),
    "insp.violations": ("违法行为", "Violations"),
    "insp.violations_none": ("未发现违法行为。", "No violation found."),
    "insp.record": ("检查记录", "Inspection record"),
    "insp.caused_by": ("检查缘由", "Caused by"),
    "insp.by_draw": ("双随机抽查：{campaign}", "Random draw: {campaign}"),
    "insp.findings": ("检查情况", "Findings"),
    "insp.location": ("检查地点", "Location"),
    "insp.latitude": ("纬度（可选）", "Latitude (optional)"),
    "insp.longitude": ("经度（可选）", "Longitude (optional)"),
    "insp.locate": ("获取当前位置", "Use my location"),
    "insp.save": ("保存", "Save"),
    "insp.saved": ("已保存。", "Saved."),
    "insp.files": ("照片和文件", "Photos and documents"),
    "insp.files_none": ("尚无照片或文件。", "No photo or document yet."),
    "insp.upload": ("上传", "Upload"),
    "insp.upload_help": (
        "JPEG/PNG 照片或 PDF，每个不超过 10 MB",
        "JPEG/PNG photos or PDF, 10 MB each at most",
    ),
    "insp.uploaded": ("已上传 {n} 个文件。", "{n} file(s) uploaded."),
    "insp.kind.photo": ("照片", "Photo"),
    "insp.kind.document": ("文件", "Document"),
    "insp.add_violation": ("登记违法行为", "Record a violation"),
    "insp.violation_added": ("已登记违法行为。", "Violation recorded."),
    "insp.provision": ("违反的法律条款", "Provision breached"),
    "insp.item": ("免罚清单事项（可选）", "Exemption-list item (optional)"),
    "insp.item_none": ("（不对应清单事项）", "(none)"),
    "insp.description": ("违法事实", "Facts"),
    "insp.harm": ("危害后果", "Harm"),
    "insp.harm.none": ("没有造成危害后果", "None"),
    "insp.harm.minor": ("危害后果轻微", "Minor"),
    "insp.harm.serious": ("危害后果较重", "Serious"),
    "insp.order": ("整改要求", "Rectification order"),
    "insp.rectify_by": ("整改期限", "Rectify by"),
    "insp.submit": ("提交检查记录", "Submit the record"),
    "insp.submit_confirm": (
        "提交后检查记录不可修改，只可跟踪整改。确定提交？",
        "A submitted record cannot be changed, only followed up. Submit?",
    ),
    "insp.submitted": ("检查记录已提交。", "Record submitted."),
    "insp.public": ("公开检查结果（一公开）", "Publish the result"),
    "insp.public_summary": ("公开的检查结果", "Result as published"),
    "insp.vstate.open": ("待整改", "Open"),
    "insp.vstate.rectifying": ("整改中", "Rectifying"),
    "insp.vstate.rectified": ("已整改", "Rectified"),
    "insp.vstate.closed": ("已处理", "Decided"),
    "insp.overdue": ("整改逾期 {n} 天", "{n} day(s) overdue"),
    "insp.rectified_on": ("整改完成日期", "Rectified on"),
    "insp.note": ("整改情况", "What was seen"),
    "insp.record_rectified": ("记录整改完成", "Record the rectification"),
    "insp.order_rectify": ("责令整改", "Order rectification"),
    "insp.followed": ("已记录整改跟踪。", "Follow-up recorded."),
    "insp.decide": ("处理决定", "Decision"),
    "insp.decision": ("处理决定", "Decision"),
    "insp.outcome": ("处理结果", "Outcome"),
    "insp.outcome.penalty": ("罚款", "Penalty"),
    "insp.outcome.warning": ("警告", "Warning"),
    "insp.outcome.exempt": ("不予处罚（免罚清单）", "Exempt (exemption list)"),
    "insp.amount": ("罚款金额（元）", "Amount (yuan)"),
    "insp.rule": ("免罚依据", "Exemption rule"),
    "insp.explanation": ("决定理由", "Explanation"),
    "insp.decided_on": ("决定日期", "Decided on"),
    "insp.decision_public": ("公开处理决定", "Publish the decision"),
    "insp.decide_confirm": (
        "确定作出该处理决定？决定不可更改。",
        "Take this decision? It is final.",
    ),
    "insp.decided": ("已作出处理决定。", "Decision taken."),
    "insp.open_violation": ("查看 / 处理", "Open / decide"),
    "insp.suggestion": (
        "免罚清单比对（供参考，由执法人员决定）",
        "Exemption check (a suggestion; a person decides)",
    ),
    "insp.list_version": (
        "清单版本 {version}，{effective} 起施行；来源：{source}",
        "List {version}, in force from {effective}; source: {source}",
    ),
    "insp.suggest.exempt": ("建议：符合不予处罚条件（{rule}）", "Suggested: not punished ({rule})"),
    "insp.suggest.may_exempt": (
        "建议：符合可以不予处罚条件（{rule}）",
        "Suggested: may go unpunished ({rule})",
    ),
    "insp.suggest.pending": ("尚待整改结果，暂不能判断", "Pending: the correction is still open"),
    "insp.suggest.no_exemption": ("不符合免罚条件", "No exemption applies"),
    "insp.suggest.no_rule": (
        "清单中没有适用于该条款的事项",
        "No rule of the list covers this provision",
    ),
    "insp.manual": ("需人工核实", "To confirm by hand"),
    "insp.met.true": ("满足", "met"),
    "insp.met.false": ("不满足", "not met"),
    "insp.met.none": ("待定", "open"),
    "insp.cond.provision": (
        "适用条款：{provision}（清单覆盖 {covered}）",
        "Provision {provision} (list covers {covered})",
    ),
    "insp.cond.first_violation": (
        "首次违法：{since} 至 {found_on} 前同类违法 {count} 次{earlier}",
        "First violation: from {since} to before {found_on}, {count} of the same kind{earlier}",
    ),
    "insp.cond.harm": ("危害后果：{harm}（最多 {max_harm}）", "Harm: {harm} (at most {max_harm})"),
    "insp.cond.corrected_in_time": (
        "按期改正：期限 {deadline}，完成 {rectified_on}",
        "Corrected in time: by {deadline}, done {rectified_on}",
    ),
    "insp.story": (
        "执法记录（触发 → 检查 → 违法行为 → 处理决定）",
        "Enforcement (trigger → inspection → violations → decisions)",
    ),
    "insp.story_none": ("尚无执法记录。", "No enforcement record."),
    "insp.waiting": ("待检查", "Waiting for a check"),
    "insp.public_inspections": ("现场检查结果", "Inspection results"),
    "insp.public_decisions": ("行政处罚与免罚决定", "Penalty and exemption decisions"),
    "insp.found": ("发现问题", "Problems found"),
    "insp.back": ("返回现场检查", "Back to inspections"),
    "insp.none_yet": ("—", "—"),
}

add_texts(TEXTS)  # once, on first import: the pages and the enterprise file's story use them


def condition_text(lang: str, cond: dict[str, Any]) -> str:
    """A stored condition (Suggestion.to_dict) as a sentence with its facts."""
    facts = dict(cond.get("facts") or {})
    key = cond["key"]
    if key == "provision":
        facts["covered"] = "、".join(facts.get("covered") or ())
    elif key == "first_violation":
        earlier = facts.get("earlier") or []
        facts["count"] = len(earlier)
        facts["earlier"] = f"（{'、'.join(earlier)}）" if earlier else ""
    elif key == "harm":
        facts = {k: t(lang, f"insp.harm.{facts[k]}") for k in ("harm", "max_harm")}
    elif key == "corrected_in_time":
        facts = {k: facts.get(k) or t(lang, "insp.none_yet") for k in ("deadline", "rectified_on")}
    return t(lang, f"insp.cond.{key}", **facts)


def met_text(lang: str, met: bool | None) -> str:
    return t(lang, f"insp.met.{str(met).lower()}")
