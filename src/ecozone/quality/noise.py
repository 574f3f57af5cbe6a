"""Use cases of noise: configure a station (zone class or site boundary), read its hourly,
day and night levels against GB 3096-2008 or GB 12523-2011, the night-construction approvals
register, the check that raises alerts for night work without approval, honking captures.

Levels come from the point's minute or hour data (Leq-Data, LMx-Data of HJ 212-2017 Table
C.26/C.27, stored as the period value); the hour's Leq is their energy mean.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.accounts import audit
from ecozone.accounts.model import Scope
from ecozone.compliance.model import AlertType, Condition
from ecozone.quality import rules, service, store
from ecozone.quality.model import (
    HourLevel,
    NightApproval,
    NoiseLimits,
    NoiseStation,
    PeriodLevel,
    QualityError,
    QualityNotFound,
    QualitySettings,
    ZoneClass,
)
from ecozone.times import cst_naive, utc_now

NOISE = "noise"
#: Longest span one read covers.
MAX_DAYS = 62
#: Honking rows one import takes.
MAX_HONKING_ROWS = 50_000


def configure_station(
    engine: sa.Engine,
    point_id: int,
    *,
    zone_class: str | None = None,
    site_id: int | None = None,
    actor: str,
    scope: Scope | None = None,
) -> NoiseStation:
    """Make a noise point a station of a functional zone (GB 3096-2008 class 0-4b) or of a
    construction site's boundary (GB 12523-2011); audited."""
    zone = None
    if zone_class not in (None, ""):
        try:
            zone = ZoneClass(str(zone_class).strip().lower())
        except ValueError:
            raise QualityError(
                "bad_zone",
                f"zone class {zone_class!r}: expected 0, 1, 2, 3, 4a or 4b",
                value=zone_class,
            ) from None
    if zone is None and site_id is None:
        raise QualityError("zone_or_site", "give a zone class or a construction site")
    with engine.begin() as conn:
        service.point_of_kind(conn, point_id, NOISE, scope)
        if site_id is not None and not store.sites(conn, scope, site_id):
            raise QualityNotFound(f"no construction site with id {site_id}")
        store.save_noise_station(conn, point_id, zone.value if zone else None, site_id)
        audit.record(
            conn,
            actor=actor,
            action="update",
            entity="noise_station",
            entity_id=str(point_id),
            before=None,
            after={"zone_class": zone.value if zone else None, "site_id": site_id},
        )
        return store.noise_stations(conn, None, point_id)[0]


def stations(engine: sa.Engine, scope: Scope | None) -> list[NoiseStation]:
    with engine.connect() as conn:
        return store.noise_stations(conn, scope)


def station(engine: sa.Engine, scope: Scope | None, point_id: int) -> NoiseStation:
    with engine.connect() as conn:
        found = store.noise_stations(conn, scope, point_id)
    if not found:
        raise QualityNotFound(f"no noise station with point id {point_id}")
    return found[0]


def limits_of(s: NoiseStation, settings: QualitySettings) -> NoiseLimits:
    """GB 12523-2011 on a site boundary, else the GB 3096-2008 limits of the zone."""
    if s.site_id is not None or s.zone_class is None:
        return rules.construction_limits(settings)
    return rules.zone_limits(s.zone_class, settings)


def hours(
    engine: sa.Engine, point_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[HourLevel]]:
    """Each station's hourly levels in [start, end): from minute data where the hour has it,
    else the device's hourly values."""
    with engine.connect() as conn:
        rows = store.values(conn, point_ids, (rules.LEQ, rules.LMAX), start, end)
    by_kind: dict[tuple[int, str], dict[datetime, list[float | None]]] = {}
    for point_id, kind, code, at, value in rows:
        slot = by_kind.setdefault((point_id, kind), {}).setdefault(at, [None, None])
        slot[0 if code == rules.LEQ else 1] = value
    out: dict[int, list[HourLevel]] = {}
    for pid in point_ids:
        minute = rules.hour_levels(
            (at, v[0], v[1]) for at, v in sorted(by_kind.get((pid, "minute"), {}).items())
        )
        hourly = rules.hour_levels(
            (at, v[0], v[1]) for at, v in sorted(by_kind.get((pid, "hour"), {}).items())
        )
        merged = {h.start: h for h in hourly}
        merged.update({h.start: h for h in minute})
        out[pid] = [merged[k] for k in sorted(merged)]
    return out


def newest_day(engine: sa.Engine, chosen: list[NoiseStation]) -> date:
    """The day shown by default: the day before the newest data (a whole night), else today."""
    with engine.connect() as conn:
        newest = store.latest_time(conn, [s.point_id for s in chosen])
    if newest is None:
        return cst_naive(utc_now()).date()
    return (newest - timedelta(hours=30)).date()


