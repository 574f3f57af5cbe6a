"""Annual self-monitoring report (plan measure 18): build it from stored data, then render it.

`build_annual_report` reads the registry, permits, alerts, declarations and
the year's hourly aggregates (grouped in SQL, one snapshot) and applies the
counting rules of rules.py; `render_html`, `render_pdf` and `render_xlsx`
lay the same AnnualReport out. Nothing is written to the database.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.reports import render, rules, store
from ecozone.reports.model import (
    MARK_KINDS,
    AlertCount,
    AnnualReport,
    Declaration,
    EnterpriseNotFound,
    ExceedanceEvent,
    MonitoringMethod,
    OutletSection,
    PermitInfo,
    PollutantLine,
    PollutantTotal,
    ReportError,
)
from ecozone.times import cst_naive

Key = tuple[int, str]  # (point id, pollutant code)


def build_annual_report(
    engine: sa.Engine, credit_code: str, year: int, *, now: datetime | None = None
) -> AnnualReport:
    """The annual self-monitoring report of the enterprise with `credit_code` for `year`.

    `now` (aware; default the current time) bounds the year (no future years) and
    ends exceedance events still going on. Raises EnterpriseNotFound for an
    unknown credit code and YearOutOfRange for a year before rules.MIN_YEAR or
    after the current one.
    """
    now = now if now is not None else datetime.now(UTC)
    if now.tzinfo is None:
        raise ReportError("now must be an aware datetime (an instant), not a naive one")
    now_cst = cst_naive(now)
    if not isinstance(year, int) or isinstance(year, bool):
        raise ReportError(f"year must be a whole number such as 2024, not {year!r}")
    rules.check_year(year, now_cst.date())
    code = credit_code.strip().upper()
    year_start, year_end = rules.year_bounds(year)

    with _snapshot(engine) as conn:
        found = store.load_enterprise(conn, code)
        if found is None:
            raise EnterpriseNotFound(f"no enterprise with credit code {code}")
        points = store.load_points(conn, found["id"])
        point_ids = [p["id"] for p in points]
        permits = store.load_permits(conn, found["id"], date(year, 1, 1), date(year, 12, 31))
        limits = store.load_limits(conn, [p["id"] for p in permits])
        period = rules.monitoring_period(
            year, [(p["valid_from"], p["valid_to"]) for p in permits], until=now_cst
        )
        stats_by_key, flags_by_key = store.hour_statistics(
            conn, point_ids, year_start, year_end, period
        )
        marks = store.declarations(conn, point_ids, year_start, year_end)
        alerts = store.exceedance_alerts(conn, found["id"], year_start, year_end)
        counts = store.alert_counts(conn, found["id"], year_start, year_end)

        limits_by_key: dict[Key, list[dict[str, Any]]] = defaultdict(list)
        for row in limits:
            limits_by_key[(row["point_id"], row["pollutant"])].append(row)
        own = set(point_ids)
        keys = sorted(
            key
            for key in {
                *stats_by_key,
                *limits_by_key,
                *((a["point_id"], a["pollutant"]) for a in alerts if a["pollutant"]),
            }
            if key[0] in own and rules.is_reported_pollutant(key[1])
        )
        declared = {key: _declared_windows(marks, key, period) for key in keys}
        valid_declared = store.valid_hours_in_windows(
            conn, {key: windows["all"] for key, windows in declared.items()}
        )

    expected_hours = rules.hours_in(period)
    events_by_point: dict[int, list[ExceedanceEvent]] = defaultdict(list)
    codes_by_id = {p["id"]: p["code"] for p in points}
    for row in alerts:
        if row["point_id"] in codes_by_id:
            events_by_point[row["point_id"]].append(
                _event(row, codes_by_id[row["point_id"]], year, now_cst)
            )

    outlets = []
    for p in points:
        automatic = p["mn"] is not None
        lines = tuple(
            _line(
                key,
                reference_o2=p["reference_o2"],
                expected_hours=expected_hours if automatic else None,
                stats=stats_by_key.get(key),
                flags=flags_by_key.get(key, {}),
                limits=limits_by_key.get(key, []),
                events=[e for e in events_by_point[p["id"]] if e.pollutant == key[1]],
                declared=declared[key],
                valid_declared=valid_declared.get(key, 0),
            )
            for key in keys
            if key[0] == p["id"]
        )
        outlets.append(
            OutletSection(
                code=p["code"],
                name=p["name"],
                kind=p["kind"],
                reference_o2=p["reference_o2"],
                method=MonitoringMethod.AUTOMATIC if automatic else MonitoringMethod.MANUAL,
                mn=p["mn"],
                st=p["st"],
                protocol=p["protocol"],
                lines=lines,
                events=tuple(events_by_point[p["id"]]),
                declarations=tuple(
                    _declaration(m, p["code"]) for m in marks if m["point_id"] == p["id"]
                ),
            )
        )

    return AnnualReport(
        credit_code=found["credit_code"],
        enterprise_name=found["name"],
        district=found["district"],
        industry=found["industry"],
        address=found["address"],
        year=year,
        period=tuple(period),
        expected_hours=expected_hours,
        hours_in_year=rules.hours_in([(year_start, year_end)]),
        permits=tuple(
            PermitInfo(
                permit_no=p["permit_no"],
                management_class=p["management_class"],
                valid_from=p["valid_from"],
                valid_to=p["valid_to"],
            )
            for p in permits
        ),
        outlets=tuple(outlets),
        totals=_totals(outlets),
        alert_counts=tuple(AlertCount(r["type"], r["state"], r["count"]) for r in counts),
        generated_at=now,
        notes=_notes(permits, outlets, year, now_cst),
    )


def _snapshot(engine: sa.Engine) -> sa.Connection:
    """A connection whose reads all see one state of the database.

    SQLite in WAL mode gives a read transaction a snapshot by itself; PostgreSQL's
    default READ COMMITTED would let each query see newer commits, so the
    figures of one report could disagree with each other.
    """
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def _declared_windows(
    marks: list[dict[str, Any]], key: Key, period: list[rules.Window]
) -> dict[str, list[rules.Window]]:
    """Declared hours of one line by mark kind, and all kinds together ("all").

    A declaration applies to the line when it names the outlet and either the
    pollutant or no pollutant (every pollutant). Revoked declarations count for nothing.
    """
    applying = [
        m
        for m in marks
        if m["point_id"] == key[0] and m["pollutant"] in (None, key[1]) and m["revoked_at"] is None
    ]
    windows = {
        kind: rules.declared_windows(
            [(m["start"], m["end"]) for m in applying if m["kind"] == kind], period
        )
        for kind in MARK_KINDS
    }
    windows["all"] = rules.declared_windows([(m["start"], m["end"]) for m in applying], period)
    return windows


def _line(
    key: Key,
    *,
    reference_o2: float | None,
    expected_hours: int | None,
    stats: dict[str, Any] | None,
    flags: dict[str | None, int],
    limits: list[dict[str, Any]],
    events: list[ExceedanceEvent],
    declared: dict[str, list[rules.Window]],
    valid_declared: int,
) -> PollutantLine:
    pollutant = key[1]
    name, unit = rules.pollutant_label(pollutant)
    limit, cap = rules.choose_limit(limits)
    basis = rules.value_basis(reference_o2)
    s = stats or {}
    hours_with_data = int(s.get("hours_with_data", 0))
    valid_hours = int(s.get("valid_hours", 0))
    if expected_hours is not None:
        gaps = rules.gap_hours(flags, expected_hours, hours_with_data)
        declared_gaps = rules.hours_in(declared["all"]) - valid_declared
        undeclared_gaps = sum(gaps.values()) - declared_gaps
    else:  # manual monitoring: no hours were expected from a device
        gaps = rules.gap_hours(flags, 0, 0)
        declared_gaps = undeclared_gaps = 0
    return PollutantLine(
        pollutant=pollutant,
        name=name,
        unit=limit.unit if limit is not None and not unit else unit,
        limit=limit,
        annual_cap_t=cap,
        value_basis=basis,
        expected_hours=expected_hours,
        hours_with_data=hours_with_data,
        capture_rate=rules.rate(hours_with_data, expected_hours),
        valid_hours=valid_hours,
        valid_rate=rules.rate(valid_hours, expected_hours),
        hours_outside_permit=int(s.get("hours_outside_permit", 0)),
        value_count=int(s.get(f"{basis}_count", 0)),
        mean=s.get(f"{basis}_mean"),
        max=s.get(f"{basis}_max"),
        exceedance_events=len(events),
        exceedance_hours=sum(e.hours for e in events),
        emission_kg=float(s.get("emission_kg", 0.0)),
        emission_kg_invalid=float(s.get("emission_kg_invalid", 0.0)),
        valid_hours_without_emission=int(s.get("valid_hours_without_emission", 0)),
        gap_hours=gaps,
        declared_hours={kind: rules.hours_in(declared[kind]) for kind in MARK_KINDS},
        declared_gap_hours=declared_gaps,
        undeclared_gap_hours=undeclared_gaps,
    )


def _event(row: dict[str, Any], point_code: str, year: int, now_cst: datetime) -> ExceedanceEvent:
    return ExceedanceEvent(
        point_code=point_code,
        pollutant=row["pollutant"],
        start=row["start"],
        end=row["end"],
        hours=rules.exceedance_hours(row["start"], row["end"], year, now_cst),
        peak=row["peak"],
        limit_value=row["limit_value"],
        state=row["state"],
    )


def _declaration(row: dict[str, Any], point_code: str) -> Declaration:
    return Declaration(
        point_code=point_code,
        pollutant=row["pollutant"],
        kind=row["kind"],
        start=row["start"],
        end=row["end"],
        reason=row["reason"],
        declared_by=row["declared_by"],
        declared_at=row["declared_at"],
        revoked=row["revoked_at"] is not None,
        late=rules.is_late(row["declared_at"], row["start"]),
    )


def _totals(outlets: list[OutletSection]) -> tuple[PollutantTotal, ...]:
    """Each pollutant's emission summed over the outlets, against the sum of their caps."""
    emission: dict[str, float] = defaultdict(float)
    caps: dict[str, float | None] = {}
    names: dict[str, str] = {}
    for outlet in outlets:
        for line in outlet.lines:
            emission[line.pollutant] += line.emission_kg
            names[line.pollutant] = line.name
            if line.annual_cap_t is not None:
                caps[line.pollutant] = (caps.get(line.pollutant) or 0.0) + line.annual_cap_t
            else:
                caps.setdefault(line.pollutant, None)
    return tuple(
        PollutantTotal(pollutant=code, name=names[code], emission_kg=emission[code],
                       annual_cap_t=caps[code])
        for code in sorted(emission)
    )  # fmt: skip


