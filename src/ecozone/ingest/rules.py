"""Judging one frame: parse, authenticate, turn data into measurement rows.

Pure functions over plain data (no I/O). The frame is parsed leniently
first so that its MN is known even when the device's deviations are not
tolerated; a strict device whose frame needs tolerance is then rejected
with the deviations named.
"""

from __future__ import annotations

import hmac
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ecozone import hj212
from ecozone.hj212.codes import code_from_2005

# Data uploads and the kind of measurement each carries (HJ 212-2017 Table 9).
KIND_BY_CN = {"2011": "rtd", "2051": "minute", "2061": "hour", "2031": "day"}
# Sub-field -> measurement column (HJ 212-2017 Table 4).
COLUMN_BY_SUBFIELD = {
    "Rtd": "rtd", "Avg": "avg", "Min": "min", "Max": "max", "Cou": "cou",
    "ZsRtd": "zs_rtd", "ZsAvg": "zs_avg", "ZsMin": "zs_min", "ZsMax": "zs_max",
}  # fmt: skip
# Magnitudes beyond this are transmission garbage, not measurements.
MAX_ABS_VALUE = 1e12
# Device clocks drift; data stamped further ahead than this is refused.
MAX_CLOCK_AHEAD = timedelta(days=1)

_MN_SNIFF = re.compile(rb"MN=([0-9A-Za-z]{1,27})[;,&]")
_CN_SNIFF = re.compile(rb"CN=(\d{4})[;,&]")
_QN_SNIFF = re.compile(rb"QN=(\d{1,20})[;,&]")


@dataclass
class Verdict:
    """What to store and answer for one frame."""

    accepted: bool
    reason: str | None
    raw: dict[str, Any]
    packet: hj212.Packet | None = None
    device: Any = None
    rows: list[dict[str, Any]] = field(default_factory=list)


def sniff(frame: bytes) -> dict[str, str | None]:
    """MN, CN and QN read from raw bytes, for the record of a frame that did not parse."""
    found = {}
    for name, pattern in (("mn", _MN_SNIFF), ("cn", _CN_SNIFF), ("qn", _QN_SNIFF)):
        match = pattern.search(frame)
        found[name] = match.group(1).decode("ascii") if match else None
    return found


def judge(
    frame: bytes,
    *,
    peer: str,
    devices: Mapping[str, Any],
    received_at: datetime,
    local_now: datetime,
) -> Verdict:
    """Decide on one frame. `devices` maps MN to registry devices (password, point_id, lenient).

    `received_at` is aware (stored as received); `local_now` is the naive
    China Standard Time clock that device DataTime is compared with.
    """
    raw: dict[str, Any] = {"received_at": received_at, "peer": peer, "data": bytes(frame)}
    try:
        packet = hj212.parse(frame, lenient=True)
    except hj212.ProtocolError as exc:
        return _reject(raw, exc.reason, **sniff(frame))
    raw.update(mn=packet.mn, cn=packet.cn, qn=packet.qn)

    device = devices.get(packet.mn)
    if device is None:
        return _reject(raw, f"unknown MN {packet.mn}")
    if not hmac.compare_digest(packet.pw.encode(), device.password.encode()):
        return _reject(raw, f"wrong password for MN {packet.mn}")
    if packet.deviations and not device.lenient:
        listed = "; ".join(packet.deviations)
        return _reject(raw, f"device {packet.mn} is strict and the frame deviates: {listed}")

    kind = KIND_BY_CN.get(packet.cn)
    rows: list[dict[str, Any]] = []
    if kind is not None and not packet.is_packetized:  # parts wait for the whole message
        try:
            rows = measurement_rows(packet, device.point_id, kind, received_at, local_now)
        except ValueError as exc:
            return _reject(raw, str(exc))
    raw["verdict"] = "accepted"
    return Verdict(True, None, raw, packet, device, rows)


