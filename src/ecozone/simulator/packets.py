# Readings and records in, HJ 212 packets out: the uploads of a data logger.
#
# Pure functions over the codec's Packet. Numbers are written with the fixed
# decimals of their code, as loggers do ("12.30"), not Python's shortest repr.
# A message whose data segment would pass the 1024 bytes of HJ 212-2017 Table 2
# (CP at most 950) is split into PNUM/PNO parts with the D bit (C.49/C.50).

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from ecozone.hj212 import CommandParams, Packet, encode, make_flag
from ecozone.hj212.codes import pollutant
from ecozone.simulator.model import DeviceSpec
from ecozone.simulator.profiles import Reading, Record
from ecozone.simulator.sources import cou_decimals, decimals

__all__ = [
    "MAX_CP",
    "MAX_DATA_SEGMENT",
    "realtime_packet",
    "record_packets",
    "restart_packet",
    "wire_code",
]

MAX_DATA_SEGMENT = 1024  # HJ 212-2017 Table 2
MAX_CP = 950  # HJ 212-2017 Table 3, CP field
_FRAME_OVERHEAD = 2 + 4 + 4 + 2  # '##', length, CRC, CR LF


def wire_code(spec: DeviceSpec, code: str) -> str:
    """The code as the device writes it: the HJ/T 212-2005 code for a 2005 logger (the
    "原编码" column of HJ 212-2017 Appendix B), else the 2017 code."""
    if spec.protocol == "2005":
        entry = pollutant(code)
        if entry is not None and entry.legacy_2005:
            return entry.legacy_2005
    return code


def _flag(spec: DeviceSpec, ack: bool, packetized: bool = False) -> int | None:
    if spec.protocol == "2005":
        return None  # HJ/T 212-2005 uploads carry no Flag and are never answered
    return make_flag(spec.protocol or "2017", ack=ack, packetized=packetized)


def _number(value: float, places: int) -> str:
    return f"{value:.{places}f}"


def realtime_packet(
    spec: DeviceSpec,
    data_time: datetime,
    readings: Mapping[str, Reading],
    *,
    qn: str,
    pw: str,
    ack: bool = True,
) -> Packet:
    """CN 2011, the real-time upload (HJ 212-2017 C.14)."""
    items: dict[str, dict[str, str | float | None]] = {}
    for code, reading in readings.items():
        places = decimals(spec.kind, code)
        item: dict[str, str | float | None] = {"Rtd": _number(reading.value, places)}
        if reading.zs is not None:
            item["ZsRtd"] = _number(reading.zs, places)
        item["Flag"] = reading.flag.value
        items[wire_code(spec, code)] = item
    return Packet(
        qn=qn,
        st=spec.st,
        cn="2011",
        pw=pw,
        mn=spec.mn,
        flag=_flag(spec, ack),
        cp=CommandParams(data_time=data_time, pollutants=items),
    )


def _record_items(spec: DeviceSpec, records: Mapping[str, Record]) -> dict[str, dict]:
    items: dict[str, dict] = {}
    for code, record in records.items():
        places = decimals(spec.kind, code)
        item: dict[str, str | float | None] = {}
        cou_places = cou_decimals(spec.kind, code)
        if record.cou is not None and cou_places is not None:
            item["Cou"] = _number(record.cou, cou_places)
        item["Min"] = _number(record.min, places)
        item["Avg"] = _number(record.avg, places)
        item["Max"] = _number(record.max, places)
        if record.zs_avg is not None and record.zs_min is not None and record.zs_max is not None:
            item["ZsMin"] = _number(record.zs_min, places)
            item["ZsAvg"] = _number(record.zs_avg, places)
            item["ZsMax"] = _number(record.zs_max, places)
        item["Flag"] = record.flag.value
        items[wire_code(spec, code)] = item
    return items


def record_packets(
    spec: DeviceSpec,
    cn: str,
    data_time: datetime,
    records: Mapping[str, Record],
    *,
    qn: Callable[[], str],
    pw: str,
    ack: bool = True,
) -> list[Packet]:
    """CN 2051/2061/2031: one record (C.16-C.18), in as many packets as the size limits
    need. `qn` is called once per packet, since every part has its own QN (C.50)."""
    items = _record_items(spec, records)
    whole = _packet(spec, cn, data_time, items, qn(), pw, _flag(spec, ack))
    if _fits(whole):
        return [whole]
    flag = _flag(spec, ack, packetized=True)
    groups: list[dict[str, dict]] = [{}]
    for code, item in items.items():
        trial = {**groups[-1], code: item}
        probe = _packet(spec, cn, data_time, trial, whole.qn, pw, flag, pnum=99, pno=99)
        if groups[-1] and not _fits(probe):
            groups.append({code: item})
        else:
            groups[-1] = trial
    parts = []
    for pno, group in enumerate(groups, start=1):
        part_qn = whole.qn if pno == 1 else qn()
        parts.append(
            _packet(spec, cn, data_time, group, part_qn, pw, flag, pnum=len(groups), pno=pno)
        )
    return parts


def _packet(
    spec: DeviceSpec,
    cn: str,
    data_time: datetime,
    items: dict[str, dict],
    qn: str | None,
    pw: str,
    flag: int | None,
    *,
    pnum: int | None = None,
    pno: int | None = None,
) -> Packet:
    return Packet(
        qn=qn,
        st=spec.st,
        cn=cn,
        pw=pw,
        mn=spec.mn,
        flag=flag,
        pnum=pnum,
        pno=pno,
        cp=CommandParams(data_time=data_time, pollutants=items),
    )


# Header fields at their longest: QN (17), ST (2), CN (4), PW (32), MN (27), Flag (3),
# PNUM (9) and PNO (8), with names, '=' and ';'.
_HEADER_MAX = 17 + 2 + 4 + 32 + 27 + 3 + 9 + 8 + 8 * 2 + 4 + 8


def _fits(packet: Packet) -> bool:
    # Most records are far below the limits: an upper bound on the CP spares encoding.
    cp_max = 24 + sum(
        len(code) + len(sub) + len(str(value)) + 3
        for code, subfields in packet.cp.pollutants.items()
        for sub, value in subfields.items()
    )
    if cp_max <= MAX_CP and _HEADER_MAX + 5 + cp_max + 2 <= MAX_DATA_SEGMENT:
        return True
    frame = encode(packet)
    segment = len(frame) - _FRAME_OVERHEAD
    cp_begin = frame.find(b"CP=&&") + 5
    cp_end = len(frame) - 2 - 4 - 2  # before '&&', CRC and CR LF
    return segment <= MAX_DATA_SEGMENT and cp_end - cp_begin <= MAX_CP


def restart_packet(
    spec: DeviceSpec,
    data_time: datetime,
    restart_time: datetime,
    *,
    qn: str,
    pw: str,
    ack: bool = True,
) -> Packet:
    """CN 2081, the logger's power-on time, sent once it is online (HJ 212-2017 C.24)."""
    return Packet(
        qn=qn,
        st=spec.st,
        cn="2081",
        pw=pw,
        mn=spec.mn,
        flag=_flag(spec, ack),
        cp=CommandParams(data_time=data_time, fields={"RestartTime": restart_time}),
    )
