# encode(): Packet in, exact frame bytes out. The inverse of parse() for any
# packet parse() can return in strict mode: parse(encode(p)) == p.

from __future__ import annotations

import re
from datetime import datetime

from ecozone.hj212 import _accel, _sm4
from ecozone.hj212._errors import MalformedField
from ecozone.hj212._fields import format_number, format_time
from ecozone.hj212._packet import Packet

#: Characters no field may hold: they delimit the frame's parts (HJ 212-2017 6.3).
RESERVED = re.compile(r"[;,=&\r\n]")


def encode(
    packet: Packet, *, sm4_key: bytes | None = None, length_counts: str = "plaintext"
) -> bytes:
    """The whole frame for a packet: '##', length, data segment, CRC, CR LF.

    With `sm4_key`, the CP of CN 2000-2999, 1014 and 3020 is written SM4-encrypted
    (HJ 212-2025 §6.4, Appendix A.2): the CRC covers the plaintext segment and
    the length field counts the plaintext, as the standard's examples do, or the
    transmitted segment with length_counts="transmitted" (implementations differ).
    """
    data = encode_data_segment(packet).encode("utf-8")
    if len(data) > 9999:
        raise MalformedField(f"data segment of {len(data)} bytes cannot be framed (max 9999)")
    crc = _accel.crc16(data)
    if sm4_key is None or not _sm4.encrypted_cn(packet.cn):
        return b"##%04d%s%04X\r\n" % (len(data), data, crc)
    if length_counts not in ("plaintext", "transmitted"):
        raise ValueError(f"length_counts={length_counts!r}: 'plaintext' or 'transmitted'")
    sent = _sm4.encrypt_segment(sm4_key, data)
    length = len(data) if length_counts == "plaintext" else len(sent)
    if length > 9999:
        raise MalformedField(f"data segment of {length} bytes cannot be framed (max 9999)")
    return b"##%04d%s%04X\r\n" % (length, sent, crc)


def encode_data_segment(packet: Packet) -> str:
    parts = []
    if packet.qn is not None:
        parts.append(f"QN={_text(packet.qn, 'QN')}")
    parts.append(f"ST={_text(packet.st, 'ST')}")
    parts.append(f"CN={_text(packet.cn, 'CN')}")
    parts.append(f"PW={_text(packet.pw, 'PW')}")
    parts.append(f"MN={_text(packet.mn, 'MN')}")
    if packet.flag is not None:
        parts.append(f"Flag={packet.flag}")
    if packet.pnum is not None:
        parts.append(f"PNUM={packet.pnum}")
    if packet.pno is not None:
        parts.append(f"PNO={packet.pno}")
    for key, value in packet.extra:
        parts.append(f"{_text(key, 'header field name')}={_text(value, key)}")
    parts.append(f"CP=&&{encode_cp(packet)}&&")
    return ";".join(parts)


def encode_cp(packet: Packet) -> str:
    cp = packet.cp
    items = []
    if cp.data_time is not None:
        items.append(f"DataTime={_time(cp.data_time, 'DataTime')}")
    for key, value in cp.fields.items():
        if "-" in key:
            raise MalformedField(f"CP field name {key!r} contains '-', which marks a code")
        items.append(f"{_text(key, 'CP field name')}={_value(value, key)}")
    for code, subfields in cp.pollutants.items():
        if not subfields:
            continue
        if "-" in code:
            raise MalformedField(f"code {code!r} contains '-'")
        _text(code, "code")
        items.append(
            ",".join(
                f"{code}-{_text(sub, 'sub-field')}={_value(value, code, sub)}"
                for sub, value in subfields.items()
            )
        )
    return ";".join(items)


def _value(value: object, where: str, sub: str | None = None) -> str:
    """Wire text of a value; `where` (and `sub`) name it in errors, joined only then."""
    if type(value) is float:  # the common case first
        if value != value or value in (_INF, -_INF):
            raise MalformedField(f"{_where(where, sub)}: {value!r} cannot be sent in HJ 212")
        return repr(value)
    if sub is not None:
        where = _where(where, sub)
    if isinstance(value, bool):
        raise MalformedField(f"{where}: booleans have no HJ 212 form")
    if isinstance(value, float):
        try:
            return format_number(value)
        except ValueError as exc:
            raise MalformedField(f"{where}: {exc}") from None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return _time(value, where)
    if value is None:
        return ""
    return _text(str(value), where)


_INF = float("inf")


def _where(code: str, sub: str | None) -> str:
    return code if sub is None else f"{code}-{sub}"


def _time(value: datetime, where: str) -> str:
    if value.tzinfo is not None or value.microsecond:
        raise MalformedField(f"{where}: HJ 212 times are local wall-clock times in whole seconds")
    return format_time(value)


def _text(value: str, where: str) -> str:
    if RESERVED.search(value):
        raise MalformedField(f"{where}={value!r} contains a reserved character ; , = & CR LF")
    return value
