"""Linkage configuration: an enterprise's facilities, meters, channels, links and orders.

`configure` replaces them from one document (a power file or an API body), validated
whole before anything is written, and audited; `configuration` reads them back in the
same shape, so what is read can be written back as it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone import files
from ecozone.accounts import audit
from ecozone.accounts.model import SYSTEM_SCOPE, Scope
from ecozone.errors import NotFound
from ecozone.power import rules, store
from ecozone.power.evaluation import meter_power
from ecozone.power.model import (
    FacilityRole,
    Grid,
    LearnedThresholds,
    LimitRequirement,
    PowerError,
    Quantity,
    WarningLevel,
)
from ecozone.store.schema import power_channel, power_facility, power_meter, power_order
from ecozone.textguard import check_text
from ecozone.times import parse_time, utc_now

# --- configuration ------------------------------------------------------------------


def _text(value: Any, where: str, *, limit: int, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise PowerError(f"{where}: missing")
        return None
    if not isinstance(value, str | int):
        raise PowerError(f"{where}: expected text, got {type(value).__name__}")
    text = check_text(str(value).strip(), where)
    if len(text) > limit:
        raise PowerError(f"{where}: {len(text)} characters; at most {limit}")
    return text


def _number(
    value: Any, where: str, *, positive: bool = True, upper: float | None = None
) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PowerError(f"{where}: expected a number, got {value!r}")
    if positive and value <= 0:
        raise PowerError(f"{where}: must be above 0, got {value}")
    if upper is not None and value > upper:
        raise PowerError(f"{where}: must be at most {upper}, got {value}")
    return float(value)


def _meter_values(doc: Mapping[str, Any], where: str) -> dict[str, Any]:
    values = {
        "code": _text(doc.get("code"), f"{where}.code", limit=32),
        "rated_kw": _number(doc.get("rated_kw"), f"{where}.rated_kw"),
        "rated_current_a": _number(doc.get("rated_current_a"), f"{where}.rated_current_a"),
        "voltage_v": _number(doc.get("voltage_v", 380), f"{where}.voltage_v"),
        "power_factor": _number(doc.get("power_factor", 0.85), f"{where}.power_factor", upper=1),
        "ct_ratio": _number(doc.get("ct_ratio", 1), f"{where}.ct_ratio"),
        "three_phase": bool(doc.get("three_phase", True)),
        "off_fraction": _number(
            doc.get("off_fraction"), f"{where}.off_fraction", positive=False, upper=1
        ),
        "low_fraction": _number(doc.get("low_fraction"), f"{where}.low_fraction", upper=1),
    }
    if values["rated_kw"] is None and values["rated_current_a"] is None:
        raise PowerError(
            f"{where}: give rated_kw or rated_current_a (the state thresholds need one)"
        )
    off, low = values["off_fraction"], values["low_fraction"]
    if off is not None and low is not None and not off < low:
        raise PowerError(f"{where}: off_fraction ({off}) must be below low_fraction ({low})")
    return values


def configure(
    engine: sa.Engine, doc: Mapping[str, Any], *, actor: str, scope: Scope = SYSTEM_SCOPE
) -> dict[str, int]:
    """Replace one enterprise's linkage configuration with `doc`; counts of what was written.

    `doc`: {enterprise: credit code, facilities: [{code, name, role, kind, outlet?,
    normal_kw?, serves?: [production codes], meters: [{code, rated_kw | rated_current_a,
    voltage_v?, power_factor?, ct_ratio?, three_phase?, off_fraction?, low_fraction?,
    channels: [{mn, code, quantity}]}]}], orders?: [{facility, start, end, requirement,
    quota_kw?, level?}]}. Every error names its place (facilities[1].meters[0].rated_kw)."""
    if not isinstance(doc, Mapping):
        raise PowerError("a power configuration is a mapping with enterprise and facilities")
    code = _text(doc.get("enterprise"), "enterprise", limit=18)
    facilities_doc = doc.get("facilities") or []
    orders_doc = doc.get("orders") or []
    if not isinstance(facilities_doc, list) or not isinstance(orders_doc, list):
        raise PowerError("facilities and orders must be lists")
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        owner = store.enterprise_by_code(conn, code, scope)
        if owner is None:
            raise NotFound(f"enterprise {code} not found")
        points = store.points_of(conn, owner["id"])
        plan = _plan(conn, facilities_doc, orders_doc, owner["id"], points, doc.get("responses"))
        store.delete_configuration(conn, owner["id"])
        counts = _write(conn, plan, owner["id"])
        audit.record(
            conn,
            actor=actor,
            action="configure",
            entity="power",
            entity_id=code,
            before=None,
            after=counts,
        )
    return counts


def _plan(
    conn: sa.Connection,
    facilities_doc: list[Any],
    orders_doc: list[Any],
    enterprise_id: int,
    points: dict[str, int],
    doc_responses: Any = None,
) -> dict[str, Any]:
    """The rows to write, all checked; nothing is written while any is wrong."""
    facilities: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for i, f in enumerate(facilities_doc):
        where = f"facilities[{i}]"
        if not isinstance(f, Mapping):
            raise PowerError(f"{where}: expected a mapping")
        fcode = _text(f.get("code"), f"{where}.code", limit=32)
        if fcode in seen:
            raise PowerError(f"{where}.code: {fcode} appears twice")
        role = f.get("role")
        if role not in tuple(FacilityRole):
            raise PowerError(f"{where}.role: {role!r}; expected production or control")
        outlet = _text(f.get("outlet"), f"{where}.outlet", limit=32, required=False)
        if outlet is not None and outlet not in points:
            raise PowerError(f"{where}.outlet: the enterprise has no point {outlet}")
        meters = []
        for j, m in enumerate(f.get("meters") or []):
            mwhere = f"{where}.meters[{j}]"
            if not isinstance(m, Mapping):
                raise PowerError(f"{mwhere}: expected a mapping")
            channels = []
            for k, c in enumerate(m.get("channels") or []):
                cwhere = f"{mwhere}.channels[{k}]"
                mn = _text(c.get("mn"), f"{cwhere}.mn", limit=27)
                located = store.point_by_mn(conn, mn)
                if located is None or located["enterprise_id"] != enterprise_id:
                    raise PowerError(f"{cwhere}.mn: no device {mn} at this enterprise")
                quantity = c.get("quantity")
                if quantity not in tuple(Quantity):
                    raise PowerError(
                        f"{cwhere}.quantity: {quantity!r}; one of {', '.join(Quantity)}"
                    )
                channels.append(
                    {
                        "point_id": located["id"],
                        "code": _text(c.get("code"), f"{cwhere}.code", limit=16),
                        "quantity": quantity,
                    }
                )
            meters.append({"values": _meter_values(m, mwhere), "channels": channels})
        seen[fcode] = role
        facilities.append(
            {
                "values": {
                    "code": fcode,
                    "name": _text(f.get("name"), f"{where}.name", limit=200),
                    "role": role,
                    "kind": _text(f.get("kind"), f"{where}.kind", limit=32),
                    "point_id": points.get(outlet) if outlet else None,
                    "normal_kw": _number(f.get("normal_kw"), f"{where}.normal_kw"),
                    "commissioned_on": _date(f.get("commissioned_on"), f"{where}.commissioned_on"),
                    "evidence_sha256": _evidence(conn, f.get("evidence_sha256"), where),
                },
                "meters": meters,
                "factors": _factors(f.get("emission_factors"), where, role),
                "serves": list(f.get("serves") or []),
                "where": where,
            }
        )
    for f in facilities:
        for production in f["serves"]:
            if f["values"]["role"] != FacilityRole.CONTROL:
                raise PowerError(f"{f['where']}.serves: only a control facility serves others")
            if seen.get(production) != FacilityRole.PRODUCTION:
                raise PowerError(
                    f"{f['where']}.serves: {production!r} is not a production facility here"
                )
    orders = []
    for i, o in enumerate(orders_doc):
        where = f"orders[{i}]"
        if not isinstance(o, Mapping):
            raise PowerError(f"{where}: expected a mapping")
        facility = o.get("facility")
        if seen.get(facility) != FacilityRole.PRODUCTION:
            raise PowerError(f"{where}.facility: {facility!r} is not a production facility here")
        requirement = o.get("requirement")
        if requirement not in tuple(LimitRequirement):
            raise PowerError(f"{where}.requirement: {requirement!r}; expected stop or limit")
        start = parse_time(o.get("start"), f"{where}.start")
        end = parse_time(o.get("end"), f"{where}.end")
        if not start < end:
            raise PowerError(f"{where}: start must be before end")
        quota = _number(o.get("quota_kw"), f"{where}.quota_kw", positive=False)
        if requirement == LimitRequirement.LIMIT and quota is None:
            raise PowerError(f"{where}.quota_kw: a limit order needs its quota in kW")
        orders.append(
            {
                "facility": facility,
                "start": start,
                "end": end,
                "requirement": requirement,
                "quota_kw": quota,
                "level": _text(o.get("level"), f"{where}.level", limit=32, required=False) or "",
            }
        )
    return {
        "facilities": facilities,
        "orders": orders,
        "responses": _responses(doc_responses, seen),
    }


def _responses(doc: Any, seen: Mapping[str, str]) -> list[dict[str, Any]]:
    """The emergency emission-reduction list: per production facility and warning level,
    stop or limit to a quota (kW)."""
    if not doc:
        return []
    if not isinstance(doc, list):
        raise PowerError("responses: a list of {facility, level, requirement, quota_kw}")
    out, keys = [], set()
    for i, r in enumerate(doc):
        where = f"responses[{i}]"
        if not isinstance(r, Mapping):
            raise PowerError(f"{where}: expected a mapping")
        facility = r.get("facility")
        if seen.get(facility) != FacilityRole.PRODUCTION:
            raise PowerError(f"{where}.facility: {facility!r} is not a production facility here")
        level = r.get("level")
        if level not in tuple(WarningLevel):
            raise PowerError(f"{where}.level: {level!r}; one of {', '.join(WarningLevel)}")
        if (facility, level) in keys:
            raise PowerError(f"{where}: {facility} at {level} appears twice")
        keys.add((facility, level))
        requirement = r.get("requirement")
        if requirement not in tuple(LimitRequirement):
            raise PowerError(f"{where}.requirement: {requirement!r}; expected stop or limit")
        quota = _number(r.get("quota_kw"), f"{where}.quota_kw", positive=False)
        if requirement == LimitRequirement.LIMIT and quota is None:
            raise PowerError(f"{where}.quota_kw: a limit needs its quota in kW")
        out.append(
            {"facility": facility, "level": level, "requirement": requirement, "quota_kw": quota}
        )
    return out


def _evidence(conn: sa.Connection, sha256: Any, where: str) -> str | None:
    """A commissioning evidence file already kept (as read back by `configuration`)."""
    if sha256 is None:
        return None
    if not isinstance(sha256, str) or not store.stored_file_exists(conn, sha256):
        raise PowerError(f"{where}.evidence_sha256: no stored file {str(sha256)[:12]}…")
    return sha256


def attach_evidence(
    engine: sa.Engine,
    credit_code: str,
    facility_code: str,
    *,
    name: str,
    content: bytes,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> str:
    """Keep a facility's commissioning evidence (a photo or a PDF: the acceptance record, the
    wiring diagram of its meters); audited; the file's digest."""
    upload = files.check_upload(name, content)
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        facility = _facility(conn, credit_code, facility_code, scope)
        digest = files.save(conn, upload, content)
        store.set_evidence(conn, facility.id, digest)
        audit.record(
            conn,
            actor=actor,
            action="evidence",
            entity="power_facility",
            entity_id=f"{credit_code}/{facility_code}",
            before={"evidence_sha256": facility.evidence_sha256},
            after={"evidence_sha256": digest, "name": upload.name, "size": upload.size},
        )
    return digest


