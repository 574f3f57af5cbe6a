"""The draw of 双随机、一公开, pure and verifiable: who is drawn, by whom, and the record.

Algorithm "es-hmac-sha256/1" (anyone can rerun it from the published record):
1. Commitment: before the draw the platform stores and shows SHA-256(seed) of a secret
   32-byte seed, with the inputs and their SHA-256 (canonical JSON: sorted keys, no spaces,
   UTF-8). After the draw the seed is revealed.
2. Enterprises, category by category (key, attention, general): the quota is the count
   given, or ceil(ratio × the category's size); candidates with a triggered on-site check
   are always in and count toward it; the rest of the quota is drawn from the eligible
   ones by weighted sampling without replacement with Efraimidis–Spirakis keys:
   u = (H + 0.5) / 2^256 with H = HMAC-SHA256(seed, "enterprise:<id>") read big-endian,
   key = ln(u) / weight; the largest keys win, ties to the smaller id.
3. Inspectors, inspection by inspection in that order: those with a declared conflict
   with the enterprise and those on its previous drawn team are out; of the rest the
   `min_inspectors` with the lightest load so far are taken, ties broken by
   HMAC-SHA256(seed, "inspector:<enterprise id>:<inspector id>") then by id.
4. Dates: inspection i of n is planned on period_start + floor(i × days / n).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from datetime import date, timedelta
from typing import Any

from ecozone.supervision.model import (
    CATEGORY_ORDER,
    CandidateStatus,
    Category,
    SupervisionError,
    SupervisionSettings,
)

ALGORITHM = "es-hmac-sha256/1"
SEED_BYTES = 32


def canonical(value: Any) -> bytes:
    """The one byte form hashed and published: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def commitment(seed_hex: str) -> str:
    """SHA-256 of the seed's bytes, hex: published before the draw."""
    return hashlib.sha256(_seed(seed_hex)).hexdigest()


def inputs_digest(inputs: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(inputs)).hexdigest()


def _seed(seed_hex: str) -> bytes:
    try:
        seed = bytes.fromhex(seed_hex)
    except (TypeError, ValueError):
        raise SupervisionError("seed: not a hex string") from None
    if len(seed) != SEED_BYTES:
        raise SupervisionError(f"seed: {len(seed)} bytes; {SEED_BYTES} expected")
    return seed


def _mac(seed: bytes, label: str) -> int:
    return int.from_bytes(hmac.new(seed, label.encode(), hashlib.sha256).digest(), "big")


def es_key(seed: bytes, enterprise_id: int, weight: float) -> float:
    """Efraimidis–Spirakis key ln(u)/w (2006, "Weighted random sampling with a reservoir"):
    taking the largest keys samples without replacement with probability ∝ weight."""
    u = (_mac(seed, f"enterprise:{enterprise_id}") + 0.5) / 2**256
    return math.log(u) / weight


def weight(
    open_alerts: int, positive: bool, settings: SupervisionSettings, credit_factor: float = 1.0
) -> float:
    """Raised by open alerts and poor credit, lowered on the positive list and by good credit
    (plan item 17; domain-2.md §6 "诚信企业 get non-site checks first"; the credit factor is
    the rule data's `draw_weight` of the enterprise's level); rounded so the published
    number is the one used."""
    w = (
        (1 + settings.alert_weight_step * open_alerts)
        * (settings.positive_weight if positive else 1.0)
        * credit_factor
    )
    return round(w, 6)


