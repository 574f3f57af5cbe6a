# The exception family of the codec. Every error names what is wrong and
# where (byte offset, field, MN when known), so a rejected frame can be
# recorded with a reason a person can act on.

from __future__ import annotations


class ProtocolError(ValueError):
    """A frame or packet that does not follow HJ 212."""

    def __init__(self, message: str, *, offset: int | None = None, mn: str | None = None):
        self.offset = offset
        self.mn = mn
        where = []
        if offset is not None:
            where.append(f"at byte {offset}")
        if mn:
            where.append(f"MN {mn}")
        super().__init__(f"{message} ({', '.join(where)})" if where else message)
        self.reason = message


class BadHeader(ProtocolError):
    """The frame does not start with '##' followed by a 4-digit length."""


class BadLength(ProtocolError):
    """The length field disagrees with the data segment."""


class FrameTooLong(ProtocolError):
    """The data segment exceeds the allowed maximum (1024 bytes in HJ 212-2017 Table 2)."""


class BadTrailer(ProtocolError):
    """The frame does not end with CRC and CR LF."""


class CrcMismatch(ProtocolError):
    """The CRC in the frame differs from the CRC of the data segment (Appendix A)."""


class MalformedField(ProtocolError):
    """A header field or CP item is missing, misplaced or has an invalid value."""


class BadEncoding(ProtocolError):
    """Bytes that are neither ASCII nor valid UTF-8 (HJ 212-2017 6.3)."""


class KeyRequired(ProtocolError):
    """An SM4-encrypted data area (HJ 212-2025 §6.4) and no key to read it."""


class IncompleteMessage(ProtocolError):
    """A multi-packet message whose packets did not all arrive in time."""
