"""Chinese and English for every string the pages show, and how values are written out.

One dict, key -> (zh, en); Chinese is the default. The language comes from
?lang=, then the `ecozone_lang` cookie, then zh. `show` writes a table value
the same way in HTML, in the live panels' JSON and nowhere else: exports keep
raw values. Times are shown in China Standard Time, as HJ 212 devices send them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ecozone.hj212 import codes
from ecozone.times import cst_naive

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LANG_COOKIE = "ecozone_lang"

TEXTS: dict[str, tuple[str, str]] = {
    # application frame
    "app.title": ("重庆自贸试验区生态环境监管平台", "Chongqing FTZ Eco-environment Supervision"),
    "app.short": ("生态环境监管", "ecozone"),
    "app.subtitle": ("智慧环保 · 生态环境大数据中心", "Smart environmental protection · big data"),
    "nav.main": ("主导航", "Main navigation"),
    "nav.skip": ("跳到正文", "Skip to content"),
    "nav.home": ("首页", "Home"),
    "nav.dashboard": ("监管总览", "Dashboard"),
    "nav.portal": ("企业门户", "Enterprise portal"),
    "nav.plan": ("方案任务矩阵", "Plan matrix"),
    "nav.api": ("接口文档", "API reference"),
    "nav.public": ("信息公开", "Public information"),
    "nav.language": ("语言", "Language"),
    "nav.login": ("登录", "Sign in"),
    "nav.logout": ("退出", "Sign out"),
    "nav.breadcrumb": ("位置", "Breadcrumb"),
    "nav.group.monitoring": ("在线监控", "Online monitoring"),
    "nav.group.alerts": ("报警处置", "Alerts"),
    "nav.group.enterprises": ("企业档案", "Enterprises"),
    "nav.group.permits": ("排污许可", "Permits"),
    "nav.group.quality": ("环境质量", "Environmental quality"),
    "nav.group.waste": ("固废危废", "Solid and hazardous waste"),
    "nav.group.energy": ("能源双碳", "Energy and carbon"),
    "nav.group.projects": ("项目与风险", "Projects and risk"),
    "nav.group.statistics": ("统计报表", "Statistics"),
    "nav.group.plan": ("方案任务", "Plan"),
    "nav.group.admin": ("系统管理", "Administration"),
    "footer.times": (
        "监测数据时间均为北京时间（UTC+8）",
        "Monitoring times are China Standard Time (UTC+8)",
    ),
    "footer.platform": ("重庆市生态环境局", "Chongqing Ecology and Environment Bureau"),
    "role.admin": ("系统管理员", "administrator"),
    "role.supervisor": ("监管人员", "supervisor"),
    "role.enterprise": ("企业用户", "enterprise"),
    "role.coordinator": ("方案协调人", "plan coordinator"),
    "role.public": ("公众", "public"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # list pages: filters and search
    "list.filter": ("筛选", "Filter"),
    "list.any": ("全部", "All"),
    "list.reset": ("重置", "Reset"),
    "list.search": ("搜索", "Search"),
    "list.search_hint": ("企业名称或统一社会信用代码", "Enterprise name or credit code"),
    # login
    "login.title": ("用户登录", "Sign in"),
    "login.username": ("用户名", "User name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.public_note": ("无需登录即可查看公开信息。", "Public information needs no account."),
    "login.public_link": ("进入信息公开", "Go to public information"),
    "login.failed": ("用户名或密码错误", "Wrong user name or password"),
    "login.rate_limited": (
        "登录尝试过多，请 {seconds} 秒后再试",
        "Too many attempts; try again in {seconds} s",
    ),
    "login.missing": ("请填写用户名和密码", "Enter a user name and a password"),
    "login.signed_out": ("已退出登录", "Signed out"),
    # errors
    "error.not_found": ("未找到", "Not found"),
    "error.forbidden": ("无权访问", "Forbidden"),
    "error.bad_request": ("请求有误", "Bad request"),
    "error.not_found_text": (
        "该页面不存在，或您无权查看。",
        "This page does not exist, or you may not see it.",
    ),
    "error.forbidden_text": (
        "您的账户角色不能使用此页面。",
        "Your account's role cannot use this page.",
    ),
    "error.home": ("返回首页", "Back to the start page"),
    "error.server": ("服务器内部错误", "Server error"),
    "error.server_text": (
        "处理请求时出现错误，已记录，请稍后再试。",
        "The request failed on the server; it has been logged. Please try again later.",
    ),
    "error.method_text": ("该地址不支持此操作。", "This address does not take that request."),
    "error.too_large_text": ("提交的内容过大。", "What was sent is too large."),
    "error.invalid_text": (
        "地址或表单中的值无效，请检查后重试。",
        "A value in the address or the form is not valid; check it and try again.",
    ),
    # states
    "state.normal": ("正常", "Normal"),
    "state.exceeding": ("超标", "Exceeding"),
    "state.offline": ("离线", "Offline"),
    "state.fault": ("故障", "Fault"),
    "kind.flue_gas": ("废气", "Flue gas"),
    "kind.wastewater": ("废水", "Wastewater"),
    "kind.ambient_air": ("环境空气", "Ambient air"),
    "kind.surface_water": ("地表水", "Surface water"),
    "kind.power": ("用电监控", "Power metering"),
    "alert_state.open": ("待处理", "Open"),
    "alert_state.dispatched": ("已派发", "Dispatched"),
    "alert_state.feedback": ("已反馈", "Feedback given"),
    "alert_state.verified": ("已核实", "Verified"),
    "alert_state.closed": ("已办结", "Closed"),
    # export file titles (the Chinese page names its downloads in Chinese)
    "file.outlets": ("排放口", "outlets"),
    "file.capture": ("数据捕集率", "capture"),
    "file.latest": ("最新数据", "latest"),
    "file.data-marks": ("数据标记", "data-marks"),
    "file.open-alerts": ("未办结报警", "open-alerts"),
    "file.today-exceedances": ("今日超标", "today-exceedances"),
    "file.point-alerts": ("点位报警", "point-alerts"),
    "file.alerts": ("报警", "alerts"),
    "file.limits": ("排放限值", "limits"),
    "file.permits": ("排污许可证", "permits"),
    "file.district-ranking": ("区县排名", "district-ranking"),
    "file.ambient": ("环境空气质量", "ambient"),
    "file.enterprises": ("企业", "enterprises"),
    "file.audit-log": ("审计日志", "audit-log"),
    "file.users": ("用户", "users"),
    "file.hourly-values": ("小时数据", "hourly-values"),
    "file.daily-values": ("日数据", "daily-values"),
    "file.live-points": ("实时数据", "live-points"),
    "alert.exceedance": ("超标", "Exceedance"),
    "alert.offline": ("离线", "Offline"),
    "alert.constant_value": ("恒值", "Constant value"),
    "alert.device_fault": ("设备故障", "Device fault"),
    "alert.long_maintenance": ("长时间维护", "Long maintenance"),
    "alert.hour_mismatch": ("小时值不一致", "Hourly value mismatch"),
    "alert.cap_warning": ("总量预警", "Annual cap warning"),
    "alert.permit_expired": ("许可证过期", "Permit expired"),
    "alert.control_off": ("治污设施停运", "Control facility off"),
    "alert.unsynchronised": ("启停不同步", "Start/stop not synchronised"),
    "alert.control_idle": ("治污设施空转", "Control facility idling"),
    "alert.limit_order": ("停限产违规", "Production-limit order breached"),
    "alert.analyser_silent": ("在线监测异常而生产运行", "Analyser silent while producing"),
    "alert.data_gap": ("数据缺失", "Data gap"),
    "action.dispatch": ("派发", "Dispatched"),
    "action.feedback": ("企业反馈", "Enterprise feedback"),
    "action.verify": ("核实", "Verified"),
    "action.close": ("办结", "Closed"),
    "action.reopen": ("重新打开", "Reopened"),
    "basis.hour": ("小时均值", "hourly mean"),
    "basis.day": ("日均值", "daily mean"),
    "permit_class.key": ("重点管理", "Key management"),
    "permit_class.simplified": ("简化管理", "Simplified management"),
    "permit_class.registration": ("登记管理", "Registration"),
    "permit_status.not_yet_valid": ("未生效", "Not yet valid"),
    "permit_status.valid": ("有效", "Valid"),
    "permit_status.renewal_due": ("临期（需申请延续）", "Renewal due"),
    "permit_status.expired": ("已过期", "Expired"),
    "mark.shutdown": ("停产", "Shutdown"),
    "mark.maintenance": ("维护", "Maintenance"),
    "mark.calibration": ("校准", "Calibration"),
    "mark.fault": ("故障", "Fault"),
    "marks.all_pollutants": ("全部因子", "all pollutants"),
    "marks.late": ("事后标记", "late"),
    "marks.note": (
        "标记时段开始后才申报的为事后标记，以红色突出显示。",
        "Declarations made after the marked period began are late and shown in red.",
    ),
    # columns
    "col.start": ("开始时间", "Start"),
    "col.end": ("结束时间", "End"),
    "col.district": ("区域", "District"),
    "col.enterprise": ("企业", "Enterprise"),
    "col.point": ("点位", "Point"),
    "col.station": ("空气站", "Air station"),
    "col.aqi": ("AQI", "AQI"),
    "col.aqi_category": ("级别 类别", "Level, category"),
    "col.primary_pollutant": ("首要污染物", "Primary pollutant"),
    "col.alert_type": ("类型", "Type"),
    "col.alert_id": ("编号", "No."),
    "col.pollutant": ("因子", "Pollutant"),
    "col.peak": ("峰值", "Peak"),
    "col.limit_value": ("限值", "Limit"),
    "col.multiple": ("超标倍数", "× limit"),
    "col.state": ("状态", "State"),
    "col.live_state": ("实时状态", "Live state"),
    "col.valid_hours": ("有效小时数", "Valid hours"),
    "col.expected_hours": ("应有小时数", "Expected hours"),
    "col.capture_pct": ("数据捕集率 %", "Capture %"),
    "col.hour": ("时段", "Hour"),
    "col.day": ("日期", "Day"),
    "col.rank": ("排名", "Rank"),
    "col.points": ("点位数", "Points"),
    "col.exceeding_points": ("超标点位", "Exceeding"),
    "col.offline_points": ("离线点位", "Offline"),
    "col.open_alerts": ("未办结报警", "Open alerts"),
    "col.exceedance_hours": ("超标时长 (h, 30天)", "Exceedance hours (30 d)"),
    "col.code": ("编码", "Code"),
    "col.value": ("实测值", "Measured"),
    "col.zs_value": ("折算值", "Converted"),
    "col.unit": ("单位", "Unit"),
    "col.flag": ("标记", "Flag"),
    "col.flag_meaning": ("标记含义", "Flag meaning"),
    "col.permit_no": ("许可证编号", "Permit no."),
    "col.basis": ("限值类型", "Basis"),
    "col.standard": ("执行标准", "Standard"),
    "col.annual_cap_t": ("年许可排放量 (t)", "Annual cap (t)"),
    "col.avg": ("均值", "Mean"),
    "col.zs_avg": ("折算均值", "Converted mean"),
    "col.min": ("最小值", "Min"),
    "col.max": ("最大值", "Max"),
    "col.valid": ("有效", "Valid"),
    "col.valid_count": ("有效数据个数", "Valid values"),
    "col.emission_kg": ("排放量 (kg)", "Emission (kg)"),
    "col.management_class": ("管理类别", "Management class"),
    "col.valid_from": ("有效期起", "Valid from"),
    "col.valid_to": ("有效期止", "Valid to"),
    "col.permit_status": ("许可状态", "Status"),
    "col.kind": ("类型", "Kind"),
    "col.latest_time": ("最新数据时间", "Latest data"),
    "col.latest_values": ("最新数据（折算值）", "Latest values (converted)"),
    "col.reference_o2": ("基准氧含量", "Reference O2"),
    "col.last_action": ("最近处理", "Last action"),
    "col.handling": ("处理记录", "Handling"),
    "col.mark_kind": ("标记类型", "Mark"),
    "col.reason": ("原因", "Reason"),
    "col.declared_by": ("申报人", "Declared by"),
    "col.declared_at": ("申报时间", "Declared at"),
    "col.late": ("事后标记", "Late"),
    "col.revoked_at": ("撤销时间", "Revoked"),
    "col.credit_code": ("统一社会信用代码", "Credit code"),
    "col.industry": ("行业", "Industry"),
    "col.address": ("地址", "Address"),
    "col.disclosed": ("依法公开监测数据", "Discloses monitoring data"),
    "col.mn": ("数采仪 MN", "Data logger MN"),
    "col.last_seen": ("最近通讯", "Last contact"),
    "col.enterprise_count": ("企业数", "Enterprises"),
    # tables
    "table.empty": ("暂无数据", "No data"),
    "table.no_alerts": ("暂无报警", "No alerts"),
    "table.no_exceedances": ("今日暂无超标", "No exceedance today"),
    "table.no_stations": ("暂无空气站数据", "No air station data"),
    "table.no_limits": ("暂无许可限值", "No permit limits"),
    "table.no_aggregates": ("暂无计算结果", "No computed values yet"),
    "table.no_permits": ("暂无排污许可证", "No discharge permit"),
    "table.no_points": ("暂无监测点位", "No monitoring point"),
    "table.no_marks": ("暂无数据标记", "No data marks"),
    "table.no_enterprises": ("暂无公开企业", "No enterprise discloses data yet"),
    "export.label": ("导出", "Export"),
    # dashboard
    "dashboard.title": ("监管总览", "Supervision dashboard"),
    "dashboard.kpis": ("关键指标", "Key figures"),
    "dashboard.scope_all": ("全部区域", "All districts"),
    "dashboard.scope_district": ("本辖区：{district}", "Your district: {district}"),
    "kpi.points": ("监测点位", "Monitoring points"),
    "kpi.open_alerts": ("未办结报警", "Open alerts"),
    "kpi.today_exceedances": ("今日超标", "Exceedances today"),
    "kpi.capture": ("24小时捕集率", "24 h capture"),
    "panel.open_alerts": ("未办结报警", "Open alerts"),
    "panel.today_exceedances": ("今日超标", "Today's exceedances"),
    "panel.ambient": (
        "各空气站 AQI 及最新小时浓度",
        "AQI by station, with the latest hourly concentrations",
    ),
    "panel.ranking": ("区域排名", "District ranking"),
    "panel.capture": ("近24小时数据捕集率", "Data capture, last 24 h"),
    "panel.latest": ("最新数据", "Latest values"),
    "panel.limits": ("许可排放限值", "Permit limits"),
    "panel.hourly": ("小时数据（计算值）", "Hourly values (computed)"),
    "panel.daily": ("日数据（计算值）", "Daily values (computed)"),
    "panel.point_alerts": ("本点位报警", "Alerts of this point"),
    "panel.power": ("用电工况关联", "Linked power data"),
    "panel.outlets": ("排放口与监测点位", "Outlets and monitoring points"),
    "panel.permits": ("排污许可证", "Discharge permits"),
    "panel.alerts": ("报警及处理", "Alerts and their handling"),
    "panel.marks": ("自动监测数据标记", "Data-marking declarations"),
    "panel.reports": ("自行监测年度报告", "Annual self-monitoring reports"),
    "ambient.a34004": ("PM2.5", "PM2.5"),
    "ambient.a34002": ("PM10", "PM10"),
    "ambient.a05024": ("O3", "O3"),
    "ambient.a21004": ("NO2", "NO2"),
    "ambient.a21026": ("SO2", "SO2"),
    "ambient.a21005": ("CO", "CO"),
    "ambient.note": (
        "AQI 为最新小时的实时报（HJ 633-2012），颜色按级别；AQI 大于 50 时给出首要污染物。"
        "浓度为小时值，单位按 GB 3095-2012（CO 为 mg/m3，其余为 µg/m3）。",
        "AQI: the real-time report (HJ 633-2012) of the newest hour, coloured by level; a "
        "primary pollutant is named when the AQI is above 50. Hourly concentrations in "
        "GB 3095-2012 units (CO mg/m3, others µg/m3).",
    ),
    "ranking.note": (
        "按未办结报警数、再按近30天超标时长排序。",
        "Ordered by open alerts, then exceedance hours over the last 30 days.",
    ),
    "capture.note": (
        "有效小时值个数 ÷（近7天上报的因子数 × 24），最差在前。",
        "Valid hourly values ÷ (pollutants reported in the last 7 days × 24), worst first.",
    ),
    "live.updated": ("更新于 {time}", "Updated {time}"),
    "live.failed": ("刷新失败，稍后重试", "Refresh failed; retrying"),
    # map
    "map.title": ("园区监测点位分布", "Monitoring points of the zone"),
    "map.aria": ("地图：各区域及监测点位", "Map of the districts and monitoring points"),
    "map.legend": ("图例", "Legend"),
    "map.station": ("空气站（方形）", "Air station (square)"),
    "map.schematic": (
        "区域边界为示意，非真实行政边界",
        "District outlines are schematic, not real boundaries",
    ),
    "map.approximate": ("位置为示意", "position approximate"),
    "map.missing_library": (
        "地图库未安装：请运行 make assets。",
        "The map library is not installed: run make assets.",
    ),
    "chart.missing_library": (
        "图表库未安装：请运行 make assets。",
        "The chart library is not installed: run make assets.",
    ),
    "chart.limit": ("许可限值", "Permit limit"),
    "chart.measured": ("实测值", "Measured"),
    "chart.converted": ("折算值", "Converted"),
    "chart.no_data": ("所选时段无数据", "No data in this window"),
    # point page
    "point.chart": ("监测曲线", "Monitoring charts"),
    "point.chart_controls": ("曲线设置", "Chart settings"),
    "point.window": ("时段", "Window"),
    "point.rtd_chart": ("实时数据", "Real-time data"),
    "point.minute_chart": ("分钟数据", "Minute data"),
    "point.chart_note": (
        "时段截止于该类数据的最新时间；★ 表示有许可限值的因子，限值以虚线标出。",
        "Windows end at the newest value of each kind; ★ marks pollutants with a permit "
        "limit, drawn as a dashed line.",
    ),
    "point.flags_note": (
        "数据标记依 HJ 212-2017 表8：N 正常，F 停运，M 维护，S 手工输入，D 故障，C 校准，"
        "T 超测量上限，B 通讯异常。",
        "Flags per HJ 212-2017 Table 8: N normal, F stopped, M maintenance, S set by hand, "
        "D fault, C calibration, T over range, B link fault.",
    ),
    "point.no_data": ("该点位尚无数据", "No data from this point yet"),
    # enterprise file
    "enterprise.file": ("一企一档", "Enterprise file"),
    "enterprise.summary": ("合规概况", "Compliance summary"),
    "enterprise.code_unverified": ("（校验位未通过）", "(check character fails)"),
    "enterprise.exceedances_year": ("{year}年超标事件", "Exceedance events in {year}"),
    "enterprise.alerts_in_state": ("报警 · {state}", "Alerts · {state}"),
    "alerts.history": ("{n} 条处理记录", "{n} actions"),
    "alerts.no_history": ("尚无处理", "Not handled yet"),
    "reports.year": ("{year} 年度", "Year {year}"),
    # portal
    "portal.title": ("企业门户", "Enterprise portal"),
    "portal.lead": (
        "本企业的监测点位、数据、报警、排污许可及年度报告。",
        "Your monitoring points, data, alerts, permits and annual reports.",
    ),
    "portal.none": ("账户尚未关联企业", "No enterprise is linked to this account"),
    "feedback.open_form": ("填写反馈", "Give feedback"),
    "feedback.cause": ("原因分析", "Cause found"),
    "feedback.measures": ("整改措施", "Measures taken"),
    "feedback.submit": ("提交反馈", "Submit feedback"),
    "feedback.saved": ("反馈已提交（报警 {alert_id}）", "Feedback saved (alert {alert_id})"),
    # plan
    "plan.title": ("实施方案任务推进矩阵", "Implementation plan: progress matrix"),
    "plan.lead": (
        "《重庆市加强自由贸易试验区生态环境保护推动高质量发展实施方案》23项任务的推进情况。",
        "Progress of the 23 measures of the Chongqing FTZ eco-environment implementation plan.",
    ),
    "plan.matrix": ("任务矩阵", "Matrix"),
    "plan.by": ("分组方式", "Group by"),
    "plan.by_unit": ("按责任单位", "By unit"),
    "plan.by_district": ("按区域", "By district"),
    "plan.loading": ("正在加载…", "Loading…"),
    "plan.noscript": (
        "矩阵需要启用 JavaScript；也可下载 Excel 或 PDF。",
        "The matrix needs JavaScript; the Excel and PDF exports work without it.",
    ),
    "plan.unavailable": (
        "方案进度接口暂不可用",
        "The plan progress service is not available",
    ),
    "plan.measure": ("任务", "Measure"),
    "plan.overdue": ("逾期未报", "Overdue"),
    "plan.status.not_started": ("未启动", "Not started"),
    "plan.status.on_track": ("按计划推进", "On track"),
    "plan.status.at_risk": ("存在风险", "At risk"),
    "plan.status.off_track": ("滞后", "Off track"),
    "plan.status.done": ("已完成", "Done"),
    "plan.status.none": ("未报告", "Not reported"),
    # public portal
    "public.title": ("生态环境信息公开", "Public environmental information"),
    "public.lead": (
        "依法公开的重点排污单位自动监测数据和环境空气质量。",
        "Automatic monitoring data that key dischargers must disclose, and ambient air quality.",
    ),
    "public.enterprises": ("公开企业", "Disclosing enterprises"),
}

# Strings the JavaScript modules need, handed to them in the page's JSON.
JS_KEYS = (
    "live.updated",
    "live.failed",
    "map.approximate",
    "map.schematic",
    "chart.limit",
    "chart.measured",
    "chart.converted",
    "chart.no_data",
    "plan.measure",
    "plan.overdue",
    "plan.unavailable",
    "table.empty",
    "col.latest_time",
    *(f"plan.status.{s}" for s in ("not_started", "on_track", "at_risk", "off_track", "done")),
    "plan.status.none",
    "plan.not_involved",
)


def add_texts(texts: dict[str, tuple[str, str]]) -> None:
    """A capability's own texts, key -> (zh, en); a key may be defined once only."""
    clash = sorted(set(texts) & set(TEXTS))
    if clash:
        raise ValueError(f"texts defined twice: {', '.join(clash)}")
    TEXTS.update(texts)