def cap_window(category: str, day: date, settings: SupervisionSettings) -> tuple[date, date]:
    """[first, last] day of the calendar block holding `day` in which one on-site check is
    the cap: a quarter for high-risk enterprises, a year for ordinary ones (渝 2025,
    domain-2.md §6; both settings)."""
    months = (
        settings.high_risk_cap_months
        if category in settings.high_risk
        else settings.ordinary_cap_months
    )
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + months
    end = date(day.year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def category_of(key_permit: bool, attention: bool) -> Category:
    """Key dischargers are those with a key-class permit; staff set special attention; the
    rest are general units."""
    if key_permit:
        return Category.KEY
    return Category.ATTENTION if attention else Category.GENERAL


def quota_count(quota: dict[str, Any] | None, size: int) -> int:
    """How many of a category of `size` to inspect: a count, or ceil(ratio × size)."""
    if not quota:
        return 0
    if "count" in quota:
        return min(int(quota["count"]), size)
    return min(math.ceil(float(quota["ratio"]) * size - 1e-9), size)


def check_quota(category: str, quota: dict[str, Any]) -> dict[str, Any]:
    """A quota as stored: {"ratio": r} with 0 ≤ r ≤ 1 or {"count": n} with n ≥ 0."""
    try:
        if set(quota) == {"ratio"} and 0 <= float(quota["ratio"]) <= 1:
            return {"ratio": float(quota["ratio"])}
        if set(quota) == {"count"} and int(quota["count"]) >= 0:
            return {"count": int(quota["count"])}
    except (TypeError, ValueError):
        pass
    raise SupervisionError(f"{category} 抽查比例或数量无效：比例须在 0–1 之间，数量须 ≥ 0")


def eligible_inspectors(inputs: dict[str, Any], candidate: dict[str, Any]) -> list[dict]:
    """Inspectors who may go to `candidate`: no declared conflict, not on its previous team."""
    previous = set(candidate.get("previous_inspectors", ()))
    return [
        i
        for i in inputs["inspectors"]
        if candidate["id"] not in i.get("conflicts", ()) and i["id"] not in previous
    ]


def short_of_inspectors(inputs: dict[str, Any]) -> list[str]:
    """Names of candidates that could not get `min_inspectors` inspectors if drawn."""
    need = inputs["min_inspectors"]
    return [
        c["name"]
        for c in inputs["candidates"]
        if c["status"] in (CandidateStatus.ELIGIBLE, CandidateStatus.TRIGGERED)
        and len(eligible_inspectors(inputs, c)) < need
    ]


def draw(inputs: dict[str, Any], seed_hex: str) -> dict[str, Any]:
    """The result of the draw over `inputs` with this seed; see the module docstring."""
    seed = _seed(seed_hex)
    chosen: list[dict[str, Any]] = []
    for category in CATEGORY_ORDER:
        members = [c for c in inputs["candidates"] if c["category"] == category]
        wanted = quota_count(inputs["quotas"].get(category), len(members))
        forced = sorted(
            (c for c in members if c["status"] == CandidateStatus.TRIGGERED), key=lambda c: c["id"]
        )
        pool = [c for c in members if c["status"] == CandidateStatus.ELIGIBLE]
        pool.sort(key=lambda c: (-es_key(seed, c["id"], c["weight"]), c["id"]))
        chosen += forced + pool[: max(0, wanted - len(forced))]
    start = date.fromisoformat(inputs["period_start"])
    days = (date.fromisoformat(inputs["period_end"]) - start).days + 1
    load = {i["id"]: 0 for i in inputs["inspectors"]}
    need = inputs["min_inspectors"]
    inspections = []
    for n, candidate in enumerate(chosen):
        free = eligible_inspectors(inputs, candidate)
        if len(free) < need:
            raise SupervisionError(f"{candidate['name']}：可抽取的执法人员不足 {need} 名")
        free.sort(
            key=lambda i: (
                load[i["id"]],
                _mac(seed, f"inspector:{candidate['id']}:{i['id']}"),
                i["id"],
            )
        )
        team = sorted(i["id"] for i in free[:need])
        for inspector_id in team:
            load[inspector_id] += 1
        inspections.append(
            {
                "enterprise_id": candidate["id"],
                "credit_code": candidate["credit_code"],
                "name": candidate["name"],
                "category": candidate["category"],
                "triggered": candidate["status"] == CandidateStatus.TRIGGERED,
                "date": (start + timedelta(days=n * days // len(chosen))).isoformat(),
                "inspectors": team,
            }
        )
    return {"algorithm": ALGORITHM, "inspections": inspections}


def record(inputs: dict[str, Any], seed_hex: str | None, result: dict | None) -> dict[str, Any]:
    """The published draw record: before the draw without seed and result."""
    return {
        "algorithm": ALGORITHM,
        "inputs": inputs,
        "inputs_sha256": inputs_digest(inputs),
        "commitment": commitment(seed_hex) if seed_hex else None,
        "seed": seed_hex if result is not None else None,
        "result": result,
    }


def verify(doc: Any) -> list[str]:
    """What differs in a published draw record; empty when it verifies."""
    if not isinstance(doc, dict):
        return ["记录不是 JSON 对象 (not a JSON object)"]
    missing = [
        k for k in ("inputs", "inputs_sha256", "commitment", "seed", "result") if not doc.get(k)
    ]
    if missing:
        return [f"记录缺少字段 (missing fields): {', '.join(missing)}"]
    if doc.get("algorithm") != ALGORITHM:
        return [f"未知的抽取算法 (unknown algorithm): {doc.get('algorithm')!r}"]
    problems = []
    try:
        seed_ok = hmac.compare_digest(commitment(doc["seed"]), str(doc["commitment"]))
    except SupervisionError as exc:
        return [f"种子无效 (seed invalid): {exc}"]
    if not seed_ok:
        problems.append("种子与承诺值不符 (seed does not match the commitment)")
    digest = inputs_digest(doc["inputs"])
    if digest != doc["inputs_sha256"]:
        problems.append(
            f"抽取输入被改动 (inputs altered): SHA-256 为 {digest}，记录为 {doc['inputs_sha256']}"
        )
    try:
        again = draw(doc["inputs"], doc["seed"])
    except (SupervisionError, KeyError, TypeError, ValueError) as exc:
        return [*problems, f"无法重算抽取 (draw cannot be recomputed): {exc}"]
    if again != doc["result"]:
        problems.append(
            "抽取结果被改动 (result altered): " + _first_difference(again, doc["result"])
        )
    return problems


def _first_difference(expected: dict[str, Any], stated: Any) -> str:
    want = expected["inspections"]
    have = stated.get("inspections") if isinstance(stated, dict) else None
    if not isinstance(have, list):
        return "记录中没有抽取结果列表"
    if len(want) != len(have):
        return f"重算得到 {len(want)} 项检查，记录为 {len(have)} 项"
    for n, (a, b) in enumerate(zip(want, have, strict=True), 1):
        if a != b:
            field = next((k for k in a if not isinstance(b, dict) or a[k] != b.get(k)), "?")
            stated_value = b.get(field) if isinstance(b, dict) else b
            return f"第 {n} 项（{a['name']}）的 {field}：重算为 {a[field]}，记录为 {stated_value}"
    return "结果的其他字段不同"