def day_night(
    engine: sa.Engine,
    chosen: list[NoiseStation],
    first: date,
    last: date,
    settings: QualitySettings,
) -> list[tuple[NoiseStation, list[PeriodLevel]]]:
    """Each station's days and nights from `first` to `last` (a night runs to the morning
    after), against its limits."""
    if last < first:
        raise QualityError("empty_period", f"empty period: {first} is after {last}")
    if (last - first).days > MAX_DAYS:
        raise QualityError("too_long_period", f"at most {MAX_DAYS} days at once", most=MAX_DAYS)
    start = datetime(first.year, first.month, first.day)
    end = datetime(last.year, last.month, last.day) + timedelta(
        days=1, hours=settings.day_start_hour
    )
    levels = hours(engine, [s.point_id for s in chosen], start, end)
    out = []
    for s in chosen:
        periods = rules.day_night(levels[s.point_id], limits_of(s, settings), settings)
        out.append((s, [p for p in periods if first <= p.day <= last]))
    return out


def period_dict(p: PeriodLevel) -> dict[str, Any]:
    return {
        "day": p.day.isoformat(),
        "period": p.period.value,
        "leq": round(p.leq, 1),
        "lmax": p.lmax,
        "hours": p.hours,
        "limit": p.limit,
        "delta": round(p.delta, 1),
        "exceeds": p.exceeds,
        "lmax_limit": p.lmax_limit,
        "sudden": p.sudden,
    }


def station_dict(s: NoiseStation, settings: QualitySettings) -> dict[str, Any]:
    limits = limits_of(s, settings)
    return {
        "point_id": s.point_id,
        "code": s.code,
        "name": s.name,
        "district": s.district,
        "enterprise": s.enterprise,
        "zone_class": s.zone_class.value if s.zone_class else None,
        "site_id": s.site_id,
        "site": s.site,
        "day_limit": limits.day,
        "night_limit": limits.night,
        "night_lmax_limit": limits.night_lmax,
    }


# --- night-construction approvals ------------------------------------------------------------


def register_approval(
    engine: sa.Engine,
    scope: Scope | None,
    *,
    site_id: int,
    permit_no: str,
    first_day: date | str,
    last_day: date | str,
    start: str,
    end: str,
    reason: str = "",
    actor: str,
) -> NightApproval:
    """Enter a night-construction approval (夜间施工许可) of a site the scope may read: the
    days it covers and the hours of each night; audited."""
    values = {
        "permit_no": service.text(permit_no, "permit_no", most=64),
        "first_day": service.day(first_day, "first_day"),
        "last_day": service.day(last_day, "last_day"),
        "start_time": service.clock(start, "start").strftime("%H:%M"),
        "end_time": service.clock(end, "end").strftime("%H:%M"),
        "reason": service.text(reason, "reason", required=False, most=500),
    }
    if values["last_day"] < values["first_day"]:
        raise QualityError(
            "days_reversed",
            f"last_day {values['last_day']} is before first_day {values['first_day']}",
        )
    if values["start_time"] == values["end_time"]:
        raise QualityError("empty_hours", "start and end are the same time")
    service.site(engine, scope, site_id)
    with engine.begin() as conn:
        approval_id = store.insert_approval(
            conn, {**values, "site_id": site_id, "created_by": actor}
        )
        audit.record(
            conn,
            actor=actor,
            action="create",
            entity="night_approval",
            entity_id=str(approval_id),
            before=None,
            after={
                **values,
                "site_id": site_id,
                "first_day": str(values["first_day"]),
                "last_day": str(values["last_day"]),
            },
        )
        return next(a for a in store.approvals(conn, [site_id]) if a.id == approval_id)


def approvals(engine: sa.Engine, scope: Scope | None) -> list[tuple[NightApproval, Any]]:
    """Every approval of the sites the scope may read, with its site, newest first."""
    with engine.connect() as conn:
        by_id = {s.id: s for s in store.sites(conn, scope)}
        return [(a, by_id[a.site_id]) for a in store.approvals(conn, list(by_id))]


def approval_valid(a: NightApproval, on: date) -> bool:
    return a.first_day <= on <= a.last_day


def check_night_construction(
    engine: sa.Engine,
    start: datetime,
    end: datetime,
    settings: QualitySettings,
    now: datetime | None = None,
) -> list[tuple[NoiseStation, Any]]:
    """Night hours over the GB 12523-2011 limit at site boundaries without an approval that
    covers them, raised as night_construction alerts; returns (station, finding) pairs."""
    chosen = [s for s in stations(engine, None) if s.site_id is not None]
    levels = hours(engine, [s.point_id for s in chosen], start, end)
    with engine.connect() as conn:
        by_site = store.approvals(conn, sorted({s.site_id for s in chosen}))  # type: ignore[misc]
    found: list[tuple[NoiseStation, Any]] = []
    conditions: list[Condition] = []
    limits = rules.construction_limits(settings)
    for s in chosen:
        mine = [a for a in by_site if a.site_id == s.site_id]
        for f in rules.night_findings(levels[s.point_id], mine, limits, settings):
            found.append((s, f))
            conditions.append(
                Condition(
                    AlertType.NIGHT_CONSTRUCTION,
                    f"quality:night:{s.point_id}",
                    s.point_id,
                    rules.LEQ,
                    f.start,
                    f.end,
                    round(f.peak_leq, 1),
                    f.limit,
                    {
                        "unit": "dB(A)",
                        "site_id": s.site_id,
                        "site": s.site,
                        "rule": "GB 12523-2011 night limit without a night-construction approval",
                    },
                )
            )
    service.raise_alerts(engine, conditions, {s.point_id: s.enterprise_id for s, _f in found}, now)
    return found


