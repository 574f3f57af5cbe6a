"""Judging one frame: parse, authenticate, turn data into measurement rows.

Pure functions over plain data (no I/O). The frame is parsed leniently
first so that its MN is known even when the device's deviations are not
tolerated; a strict device whose frame needs tolerance is then rejected
with the deviations named. Text the database cannot hold (NUL, controls) is
refused here, at the boundary, so it never reaches a batch.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ecozone import hj212
from ecozone.hj212.codes import code_from_2005
from ecozone.textguard import UnstorableText, check_text, find_unstorable, printable

# Data uploads and the kind of measurement each carries (HJ 212-2017 Table 9), and the
# HJ 212-2025 uploads stored beside them: 2013 raw data (VOCs), 2052 noise single
# measurement, 2062 standard-sample check, 2111 furnace temperature 5-minute mean.
KIND_BY_CN = {
    "2011": "rtd", "2051": "minute", "2061": "hour", "2031": "day",
    "2013": "raw", "2052": "single", "2062": "check", "2111": "five_min",
}  # fmt: skip
# Minute, hour and day values are stamped with the start of their period (HJ 212-2017
# Table 4, DataTime). Minute data: the start of the minute (its interval is the
# device's MinInterval, which the platform does not always know).
PERIOD_OF_KIND = {"minute": "minute", "hour": "hour", "day": "day"}
# HJ 212-2025 CN 1014 rotation: the previous SM4 key stays valid this long by default.
DEFAULT_KEY_GRACE = timedelta(hours=24)
# Sub-field -> measurement column (HJ 212-2017 Table 4).
COLUMN_BY_SUBFIELD = {
    "Rtd": "rtd", "Avg": "avg", "Min": "min", "Max": "max", "Cou": "cou",
    "ZsRtd": "zs_rtd", "ZsAvg": "zs_avg", "ZsMin": "zs_min", "ZsMax": "zs_max",
    # Noise: the value of the measuring period (HJ 212-2017 §6.6.4 table: xxxxxx-Data,
    # tables C.26/C.27 Leq-Data, LMx-Data) is the period's value, as Avg is for the others.
    "Data": "avg",
}  # fmt: skip
# Magnitudes beyond this are transmission garbage, not measurements.
MAX_ABS_VALUE = 1e12
# Device clocks drift; data stamped further ahead than this is refused.
MAX_CLOCK_AHEAD = timedelta(days=1)

_MN_SNIFF = re.compile(rb"MN=([0-9A-Za-z_.\-]{1,27})[;,&]")
_CN_SNIFF = re.compile(rb"CN=(\d{4})[;,&]")
_QN_SNIFF = re.compile(rb"QN=(\d{1,20})[;,&]")


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))

# Text columns of a raw_frame record and of a measurement row.
RAW_TEXT_FIELDS = ("peer", "mn", "cn", "qn", "reason")
ROW_TEXT_FIELDS = ("pollutant", "flag", "eflag")


class Reason(StrEnum):
    """Why a frame was rejected; the stored reason text adds the details."""

    PROTOCOL = "protocol"  # the frame does not parse (framing, CRC, header fields)
    UNKNOWN_MN = "unknown_mn"
    ANNOUNCED = "announced"  # unknown MN announcing its logger (HJ 212-2025 CN 1001)
    WRONG_PASSWORD = "wrong_password"
    STRICT_DEVIATION = "strict_deviation"  # a strict device's frame needs tolerance
    NOT_ENCRYPTED = "not_encrypted"  # plaintext from a device that must use SM4
    BAD_DATA = "bad_data"  # data that cannot be stored as sent (times, ranges, lengths)
    UNSTORABLE_TEXT = "unstorable_text"  # NUL or another control character in a field
    DATABASE_REFUSED = "database_refused"  # the database refused the frame's rows
    JUNK = "junk"  # bytes outside any frame


@dataclass
class Verdict:
    """What to store and answer for one frame."""

    accepted: bool
    reason: str | None
    raw: dict[str, Any]
    packet: hj212.Packet | None = None
    device: Any = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    # The SM4 key the frame was decrypted with (answers are encrypted with it).
    sm4_key: bytes | None = None
    # Why it was rejected (None when accepted).
    kind: Reason | None = None


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
    key_grace: timedelta = DEFAULT_KEY_GRACE,
) -> Verdict:
    """Decide on one frame. `devices` maps MN to registry devices (password, point_id, lenient).

    `received_at` is aware (stored as received); `local_now` is the naive
    China Standard Time clock that device DataTime is compared with. An
    SM4-encrypted frame is read with the device's key, or with the key it
    replaced for `key_grace` after a CN 1014 rotation. The registry is the
    authority on who a device is: a registered MN is accepted whatever its
    shape, strict device or not. Tolerated deviations are recorded in the
    raw frame's reason.
    """
    raw: dict[str, Any] = {"received_at": received_at, "peer": peer, "data": bytes(frame)}
    key = None
    try:
        packet = hj212.parse(frame, lenient=True)
    except hj212.KeyRequired as exc:
        packet, key, reason = _decrypt(frame, devices.get(exc.mn or ""), received_at, key_grace)
        if packet is None:
            return _reject(raw, Reason.PROTOCOL, reason or exc.reason, **sniff(frame))
    except hj212.ProtocolError as exc:
        return _reject(raw, Reason.PROTOCOL, exc.reason, **sniff(frame))
    # A plaintext frame of printable ASCII holds no character the platform refuses, so
    # its fields need no look (the common case; decrypted text is always looked at).
    clean = not packet.encrypted and not frame.translate(None, _PRINTABLE_ASCII).strip(b"\r\n")
    unstorable = None if clean else unstorable_text(packet)
    if unstorable is not None:
        raw.update(mn=_shown(packet.mn), cn=_shown(packet.cn), qn=_shown(packet.qn))
        return _reject(raw, Reason.UNSTORABLE_TEXT, unstorable)
    raw.update(mn=packet.mn, cn=packet.cn, qn=packet.qn)

    device = devices.get(packet.mn)
    if device is None:
        if packet.cn == "1001":  # HJ 212-2025 onboarding: kept as a pending device, not data
            verdict = _reject(
                raw, Reason.ANNOUNCED, f"unknown MN {packet.mn} announced its logger (CN 1001)"
            )
            verdict.packet = packet
            return verdict
        return _reject(raw, Reason.UNKNOWN_MN, f"unknown MN {packet.mn}")
    if not hmac.compare_digest(packet.pw.encode(), device.password.encode()):
        return _reject(raw, Reason.WRONG_PASSWORD, f"wrong password for MN {packet.mn}")
    shape = hj212.mn_deviation(packet.mn, packet.protocol_version)
    deviations = [d for d in packet.deviations if d != shape]
    if deviations and not device.lenient:
        listed = "; ".join(deviations)
        return _reject(
            raw,
            Reason.STRICT_DEVIATION,
            f"device {packet.mn} is strict and the frame deviates: {listed}",
        )
    if _must_be_encrypted(device, packet, frame):
        return _reject(
            raw,
            Reason.NOT_ENCRYPTED,
            f"device {packet.mn} must encrypt CN {packet.cn} with SM4 (HJ 212-2025 §6.4);"
            " the frame is plaintext",
        )

    kind = KIND_BY_CN.get(packet.cn)
    rows: list[dict[str, Any]] = []
    if kind is not None and packet.cp.data_time is not None:
        misaligned = period_deviation(kind, packet.cp.data_time)
        if misaligned is not None:
            if not device.lenient:
                return _reject(
                    raw, Reason.STRICT_DEVIATION, f"device {packet.mn} is strict and {misaligned}"
                )
            start = period_start(kind, packet.cp.data_time)
            deviations.append(f"{misaligned}; filed at {start:%Y-%m-%d %H:%M:%S}")
    if kind is not None and not packet.is_packetized:  # parts wait for the whole message
        try:
            rows = measurement_rows(
                packet, device.point_id, kind, received_at, local_now, lenient=device.lenient
            )
        except ValueError as exc:
            return _reject(raw, Reason.BAD_DATA, str(exc))
    raw["verdict"] = "accepted"
    tolerated = deviations + ([shape] if shape in packet.deviations else [])
    if tolerated:
        raw["reason"] = "tolerated: " + "; ".join(tolerated)
    return Verdict(True, None, raw, packet, device, rows, sm4_key=key)


def _must_be_encrypted(device: Any, packet: hj212.Packet, frame: bytes) -> bool:
    """A plaintext upload of CN 2000-2999, 1014 or 3020 from a device that must encrypt;
    a CP shorter than one 16-byte block is sent as it is (Appendix A.2)."""
    return (
        getattr(device, "encryption_required", False)
        and hj212.encrypted_cn(packet.cn)
        and not packet.encrypted
        and _cp_length(frame) >= 16
    )


def _cp_length(frame: bytes) -> int:
    """Bytes between 'CP=&&' and the closing '&&' of a frame."""
    start = frame.find(b"CP=&&") + 5
    return max(frame.rfind(b"&&") - start, 0)


def device_keys(device: Any, received_at: datetime, grace: timedelta) -> list[bytes]:
    """The SM4 keys a device's frames may be encrypted with now: its key, and the one
    it replaced through CN 1014 while the grace period lasts (HJ 212-2025 §6.4)."""
    if device is None or getattr(device, "sm4_key", None) is None:
        return []
    keys = [device.sm4_key]
    changed = device.sm4_key_changed_at
    previous = device.sm4_previous_key
    if previous is not None and changed is not None and received_at - changed <= grace:
        keys.append(previous)
    return keys


def _decrypt(
    frame: bytes, device: Any, received_at: datetime, grace: timedelta
) -> tuple[hj212.Packet | None, bytes | None, str | None]:
    keys = device_keys(device, received_at, grace)
    if device is not None and not keys:
        return None, None, f"frame is SM4-encrypted and MN {device.mn} has no SM4 key registered"
    error: hj212.ProtocolError | None = None
    for key in keys:
        try:
            return hj212.parse(frame, lenient=True, sm4_key=key), key, None
        except hj212.CrcMismatch as exc:  # another key, or corruption: try the next
            error = exc
        except hj212.ProtocolError as exc:
            return None, None, exc.reason
    if error is not None:
        return None, None, f"SM4-encrypted frame does not decrypt with the keys of MN {device.mn}"
    return None, None, None


def period_start(kind: str, data_time: datetime) -> datetime:
    """The start of the minute, hour or day that `data_time` falls in."""
    period = PERIOD_OF_KIND[kind]
    if period == "minute":
        return data_time.replace(second=0, microsecond=0)
    if period == "hour":
        return data_time.replace(minute=0, second=0, microsecond=0)
    return data_time.replace(hour=0, minute=0, second=0, microsecond=0)


def period_deviation(kind: str, data_time: datetime) -> str | None:
    """What is wrong when a minute/hour/day DataTime is not the start of its period
    (HJ 212-2017 Table 4), or None."""
    if kind not in PERIOD_OF_KIND:
        return None
    start = period_start(kind, data_time)
    if start == data_time:
        return None
    return (
        f"DataTime {data_time:%Y-%m-%d %H:%M:%S} of {kind} data is not the start of its"
        f" {PERIOD_OF_KIND[kind]} (HJ 212-2017 Table 4)"
    )


def measurement_rows(
    packet: hj212.Packet,
    point_id: int,
    kind: str,
    received_at: datetime,
    local_now: datetime,
    *,
    lenient: bool = False,
) -> list[dict[str, Any]]:
    """One row per code in the CP; HJ/T 212-2005 codes are mapped to their 2017 codes.

    Minute, hour and day values whose DataTime is not the start of their
    period are refused, or with `lenient` filed at the period's start, so a
    misaligned upload never becomes a second row. Rows of a packet marked
    RF=1 are marked `resent`. Raises ValueError naming the field when the
    data cannot be stored as sent.
    """
    data_time = packet.cp.data_time
    if data_time is None:
        raise ValueError(f"CN {packet.cn} data upload without a valid DataTime")
    if data_time > local_now + MAX_CLOCK_AHEAD:
        raise ValueError(f"DataTime {data_time:%Y-%m-%d %H:%M:%S} is more than a day ahead")
    misaligned = period_deviation(kind, data_time)
    if misaligned is not None:
        if not lenient:
            raise ValueError(misaligned)
        data_time = period_start(kind, data_time)
    resent = packet.resent
    legacy = packet.protocol_version == "2005"
    rows = []
    column_of = COLUMN_BY_SUBFIELD.get
    for code, subfields in packet.cp.pollutants.items():
        row: dict[str, Any] = {}
        for sub, value in subfields.items():
            column = column_of(sub)
            if column is not None:
                # One chained comparison refuses NaN and infinities too (both compare false).
                if value is not None and not -MAX_ABS_VALUE <= value <= MAX_ABS_VALUE:
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
            resent=resent,
        )
        rows.append(row)
    return rows


def _reject(raw: dict[str, Any], kind: Reason, reason: str, **sniffed: str | None) -> Verdict:
    for key, value in sniffed.items():
        raw.setdefault(key, value)
    reason = printable(reason)  # details may quote what the device sent
    raw["verdict"] = "rejected"
    raw["reason"] = reason
    return Verdict(False, reason, raw, kind=kind)


def _shown(text: str | None) -> str | None:
    return None if text is None else printable(text)


def unstorable_text(packet: hj212.Packet) -> str | None:
    """What in a parsed frame the platform cannot store, naming the field and the
    character (PostgreSQL refuses NUL in text; ecozone.textguard refuses all
    controls), or None. Checked before anything else so that neither the
    rejection record nor the measurements carry it. This runs for every frame:
    one search over all of the packet's text first, and the fields one by one
    only when it finds something."""
    texts = [packet.qn, packet.st, packet.cn, packet.mn, packet.pw]
    for name, value in packet.cp.fields.items():
        texts.append(name)
        if isinstance(value, str):
            texts.append(value)
    for code, subfields in packet.cp.pollutants.items():
        texts.append(code)
        texts.extend(subfields)
        texts.extend(value for value in subfields.values() if isinstance(value, str))
    if find_unstorable(" ".join(text for text in texts if text is not None)) is None:
        return None
    try:
        for name, value in (
            ("QN", packet.qn), ("ST", packet.st), ("CN", packet.cn),
            ("MN", packet.mn), ("PW", packet.pw),
        ):  # fmt: skip
            if value is not None:
                check_text(value, name)
        for name, value in packet.cp.fields.items():
            check_text(name, "CP field name")
            if isinstance(value, str):
                check_text(value, f"CP {name}")
        for code, subfields in packet.cp.pollutants.items():
            check_text(code, "CP code")
            for sub, value in subfields.items():
                check_text(sub, f"CP {code} sub-field name")
                if isinstance(value, str):
                    check_text(value, f"{code}-{sub}")
    except UnstorableText as exc:
        return str(exc)
    return None


def make_storable(verdict: Verdict) -> Verdict:
    """The verdict in a form the database can hold, checked before it joins a batch.

    An accepted verdict whose measurement rows hold unstorable text becomes a
    rejection naming the field; the text fields of the raw record are made
    printable (U+FFFD for each control), so a rejection is always recorded."""
    # One search over all of a verdict's text (this runs for every frame); fields are
    # looked at one by one only when it finds something.
    texts = [
        row[name] for row in verdict.rows for name in ROW_TEXT_FIELDS
        if isinstance(row.get(name), str)
    ]  # fmt: skip
    if verdict.accepted and find_unstorable(" ".join(texts)) is not None:
        try:
            for row in verdict.rows:
                for name in ROW_TEXT_FIELDS:
                    if isinstance(row.get(name), str):
                        check_text(row[name], f"measurement {name}")
        except UnstorableText as exc:
            reject(verdict, Reason.UNSTORABLE_TEXT, str(exc))
    raw = verdict.raw
    texts = [raw[name] for name in RAW_TEXT_FIELDS if isinstance(raw.get(name), str)]
    if find_unstorable(" ".join(texts), multiline=True) is not None:
        for name in RAW_TEXT_FIELDS:
            if isinstance(raw.get(name), str):
                raw[name] = printable(raw[name])
    return verdict


def reject(verdict: Verdict, kind: Reason, reason: str) -> None:
    """Turn a verdict into a rejection (nothing of it but the raw record is stored)."""
    reason = printable(reason)
    verdict.accepted = False
    verdict.kind = kind
    verdict.reason = reason
    verdict.rows = []
    verdict.raw.update(verdict="rejected", reason=reason)


def answer_cn(packet: hj212.Packet) -> str | None:
    """The CN of the answer the standard asks of the upper computer, if any
    (hj212.answer_frame writes it).

    Uploads with the A bit get a data response (9014); notifications from the
    device (time-calibration request 1013) and the HJ 212-2025 heartbeat
    (9015) get a notification response (9013); answers are never answered.
    """
    if packet.cn in ("9015", "1013"):
        return "9013"
    if packet.cn.startswith("90"):
        return None
    if packet.needs_ack:
        return "9014"
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
