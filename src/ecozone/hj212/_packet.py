# The parsed form of an HJ 212 frame: plain frozen dataclasses, no behaviour
# beyond reading the Flag bits. `parse` builds them, `encode` renders them.

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

Value = float | str | None
FieldValue = int | float | str | datetime | None

# Flag bits (HJ 212-2017 Table 3): V5..V0 version, D = has PNUM/PNO, A = answer wanted.
FLAG_ACK = 0b01
FLAG_PACKETIZED = 0b10
VERSION_BITS = {"2005": 0b000000, "2017": 0b000001, "2025": 0b000010}
VERSION_BY_BITS = {bits: version for version, bits in VERSION_BITS.items()}


def make_flag(version: str, *, ack: bool = False, packetized: bool = False) -> int:
    """The Flag value for a version and the D and A bits, e.g. ("2017", ack=True) -> 5."""
    return (
        (VERSION_BITS[version] << 2)
        | (FLAG_PACKETIZED if packetized else 0)
        | (FLAG_ACK if ack else 0)
    )


@dataclass(frozen=True)
class CommandParams:
    """The CP data area (HJ 212-2017 6.3.3).

    `fields` holds top-level items (RtdInterval, BeginTime, QnRtn, ...) in the
    order sent; `pollutants` maps a code (pollutant, SBxxx device, info code)
    to its sub-fields, e.g. {"a21026": {"Rtd": 12.3, "Flag": "N"}}.
    """

    data_time: datetime | None = None
    fields: dict[str, FieldValue] = field(default_factory=dict)
    pollutants: dict[str, dict[str, Value]] = field(default_factory=dict)


@dataclass(frozen=True)
class Packet:
    """One HJ 212 packet: the header fields of Table 3 and its CP.

    `extra` keeps header fields the codec does not know (2025 devices send more,
    such as RF) in the order received, so they survive a round trip.
    `deviations` lists what a lenient parse tolerated; it is not part of equality,
    nor is `encrypted`.
    """

    st: str
    cn: str
    pw: str
    mn: str
    cp: CommandParams = field(default_factory=CommandParams)
    qn: str | None = None
    flag: int | None = None
    pnum: int | None = None
    pno: int | None = None
    extra: tuple[tuple[str, str], ...] = ()
    deviations: tuple[str, ...] = field(default=(), compare=False)
    # The CP arrived SM4-encrypted (HJ 212-2025 §6.4); `cp` holds the plaintext.
    encrypted: bool = field(default=False, compare=False)

    @property
    def needs_ack(self) -> bool:
        """Bit A of Flag: the sender wants an answer."""
        return self.flag is not None and bool(self.flag & FLAG_ACK)

    @property
    def is_packetized(self) -> bool:
        """Bit D of Flag: the packet carries PNUM and PNO."""
        return self.flag is not None and bool(self.flag & FLAG_PACKETIZED)

    @property
    def resent(self) -> bool:
        """HJ 212-2025 table 3: RF=1 marks a re-sent (backfilled) packet; absent otherwise."""
        return ("RF", "1") in self.extra

    @property
    def protocol_version(self) -> str:
        """'2005', '2017' or '2025' from bits V5..V0; a packet without Flag is HJ/T 212-2005.

        Unknown version bits give 'unknown:N' so a newer device is still readable.
        """
        if self.flag is None:
            return "2005"
        bits = self.flag >> 2
        return VERSION_BY_BITS.get(bits, f"unknown:{bits}")


def build(cls, **values):
    """Construct a frozen dataclass without its __init__ (~5x faster on the parse path).

    Only for values the parser has already checked; every field must be given.
    """
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj
