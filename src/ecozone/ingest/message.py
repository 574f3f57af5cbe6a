"""A verdict as one message of the durable log, and back: pure, no I/O.

The gateway judges a frame and publishes what the writer needs to store it:
the raw record (bytes, peer, receive instant, verdict, reason), the
measurement rows, and the device's MN and protocol for its last-seen stamp.
JSON with the rows as arrays in a fixed column order keeps a 6-pollutant
minute frame near 1.4 KB. The message id lets JetStream drop a second
publish of the same frame inside its duplicate window: a frame that parsed
(it has a QN) is named by its bytes, so a device re-sending an unanswered
upload adds nothing; anything else by its receipt (peer, instant, bytes).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ecozone.ingest.rules import Reason, Verdict

FORMAT = 1
# Measurement row columns in the order a message carries them.
ROW_COLUMNS = (
    "point_id", "kind", "pollutant", "data_time",
    "rtd", "avg", "min", "max", "cou", "zs_rtd", "zs_avg", "zs_min", "zs_max",
    "flag", "eflag", "received_at", "resent",
)  # fmt: skip
_TIMES = ("data_time", "received_at")


class MessageError(ValueError):
    """A message the writer cannot read: wrong format version or broken fields."""


@dataclass(frozen=True)
class LoggedDevice:
    """The registry device as far as storing needs it (write_verdicts reads `mn`)."""

    mn: str


@dataclass(frozen=True)
class LoggedPacket:
    """The parsed frame as far as storing needs it (`protocol_version` for last-seen)."""

    protocol_version: str


def subject_of(prefix: str, verdict: Verdict) -> str:
    """`<prefix>.accepted` or `<prefix>.rejected`: follow-up consumers read only the first."""
    return f"{prefix}.{'accepted' if verdict.accepted else 'rejected'}"


def message_id(verdict: Verdict) -> str:
    """JetStream's de-duplication id (header Nats-Msg-Id) of a verdict's frame."""
    raw = verdict.raw
    data = bytes(raw["data"])
    if raw.get("qn") and raw.get("mn"):
        return "f-" + hashlib.blake2b(data, digest_size=16).hexdigest()
    return "r-" + receipt(verdict).hex()


def receipt(verdict: Verdict) -> bytes:
    """The 16-byte name of one receipt of a frame (peer, receive instant, bytes): the key
    by which a writer stores a log message once however often it is delivered."""
    raw = verdict.raw
    named = f"{raw.get('peer')}|{raw['received_at'].isoformat()}|".encode() + bytes(raw["data"])
    return hashlib.blake2b(named, digest_size=16).digest()


def encode(verdict: Verdict) -> bytes:
    """The message body of a verdict (already made storable by rules.make_storable)."""
    raw = verdict.raw
    body: dict[str, Any] = {
        "v": FORMAT,
        "accepted": verdict.accepted,
        "kind": None if verdict.kind is None else str(verdict.kind),
        "received_at": _instant(raw["received_at"]),
        "peer": raw["peer"],
        "mn": raw.get("mn"),
        "cn": raw.get("cn"),
        "qn": raw.get("qn"),
        "verdict": raw.get("verdict", "accepted" if verdict.accepted else "rejected"),
        "reason": raw.get("reason"),
        "data": base64.b64encode(bytes(raw["data"])).decode("ascii"),
    }
    if verdict.accepted and verdict.device is not None and verdict.packet is not None:
        body["device"] = [verdict.device.mn, verdict.packet.protocol_version]
    if verdict.rows:
        body["rows"] = [_row(row) for row in verdict.rows]
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def decode(payload: bytes) -> Verdict:
    """The verdict a message carries, ready for ingest.service.write_isolating."""
    try:
        body = json.loads(payload)
        if body.get("v") != FORMAT:
            raise MessageError(f"message format {body.get('v')!r}, this writer reads {FORMAT}")
        received_at = datetime.fromisoformat(body["received_at"])
        raw = {
            "received_at": received_at,
            "peer": body["peer"],
            "mn": body.get("mn"),
            "cn": body.get("cn"),
            "qn": body.get("qn"),
            "verdict": body["verdict"],
            "data": base64.b64decode(body["data"], validate=True),
        }
        if body.get("reason") is not None:
            raw["reason"] = body["reason"]
        rows = [_unrow(values) for values in body.get("rows", ())]
        kind = Reason(body["kind"]) if body.get("kind") else None
        device = packet = None
        if body.get("device"):
            mn, version = body["device"]
            device, packet = LoggedDevice(mn), LoggedPacket(version)
    except MessageError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise MessageError(f"unreadable message: {exc.__class__.__name__}: {exc}") from None
    return Verdict(bool(body["accepted"]), body.get("reason"), raw, packet, device, rows, kind=kind)  # type: ignore[arg-type]


def _instant(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"naive received_at {value.isoformat()}; it needs a tzinfo")
    return value.astimezone(UTC).isoformat()


def _row(row: dict[str, Any]) -> list[Any]:
    values = []
    for name in ROW_COLUMNS:
        value = row.get(name)
        if name == "received_at" and value is not None:
            value = _instant(value)
        elif name == "data_time" and value is not None:
            value = value.isoformat()
        values.append(value)
    return values


def _unrow(values: list[Any]) -> dict[str, Any]:
    if len(values) != len(ROW_COLUMNS):
        raise MessageError(f"a row of {len(values)} values, expected {len(ROW_COLUMNS)}")
    pairs = zip(ROW_COLUMNS, values, strict=True)
    row = {name: value for name, value in pairs if value is not None}
    for name in _TIMES:
        if name in row:
            row[name] = datetime.fromisoformat(row[name])
    return row
