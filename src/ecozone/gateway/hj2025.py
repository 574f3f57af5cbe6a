"""The HJ 212-2025 exchanges a session answers itself: key rotation and onboarding.

CN 1014 from a device asks for a new SM4 key: the platform stores it (the old
one stays valid for the grace period, so frames in flight still decrypt) and
only then sends it, encrypted with the key the request came with (§6.4).
CN 1001 from an unknown logger is recorded as a pending device; once an
administrator approved it, the next 1001 is answered with its MN (CN 1002).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import string
from datetime import datetime
from typing import TYPE_CHECKING

from ecozone import hj212
from ecozone.ingest.rules import Verdict
from ecozone.registry import onboarding
from ecozone.registry.model import PendingStatus
from ecozone.registry.service import replace_sm4_key

if TYPE_CHECKING:
    from ecozone.gateway.server import Session

log = logging.getLogger("ecozone.gateway")

KEY_ALPHABET = string.ascii_letters + string.digits


def new_sm4_key() -> str:
    """16 random printable characters: the NewSK of CN 1014 is text (§6.4.2)."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(16))


def version_of(packet: hj212.Packet) -> str:
    version = packet.protocol_version
    return version if version in ("2005", "2017", "2025") else "2025"


async def rotate_key(session: Session, verdict: Verdict, local_now: datetime) -> None:
    """Answer a device's CN 1014 with a new key, stored before it is sent."""
    packet, device = verdict.packet, verdict.device
    assert packet is not None
    old_key = verdict.sm4_key or device.sm4_key
    if old_key is None:
        log.warning("CN 1014 from a device without an SM4 key; no key sent",
                    extra={"mn": packet.mn})  # fmt: skip
        return
    gateway = session.gateway
    new_key = new_sm4_key()
    received_at = verdict.raw["received_at"]

    await asyncio.to_thread(replace_sm4_key, gateway.engine, device.mn, new_key, at=received_at)
    await gateway.directory.reload_device(device.mn, force=True)
    answer = hj212.new_secret_key(
        new_key, local_now, mn=device.mn, pw=device.password, st=device.st,
        qn=hj212.new_qn(local_now), version=version_of(packet),
    )  # fmt: skip
    session.send(answer, sm4_key=old_key)
    log.info("SM4 key rotated", extra={"mn": device.mn})


async def announce(session: Session, verdict: Verdict, local_now: datetime) -> None:
    """Record a CN 1001 of an unknown logger; answer with CN 1002 once it is approved."""
    packet = verdict.packet
    assert packet is not None
    hardware = onboarding.hardware_of(packet.cp.pollutants)
    if hardware is None:
        return
    engine = session.gateway.engine
    pending = await asyncio.to_thread(
        onboarding.record_announcement, engine, hardware, sent_mn=packet.mn,
        password=packet.pw, st=packet.st, peer=session.peer, at=verdict.raw["received_at"],
    )  # fmt: skip
    if pending.status == PendingStatus.PENDING or pending.assigned_mn is None:
        return
    answer = hj212.Packet(
        qn=hj212.new_qn(local_now), st=packet.st, cn="1002", pw=packet.pw, mn=packet.mn,
        flag=hj212.make_flag(version_of(packet), ack=True),
        cp=hj212.CommandParams(pollutants={"i23005": {"Info": pending.assigned_mn}}),
    )  # fmt: skip
    await session.gateway.directory.load()  # its frames come with the new MN from now on
    session.send(answer)
    await asyncio.to_thread(onboarding.mark_assigned, engine, pending.logger_sn)
    log.info("MN %s sent to logger %s", pending.assigned_mn, pending.logger_sn)
