"""The bank's page (/finance): the green-finance feed as a table, each enterprise's credit
level, penalties and exceedance statistics; read-only, bank users and admins."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ecozone.supervision import finance
from ecozone.times import cst_naive
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import Column, Table
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)
FINANCE_ROLES = ("bank", "admin")

shell.add_menu(MenuEntry("nav.finance", "/finance", FINANCE_ROLES, 48, "nav.group.supervision"))

add_texts(
    {
        "role.bank": ("金融机构", "bank"),
        "nav.finance": ("绿色金融信息", "Green finance feed"),
        "fin.title": ("绿色金融：企业环境信用与合规信息", "Green finance: credit and compliance"),
        "fin.lead": (
            "向金融机构共享企业环境信用等级、行政处罚和超标排放统计（长江绿融通），只读。"
            "接口：/api/v1/finance/enterprises。",
            "Enterprise credit levels, penalties and exceedance statistics shared with "
            "banks, read-only. API: /api/v1/finance/enterprises.",
        ),
        "fin.none": ("暂无企业。", "No enterprise."),
        "fin.cq": ("重庆市信用等级", "Chongqing level"),
        "fin.national": ("全国四色等级", "National level"),
        "fin.penalties": ("行政处罚（次）", "Penalties"),
        "fin.fines": ("罚款合计（元）", "Fines (yuan)"),
        "fin.exceedances": ("超标报警（{first}–{last}）", "Exceedances ({first}–{last})"),
    }
)


def _level(entry: dict, scheme: str) -> str:
    found = entry["credit"].get(scheme)
    return f"{found['level_name']}（{found['year']}）" if found else ""


@router.get("/finance", response_class=HTMLResponse)
def finance_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, FINANCE_ROLES)) is not None:
        return refused
    today = cst_naive(shell.now()).date()
    rows = finance.feed(engine, today=today)
    years = list(rows[0]["exceedances"]["by_year"]) if rows else [today.year]
    table = shell.make_table(
        "finance-feed", lang,
        (("name", "col.enterprise"), ("credit_code", "col.credit_code"),
         ("cq", "fin.cq"), ("national", "fin.national"), ("penalties", "fin.penalties"),
         ("fines", "fin.fines"), ("exceedances", "fin.exceedances")),
        [{"name": r["name"], "credit_code": r["credit_code"], "cq": _level(r, "chongqing"),
          "national": _level(r, "national"), "penalties": r["penalties"]["count"],
          "fines": r["penalties"]["fines_yuan"], "exceedances": r["exceedances"]["total"]}
         for r in rows],
    )  # fmt: skip
    columns = tuple(
        c if c.key != "exceedances"
        else Column(c.key, t(lang, "fin.exceedances", first=years[0], last=years[-1]))
        for c in table.columns
    )  # fmt: skip
    table = Table(table.name, columns, table.rows)
    return shell.render(request, principal, lang, "supervision/finance.html", table=table)
