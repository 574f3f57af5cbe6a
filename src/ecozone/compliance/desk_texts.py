"""The alert desk's texts (zh, en), and refusals said in the viewer's language.

The use cases speak English with the detail (field, state, file); a page puts a Chinese
sentence naming the kind of problem in front of that detail, so a person reads what to
fix and a support desk still sees the exact cause.
"""

from __future__ import annotations

from ecozone.compliance.model import TransitionError
from ecozone.files import UploadRefused
from ecozone.textguard import UnstorableText
from ecozone.web.i18n import t

TEXTS: dict[str, tuple[str, str]] = {
    "nav.alert_desk": ("报警处置台", "Alert desk"),
    "action.urge": ("催办", "Urged"),
    "action.send_back": ("退回", "Sent back"),
    "action.remind": ("逾期提醒", "Overdue reminder"),
    "close_reason.resolved": ("整改办结", "Resolved"),
    "close_reason.false_alarm": ("误报", "False alarm"),
    "desk.title": ("报警处置", "Alert desk"),
    "desk.lead": (
        "派单、催办、企业反馈、核实、办结全过程留痕；期限按工作日计算。",
        "Dispatch, urge, feedback, verify and close, every step recorded; deadlines in "
        "working days.",
    ),
    "desk.all": ("全部", "All"),
    "desk.overdue": ("已逾期", "Overdue"),
    "desk.overdue_days": ("逾期 {n} 个工作日", "{n} working day(s) overdue"),
    "desk.filters": ("筛选", "Filters"),
    "desk.filter.type": ("报警类型", "Alert type"),
    "desk.filter.district": ("区县", "District"),
    "desk.filter.enterprise": ("企业", "Enterprise"),
    "desk.filter.point": ("点位", "Point"),
    "desk.filter.pollutant": ("监测因子", "Pollutant"),
    "desk.filter.start": ("起始日期", "From"),
    "desk.filter.end": ("截止日期", "To"),
    "desk.filter.any": ("不限", "Any"),
    "desk.filter.apply": ("查询", "Apply"),
    "desk.filter.reset": ("重置", "Reset"),
    "desk.filter.ignored": (
        "以下条件无法识别，已忽略：{names}",
        "Not understood, ignored: {names}",
    ),
    "desk.total": ("共 {n} 条", "{n} alerts"),
    "desk.page": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "desk.prev": ("上一页", "Previous"),
    "desk.next": ("下一页", "Next"),
    "desk.col.figures": ("关键数值", "Figures"),
    "desk.col.deadline": ("反馈期限", "Deadline"),
    "desk.col.overdue": ("逾期", "Overdue"),
    "desk.col.close_reason": ("办结方式", "Closed as"),
    "desk.fig.peak": ("峰值浓度", "Peak concentration"),
    "desk.fig.limit": ("许可限值", "Permit limit"),
    "desk.fig.multiple": ("超标倍数", "Times the limit"),
    "desk.fig.device": ("设备上报小时值", "Device hourly value"),
    "desk.fig.computed": ("平台计算小时值", "Computed hourly value"),
    "desk.fig.difference": ("两值之差", "Difference"),
    "desk.fig.tolerance": ("允许偏差", "Tolerance"),
    "desk.fig.mismatch_hour": ("差异最大时段", "Hour of largest difference"),
    "desk.fig.emitted": ("年内已排放量 (t)", "Emitted this year (t)"),
    "desk.fig.cap": ("许可年排放量 (t)", "Annual cap (t)"),
    "desk.fig.hours": ("持续时长 (小时)", "Duration (h)"),
    "desk.fig.facility": ("治污/产污设施", "Facility"),
    "desk.fig.production": ("同时运行的产污设施", "Production running meanwhile"),
    "desk.fig.production_kw": ("产污设施平均负荷 (kW)", "Production mean load (kW)"),
    "desk.fig.control_kw": ("治污设施平均功率 (kW)", "Control facility mean power (kW)"),
    "desk.fig.minutes": ("持续 (分钟)", "Minutes"),
    "desk.fig.rule": ("判定规则", "Rule"),
    "desk.fig.power_text": (
        "{facility}：{minutes} 分钟，产污设施负荷 {load} kW",
        "{facility}: {minutes} min, production load {load} kW",
    ),
    "desk.fig.unit": ("单位", "Unit"),
    "desk.fig.exceedance_text": (
        "峰值 {peak} / 限值 {limit} {unit}",
        "peak {peak} / limit {limit} {unit}",
    ),
    "desk.fig.mismatch_text": (
        "设备值 {device} · 计算值 {computed}（差 {difference}，允许 {tolerance}）",
        "device {device} · computed {computed} (diff {difference}, tolerance {tolerance})",
    ),
    "desk.fig.cap_text": ("已排 {emitted} t / 许可 {cap} t", "{emitted} t of {cap} t"),
    "desk.fig.hours_text": ("持续 {hours} 小时", "{hours} h"),
    "desk.kind.hour": ("小时值", "hourly values"),
    "desk.kind.day": ("日均值", "daily values"),
    "desk.evidence": ("报警依据", "Evidence"),
    "desk.evidence_none": ("该报警没有可绘制的监测序列。", "No monitoring series to draw."),
    "desk.figures": ("报警数值", "Figures"),
    "desk.history": ("处置记录", "Handling history"),
    "desk.no_history": ("尚无处置记录", "Not handled yet"),
    "desk.actions": ("处置操作", "Actions"),
    "desk.no_actions": ("当前状态下您无可执行的操作。", "Nothing for you to do in this state."),
    "desk.deadline": ("反馈期限", "Deadline"),
    "desk.deadline_days": ("期限（工作日）", "Deadline (working days)"),
    "desk.new_deadline_days": ("新期限（工作日，可不填）", "New deadline (working days, optional)"),
    "desk.keep_deadline": ("不填则沿用原期限", "empty keeps the deadline"),
    "desk.comment": ("说明", "Note"),
    "desk.reason": ("理由", "Reason"),
    "desk.attachments": (
        "附件（照片或 PDF，每个不超过 10 MB，最多 5 个）",
        "Files (photos or PDF, up to 10 MB each, at most 5)",
    ),
    "desk.attachment": ("附件", "File"),
    "desk.confirm": ("确认", "Confirm"),
    "desk.cancel": ("取消", "Cancel"),
    "desk.confirm_title": ("请确认", "Please confirm"),
    "desk.step.dispatch": ("派单", "Dispatch"),
    "desk.step.urge": ("催办", "Urge"),
    "desk.step.send_back": ("退回重报", "Send back"),
    "desk.step.verify": ("核实通过", "Verify"),
    "desk.step.close": ("办结", "Close"),
    "desk.step.false_alarm": ("按误报办结", "Close as false alarm"),
    "desk.step.reopen": ("重新打开", "Reopen"),
    "desk.step.feedback": ("提交反馈", "Submit feedback"),
    "desk.ask.dispatch": ("确认向企业派单？", "Dispatch this alert to the enterprise?"),
    "desk.ask.urge": ("确认催办？", "Urge the enterprise?"),
    "desk.ask.send_back": ("确认退回企业重新反馈？", "Send the answer back?"),
    "desk.ask.verify": ("确认核实通过？", "Verify the answer?"),
    "desk.ask.close": ("确认办结该报警？", "Close this alert?"),
    "desk.ask.false_alarm": ("确认按误报办结？", "Close as a false alarm?"),
    "desk.ask.reopen": ("确认重新打开？", "Reopen this alert?"),
    "desk.ask.feedback": ("确认提交反馈？", "Submit this feedback?"),
    "desk.done.dispatch": ("已派单。", "Dispatched."),
    "desk.done.urge": ("已催办。", "Urged."),
    "desk.done.send_back": ("已退回企业。", "Sent back."),
    "desk.done.verify": ("已核实。", "Verified."),
    "desk.done.close": ("已办结。", "Closed."),
    "desk.done.false_alarm": ("已按误报办结。", "Closed as a false alarm."),
    "desk.done.reopen": ("已重新打开。", "Reopened."),
    "desk.done.feedback": ("反馈已提交。", "Feedback submitted."),
    "desk.overdue_now": ("已逾期 {n} 个工作日", "{n} working day(s) overdue"),
    "desk.error.not_now": (
        "当前状态下不能执行此操作，请刷新页面。",
        "This step is not possible now; reload the page.",
    ),
    "desk.error.state": (
        "报警状态已变化，不能执行此操作：",
        "The alert's state does not allow this: ",
    ),
    "desk.error.needs": ("请补全必填内容：", "Something required is missing: "),
    "desk.error.upload": (
        "附件不符合要求（仅接受 JPEG/PNG 照片或 PDF，每个不超过 10 MB）：",
        "File refused (JPEG/PNG photos or PDF, up to 10 MB each): ",
    ),
    "desk.error.text": ("文本含不允许的字符：", "Text holds a character that is not allowed: "),
    "desk.error.invalid": ("输入有误：", "Invalid input: "),
}


def error_text(exc: Exception, lang: str) -> str:
    """A refusal from the use cases, led by a sentence in the viewer's language."""
    if isinstance(exc, UploadRefused):
        lead = "desk.error.upload"
    elif isinstance(exc, UnstorableText):
        lead = "desk.error.text"
    elif isinstance(exc, TransitionError):
        lead = "desk.error.needs" if " needs " in str(exc) else "desk.error.state"
    else:
        lead = "desk.error.invalid"
    return t(lang, lead) + str(exc)
