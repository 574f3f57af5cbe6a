"""HJ 212 codec: the pollution-source data transmission standard, sans-I/O.

Bytes in, packets out; packets in, bytes out. No sockets, no database (the
gateway does I/O). Speaks HJ 212-2017, HJ 212-2025 (version bits 000010,
heartbeat 9015, secret key 1014, ...) and the old HJ/T 212-2005.

    FrameDecoder().feed(chunk) -> [frame, ...]   cut a TCP stream into frames
    parse(frame, lenient=False, sm4_key=None)     check and read one frame (decrypting SM4)
    encode(packet, sm4_key=None) -> bytes         the exact frame (encrypting SM4)
    Reassembler().add(packet, now)                join PNUM/PNO multi-packet messages
    data_response(packet), history_request(...)   answers and commands (_messages)
    answer_frame(packet, cn)                      a field-less answer's frame, directly

Strict mode (the default) follows HJ 212-2017 to the letter; lenient mode,
chosen per device, accepts known deviations and lists them in
Packet.deviations. Every failure is a ProtocolError subclass whose message
names what is wrong and where.
"""

from ecozone.hj212._accel import ACCELERATED
from ecozone.hj212._encode import encode
from ecozone.hj212._errors import (
    BadEncoding,
    BadHeader,
    BadLength,
    BadTrailer,
    CrcMismatch,
    FrameTooLong,
    IncompleteMessage,
    KeyRequired,
    MalformedField,
    ProtocolError,
)
from ecozone.hj212._framing import FrameDecoder, Rejected
from ecozone.hj212._messages import (
    EXE_FAILED,
    EXE_NO_DATA,
    EXE_SUCCESS,
    HISTORY_CN,
    QN_BAD_PW,
    QN_READY,
    QN_REFUSED,
    answer_frame,
    command,
    data_response,
    execution_result,
    get_min_interval,
    get_rtd_interval,
    get_system_time,
    heartbeat,
    history_request,
    new_qn,
    new_secret_key,
    notification_response,
    request_response,
    set_min_interval,
    set_password,
    set_rtd_interval,
    set_system_time,
)
from ecozone.hj212._packet import CommandParams, Packet, make_flag
from ecozone.hj212._parse import MAX_DATA_LENGTH, MAX_LENIENT_DATA_LENGTH, mn_deviation, parse
from ecozone.hj212._reassembly import Reassembler, merge
from ecozone.hj212._sm4 import encrypted_cn


def crc16(data: bytes) -> int:
    """The HJ 212 CRC of a data segment (HJ 212-2017 Appendix A)."""
    from ecozone.hj212 import _accel

    return _accel.crc16(bytes(data))


__all__ = [
    "ACCELERATED",
    "EXE_FAILED",
    "EXE_NO_DATA",
    "EXE_SUCCESS",
    "HISTORY_CN",
    "MAX_DATA_LENGTH",
    "MAX_LENIENT_DATA_LENGTH",
    "QN_BAD_PW",
    "QN_READY",
    "QN_REFUSED",
    "BadEncoding",
    "BadHeader",
    "BadLength",
    "BadTrailer",
    "CommandParams",
    "CrcMismatch",
    "FrameDecoder",
    "FrameTooLong",
    "IncompleteMessage",
    "KeyRequired",
    "MalformedField",
    "Packet",
    "ProtocolError",
    "Reassembler",
    "Rejected",
    "answer_frame",
    "command",
    "crc16",
    "data_response",
    "encode",
    "encrypted_cn",
    "execution_result",
    "get_min_interval",
    "get_rtd_interval",
    "get_system_time",
    "heartbeat",
    "history_request",
    "make_flag",
    "merge",
    "mn_deviation",
    "new_qn",
    "new_secret_key",
    "notification_response",
    "parse",
    "request_response",
    "set_min_interval",
    "set_password",
    "set_rtd_interval",
    "set_system_time",
]
