"""Use cases of energy: meters, monthly statistics (form, API, xlsx import), output and
targets, and the accounts built from them: a month's and a year's tce by GB/T 2589-2020,
CO2 of scope 1 and 2, the online-monitoring data-quality checks, and the zone dashboard.

Pages, API and CLI call these. Every write checks that the scope owns the enterprise and is
audited; every result carries the versions and sources of the factor sets it used.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.accounts import audit
from ecozone.accounts.model import Scope
from ecozone.energy import factors, rules, store
from ecozone.energy.model import (
    NAMES,
    UNITS,
    Carrier,
    CheckName,
    ElectricityMethod,
    EnergyError,
    EnergyNotFound,
    EnergySettings,
    FactorSet,
    GridFactorKind,
    Quantity,
    StatSource,
)
from ecozone.errors import Forbidden
from ecozone.textguard import find_unstorable

#: Largest amount one statistic may hold (a guard against unit slips, e.g. Wh for kWh).
MAX_AMOUNT = 1e12


# --- periods and factor sets ------------------------------------------------------------


def parse_month(text: str | date | None) -> date:
    """'2026-11' (or a date) as the first day of that month."""
    if isinstance(text, date):
        return text.replace(day=1)
    try:
        return datetime.strptime(str(text or "").strip(), "%Y-%m").date()
    except ValueError:
        raise EnergyError(f"月份“{text}”无效，请写作 2026-11（month: expected YYYY-MM）") from None


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def check_year(year: int) -> int:
    if not 1990 <= int(year) <= 2200:
        raise EnergyError(f"年份 {year} 超出范围（year out of range）")
    return int(year)


def factor_sets(day: date, settings: EnergySettings) -> dict[str, FactorSet]:
    """The sets in force on `day`: energy, equal value, fuel, the chosen grid kind, heat."""
    sets = factors.load()
    grid_kind = "grid_market" if settings.grid_kind is GridFactorKind.MARKET else "grid_statistical"
    return {
        "energy": rules.choose(sets, "energy", day),
        "equal_value": rules.choose(sets, "electricity_equal_value", day),
        "fuel": rules.choose(sets, "fuel", day),
        "grid": rules.choose(sets, grid_kind, day),
        "heat": rules.choose(sets, "heat", day),
    }


def coefficients(day: date, settings: EnergySettings,
                 method: ElectricityMethod | None = None) -> dict[str, Any]:  # fmt: skip
    f = factor_sets(day, settings)
    return rules.sql_coefficients(f["energy"], f["equal_value"],
                                  method or settings.electricity_method, f["fuel"], f["grid"],
                                  f["heat"], settings.natural_gas)  # fmt: skip


def used_sets(day: date, settings: EnergySettings) -> list[dict[str, str]]:
    """What a page or file prints under a figure: each set's kind, version and source."""
    return [{"kind": k, "version": s.version, "source": s.source, "note": s.note}
            for k, s in factor_sets(day, settings).items()]  # fmt: skip


# --- enterprises and access -----------------------------------------------------------------


def enterprises(engine: sa.Engine, scope: Scope) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.enterprises(conn, scope)


def enterprise(engine: sa.Engine, scope: Scope, credit_code: str) -> dict[str, Any]:
    """The enterprise the scope may read; another's answers like a missing one."""
    with engine.connect() as conn:
        found = store.enterprises(conn, scope, credit_code)
    if not found:
        raise EnergyNotFound(f"没有统一社会信用代码为 {credit_code!r} 的企业")
    return found[0]


