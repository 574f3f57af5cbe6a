"""The alert desk's pages without a browser: exports keep each figure under its own name,
enterprises list only their own alerts, a step not offered is refused in words."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import openpyxl
from tests.web.data import SO2, add_alert


def _mismatch(fresh_zone) -> int:
    engine, ids = fresh_zone
    with engine.begin() as conn:
        return add_alert(
            conn, type="hour_mismatch", point_id=ids["power_da"], enterprise_id=ids["power"],
            pollutant=SO2, start=datetime(2025, 3, 1, 8), end=datetime(2025, 3, 1, 9),
            peak=11.0, limit_value=10.0, state="open",
            detail={"unit": "mg/m3", "hours": [{"data_time": "2025-03-01T08:00:00+08:00",
                                                 "computed": 100.0, "device": 89.0}]},
        )  # fmt: skip


def test_the_export_puts_concentrations_and_device_values_in_separate_columns(
    fresh_zone, fresh_client_as
):
    mismatch = _mismatch(fresh_zone)
    answer = fresh_client_as("supervisor").get("/alerts", params={"format": "csv"})
    assert answer.status_code == 200
    rows = {r["编号"]: r for r in csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff")))}
    row = rows[str(mismatch)]
    assert (row["设备上报小时值"], row["平台计算小时值"], row["两值之差"], row["允许偏差"]) == (
        "89.0", "100.0", "11.0", "10.0",
    )  # fmt: skip
    assert (row["峰值浓度"], row["许可限值"]) == ("", "")
    exceedance = next(r for r in rows.values() if r["类型"] == "超标" and r["状态"] == "已派发")
    assert (exceedance["峰值浓度"], exceedance["许可限值"], exceedance["设备上报小时值"]) == (
        "52.5", "35.0", "",
    )  # fmt: skip
    xlsx = fresh_client_as("supervisor").get("/alerts", params={"format": "xlsx", "type":
                                                                "hour_mismatch"})  # fmt: skip
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    header, *data = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(data) == 1 and data[0][header.index("设备上报小时值")] == 89


def test_an_enterprise_lists_only_its_own_alerts_and_is_told_what_it_cannot_do(
    fresh_zone, fresh_client_as
):
    mismatch = _mismatch(fresh_zone)
    enterprise = fresh_client_as("enterprise")
    page = enterprise.get("/alerts").text
    assert f'href="/alerts/{mismatch}"' in page and "重庆示例化工有限公司" not in page
    answer = enterprise.post(f"/alerts/{mismatch}/feedback", data={"cause": "c", "measures": "m"})
    assert answer.status_code == 400  # open, not dispatched: nothing to answer yet
    assert "当前状态下不能执行此操作" in answer.text
    assert (
        enterprise.post(f"/alerts/{mismatch}/action", data={"action": "dispatch"}).status_code
        == 403
    )
    supervisor = fresh_client_as("supervisor")
    answer = supervisor.post(f"/alerts/{mismatch}/action", data={"action": "send_back",
                                                                  "comment": "x"})  # fmt: skip
    assert answer.status_code == 400 and "当前状态下不能执行此操作" in answer.text
    answer = supervisor.post(f"/alerts/{mismatch}/action",
                             data={"action": "dispatch", "deadline_days": "99", "comment": "请核查"})  # fmt: skip
    assert answer.status_code == 400
    assert "输入有误：deadline_days: 99; 1 to 60 working days" in answer.text
    assert ">请核查</textarea>" in answer.text  # what was typed stays