def evidence_file(
    engine: sa.Engine, credit_code: str, facility_code: str, scope: Scope
) -> tuple[str, bytes]:
    """(media type, content) of a facility's commissioning evidence; NotFound without one."""
    with engine.connect() as conn:
        facility = _facility(conn, credit_code, facility_code, scope)
        if facility.evidence_sha256 is None:
            raise NotFound(f"facility {facility_code} has no commissioning evidence")
        return files.load(conn, facility.evidence_sha256)


def _facility(conn: sa.Connection, credit_code: str, facility_code: str, scope: Scope) -> Any:
    owner = store.enterprise_by_code(conn, credit_code, scope)
    found = None
    if owner is not None:
        found = next(
            (f for f in store.facilities(conn, [owner["id"]]) if f.code == facility_code), None
        )
    if found is None:
        raise NotFound(f"facility {facility_code} of {credit_code} not found")
    return found


def _date(value: Any, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PowerError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _factors(doc: Any, where: str, role: str) -> list[dict[str, Any]]:
    """Emission factors of a production facility, each with its source (shown with every
    estimate): [{pollutant, kg_per_kwh, source}]."""
    if not doc:
        return []
    if role != FacilityRole.PRODUCTION or not isinstance(doc, list):
        raise PowerError(f"{where}.emission_factors: a list, for a production facility only")
    out, seen = [], set()
    for i, item in enumerate(doc):
        fwhere = f"{where}.emission_factors[{i}]"
        if not isinstance(item, Mapping):
            raise PowerError(f"{fwhere}: expected a mapping")
        pollutant = _text(item.get("pollutant"), f"{fwhere}.pollutant", limit=16)
        if pollutant in seen:
            raise PowerError(f"{fwhere}.pollutant: {pollutant} appears twice")
        seen.add(pollutant)
        out.append(
            {
                "pollutant": pollutant,
                "kg_per_kwh": _number(item.get("kg_per_kwh"), f"{fwhere}.kg_per_kwh"),
                "source": _text(item.get("source"), f"{fwhere}.source", limit=500),
            }
        )
        if out[-1]["kg_per_kwh"] is None:
            raise PowerError(f"{fwhere}.kg_per_kwh: missing")
    return out


def _write(conn: sa.Connection, plan: dict[str, Any], enterprise_id: int) -> dict[str, int]:
    ids: dict[str, int] = {}
    counts = {
        "facilities": 0,
        "meters": 0,
        "channels": 0,
        "links": 0,
        "orders": 0,
        "factors": 0,
        "responses": 0,
    }
    for f in plan["facilities"]:
        fid = store.insert(conn, power_facility, {**f["values"], "enterprise_id": enterprise_id})
        ids[f["values"]["code"]] = fid
        counts["facilities"] += 1
        for factor in f["factors"]:
            store.insert_factor(conn, {**factor, "facility_id": fid})
            counts["factors"] += 1
        for m in f["meters"]:
            mid = store.insert(conn, power_meter, {**m["values"], "facility_id": fid})
            counts["meters"] += 1
            for c in m["channels"]:
                store.insert(conn, power_channel, {**c, "meter_id": mid})
                counts["channels"] += 1
    for f in plan["facilities"]:
        for production in f["serves"]:
            store.insert_link(conn, ids[f["values"]["code"]], ids[production])
            counts["links"] += 1
    for r in plan["responses"]:
        store.insert_response(
            conn,
            {**{k: v for k, v in r.items() if k != "facility"}, "facility_id": ids[r["facility"]]},
        )
        counts["responses"] += 1
    for o in plan["orders"]:
        store.insert(
            conn,
            power_order,
            {**{k: v for k, v in o.items() if k != "facility"}, "facility_id": ids[o["facility"]]},
        )
        counts["orders"] += 1
    return counts


# --- reads for the doors --------------------------------------------------------------


def enterprises(engine: sa.Engine, scope: Scope) -> list[dict[str, Any]]:
    """Enterprises with metered facilities that `scope` may read, with facility counts."""
    with engine.connect() as conn:
        return store.enterprises_with_facilities(conn, scope)


def configuration(engine: sa.Engine, credit_code: str, scope: Scope) -> dict[str, Any]:
    """One enterprise's facilities with meters, channels and links, as `configure` takes
    them (so a read configuration can be written back as it is)."""
    with engine.connect() as conn:
        owner = store.enterprise_by_code(conn, credit_code, scope)
        if owner is None:
            raise NotFound(f"enterprise {credit_code} not found")
        facilities = store.facilities(conn, [owner["id"]])
        channels = store.channels(conn, [m.id for f in facilities for m in f.meters])
        factors = store.factors(conn, [f.id for f in facilities])
        responses = store.responses(conn, [f.id for f in facilities])
        codes = store.points_of(conn, owner["id"])
    outlet_of = {pid: code for code, pid in codes.items()}
    code_of = {f.id: f.code for f in facilities}
    by_meter: dict[int, list[dict[str, Any]]] = {}
    for c in channels:
        by_meter.setdefault(c["meter_id"], []).append(
            {"mn": c["mn"], "code": c["code"], "quantity": c["quantity"]}
        )
    out = []
    for f in facilities:
        item: dict[str, Any] = {
            "code": f.code,
            "name": f.name,
            "role": f.role.value,
            "kind": f.kind,
            "outlet": outlet_of.get(f.point_id) if f.point_id else None,
            "normal_kw": f.normal_kw,
            "commissioned_on": f.commissioned_on.isoformat() if f.commissioned_on else None,
            "evidence_sha256": f.evidence_sha256,
            "serves": [code_of[p] for p in f.serves],
            "emission_factors": [
                {k: v for k, v in x.items() if k != "facility_id"} for x in factors.get(f.id, [])
            ],
            "meters": [
                {
                    "code": m.code,
                    "rated_kw": m.rated_kw,
                    "rated_current_a": m.rated_current_a,
                    "voltage_v": m.voltage_v,
                    "power_factor": m.power_factor,
                    "ct_ratio": m.ct_ratio,
                    "three_phase": m.three_phase,
                    "off_fraction": m.off_fraction,
                    "low_fraction": m.low_fraction,
                    "learned_off_kw": m.learned_off_kw,
                    "learned_low_kw": m.learned_low_kw,
                    "use_learned": m.use_learned,
                    "channels": by_meter.get(m.id, []),
                }
                for m in f.meters
            ],
        }
        out.append(item)
    code_by_id = {f.id: f.code for f in facilities}
    response_list = [
        {
            "facility": code_by_id[r["facility_id"]],
            "level": r["level"],
            "requirement": r["requirement"],
            "quota_kw": r["quota_kw"],
        }
        for r in responses
    ]
    return {
        "enterprise": owner["credit_code"],
        "name": owner["name"],
        "facilities": out,
        "responses": response_list,
    }


# --- thresholds -----------------------------------------------------------------------


def _meter(
    conn: sa.Connection, credit_code: str, facility_code: str, meter_code: str, scope: Scope
) -> tuple[Any, Any]:
    facility = _facility(conn, credit_code, facility_code, scope)
    meter = next((m for m in facility.meters if m.code == meter_code), None)
    if meter is None:
        raise NotFound(f"meter {facility_code}/{meter_code} of {credit_code} not found")
    return facility, meter


def learn(
    engine: sa.Engine,
    credit_code: str,
    facility_code: str,
    meter_code: str,
    *,
    start: datetime,
    end: datetime,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
    grid_seconds: int = 60,
) -> LearnedThresholds:
    """Learn a meter's off and low levels from its power over [start, end) and keep them
    beside the configured ones (used only once someone chooses them); audited."""
    if not start < end or end - start > timedelta(days=92):
        raise PowerError("learn from a period of at most 92 days, start before end")
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        _, meter = _meter(conn, credit_code, facility_code, meter_code, scope)
        channels = store.channels(conn, [meter.id])
        data = store.readings(conn, [(c["point_id"], c["code"]) for c in channels], start, end)
        step = timedelta(seconds=grid_seconds)
        grid = Grid(start, step, int((end - start) / step))
        power, _ = meter_power(channels, data, meter, grid)
        learned = rules.learn_thresholds(power)
        values = {
            "learned_off_kw": round(learned.off_kw, 3),
            "learned_low_kw": round(learned.low_kw, 3),
            "learned_at": utc_now(),
        }
        store.update_meter(conn, meter.id, values)
        audit.record(
            conn,
            actor=actor,
            action="learn",
            entity="power_meter",
            entity_id=f"{credit_code}/{facility_code}/{meter_code}",
            before={"learned_off_kw": meter.learned_off_kw, "learned_low_kw": meter.learned_low_kw},
            after={
                **values,
                "learned_at": values["learned_at"].isoformat(),
                "centres_kw": [round(c, 3) for c in learned.centres_kw],
                "samples": learned.samples,
            },
        )
    return learned


def set_thresholds(
    engine: sa.Engine,
    credit_code: str,
    facility_code: str,
    meter_code: str,
    *,
    off_fraction: float | None,
    low_fraction: float | None,
    use_learned: bool,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> dict[str, Any]:
    """Override a meter's threshold fractions (None: the deployment's setting) or choose its
    learned levels; audited with the values before and after."""
    where = f"{facility_code}/{meter_code}"
    off = _number(off_fraction, f"{where}.off_fraction", positive=False, upper=1)
    low = _number(low_fraction, f"{where}.low_fraction", upper=1)
    if off is not None and low is not None and not off < low:
        raise PowerError(f"{where}: off_fraction ({off}) must be below low_fraction ({low})")
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        _, meter = _meter(conn, credit_code, facility_code, meter_code, scope)
        if use_learned and meter.learned_off_kw is None:
            raise PowerError(f"{where}: nothing learned yet; learn the levels first")
        values = {"off_fraction": off, "low_fraction": low, "use_learned": use_learned}
        before = {k: getattr(meter, k) for k in values}
        store.update_meter(conn, meter.id, values)
        audit.record(
            conn,
            actor=actor,
            action="thresholds",
            entity="power_meter",
            entity_id=f"{credit_code}/{where}",
            before=before,
            after=values,
        )
    return values
