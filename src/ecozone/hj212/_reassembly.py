# Multi-packet messages (Flag bit D, PNUM/PNO; HJ 212-2017 Table 3 and
# Appendix C.49/C.50) put back together into one logical packet.
#
# Strategy: parts are keyed by (MN, ST, CN, PNUM), not by QN, since the
# standard's own example gives each part its own QN. Time is passed in by the
# caller (sans-I/O); expire() hands back the sets that waited too long.

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ecozone.hj212._errors import IncompleteMessage
from ecozone.hj212._packet import FLAG_PACKETIZED, CommandParams, Packet

_Key = tuple[str, str, str, int]


@dataclass
class _Pending:
    first_seen: float
    parts: dict[int, Packet] = field(default_factory=dict)


class Reassembler:
    """Collects the parts of packetized messages; add() returns whole messages."""

    def __init__(self, timeout_s: float = 120.0, max_pending: int = 1000):
        self.timeout_s = timeout_s
        self.max_pending = max_pending
        self._pending: dict[_Key, _Pending] = {}

    @property
    def pending(self) -> int:
        return len(self._pending)

    def add(self, packet: Packet, now: float) -> Packet | None:
        """The whole message once its last part arrives; the packet itself if not packetized."""
        if not packet.is_packetized or packet.pnum is None or packet.pno is None:
            return packet
        if packet.pnum == 1:
            return merge([packet])
        key = (packet.mn, packet.st, packet.cn, packet.pnum)
        pending = self._pending.get(key)
        if (
            pending is not None
            and packet.pno in pending.parts
            and pending.parts[packet.pno] != packet
        ):
            # A new message began before the old one completed: the old one is lost.
            pending = None
        if pending is None:
            if len(self._pending) >= self.max_pending:
                oldest = min(self._pending, key=lambda k: self._pending[k].first_seen)
                del self._pending[oldest]
            pending = self._pending[key] = _Pending(first_seen=now)
        pending.parts[packet.pno] = packet
        if len(pending.parts) == packet.pnum:
            del self._pending[key]
            return merge([pending.parts[i] for i in sorted(pending.parts)])
        return None

    def expire(self, now: float) -> list[IncompleteMessage]:
        """Drop the sets older than the timeout; one error per dropped set."""
        errors = []
        for key, pending in list(self._pending.items()):
            if now - pending.first_seen >= self.timeout_s:
                mn, _st, cn, pnum = key
                got = sorted(pending.parts)
                errors.append(
                    IncompleteMessage(
                        f"CN {cn} message of {pnum} packets incomplete after {self.timeout_s:g} s: "
                        f"received PNO {', '.join(map(str, got))}",
                        mn=mn,
                    )
                )
                del self._pending[key]
        return errors


def merge(parts: list[Packet]) -> Packet:
    """One packet from the parts in PNO order: first part's header, CP items combined."""
    first = parts[0]
    data_time = next((p.cp.data_time for p in parts if p.cp.data_time is not None), None)
    fields: dict = {}
    pollutants: dict = {}
    deviations: list[str] = []
    for part in parts:
        fields.update(part.cp.fields)
        for code, values in part.cp.pollutants.items():
            pollutants.setdefault(code, {}).update(values)
        deviations.extend(part.deviations)
    return replace(
        first,
        flag=None if first.flag is None else first.flag & ~FLAG_PACKETIZED,
        pnum=None,
        pno=None,
        cp=CommandParams(data_time=data_time, fields=fields, pollutants=pollutants),
        deviations=tuple(deviations),
    )