# --- honking captures ------------------------------------------------------------------------

HONKING_COLUMNS = {
    "captured_at": ("captured_at", "抓拍时间", "时间"),
    "location": ("location", "地点", "抓拍地点"),
    "plate": ("plate", "车牌", "车牌号"),
    "level_db": ("level_db", "声级", "声级dB"),
    "lon": ("lon", "经度"),
    "lat": ("lat", "纬度"),
}


def _table(name: str, content: bytes) -> list[list[Any]]:
    """Rows of a CSV (UTF-8, with or without BOM) or xlsx file, the header first."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception:
            raise QualityError("bad_file", f"{name}: not a readable xlsx file", name=name) from None
        return [list(r) for r in sheet.iter_rows(values_only=True)]  # type: ignore[union-attr]
    if lower.endswith(".csv"):
        try:
            decoded = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise QualityError("bad_file", f"{name}: not UTF-8 text", name=name) from None
        return list(csv.reader(io.StringIO(decoded)))
    raise QualityError("bad_file", f"{name}: expected a .csv or .xlsx file", name=name)


def import_honking(engine: sa.Engine, name: str, content: bytes, *, actor: str) -> int:
    """Import honking captures (违法鸣笛抓拍, plan item 16) from CSV or xlsx with columns
    captured_at, location and optionally plate, level_db, lon, lat (Chinese headers too).
    All or nothing: a bad row refuses the file, naming the row; rows already held are
    skipped. Returns how many were added."""
    if not content:
        raise QualityError("bad_file", f"{name}: the file is empty", name=name)
    table = [r for r in _table(name, content) if any(c not in (None, "") for c in r)]
    if not table:
        raise QualityError("bad_file", f"{name}: no rows", name=name)
    header = [str(c or "").strip() for c in table[0]]
    index: dict[str, int] = {}
    for key, names in HONKING_COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                index[key] = i
    for key in ("captured_at", "location"):
        if key not in index:
            raise QualityError("missing_column", f"{name}: no column {key}", name=name, column=key)
    if len(table) - 1 > MAX_HONKING_ROWS:
        raise QualityError(
            "too_many_rows",
            f"{name}: more than {MAX_HONKING_ROWS} rows",
            name=name,
            most=MAX_HONKING_ROWS,
        )
    rows = []
    for n, raw in enumerate(table[1:], start=2):

        def cell(key: str, raw: list[Any] = raw) -> Any:
            i = index.get(key)
            return raw[i] if i is not None and i < len(raw) else None

        try:
            at = cell("captured_at")
            captured = (
                at
                if isinstance(at, datetime)
                else datetime.fromisoformat(str(at or "").strip().replace("/", "-"))
            )
        except ValueError:
            raise QualityError(
                "bad_row",
                f"{name} row {n}: captured_at {cell('captured_at')!r} is not a time",
                name=name,
                row=n,
                detail=f"captured_at {cell('captured_at')!r}",
            ) from None
        try:
            rows.append(
                {
                    "captured_at": captured.replace(tzinfo=None, microsecond=0),
                    "location": service.text(str(cell("location") or ""), "location"),
                    "plate": service.text(
                        str(cell("plate") or ""), "plate", required=False, most=16
                    ),
                    "level_db": service.number(cell("level_db"), "level_db", optional=True),
                    "lon": service.number(cell("lon"), "lon", optional=True),
                    "lat": service.number(cell("lat"), "lat", optional=True),
                    "imported_by": actor,
                }
            )
        except QualityError as exc:
            raise QualityError(
                "bad_row", f"{name} row {n}: {exc}", name=name, row=n, detail=str(exc)
            ) from None
    with engine.begin() as conn:
        seen: set[tuple[datetime, str, str]] = set()
        fresh = []
        for r in rows:
            key = (r["captured_at"], r["location"], r["plate"])
            if key in seen or store.honking_exists(conn, *key):
                continue
            seen.add(key)
            fresh.append(r)
        store.insert_honking(conn, fresh)
        audit.record(
            conn,
            actor=actor,
            action="import",
            entity="honking_event",
            entity_id=None,
            before=None,
            after={"file": name, "rows": len(rows), "added": len(fresh)},
        )
    return len(fresh)


def honking(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.honking(conn)
