# FrameDecoder: a byte stream in, whole frames out, whatever the TCP chunking.
#
# Strategy: a frame starts at '##' + 4 digits and, since the data segment is
# text without CR LF, ends at the first CR LF after it. The length field
# tells where that CR LF should be; when it is elsewhere the frame is still cut
# at the CR LF and handed on, so parse() can reject it (strict) or accept a
# device that counts characters instead of bytes (lenient). Garbage before
# '##' is skipped and reported. A claimed length above the maximum is rejected
# at once and never buffered, so memory stays bounded by one maximum frame.

from __future__ import annotations

from dataclasses import dataclass

from ecozone.hj212._errors import BadHeader, BadTrailer, FrameTooLong, ProtocolError
from ecozone.hj212._parse import MAX_LENIENT_DATA_LENGTH

_OVERHEAD = 2 + 4 + 4 + 2  # '##', length, CRC, CR LF
_MAX_REJECT_KEPT = 256  # bytes of a rejected span kept for the record
_MAX_REJECTS_HELD = 1000


@dataclass(frozen=True)
class Rejected:
    """Bytes the decoder dropped, and why (kept so the gateway can record them)."""

    data: bytes  # at most the first 256 bytes of the span
    error: ProtocolError
    size: int = 0  # bytes in the whole span (0: len(data))

    @property
    def skipped(self) -> int:
        return self.size or len(self.data)


class FrameDecoder:
    """Cuts a byte stream into frames. feed() returns the complete ones.

    Dropped bytes (garbage, bad headers, over-long claims, frames without a
    trailer) are collected in `rejected`; call take_rejected() to drain them.
    """

    def __init__(self, max_data_length: int = MAX_LENIENT_DATA_LENGTH):
        self.max_data_length = max_data_length
        self._buf = bytearray()
        self._consumed = 0  # stream offset of _buf[0], for error messages
        self.rejected: list[Rejected] = []
        self.rejects_discarded = 0

    @property
    def buffered(self) -> int:
        return len(self._buf)

    def take_rejected(self) -> list[Rejected]:
        out, self.rejected = self.rejected, []
        return out

    def feed(self, chunk: bytes) -> list[bytes]:
        buf = self._buf
        buf += chunk
        frames: list[bytes] = []
        pos = 0  # scanning offset; consumed bytes are cut off once, at the end
        size = len(buf)
        limit_span = 6 + self.max_data_length + 6
        while pos < size:
            start = buf.find(b"##", pos)
            if start < 0:
                # Keep a trailing '#' that may begin the next header.
                keep = 1 if buf.endswith(b"#") else 0
                pos = self._drop(pos, size - keep, "bytes outside any frame")
                break
            if start > pos:
                pos = self._drop(pos, start, "bytes before '##'")
            if size - pos < 6:
                break
            digits = bytes(buf[pos + 2 : pos + 6])
            if not digits.isdigit():
                message = f"'##' followed by {digits!r}, not a 4-digit length"
                pos = self._reject(pos, 2, BadHeader(message, offset=self._consumed + pos + 2))
                continue
            length = int(digits)
            if length > self.max_data_length:
                message = (
                    f"length field says {length} bytes; at most {self.max_data_length} are accepted"
                )
                pos = self._reject(pos, 6, FrameTooLong(message, offset=self._consumed + pos + 2))
                continue
            limit = pos + limit_span
            crlf = buf.find(b"\r\n", pos + 6, min(size, limit))
            claimed_end = pos + 6 + length + 4  # where the CR LF should start
            if buf[claimed_end : claimed_end + 2] == b"##" and (crlf < 0 or crlf > claimed_end):
                # The next frame starts where this one's CR LF should be: the trailer was lost.
                end = claimed_end
            elif crlf >= 0:
                end = crlf + 2
            elif size >= limit:
                message = "no CR LF within the longest allowed frame"
                pos = self._reject(pos, 2, BadTrailer(message, offset=self._consumed + pos))
                continue
            else:
                break
            frames.append(bytes(buf[pos:end]))
            pos = end
        if pos:
            del buf[:pos]
            self._consumed += pos
        return frames

    def _drop(self, pos: int, end: int, what: str) -> int:
        data = bytes(self._buf[pos:end])
        if data.strip(b"\r\n\x00 "):
            error = BadHeader(f"{end - pos} {what} skipped", offset=self._consumed + pos)
            self._record(Rejected(data[:_MAX_REJECT_KEPT], error, size=len(data)))
        return end

    def _reject(self, pos: int, n: int, error: ProtocolError) -> int:
        self._record(Rejected(bytes(self._buf[pos : pos + n]), error))
        return pos + n

    def _record(self, rejected: Rejected) -> None:
        # Bounded: a flood of garbage must not grow memory when nobody drains the list.
        if len(self.rejected) < _MAX_REJECTS_HELD:
            self.rejected.append(rejected)
        else:
            self.rejects_discarded += 1
