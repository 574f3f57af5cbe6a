"""Chinese and English texts of the data-marking page (compliance.mark_views)."""

from __future__ import annotations

from ecozone.web.i18n import add_texts

add_texts(
    {
        "nav.marks": ("数据标记", "Data marks"),
        "marks.title": ("自动监测数据标记", "Data marking"),
        "marks.lead.enterprise": (
            "停产、维护、校准或故障期间的监测数据应事先标记；事后补报的标记会提示监管人员审核。",
            "Declare shutdowns, maintenance, calibration and faults ahead of time; late "
            "declarations are pointed out to the supervisors.",
        ),
        "marks.lead.staff": (
            "企业申报的数据标记；补报（事后标记）以红色显示。审核不通过的标记不再豁免数据，"
            "其数据按未标记参与超标判定。",
            "Marks declared by the enterprises; late ones are shown in red. A rejected mark "
            "excuses nothing: its data is judged as if unmarked.",
        ),
        "marks.late_rule": (
            "开始后超过 {hours} 小时申报即为补报。",
            "Declared more than {hours} h after the start: late.",
        ),
        "marks.late_rule_any": (
            "标记开始之后才申报的即为补报。",
            "Declared once the range had begun: late.",
        ),
        "marks.declare": ("申报数据标记", "Declare a data mark"),
        "marks.field.point": ("监测点位", "Monitoring point"),
        "marks.field.pollutant": ("监测因子", "Pollutant"),
        "marks.field.kind": ("标记类型", "Kind"),
        "marks.field.start": ("开始时间", "Start"),
        "marks.field.end": ("结束时间", "End"),
        "marks.field.reason": ("原因", "Reason"),
        "marks.choose_point": ("请选择点位", "Choose a point"),
        "marks.submit": ("提交申报", "Declare"),
        "marks.filters": ("筛选", "Filter"),
        "marks.filter.any": ("全部", "any"),
        "marks.filter.district": ("区域", "District"),
        "marks.filter.enterprise": ("企业", "Enterprise"),
        "marks.filter.kind": ("类型", "Kind"),
        "marks.filter.state": ("审核状态", "Review"),
        "marks.filter.start": ("起始日期", "From"),
        "marks.filter.end": ("截止日期", "To"),
        "marks.filter.late": ("仅看补报", "Late only"),
        "marks.filter.apply": ("查询", "Apply"),
        "marks.filter.reset": ("重置", "Reset"),
        "marks.list": ("标记列表", "Declarations"),
        "marks.count": ("共 {n} 条", "{n} in all"),
        "marks.actions": ("操作", "Actions"),
        "marks.revoke": ("撤销", "Revoke"),
        "marks.revoke_confirm": (
            "确定撤销数据标记 {id}？撤销后记录保留，但不再豁免数据。",
            "Revoke data mark {id}? It stays on record but no longer excuses data.",
        ),
        "marks.review": ("审核", "Review"),
        "marks.accept": ("通过", "Accept"),
        "marks.reject": ("驳回", "Reject"),
        "marks.comment": ("审核意见", "Comment"),
        "marks.late_by": ("补报（晚{delay}）", "late by {delay}"),
        "marks.unit.d": ("{n}天", "{n} d"),
        "marks.unit.h": ("{n}小时", "{n} h"),
        "marks.unit.min": ("{n}分钟", "{n} min"),
        "marks.state.pending": ("待审核", "pending"),
        "marks.state.accepted": ("审核通过", "accepted"),
        "marks.state.rejected": ("审核不通过", "rejected"),
        "marks.state.revoked": ("已撤销", "revoked"),
        "marks.notice.declared": ("数据标记 {id} 已申报。", "Data mark {id} declared."),
        "marks.notice.revoked": ("数据标记 {id} 已撤销。", "Data mark {id} revoked."),
        "marks.notice.reviewed": ("数据标记 {id} 已审核。", "Data mark {id} reviewed."),
        "marks.error.heading": ("申报未保存：", "Not declared:"),
        "marks.error.no_point": (
            "未找到该监测点位，请从列表中选择本企业的点位。",
            "No such monitoring point here; choose one of your own points.",
        ),
        "marks.error.kind": ("请选择标记类型。", "Choose a kind."),
        "marks.error.pollutant": (
            "不是 HJ 212-2017 的监测因子编码。",
            "Not a pollutant code of HJ 212-2017.",
        ),
        "marks.error.start_missing": ("请填写开始时间。", "Enter the start."),
        "marks.error.end_missing": ("请填写结束时间。", "Enter the end."),
        "marks.error.time_format": (
            "时间格式不正确，应为 年-月-日 时:分。",
            "Not a time; write it as YYYY-MM-DD HH:MM.",
        ),
        "marks.error.end_before_start": (
            "结束时间必须晚于开始时间。",
            "The end must be after the start.",
        ),
        "marks.error.too_long": (
            "标记时段超过 {days} 天，请分段申报。",
            "The range is longer than {days} days; declare it in parts.",
        ),
        "marks.error.too_early": (
            "开始时间早于申报时间 {days} 天以上，超出允许的补报期限。",
            "It begins more than {days} days before today, beyond the allowed span.",
        ),
        "marks.error.too_far_ahead": (
            "开始时间晚于申报时间 {days} 天以上，超出允许的申报范围。",
            "It begins more than {days} days ahead, beyond the allowed span.",
        ),
        "marks.error.reason_missing": ("请填写标记原因。", "Say why the data is marked."),
        "marks.error.reason_long": ("原因不能超过 {n} 个字。", "At most {n} characters."),
        "marks.error.comment_missing": (
            "驳回时请填写审核意见。",
            "Say why the declaration is rejected.",
        ),
        "marks.error.revoked_already": (
            "该数据标记已撤销。",
            "This data mark was revoked already.",
        ),
        "marks.error.review_revoked": (
            "该数据标记已撤销，无需审核。",
            "This data mark was revoked; there is nothing to review.",
        ),
        "col.mark_id": ("编号", "No."),
        "col.late_declared": ("补报", "Late"),
        "col.review_state": ("审核状态", "Review"),
        "col.review": ("审核意见 · 审核人", "Comment · reviewer"),
    }
)
