# parse(): one whole frame in, one Packet out.
#
# Strategy: check the envelope first (header, length, trailer, CRC), cheapest
# test first, then decode the text, split the header fields and hand the CP to
# split_cp (C accelerated when built). Strict mode follows HJ 212-2017 to the
# letter; lenient mode, chosen per device, accepts the deviations real devices
# are known to have and records each one in Packet.deviations.

from __future__ import annotations

import re

from ecozone.hj212 import _accel, _sm4
from ecozone.hj212._crc import swap_bytes
from ecozone.hj212._errors import (
    BadEncoding,
    BadHeader,
    BadLength,
    BadTrailer,
    CrcMismatch,
    FrameTooLong,
    MalformedField,
)
from ecozone.hj212._fields import INT_FIELDS, TIME_FIELDS, parse_time
from ecozone.hj212._packet import VERSION_BY_BITS, CommandParams, Packet, build

MAX_DATA_LENGTH = 1024  # HJ 212-2017 Table 2: 0 <= n <= 1024
MAX_LENIENT_DATA_LENGTH = 9999  # what four length digits can say
MIN_FRAME = 2 + 4 + 4 + 2  # '##', length, CRC, CR LF

_HEADER_KEYS = frozenset({"QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO"})
_CRC_HEX = re.compile(rb"[0-9A-Fa-f]{4}\Z")
_MN_2017 = re.compile(r"[0-9A-F]{24}\Z")
_MN_ANY = re.compile(r"[0-9A-Za-z_.\-]{1,27}\Z")
_ST = re.compile(r"[0-9A-Z]{2}\Z")
_CN = re.compile(r"\d{4}\Z")
_QN = re.compile(r"\d{17}\Z")


def parse(frame: bytes, *, lenient: bool = False, sm4_key: bytes | None = None) -> Packet:
    """Parse one whole frame: '##', 4-digit length, data segment, 4 hex CRC, CR LF.

    An SM4-encrypted CP (HJ 212-2025 §6.4) is decrypted with `sm4_key` (16
    bytes) and the packet carries the plaintext CP, with `encrypted` set;
    without a key such a frame raises KeyRequired, and a wrong key gives a
    CrcMismatch, as the CRC covers the plaintext. The length field may count
    the plaintext segment (the standard's Appendix A.2 examples) or the
    transmitted one. Raises a ProtocolError subclass naming what is wrong and where.
    """
    if not isinstance(frame, (bytes, bytearray, memoryview)):
        raise TypeError(f"parse() takes bytes, not {type(frame).__name__}")
    frame = bytes(frame)
    deviations: list[str] = []

    if frame[:2] != b"##":
        raise BadHeader(f"frame starts with {frame[:2]!r}, not '##'", offset=0)
    digits = frame[2:6]
    if len(digits) < 4 or not digits.isdigit():
        raise BadHeader(f"length field {digits!r} is not 4 decimal digits", offset=2)
    declared = int(digits)
    limit = MAX_LENIENT_DATA_LENGTH if lenient else MAX_DATA_LENGTH
    if declared > limit:
        raise FrameTooLong(
            f"length field says {declared} bytes; at most {limit} are allowed", offset=2
        )

    if frame.endswith(b"\r\n"):
        body = frame[6:-2]
    elif lenient and frame.endswith(b"\n"):
        body = frame[6:-1]
        deviations.append("frame ends with LF instead of CR LF")
    elif lenient and len(frame) >= MIN_FRAME - 2:
        body = frame[6:]
        deviations.append("frame has no CR LF trailer")
    else:
        raise BadTrailer(
            f"frame ends with {frame[-2:]!r}, not CR LF", offset=max(len(frame) - 2, 0)
        )
    if len(body) < 4:
        raise BadTrailer("frame is too short to hold a CRC", offset=len(frame))
    data, crc_bytes = body[:-4], body[-4:]
    if not _CRC_HEX.match(crc_bytes):
        raise BadTrailer(f"CRC field {crc_bytes!r} is not 4 hex digits", offset=6 + len(data))
    transmitted = len(data)
    encrypted = b"&&{0x" in data and _sm4.is_encrypted(data)
    if encrypted:
        data = _sm4.decrypt_segment(data, sm4_key, 6)
        # Before decoding: garbage from a wrong key must read as a CRC error.
        _check_crc(data, crc_bytes, lenient, deviations)
    if len(data) > limit:
        raise FrameTooLong(
            f"data segment is {len(data)} bytes; at most {limit} are allowed", offset=6
        )
    if len(data) > MAX_DATA_LENGTH:
        deviations.append(f"data segment of {len(data)} bytes exceeds 1024")

    text = _decode(data, lenient, deviations)

    if len(data) != declared and not (encrypted and transmitted == declared):
        if lenient and len(text) == declared:
            deviations.append("length field counts characters, not bytes")
        else:
            raise BadLength(
                f"length field says {declared} bytes, data segment has {len(data)}", offset=2
            )

    if not encrypted:
        _check_crc(data, crc_bytes, lenient, deviations)
        return _parse_text(text, lenient, deviations)
    packet = _parse_text(text, lenient, deviations)
    packet.__dict__["encrypted"] = True
    return packet


