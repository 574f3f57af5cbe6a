"""The zoning use cases' refusals as the pages show them, in Chinese (or English).

The use cases name each problem in one English message (the API and the CLI show it as it
is); the pages match it to a sentence in the viewer's language. A message no pattern knows
is shown as it came, so nothing is hidden.
"""

from __future__ import annotations

import re

_KINDS = {"red_line": "生态保护红线", "control_unit": "环境管控单元", "park": "园区边界",
          "shoreline": "河湖岸线"}  # fmt: skip
_STATUS = {"listed": "列入名录", "under_control": "风险管控", "remediation": "修复",
           "removed": "移出名录"}  # fmt: skip
_FIELDS = {"code": "编码", "name": "名称", "owner": "土地使用权人", "land use": "用途",
           "title": "名称", "filing number": "备案编号", "scenario": "演练情景", "unit": "单位",
           "location": "地点", "type": "事件类型", "action": "措施", "closure": "处置结果",
           "industry": "行业", "substance": "危险物质", "pollutants": "关注污染物",
           "area (m²)": "面积", "longitude": "经度", "latitude": "纬度", "quantity": "数量",
           "participants": "参演人数", "risk source": "风险源", "alert": "报警编号",
           "version": "生效日期", "listed on": "列入日期", "date": "日期",
           "filed on": "备案日期", "review date": "回顾评估期限", "drill date": "演练日期",
           "start": "发生时间", "closing time": "结束时间", "time": "时间"}  # fmt: skip


def _field(name: str) -> str:
    return _FIELDS.get(name, name)


#: (pattern, zh); groups given to the function build the sentence.
_ZH: tuple[tuple[re.Pattern[str], object], ...] = tuple(
    (re.compile(p), f) for p, f in (
        (r"^feature '(.*?)'(?: \((.*)\))?: invalid geometry: (.*)$",
         lambda m: f"要素“{m[1]}”{'（' + m[2] + '）' if m[2] else ''}几何无效（{m[3]}），"
                   "整个文件未导入"),
        (r"^feature '(.*?)'(?: \((.*)\))?: (\w+) in a (\w+) layer",
         lambda m: f"要素“{m[1]}”是 {m[3]}，不能导入{_KINDS.get(m[4], m[4])}图层"),
        (r"^feature '(.*?)'.*: coordinates outside longitude/latitude",
         lambda m: f"要素“{m[1]}”的坐标不是经纬度（请导出为 WGS 84 经纬度）"),
        (r"^feature '(.*?)': the code appears twice",
         lambda m: f"要素编码“{m[1]}”重复"),
        (r"^layer (\w+) already has a version of (\S+);",
         lambda m: f"{_KINDS.get(m[1], m[1])}图层已有 {m[2]} 版本，请用另一生效日期导入"),
        (r"^layer '(.*)': expected one of", lambda m: f"图层类型“{m[1]}”无效"),
        (r"^not GeoJSON", lambda m: "文件不是有效的 GeoJSON"),
        (r"^not a Shapefile|^the zip holds no",
         lambda m: "压缩包中没有完整的 Shapefile（.shp/.shx/.dbf）"),
        (r"expected a \.geojson/\.json file or a \.zip",
         lambda m: "请上传 .geojson/.json 文件或 Shapefile 的 .zip 压缩包"),
        (r"^(.+?) '(.*)': expected YYYY-MM-DD",
         lambda m: f"{_field(m[1])}“{m[2]}”无效，请写作 2025-01-31"),
        (r"^(.+?) '(.*)': expected a number", lambda m: f"{_field(m[1])}“{m[2]}”不是数字"),
        (r"^(.+?) (\S+): expected (\S+) to (\S+)$",
         lambda m: f"{_field(m[1])} {m[2]} 超出范围（{m[3]} 至 {m[4]}）"),
        (r"^(.+?): required$", lambda m: f"请填写{_field(m[1])}"),
        (r"^(.+?): at most (\d+) characters", lambda m: f"{_field(m[1])}最多 {m[2]} 个字符"),
        (r"^a site (\w+) cannot go to (\w+)",
         lambda m: f"地块状态“{_STATUS.get(m[1], m[1])}”不能变更为“{_STATUS.get(m[2], m[2])}”"),
        (r"^date (\S+): before the current status began \((\S+)\)",
         lambda m: f"日期 {m[1]} 早于当前状态的起始日期 {m[2]}"),
        (r"^site (.*): already on the list", lambda m: f"地块“{m[1]}”已在名录中"),
        (r"^land use is already (.*)", lambda m: f"用途已是“{m[1]}”"),
        (r"^district '(.*)': not a district", lambda m: f"没有名为“{m[1]}”的区县"),
        (r"^pollutants: name at least one", lambda m: "请至少填写一种关注污染物"),
        (r"only JPEG or PNG photos and PDF files", lambda m: "只接受 JPEG、PNG 照片或 PDF 文件"),
        (r"^enterprise (\S+): not in the registry", lambda m: f"企业“{m[1]}”不在企业档案中"),
        (r"^(alert|risk source) (\S+): not found",
         lambda m: f"{_field(m[1])} {m[2]} 不存在"),
        (r"before the incident started", lambda m: "时间早于事件发生时间"),
        (r"is closed; actions are recorded while open|is already closed",
         lambda m: "事件已结束，不能再记录"),
        (r"^hazardous substances: name at least one|^substance '(.*)': write the name",
         lambda m: "请按“名称 吨数”逐行填写危险物质"),
        (r"^drill date (\S+): before the plan was filed",
         lambda m: f"演练日期 {m[1]} 早于预案备案日期"),
        (r"^review date (\S+): must be after the filing date",
         lambda m: "回顾评估期限应晚于备案日期"),
        (r"^industry: required", lambda m: "请填写行业"),
    )
)  # fmt: skip


def refusal(message: str, lang: str) -> str:
    """`message` in the viewer's language: Chinese when a pattern knows it, else as it came."""
    if lang == "en":
        return message
    for pattern, build in _ZH:
        found = pattern.search(message)
        if found:
            return build(found)  # type: ignore[operator]
    return message