def measurement_rows(
    packet: hj212.Packet,
    point_id: int,
    kind: str,
    received_at: datetime,
    local_now: datetime,
) -> list[dict[str, Any]]:
    """One row per code in the CP; HJ/T 212-2005 codes are mapped to their 2017 codes.

    Raises ValueError naming the field when the data cannot be stored as sent.
    """
    data_time = packet.cp.data_time
    if data_time is None:
        raise ValueError(f"CN {packet.cn} data upload without a valid DataTime")
    if data_time > local_now + MAX_CLOCK_AHEAD:
        raise ValueError(f"DataTime {data_time:%Y-%m-%d %H:%M:%S} is more than a day ahead")
    legacy = packet.protocol_version == "2005"
    rows = []
    for code, subfields in packet.cp.pollutants.items():
        row: dict[str, Any] = {}
        for sub, value in subfields.items():
            column = COLUMN_BY_SUBFIELD.get(sub)
            if column is not None:
                if value is not None and (not math.isfinite(value) or abs(value) > MAX_ABS_VALUE):
                    raise ValueError(f"{code}-{sub}={value!r} is out of range")
                row[column] = value
        if not row:
            continue  # SampleTime-only or informational entries carry no measurement
        flag = subfields.get("Flag")
        eflag = subfields.get("EFlag")
        if isinstance(flag, str) and len(flag) > 4:
            raise ValueError(f"{code}-Flag={flag!r} is longer than a data flag")
        if isinstance(eflag, str) and len(eflag) > 8:
            raise ValueError(f"{code}-EFlag={eflag!r} is longer than 8 characters")
        if len(code) > 16:
            raise ValueError(f"code {code!r} is longer than 16 characters")
        row.update(
            point_id=point_id,
            kind=kind,
            pollutant=code_from_2005(code) if legacy else code,
            data_time=data_time,
            flag=flag,
            eflag=eflag,
            received_at=received_at,
        )
        rows.append(row)
    return rows


def _reject(raw: dict[str, Any], reason: str, **sniffed: str | None) -> Verdict:
    for key, value in sniffed.items():
        raw.setdefault(key, value)
    raw["verdict"] = "rejected"
    raw["reason"] = reason
    return Verdict(False, reason, raw)


def answer_for(packet: hj212.Packet) -> hj212.Packet | None:
    """The answer the standard asks of the upper computer, if any.

    Uploads with the A bit get a data response (9014); notifications from the
    device (time-calibration request 1013) and the HJ 212-2025 heartbeat
    (9015) get a notification response (9013); answers are never answered.
    """
    if packet.cn in ("9015", "1013"):
        return hj212.notification_response(packet)
    if packet.cn.startswith("90"):
        return None
    if packet.needs_ack:
        return hj212.data_response(packet)
    return None


BACKFILL_KINDS = {"minute": timedelta(minutes=10), "hour": timedelta(hours=1)}
MAX_BACKFILL = timedelta(days=7)


def backfill_range(
    kind: str, data_time: datetime, stored: list[datetime]
) -> tuple[datetime, datetime] | None:
    """The range of history to request after a reconnect, or None when nothing is missing.

    `stored` holds the newest stored data times before `data_time`, newest
    first. The step between the two newest gives the device's interval (the
    default for minute data is 10 minutes); a gap longer than 1.5 steps is a
    hole, requested from the first missing slot to the slot before
    `data_time`, at most MAX_BACKFILL back (HJ 212-2017 C.20/C.21).
    """
    if kind not in BACKFILL_KINDS or not stored:
        return None
    step = BACKFILL_KINDS[kind]
    if len(stored) >= 2 and kind == "minute":
        step = stored[0] - stored[1]
    if step <= timedelta(0) or data_time - stored[0] <= step * 1.5:
        return None
    begin = max(stored[0] + step, data_time - MAX_BACKFILL)
    end = data_time - step
    return (begin, end) if begin <= end else None