def _decode(data: bytes, lenient: bool, deviations: list[str]) -> str:
    """ASCII, or UTF-8 for Chinese text (HJ 212-2017 6.3); GBK only in lenient mode."""
    if data.isascii():
        return data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if lenient:
            try:
                text = data.decode("gbk")
            except UnicodeDecodeError:
                pass
            else:
                deviations.append("text is GBK-encoded, not UTF-8")
                return text
        raise BadEncoding(
            f"byte 0x{data[exc.start]:02X} is not valid UTF-8 "
            "(HJ 212-2017 6.3 requires ASCII, or UTF-8 for Chinese)",
            offset=6 + exc.start,
        ) from None


def _check_crc(data: bytes, crc_bytes: bytes, lenient: bool, deviations: list[str]) -> None:
    sent = int(crc_bytes, 16)
    expected = _accel.crc16(data)
    if sent == expected:
        if crc_bytes.upper() != crc_bytes:
            if not lenient:
                raise CrcMismatch(
                    f"CRC {crc_bytes.decode()} is written in lowercase hex", offset=6 + len(data)
                )
            deviations.append("CRC written in lowercase hex")
        return
    if lenient:
        modbus = _accel.crc16_modbus(data)
        for value, what in (
            (swap_bytes(expected), "CRC sent with its bytes swapped"),
            (modbus, "CRC is plain CRC-16/MODBUS"),
            (swap_bytes(modbus), "CRC is CRC-16/MODBUS with its bytes swapped"),
        ):
            if sent == value:
                deviations.append(what)
                return
    raise CrcMismatch(
        f"CRC mismatch: frame says {crc_bytes.decode()}, data gives {expected:04X}",
        offset=6 + len(data),
    )


# The header nearly every HJ 212-2017/2025 device sends, in the standard's order,
# matched in one step; anything else (2005, packets, other MNs) takes the
# general path, which gives the same Packet for such a header.
_USUAL_HEADER = re.compile(
    r"QN=([0-9]{17});ST=([0-9A-Z]{2});CN=([0-9]{4});PW=([^;,&=]{0,32});"
    r"MN=([0-9A-F]{24});Flag=([0-9]{1,3});CP=&&"
)


def _parse_text(text: str, lenient: bool, deviations: list[str]) -> Packet:
    usual = _USUAL_HEADER.match(text)
    if usual is not None and text.endswith("&&") and len(text) >= usual.end() + 2:
        qn, st, cn, pw, mn, flag_text = usual.groups()
        flag = int(flag_text)
        if flag <= 255 and not flag & 0b10 and (flag >> 2) in (1, 2) and pw.isprintable():
            cp = _parse_cp(text[usual.end() : -2], lenient, deviations, mn)
            return build(
                Packet, st=st, cn=cn, pw=pw, mn=mn, cp=cp, qn=qn, flag=flag, pnum=None,
                pno=None, extra=(), deviations=tuple(deviations),
            )  # fmt: skip
    return _parse_text_general(text, lenient, deviations)


def _parse_text_general(text: str, lenient: bool, deviations: list[str]) -> Packet:
    cp_at = text.find("CP=&&")
    if cp_at < 0:
        raise MalformedField("no 'CP=&&' field in the data segment", offset=6)
    if len(text) < cp_at + 7 or not text.endswith("&&"):
        raise MalformedField("CP does not end with '&&'", offset=6 + len(text))
    header_text = text[:cp_at]
    if header_text.endswith(";"):
        header_text = header_text[:-1]
    elif lenient:
        deviations.append("no ';' before CP")
    else:
        raise MalformedField("no ';' before 'CP='", offset=6 + cp_at)

    header: dict[str, str] = {}
    extra: list[tuple[str, str]] = []
    items = header_text.split(";")
    if lenient and "," in header_text:
        deviations.append("',' used between header fields")
        items = [part for item in items for part in item.split(",")]
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise MalformedField(f"header item {item!r} is not NAME=VALUE", offset=6)
        if key in _HEADER_KEYS:
            if key in header:
                raise MalformedField(f"header field {key} appears twice", offset=6)
            header[key] = value
        else:
            extra.append((key, value))

    mn = header.get("MN")
    for required in ("ST", "CN", "PW", "MN"):
        if required not in header:
            raise MalformedField(f"header field {required} is missing", offset=6, mn=mn)

    flag = _int_field(header, "Flag", mn, 0, 255)
    version = "2005" if flag is None else VERSION_BY_BITS.get(flag >> 2)
    if version is None:
        deviations.append(f"unknown version bits {flag >> 2:06b} in Flag={flag}")
    _check_header_values(header, version, lenient, deviations, mn)

    pnum = _int_field(header, "PNUM", mn, 1, 999999999)
    pno = _int_field(header, "PNO", mn, 1, 99999999)
    packetized = flag is not None and bool(flag & 0b10)
    if packetized and (pnum is None or pno is None):
        raise MalformedField(f"Flag={flag} announces PNUM and PNO but they are missing", mn=mn)
    if pnum is not None and pno is not None and pno > pnum:
        raise MalformedField(f"PNO={pno} is greater than PNUM={pnum}", mn=mn)
    if not packetized and (pnum is not None or pno is not None):
        if not lenient and flag is not None:
            raise MalformedField(f"PNUM/PNO sent but Flag={flag} has no D bit", mn=mn)
        if flag is not None:
            deviations.append("PNUM/PNO sent without the D bit in Flag")

    cp = _parse_cp(text[cp_at + 5 : -2], lenient, deviations, mn)
    return build(
        Packet,
        st=header["ST"],
        cn=header["CN"],
        pw=header["PW"],
        mn=header["MN"],
        cp=cp,
        qn=header.get("QN"),
        flag=flag,
        pnum=pnum,
        pno=pno,
        extra=tuple(extra),
        deviations=tuple(deviations),
    )