def districts(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.districts(conn)


def meters(engine: sa.Engine, enterprise_id: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.meters(conn, [enterprise_id])


def _staff(scope: Scope) -> None:
    if not scope.is_staff:
        raise Forbidden("只有监管人员可以录入目标与区县统计（staff only）")


def _number(value: Any, field: str, *, optional: bool = False) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if optional:
            return None
        raise EnergyError(f"{field}：不能为空")
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        raise EnergyError(f"{field}：“{value}”不是数字") from None
    if not math.isfinite(number) or number < 0 or number > MAX_AMOUNT:
        raise EnergyError(f"{field}：{number:g} 超出范围（0 至 {MAX_AMOUNT:g}）")
    return number


def _text(value: Any, field: str, limit: int, *, optional: bool = False) -> str | None:
    text = str(value or "").strip()
    if not text:
        if optional:
            return None
        raise EnergyError(f"{field}：不能为空")
    if len(text) > limit:
        raise EnergyError(f"{field}：{len(text)} 个字符，最多 {limit} 个")
    if find_unstorable(text) is not None:
        raise EnergyError(f"{field}：含有无法保存的字符")
    return text


def _carrier(value: Any) -> Carrier:
    text = str(value or "").strip()
    for c in Carrier:
        if text in (c.value, NAMES[c][0]):
            return c
    raise EnergyError(f"能源品种“{text}”无效，应为 {', '.join(c.value for c in Carrier)}")


# --- writes ---------------------------------------------------------------------------------


def record_month(
    engine: sa.Engine,
    scope: Scope,
    credit_code: str,
    month: str | date,
    amounts: dict[str, Any],
    *,
    actor: str,
    source: StatSource = StatSource.FORM,
    ncv: dict[str, Any] | None = None,
) -> int:
    """Enter an enterprise's monthly statistics: {carrier: amount in UNITS[carrier]} (blank
    amounts are skipped), optional measured NCV per fuel (GJ per unit). All or nothing;
    audited. Returns how many carriers were stored."""
    first = parse_month(month)
    rows = []
    for key, raw in amounts.items():
        carrier = _carrier(key)
        amount = _number(raw, f"{NAMES[carrier][0]}（{UNITS[carrier]}）", optional=True)
        if amount is None:
            continue
        measured = _number((ncv or {}).get(key), f"{NAMES[carrier][0]} 低位发热量", optional=True)
        rows.append({"carrier": carrier.value, "amount": amount, "ncv_gj": measured})
    if not rows:
        raise EnergyError("没有填写任何能源用量（no amount given）")
    with engine.begin() as conn:
        return _store_months(conn, scope, credit_code, first, rows, source, actor)


def _store_months(conn: sa.Connection, scope: Scope, credit_code: str, first: date,
                  rows: list[dict[str, Any]], source: StatSource, actor: str,
                  known: dict[str, dict[str, Any]] | None = None) -> int:  # fmt: skip
    """Store one enterprise-month's statistics; one audit entry holds every carrier changed.
    `known`: the enterprises the scope may write, by credit code, when already read."""
    if known is not None:
        ent = known.get(credit_code)
        if ent is None:
            raise EnergyNotFound(f"没有统一社会信用代码为 {credit_code!r} 的企业")
    else:
        ent = _own(conn, scope, credit_code)
    before_all, after_all = {}, {}
    for row in rows:
        values = {"enterprise_id": ent["id"], "month": first, **row, "source": source.value,
                  "entered_by": actor}  # fmt: skip
        before = store.save_month(conn, values)
        if before is not None:
            before_all[row["carrier"]] = before
        after_all[row["carrier"]] = {**row, "source": source.value}
    audit.record(conn, actor=actor, action="update" if before_all else "create",
                 entity="energy_month", entity_id=f"{credit_code}/{first:%Y-%m}",
                 before=before_all or None, after=after_all)  # fmt: skip
    return len(rows)


IMPORT_HEADERS = ("credit_code", "month", "carrier", "amount", "ncv_gj")


def import_xlsx(engine: sa.Engine, scope: Scope, data: bytes, *, actor: str) -> int:
    """Monthly statistics from an xlsx sheet with the header credit_code, month (YYYY-MM),
    carrier, amount[, ncv_gj]; every row checked first, errors named by row, then all stored
    in one transaction (nothing on error). Returns the rows stored."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        raise EnergyError(f"不是可读取的 xlsx 文件：{type(exc).__name__}") from None
    lines = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip().lower() for h in next(lines, ())]
    if tuple(header[:4]) != IMPORT_HEADERS[:4]:
        raise EnergyError(f"表头应为 {', '.join(IMPORT_HEADERS)}，实为 {', '.join(header)}")
    grouped: dict[tuple[str, date], list[dict[str, Any]]] = defaultdict(list)
    errors = []
    for number, line in enumerate(lines, start=2):
        if not line or all(v is None or str(v).strip() == "" for v in line):
            continue
        cells = list(line) + [None] * 5
        try:
            code = _text(cells[0], "credit_code", 18)
            month = cells[1]
            first = parse_month(month.date() if isinstance(month, datetime) else month)
            carrier = _carrier(cells[2])
            amount = _number(cells[3], "amount")
            measured = _number(cells[4], "ncv_gj", optional=True)
        except EnergyError as exc:
            errors.append(f"第 {number} 行：{exc}")
            continue
        grouped[(str(code), first)].append(
            {"carrier": carrier.value, "amount": amount, "ncv_gj": measured})
    if errors:
        raise EnergyError("；".join(errors[:20]))
    if not grouped:
        raise EnergyError("文件中没有数据行")
    with engine.begin() as conn:
        known = {e["credit_code"]: e for e in store.enterprises(conn, scope)}
        missing = sorted({code for code, _first in grouped if code not in known})
        if missing:
            raise EnergyNotFound(f"没有统一社会信用代码为 {missing[0]!r} 的企业")
        rows = [{"enterprise_id": known[code]["id"], "month": first, **row,
                 "source": StatSource.IMPORT.value, "entered_by": actor}
                for (code, first), items in grouped.items() for row in items]  # fmt: skip
        before = store.upsert_months(conn, rows)
        codes = {e["id"]: code for code, e in known.items()}
        audit.record(
            conn, actor=actor, action="import", entity="energy_month",
            entity_id=f"xlsx/{len(rows)}",
            before={_key(codes, k): _plain(v) for k, v in before.items()} or None,
            after={_key(codes, (r["enterprise_id"], r["month"], r["carrier"])):
                   {"amount": r["amount"], "ncv_gj": r["ncv_gj"]} for r in rows},
        )  # fmt: skip
        return len(rows)


def _key(codes: dict[int, str], key: tuple) -> str:
    """'credit code/YYYY-MM[/carrier]' of a statistics key, for the audit entry."""
    return "/".join([codes[key[0]], f"{key[1]:%Y-%m}", *map(str, key[2:])])


def record_output(
    engine: sa.Engine, scope: Scope, credit_code: str, month: str | date, *, actor: str,
    value_added_10k_yuan: Any = None, product: Any = None, product_amount: Any = None,
    product_unit: Any = None,
) -> None:
    """A month's value added (10⁴ yuan) and product output; audited."""
    record_outputs(engine, scope, [{
        "credit_code": credit_code, "month": month, "value_added_10k_yuan": value_added_10k_yuan,
        "product": product, "product_amount": product_amount, "product_unit": product_unit,
    }], actor=actor)  # fmt: skip


def record_outputs(
    engine: sa.Engine, scope: Scope, items: list[dict[str, Any]], *, actor: str
) -> int:
    """Several months' value added and output in one transaction (all or nothing)."""
    checked = []
    for item in items:
        values = {
            "value_added_10k_yuan": _number(item.get("value_added_10k_yuan"),
                                            "工业增加值（万元）", optional=True),
            "product": _text(item.get("product"), "产品", 100, optional=True),
            "product_amount": _number(item.get("product_amount"), "产品产量", optional=True),
            "product_unit": _text(item.get("product_unit"), "产品单位", 16, optional=True),
        }  # fmt: skip
        if all(v is None for v in values.values()):
            raise EnergyError("增加值与产量至少填写一项")
        checked.append((str(item["credit_code"]), parse_month(item["month"]), values))
    with engine.begin() as conn:
        known = {e["credit_code"]: e for e in store.enterprises(conn, scope)}
        missing = sorted({code for code, _first, _values in checked if code not in known})
        if missing:
            raise EnergyNotFound(f"没有统一社会信用代码为 {missing[0]!r} 的企业")
        rows = [{"enterprise_id": known[code]["id"], "month": first, **values,
                 "entered_by": actor} for code, first, values in checked]  # fmt: skip
        before = store.upsert_outputs(conn, rows)
        codes = {e["id"]: code for code, e in known.items()}
        audit.record(
            conn, actor=actor, action="update" if before else "create", entity="energy_output",
            entity_id=(_key(codes, (rows[0]["enterprise_id"], rows[0]["month"]))
                       if len(rows) == 1 else f"batch/{len(rows)}"),
            before={_key(codes, k): _plain(v) for k, v in before.items()} or None,
            after={_key(codes, (r["enterprise_id"], r["month"])):
                   {k: r[k] for k in ("value_added_10k_yuan", "product", "product_amount",
                                      "product_unit")} for r in rows},
        )  # fmt: skip
    return len(checked)


def _own(conn: sa.Connection, scope: Scope, credit_code: str) -> dict[str, Any]:
    found = store.enterprises(conn, scope, credit_code)
    if not found:
        raise EnergyNotFound(f"没有统一社会信用代码为 {credit_code!r} 的企业")
    return found[0]


def _plain(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in row.items()}


def set_meter(
    engine: sa.Engine, scope: Scope, credit_code: str, code: str, carrier: str, *,
    actor: str, point_id: int | None = None, channel: str | None = None,
) -> None:
    """An energy meter; where `point_id` and `channel` are given, its readings are the HJ 212
    rows of that point's channel (minute: real-time, day: daily totals). Audited."""
    meter_code = _text(code, "计量器具编号", 32)
    kind = _carrier(carrier)
    channel = _text(channel, "通道编码", 16, optional=True)
    if (point_id is None) != (channel is None):
        raise EnergyError("监测点与通道编码须同时填写或同时留空")
    with engine.begin() as conn:
        ent = _own(conn, scope, credit_code)
        if point_id is not None:
            from ecozone.store.schema import point

            owner = conn.execute(sa.select(point.c.enterprise_id)
                                 .where(point.c.id == point_id)).scalar()  # fmt: skip
            if owner != ent["id"]:
                raise EnergyError(f"监测点 {point_id} 不属于该企业")
        values = {"enterprise_id": ent["id"], "code": meter_code, "carrier": kind.value,
                  "point_id": point_id, "channel": channel}  # fmt: skip
        before = store.save_meter(conn, values)
        audit.record(conn, actor=actor, action="update" if before else "create",
                     entity="energy_meter", entity_id=f"{credit_code}/{meter_code}",
                     before=_plain(before), after=values)  # fmt: skip


def set_target(
    engine: sa.Engine, scope: Scope, credit_code: str, year: int, *, actor: str,
    total_tce: Any = None, tce_per_10k_yuan: Any = None, tce_per_product: Any = None,
) -> None:
    """An enterprise's dual-control targets for a year (staff); audited."""
    _staff(scope)
    year = check_year(year)
    values = {"total_tce": _number(total_tce, "能耗总量目标", optional=True),
              "tce_per_10k_yuan": _number(tce_per_10k_yuan, "单位增加值能耗目标", optional=True),
              "tce_per_product": _number(tce_per_product, "单位产品能耗目标", optional=True)}
    with engine.begin() as conn:
        ent = _own(conn, scope, credit_code)
        before = store.save_target(conn, ent["id"], year, {**values, "entered_by": actor})
        audit.record(conn, actor=actor, action="update" if before else "create",
                     entity="energy_target", entity_id=f"{credit_code}/{year}",
                     before=_plain(before), after=values)  # fmt: skip


def set_district_year(
    engine: sa.Engine, scope: Scope, district_name: str, year: int, *, actor: str,
    gdp_10k_yuan: Any = None, gdp_energy_tce: Any = None,
    industrial_target_tce_per_10k_yuan: Any = None,
) -> None:
    """A district's GDP, GDP energy use and industrial intensity target for a year (staff)."""
    _staff(scope)
    year = check_year(year)
    values = {
        "gdp_10k_yuan": _number(gdp_10k_yuan, "地区生产总值（万元）", optional=True),
        "gdp_energy_tce": _number(gdp_energy_tce, "全社会能耗（tce）", optional=True),
        "industrial_target_tce_per_10k_yuan": _number(
            industrial_target_tce_per_10k_yuan, "规上工业单位增加值能耗目标", optional=True),
    }
    with engine.begin() as conn:
        found = [d for d in store.districts(conn) if d["name"] == str(district_name).strip()]
        if not found:
            raise EnergyError(f"区县：没有名为 {district_name!r} 的区县")
        if scope.district_id is not None and found[0]["id"] != scope.district_id:
            raise Forbidden("区县监管人员只能录入本区县")
        before = store.save_district_year(conn, found[0]["id"], year,
                                          {**values, "entered_by": actor})  # fmt: skip
        audit.record(conn, actor=actor, action="update" if before else "create",
                     entity="district_energy", entity_id=f"{district_name}/{year}",
                     before=_plain(before), after=values)  # fmt: skip


def add_sink(
    engine: sa.Engine, scope: Scope, *, actor: str, name: Any, area_ha: Any, species: Any,
    annual_t_co2: Any, method_source: Any, district_name: str | None = None,
) -> int:
    """A forest carbon-sink project (staff); audited."""
    _staff(scope)
    values: dict[str, Any] = {
        "name": _text(name, "项目名称", 200), "species": _text(species, "树种", 200),
        "area_ha": _number(area_ha, "面积（公顷）"),
        "annual_t_co2": _number(annual_t_co2, "年固碳量（tCO2）"),
        "method_source": _text(method_source, "方法学来源", 500), "created_by": actor,
    }  # fmt: skip
    if not values["area_ha"]:
        raise EnergyError("面积（公顷）：须大于 0")
    with engine.begin() as conn:
        values["district_id"] = None
        if district_name:
            found = [d for d in store.districts(conn) if d["name"] == district_name.strip()]
            if not found:
                raise EnergyError(f"区县：没有名为 {district_name!r} 的区县")
            values["district_id"] = found[0]["id"]
        new_id = store.add_sink(conn, values)
        audit.record(conn, actor=actor, action="create", entity="forest_sink",
                     entity_id=str(new_id), before=None, after=values)  # fmt: skip
        return new_id


def sinks(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.sinks(conn)


# --- reads: quantities, accounts, checks -----------------------------------------------------


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def quantities(engine: sa.Engine, enterprise_id: int, first: date) -> dict[str, Any]:
    """A month's amounts per carrier: the statistics, else the meters' HJ 212 daily totals.
    {"quantities": [Quantity], "sources": {carrier: source}}."""
    with engine.connect() as conn:
        stats = store.months(conn, [enterprise_id], first, next_month(first))
        meter_rows = store.meters(conn, [enterprise_id])
        metered: dict[str, float] = defaultdict(float)
        for m in meter_rows:
            if m["point_id"] is None:
                continue
            days = store.readings(conn, m["point_id"], m["channel"], "day",
                                  _midnight(first), _midnight(next_month(first)))  # fmt: skip
            if days:
                metered[m["carrier"]] += sum(v or 0.0 for _t, v in days)
    found = {r["carrier"]: r for r in stats}
    out, sources = [], {}
    for c in Carrier:
        if c.value in found:
            r = found[c.value]
            out.append(Quantity(c, r["amount"], r["ncv_gj"]))
            sources[c.value] = r["source"]
        elif c.value in metered:
            out.append(Quantity(c, metered[c.value]))
            sources[c.value] = StatSource.METER.value
    return {"quantities": out, "sources": sources}


def month_account(
    engine: sa.Engine, scope: Scope, credit_code: str, month: str | date,
    settings: EnergySettings,
) -> dict[str, Any]:
    """One enterprise-month: amounts, tce by both electricity methods (the chosen one named),
    CO2 scope 1 and 2 with the chosen grid factor kind, and the factor sets used."""
    ent = enterprise(engine, scope, credit_code)
    first = parse_month(month)
    got = quantities(engine, ent["id"], first)
    f = factor_sets(first, settings)
    by_method = {
        m: rules.comprehensive_tce(got["quantities"], f["energy"], f["equal_value"], m,
                                   settings.natural_gas)
        for m in ElectricityMethod
    }  # fmt: skip
    carbon = rules.carbon_account(got["quantities"], f["fuel"], f["grid"], f["heat"],
                                  settings.grid_kind)  # fmt: skip
    chosen = by_method[settings.electricity_method]
    return {
        "enterprise": ent, "month": f"{first:%Y-%m}",
        "lines": [{"carrier": ln.carrier.value, "name": NAMES[ln.carrier][0],
                   "unit": UNITS[ln.carrier], "amount": ln.amount,
                   "kgce_per_unit": ln.kgce_per_unit, "tce": ln.tce,
                   "source": got["sources"].get(ln.carrier.value)} for ln in chosen.lines],
        "tce": chosen.tce, "method": settings.electricity_method.value,
        "tce_equivalent": by_method[ElectricityMethod.EQUIVALENT].tce,
        "tce_equal_value": by_method[ElectricityMethod.EQUAL_VALUE].tce,
        "carbon": {"scope1_t": carbon.scope1, "scope2_t": carbon.scope2, "total_t": carbon.total,
                   "grid_kind": carbon.grid_kind.value,
                   "lines": [{"carrier": x.carrier.value, "name": NAMES[x.carrier][0],
                              "scope": x.scope, "amount": x.amount, "factor_t_per_unit": x.factor,
                              "t_co2": x.t_co2} for x in carbon.lines]},
        "factor_sets": used_sets(first, settings),
    }  # fmt: skip


def quality(
    engine: sa.Engine, scope: Scope, credit_code: str, month: str | date,
    settings: EnergySettings,
) -> list[dict[str, Any]]:
    """The online-monitoring data-quality checks of each metered carrier for a month
    (domain-2.md §4): real-time and daily completeness, the monthly total, daily sums against
    the monthly total, and daily timestamps; each with its figure and threshold."""
    ent = enterprise(engine, scope, credit_code)
    first = parse_month(month)
    following = next_month(first)
    days = (following - first).days
    start, end = _midnight(first), _midnight(following)
    expected = rules.expected_realtime(days, settings.realtime_minutes)
    out = []
    with engine.connect() as conn:
        stats = {r["carrier"]: r for r in store.months(conn, [ent["id"]], first, following)}
        for m in store.meters(conn, [ent["id"]]):
            if m["point_id"] is None:
                continue
            received = store.reading_count(conn, m["point_id"], m["channel"], "minute", start, end)
            daily = store.readings(conn, m["point_id"], m["channel"], "day", start, end)
            monthly = stats.get(m["carrier"])
            offsets = [_offset_s(t) for t, _v in daily]
            checks = [
                rules.completeness_check(CheckName.REALTIME, received, expected, settings),
                rules.completeness_check(CheckName.DAILY, len({t.date() for t, _ in daily}),
                                         days, settings),
                rules.monthly_total_check(monthly is not None),
                rules.daily_vs_monthly_check(
                    sum(v or 0.0 for _t, v in daily) if daily else None,
                    monthly["amount"] if monthly else None, settings),
                rules.timestamp_check(offsets, settings),
            ]  # fmt: skip
            out.append({"meter": m["code"], "carrier": m["carrier"], "month": f"{first:%Y-%m}",
                        "checks": [{"name": c.name.value, "figure": c.figure,
                                    "threshold": c.threshold, "passed": c.passed,
                                    "detail": c.detail} for c in checks]})  # fmt: skip
    return out


def _offset_s(stamp: datetime) -> float:
    """Seconds from the nearest midnight (a daily total is stamped at 00:00:00)."""
    since = (stamp - _midnight(stamp.date())).total_seconds()
    return min(since, 86_400 - since)


def year_account(
    engine: sa.Engine, scope: Scope, credit_code: str, year: int, settings: EnergySettings
) -> dict[str, Any]:
    """An enterprise's months of a year and the year: tce (both methods), CO2, key-user class,
    energy per unit of value added and of product against its targets."""
    ent = enterprise(engine, scope, credit_code)
    year = check_year(year)
    months = [month_account(engine, scope, credit_code, date(year, m, 1), settings)
              for m in range(1, 13)]  # fmt: skip
    with engine.connect() as conn:
        outs = store.outputs(conn, [ent["id"]], date(year, 1, 1), date(year + 1, 1, 1))
        target = store.targets(conn, [ent["id"]], year).get(ent["id"], {})
    tce = sum(m["tce"] for m in months)
    value_added = sum(o["value_added_10k_yuan"] or 0 for o in outs) or None
    product = sum(o["product_amount"] or 0 for o in outs) or None
    per_va = rules.intensity(tce, value_added)
    per_product = rules.intensity(tce, product)
    return {
        "enterprise": ent, "year": year, "months": months, "tce": tce,
        "tce_equivalent": sum(m["tce_equivalent"] for m in months),
        "tce_equal_value": sum(m["tce_equal_value"] for m in months),
        "method": settings.electricity_method.value,
        "t_co2": sum(m["carbon"]["total_t"] for m in months),
        "scope1_t": sum(m["carbon"]["scope1_t"] for m in months),
        "scope2_t": sum(m["carbon"]["scope2_t"] for m in months),
        "user_class": rules.user_class(tce, settings).value,
        "value_added_10k_yuan": value_added, "product_amount": product,
        "product": next((o["product"] for o in outs if o["product"]), None),
        "product_unit": next((o["product_unit"] for o in outs if o["product_unit"]), None),
        "tce_per_10k_yuan": per_va, "tce_per_product": per_product,
        "target": {k: target.get(k) for k in ("total_tce", "tce_per_10k_yuan",
                                              "tce_per_product")},
        "meets": {
            "total_tce": _meets(tce, target.get("total_tce")),
            "tce_per_10k_yuan": _meets(per_va, target.get("tce_per_10k_yuan")),
            "tce_per_product": _meets(per_product, target.get("tce_per_product")),
        },
        "outputs": outs,
        "factor_sets": used_sets(date(year, 1, 1), settings),
    }  # fmt: skip


def _meets(value: float | None, target: float | None) -> bool | None:
    if value is None or target is None:
        return None
    return round(value, 9) <= target


def recent_month(engine: sa.Engine, enterprise_id: int, today: date) -> date:
    """The newest month with statistics, else the previous month."""
    with engine.connect() as conn:
        newest = store.newest_month(conn, enterprise_id)
    if newest is not None:
        return newest
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
