"""Export speed: rows/s and peak memory of the history query's xlsx and CSV exports.

Rows are shaped like the query's (time, enterprise, point, pollutant, code, five printed
values, unit, flag, its meaning, marks) and go through ecozone.web.export as the page sends
them: CSV by csv_chunks, xlsx by xlsx_file (xlsxwriter, constant memory). For comparison,
openpyxl in write-only mode writes the same cells. Each case runs in a subprocess of its
own so ru_maxrss is that case's peak; tracemalloc's peak (Python objects) is taken in a
second, untimed pass.

    python bench/export.py                 # 20k and 100k rows
    python bench/export.py --rows 20000
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from ecozone.web import export
from ecozone.web.model import Column

COLUMNS = tuple(
    Column(key, heading)
    for key, heading in (
        ("data_time", "时间"), ("enterprise", "企业"), ("point", "监测点"), ("pollutant", "因子"),
        ("code", "编码"), ("value", "均值"), ("min", "最小值"), ("max", "最大值"),
        ("zs_value", "折算均值"), ("cou", "累计值"), ("unit", "单位"), ("flag", "标记"),
        ("flag_meaning", "标记含义"), ("marks", "数据标记"),
    )
)  # fmt: skip
PRINTED = {"value": None, "min": None, "max": None, "zs_value": None, "cou": None}
CODES = (("a21026", "二氧化硫", 2), ("a21002", "氮氧化物", 1), ("a34013", "烟尘", 0))


def rows(n: int) -> Iterator[dict[str, Any]]:
    t0 = datetime(2024, 5, 1)
    for i in range(n):
        code, name, decimals = CODES[i % 3]
        value = 20.0 + (i % 97) * 0.137
        yield {
            "data_time": t0 + timedelta(minutes=i // 3),
            "enterprise": "重庆示例热电有限公司",
            "point": "DA001 1号锅炉烟囱",
            "pollutant": name,
            "code": code,
            "value": value,
            "min": value - 1.5,
            "max": value + 2.25,
            "zs_value": value * 1.25,
            "cou": None,
            "unit": "mg/m3",
            "flag": "N",
            "flag_meaning": "在线监控（监测）仪器仪表工作正常",
            "marks": "" if i % 50 else "校准：季度校准",
            "_decimals": decimals,
        }


def openpyxl_write_only(n: int) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("历史数据")
    sheet.append([c.heading for c in COLUMNS])
    for row in rows(n):
        sheet.append([export.cell_value(row[c.key]) for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return len(out.getvalue())


def run(case: str, n: int) -> int:
    if case == "csv":
        return sum(len(chunk) for chunk in export.csv_chunks(COLUMNS, rows(n), printed=PRINTED))
    if case == "xlsx":
        with export.xlsx_file(COLUMNS, rows(n), "历史数据", printed=PRINTED) as handle:
            return len(handle.read())
    return openpyxl_write_only(n)


def one_case(case: str, n: int) -> dict[str, Any]:
    started = time.perf_counter()
    size = run(case, n)
    seconds = time.perf_counter() - started
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    run(case, min(n, 20_000))  # Python objects held: the same at any row count when streamed
    peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {"case": case, "rows": n, "seconds": seconds, "rows_per_s": n / seconds,
            "bytes": size, "rss_mib": rss_mib, "traced_peak_mib": peak_mib}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[20_000, 100_000])
    parser.add_argument("--case", choices=("csv", "xlsx", "openpyxl"))
    args = parser.parse_args()
    if args.case:  # the child: one case, figures as JSON
        print(json.dumps(one_case(args.case, args.rows[0])))
        return
    print(f"{'case':<10}{'rows':>9}{'s':>8}{'rows/s':>10}{'MiB out':>9}{'maxrss':>9}{'traced':>8}")
    for n in args.rows:
        for case in ("csv", "xlsx", "openpyxl"):
            done = subprocess.run(
                [sys.executable, __file__, "--case", case, "--rows", str(n)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            f = json.loads(done.stdout)
            print(
                f"{case:<10}{n:>9}{f['seconds']:>8.2f}{f['rows_per_s']:>10,.0f}"
                f"{f['bytes'] / 2**20:>9.1f}{f['rss_mib']:>9.0f}{f['traced_peak_mib']:>8.1f}"
            )


if __name__ == "__main__":
    main()