def t(lang: str, key: str, default: str | None = None, **params: Any) -> str:
    """The text of `key` in `lang`, with {params} filled in.

    An unknown key raises KeyError unless a `default` is given (used for codes
    other packages may add, such as new alert types): a missing translation is a
    bug to catch in tests, not a string to show.
    """
    entry = TEXTS.get(key)
    if entry is None:
        if default is None:
            raise KeyError(f"no translation for {key!r}")
        return default
    text = entry[1] if lang == "en" else entry[0]
    return text.format(**params) if params else text


def pick_language(query: str | None, cookie: str | None) -> str:
    """?lang= wins, then the cookie, then Chinese; anything else is ignored."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


def js_texts(lang: str) -> dict[str, str]:
    return {key: t(lang, key) for key in JS_KEYS}


def format_number(value: float) -> str:
    """At most one decimal from 100 up, two from 1, three below, trailing zeros dropped:
    1234.56 -> "1234.6", 12.346 -> "12.35", 0.8 -> "0.8", 35.0 -> "35"."""
    if value != value:  # NaN
        return "—"
    magnitude = abs(value)
    digits = 1 if magnitude >= 100 else 2 if magnitude >= 1 else 3
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def show(value: Any, lang: str) -> str:
    """A table value as text: times in CST to the minute, numbers rounded, booleans as words."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return t(lang, "yes" if value else "no")
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = cst_naive(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format_number(value)
    return str(value)


# --- names of HJ 212 codes -----------------------------------------------------------------


# Names HJ 212-2017 App. B does not list (a05024 is the HJ 524-2009 ozone code).
_EXTRA_POLLUTANTS = {"a05024": ("臭氧", "ozone (O3)", "mg/m3")}


def pollutant_name(code: str, lang: str) -> str:
    found = codes.pollutant(code)
    if found is not None:
        return found.name if lang == "zh" else found.name_en
    extra = _EXTRA_POLLUTANTS.get(code)
    if extra is not None:
        return extra[0] if lang == "zh" else extra[1]
    return code


def pollutant_unit(code: str) -> str:
    found = codes.pollutant(code)
    if found is not None:
        return found.unit
    return _EXTRA_POLLUTANTS.get(code, ("", "", ""))[2]


def flag_meaning(flag: str | None, lang: str) -> str:
    parsed = codes.DataFlag.parse(flag)
    if parsed is None:
        return flag or ""
    return parsed.meaning if lang == "zh" else parsed.meaning_en
