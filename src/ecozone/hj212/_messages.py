# Building the packets the standard prescribes: answers (CN 9011-9015) and
# the common upper-computer commands (HJ 212-2017 Table 9, 6.5, Appendix C).
#
# Answers echo the request's QN, MN and PW, carry ST=91 (system interaction,
# Table 5) and the sender's version bits with A=0 (nobody answers an answer).

from __future__ import annotations

from datetime import datetime

from ecozone.hj212 import _accel
from ecozone.hj212._encode import RESERVED, encode
from ecozone.hj212._packet import VERSION_BITS, CommandParams, Packet, make_flag

SYSTEM_INTERACTION = "91"

# HJ 212-2017 6.6.2 Table 6 and 6.6.3 Table 7 (the codes used here).
EXE_SUCCESS = 1
EXE_FAILED = 2
EXE_BAD_CONDITION = 3
EXE_NO_DATA = 100
QN_READY = 1
QN_REFUSED = 2
QN_BAD_PW = 3
QN_BAD_MN = 4

MIN_INTERVALS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)  # Table 4, MinInterval
HISTORY_CN = {"minute": "2051", "hour": "2061", "day": "2031"}  # Table 9


def new_qn(now: datetime) -> str:
    """QN=YYYYMMDDhhmmsszzz: the request time to the millisecond (Table 3)."""
    return now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"


def _answer(request: Packet, cn: str, fields: dict | None = None) -> Packet:
    version = request.protocol_version
    fields = dict(fields or {})
    if version == "2005":
        # HJ/T 212-2005 answers carry the request's QN in CP and have no Flag.
        if request.qn is not None:
            fields = {"QN": request.qn, **fields}
        flag = None
    else:
        flag = make_flag(version if version in VERSION_BITS else "2017")
    return Packet(
        qn=None if version == "2005" else request.qn,
        st=SYSTEM_INTERACTION,
        cn=cn,
        pw=request.pw,
        mn=request.mn,
        flag=flag,
        cp=CommandParams(fields=fields),
    )


def answer_frame(request: Packet, cn: str) -> bytes:
    """The frame of a field-less answer (CN 9013, 9014): encode(_answer(request, cn)),
    written directly, for every acknowledged upload pays for it. Requests of 2005, or
    whose echoed fields encode() would refuse, take the general path."""
    version = request.protocol_version
    qn, pw, mn = request.qn, request.pw, request.mn
    if version == "2005" or qn is None or RESERVED.search(f"{qn}{pw}{mn}"):
        return encode(_answer(request, cn))
    flag = make_flag(version if version in VERSION_BITS else "2017")
    data = f"QN={qn};ST={SYSTEM_INTERACTION};CN={cn};PW={pw};MN={mn};Flag={flag};CP=&&&&"
    segment = data.encode("utf-8")
    return b"##%04d%s%04X\r\n" % (len(segment), segment, _accel.crc16(segment))


def data_response(request: Packet) -> Packet:
    """CN 9014, the upper computer's answer to an upload whose Flag asks for one (C.14-C.18)."""
    return _answer(request, "9014")


def notification_response(request: Packet) -> Packet:
    """CN 9013, the answer to a notification, and to the HJ 212-2025 heartbeat 9015."""
    return _answer(request, "9013")


def request_response(request: Packet, qn_rtn: int = QN_READY) -> Packet:
    """CN 9011: whether a request will be carried out (QnRtn, Table 7)."""
    return _answer(request, "9011", {"QnRtn": qn_rtn})


def execution_result(request: Packet, exe_rtn: int = EXE_SUCCESS) -> Packet:
    """CN 9012: how a request ended (ExeRtn, Table 6)."""
    return _answer(request, "9012", {"ExeRtn": exe_rtn})


def command(
    cn: str,
    *,
    mn: str,
    pw: str,
    st: str,
    qn: str,
    version: str = "2017",
    fields: dict | None = None,
    ack: bool = True,
) -> Packet:
    """A request or notification from the upper computer to a device."""
    flag = None if version == "2005" else make_flag(version, ack=ack)
    return Packet(
        qn=qn, st=st, cn=cn, pw=pw, mn=mn, flag=flag, cp=CommandParams(fields=dict(fields or {}))
    )


def get_system_time(*, pol_id: str | None = None, **target) -> Packet:
    """CN 1011: ask for the device's clock (C.2), optionally of one instrument."""
    return command("1011", fields={"PolId": pol_id} if pol_id else None, **target)


def set_system_time(system_time: datetime, *, pol_id: str | None = None, **target) -> Packet:
    """CN 1012: set the device's clock (C.3)."""
    fields: dict = {"PolId": pol_id} if pol_id else {}
    fields["SystemTime"] = system_time.replace(microsecond=0)
    return command("1012", fields=fields, **target)


def get_rtd_interval(**target) -> Packet:
    """CN 1061: ask for the real-time data interval (C.5)."""
    return command("1061", **target)


def set_rtd_interval(seconds: int, **target) -> Packet:
    """CN 1062: set the real-time data interval, 30..3600 s (Table 4, C.6)."""
    if not 30 <= seconds <= 3600:
        raise ValueError(f"RtdInterval={seconds} is outside 30..3600 seconds")
    return command("1062", fields={"RtdInterval": seconds}, **target)


def get_min_interval(**target) -> Packet:
    """CN 1063: ask for the minute-data interval (C.7)."""
    return command("1063", **target)


def set_min_interval(minutes: int, **target) -> Packet:
    """CN 1064: set the minute-data interval, one of 1..30 minutes as Table 4 lists."""
    if minutes not in MIN_INTERVALS:
        raise ValueError(f"MinInterval={minutes} is not one of {MIN_INTERVALS}")
    return command("1064", fields={"MinInterval": minutes}, **target)


def set_password(new_pw: str, **target) -> Packet:
    """CN 1072: set the device's access password (C.9)."""
    return command("1072", fields={"NewPW": new_pw}, **target)


def history_request(kind: str, begin: datetime, end: datetime, **target) -> Packet:
    """CN 2051/2061/2031: ask a device to upload minute/hour/day data of a range (C.20-C.22).

    This is how missed data is backfilled after a reconnect.
    """
    if kind not in HISTORY_CN:
        raise ValueError(f"history kind {kind!r} is not one of {sorted(HISTORY_CN)}")
    if end < begin:
        raise ValueError(f"EndTime {end} is before BeginTime {begin}")
    fields = {"BeginTime": begin.replace(microsecond=0), "EndTime": end.replace(microsecond=0)}
    return command(HISTORY_CN[kind], fields=fields, **target)


def new_secret_key(new_sk: str, created: datetime, **target) -> Packet:
    """CN 1014 (HJ 212-2025): hand the device a new secret key with its creation time."""
    fields = {"NewSK": new_sk, "SKCreateTime": created.replace(microsecond=0)}
    return command("1014", fields=fields, **{"version": "2025", **target})


def heartbeat(*, mn: str, pw: str, st: str, qn: str) -> Packet:
    """CN 9015 (HJ 212-2025): the device's keep-alive, answered with 9013."""
    return command("9015", mn=mn, pw=pw, st=st, qn=qn, version="2025")
