"""Onboarding of HJ 212-2025 loggers: CN 1001 announces the hardware, an administrator
approves, and the platform assigns the MN with CN 1002.

A logger the registry does not know that sends CN 1001 (serial i23005, CPU id
i23006, MACs i23007/i23008) is kept in `pending_device`, never as data. An
administrator approves it onto a point: the device is registered with the MN
given, or one the platform derives from the hardware (24 hex digits, as HJ
212-2025 assigns at network activation), and the password the logger sent.
The gateway sends the MN (CN 1002) when the logger next announces itself.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts import audit
from ecozone.registry import rules, secrets, store
from ecozone.registry.model import PendingDevice, PendingStatus, RegistryError
from ecozone.store.schema import device, pending_device

HARDWARE_CODES = {"i23005": "logger_sn", "i23006": "cpu_id", "i23007": "mac1", "i23008": "mac2"}


def hardware_of(pollutants: dict[str, dict[str, Any]]) -> dict[str, str] | None:
    """The hardware a CN 1001 CP announces ({logger_sn, cpu_id, mac1, mac2}), or None
    without a logger serial (i23005-Info). Values are cut to the column width (64)."""
    found = {}
    for code, name in HARDWARE_CODES.items():
        value = pollutants.get(code, {}).get("Info")
        if isinstance(value, str) and value.strip():
            found[name] = value.strip()[:64]
    return found if "logger_sn" in found else None


def _pending(row: dict[str, Any]) -> PendingDevice:
    values = {k: v for k, v in row.items() if k != "password"}
    values["status"] = PendingStatus(values["status"])
    return PendingDevice(**values)


def record_announcement(
    engine: sa.Engine,
    hardware: dict[str, str],
    *,
    sent_mn: str | None,
    password: str,
    st: str,
    peer: str,
    at: datetime,
) -> PendingDevice:
    """Note a CN 1001 announcement: a new pending device, or the known one seen again."""
    sealed = secrets.seal(password, "device.password")
    with store.writing(engine) as conn:
        (row,) = store.select_pending(conn, hardware["logger_sn"]) or (None,)
        values = {
            **{name: hardware.get(name) for name in HARDWARE_CODES.values()},
            "sent_mn": sent_mn, "st": st[:2], "peer": peer, "last_seen_at": at,
        }  # fmt: skip
        if row is None:
            store.insert_row(
                conn, pending_device, {**values, "password": sealed, "first_seen_at": at}
            )
        elif row["status"] == PendingStatus.PENDING:
            store.update_row(conn, pending_device, row["id"], {**values, "password": sealed})
        else:  # approved: the device is registered with the password it had then
            store.update_row(conn, pending_device, row["id"], {"last_seen_at": at, "peer": peer})
        (row,) = store.select_pending(conn, hardware["logger_sn"])
    return _pending(row)


def list_pending(engine: sa.Engine) -> list[PendingDevice]:
    with engine.connect() as conn:
        return [_pending(row) for row in store.select_pending(conn)]


def platform_mn(hardware: dict[str, Any], taken: frozenset[str] | set[str] = frozenset()) -> str:
    """An MN of 24 hex digits derived from the logger's hardware fingerprint."""
    seed = "|".join(str(hardware.get(name) or "") for name in HARDWARE_CODES.values())
    for attempt in range(100):
        mn = hashlib.sha256(f"{seed}|{attempt}".encode()).hexdigest()[:24].upper()
        if mn not in taken:
            return mn
    raise RegistryError(["no free MN could be derived"], heading="not approved")


def approve(
    engine: sa.Engine,
    logger_sn: str,
    *,
    credit_code: str,
    point_code: str,
    actor: str,
    mn: str | None = None,
    st: str | None = None,
    lenient: bool = False,
) -> PendingDevice:
    """Register a pending logger as the device of a point; the MN goes out with CN 1002."""
    heading = f"logger {logger_sn} not approved"
    with store.writing(engine) as conn:
        rows = store.select_pending(conn, logger_sn)
        if not rows:
            raise RegistryError([f"no pending logger has serial {logger_sn}"], heading=heading)
        row = rows[0]
        if row["status"] != PendingStatus.PENDING:
            raise RegistryError(
                [f"it was already approved as MN {row['assigned_mn']}"], heading=heading
            )
        target = store.select_point_with_device(conn, credit_code, point_code)
        if target is None:
            raise RegistryError([f"no point {point_code} of enterprise {credit_code}"],
                                heading=heading)  # fmt: skip
        if target["mn"] is not None:
            raise RegistryError([f"point {point_code} already has device {target['mn']}"],
                                heading=heading)  # fmt: skip
        if mn is None:
            mn = platform_mn(row)
            while store.mn_taken(conn, mn):
                mn = platform_mn(row, {mn})
        elif problem := rules.check_mn(mn):
            raise RegistryError([problem], heading=heading)
        elif store.mn_taken(conn, mn):
            raise RegistryError([f"MN {mn} is already registered"], heading=heading)
        st = st or row["st"]
        if problem := rules.check_st(st):
            raise RegistryError([problem], heading=heading)
        device_id = store.insert_row(conn, device, {
            "point_id": target["id"], "mn": mn, "password": row["password"], "st": st,
            "lenient": lenient,
        })  # fmt: skip
        now = datetime.now(UTC)
        store.update_row(conn, pending_device, row["id"], {
            "status": PendingStatus.APPROVED.value, "assigned_mn": mn,
            "approved_by": actor, "approved_at": now,
        })  # fmt: skip
        audit.record(
            conn, actor=actor, action="approve", entity="device", entity_id=str(device_id),
            before={"logger_sn": logger_sn, "status": "pending"},
            after={"logger_sn": logger_sn, "mn": mn, "point": point_code,
                   "credit_code": credit_code, "password": "***"},
        )  # fmt: skip
        (row,) = store.select_pending(conn, logger_sn)
    return _pending(row)


def mark_assigned(engine: sa.Engine, logger_sn: str) -> None:
    """The logger was sent its MN (CN 1002)."""
    with store.writing(engine) as conn:
        for row in store.select_pending(conn, logger_sn):
            if row["status"] == PendingStatus.APPROVED:
                store.update_row(
                    conn, pending_device, row["id"], {"status": PendingStatus.ASSIGNED.value}
                )