def _notes(
    permits: list[dict[str, Any]], outlets: list[OutletSection], year: int, now_cst: datetime
) -> tuple[str, ...]:
    notes = []
    if not permits:
        notes.append(
            "本年度无有效排污许可证，监测时段按全年计。"
            " No discharge permit was valid in the year: the monitoring period is the whole year."
        )
    manual = [o.code for o in outlets if o.method is MonitoringMethod.MANUAL]
    if manual:
        notes.append(
            f"排放口 {', '.join(manual)} 为手工监测，不计算数据捕集率。"
            f" Outlets {', '.join(manual)} are monitored by hand: no capture rate applies."
        )
    if year == now_cst.year:
        notes.append(
            f"本年度尚未结束，数据截至 {now_cst:%Y-%m-%d %H:%M}。"
            f" The year is not over: figures cover data up to {now_cst:%Y-%m-%d %H:%M}."
        )
    return tuple(notes)


def render_html(report: AnnualReport) -> str:
    """The report as one self-contained HTML page (print CSS, no external assets)."""
    return render.render_html(report)


def render_pdf(report: AnnualReport) -> bytes:
    """The report as PDF, printed by WeasyPrint from render_html's page.

    Chinese text needs a CJK font on the machine (fonts-noto-cjk or
    fonts-wqy-zenhei on Debian); without one the PDF still renders, with the
    glyphs missing.
    """
    return render.render_pdf(report)


def render_xlsx(report: AnnualReport) -> bytes:
    """The report as an xlsx workbook: a summary sheet, one sheet per outlet, and the
    exceedance events and data-marking declarations; numbers stored as numbers."""
    return render.render_xlsx(report)


def render_as(report: AnnualReport, fmt: str) -> bytes:
    """The report in `fmt` (html, pdf or xlsx) as bytes; HTML is UTF-8."""
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "xlsx":
        return render_xlsx(report)
    raise ReportError(f"unknown report format {fmt!r}; expected html, pdf or xlsx")