def _int_field(header: dict[str, str], key: str, mn: str | None, low: int, high: int) -> int | None:
    raw = header.get(key)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise MalformedField(f"{key}={raw!r} is not an integer in {low}..{high}", mn=mn)
    return int(raw)


def _check_header_values(
    header: dict[str, str],
    version: str | None,
    lenient: bool,
    deviations: list[str],
    mn: str | None,
) -> None:
    def deviation(message: str) -> None:
        if not lenient:
            raise MalformedField(message, mn=mn)
        deviations.append(message)

    qn = header.get("QN")
    if qn is not None and not _QN.match(qn):
        deviation(f"QN={qn!r} is not YYYYMMDDhhmmsszzz")
    if not _ST.match(header["ST"]):
        deviation(f"ST={header['ST']!r} is not a 2-character system code")
    if not _CN.match(header["CN"]):
        raise MalformedField(f"CN={header['CN']!r} is not a 4-digit command code", mn=mn)
    mn_value = header["MN"]
    if not _MN_ANY.match(mn_value):
        raise MalformedField(
            f"MN={mn_value!r} is not 1..27 letters, digits, '_', '-' or '.'", mn=mn
        )
    shape = mn_deviation(mn_value, version)
    if shape is not None:
        deviation(shape)
    if len(header["PW"]) > 32 or not header["PW"].isprintable():
        raise MalformedField("PW is longer than 32 characters or not printable", mn=mn)


def mn_deviation(mn: str, version: str | None) -> str | None:
    """What is non-standard about an MN's shape, or None.

    HJ 212-2017 §6.3.2 table 3: 24 characters 0-9 A-F; HJ/T 212-2005 MNs have
    14. Devices in the field carry other shapes (A110000_0001): the registry,
    not the shape, says who a device is, so ingest tolerates this deviation
    for a registered MN even on a strict device.
    """
    if _MN_2017.match(mn) or (version == "2005" and len(mn) == 14):
        return None
    if version == "2005":
        return f"MN of {len(mn)} characters"
    return f"MN of {len(mn)} characters; HJ 212-2017 requires 24 hex digits"


def _parse_cp(text: str, lenient: bool, deviations: list[str], mn: str | None) -> CommandParams:
    fields_list, pollutants, cp_deviations, error = _accel.split_cp(text, lenient)
    if error is not None:
        raise MalformedField(error, mn=mn)
    deviations.extend(cp_deviations)
    data_time = None
    fields: dict = {}
    for key, raw in fields_list:
        if key in TIME_FIELDS:
            value, had_ms = parse_time(raw)
            if value is None:
                if not lenient:
                    raise MalformedField(f"{key}={raw!r} is not a valid time YYYYMMDDhhmmss", mn=mn)
                deviations.append(f"{key}={raw!r} is not a valid time; kept as text")
                fields[key] = raw
                continue
            if had_ms:
                if not lenient:
                    raise MalformedField(f"{key}={raw!r} has milliseconds", mn=mn)
                deviations.append(f"{key} has milliseconds; dropped")
            if key == "DataTime":
                data_time = value
            else:
                fields[key] = value
        elif key in INT_FIELDS:
            if raw.isascii() and raw.isdigit():
                fields[key] = int(raw)
            elif lenient:
                deviations.append(f"{key}={raw!r} is not an integer; kept as text")
                fields[key] = raw
            else:
                raise MalformedField(f"{key}={raw!r} is not an integer", mn=mn)
        else:
            fields[key] = raw
    return build(CommandParams, data_time=data_time, fields=fields, pollutants=pollutants)
