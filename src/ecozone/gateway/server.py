"""asyncio TCP server: one Session per device connection.

A session cuts the byte stream into frames (hj212.FrameDecoder), judges each
(ingest.rules), queues the verdict for the group commit and, when the device
asked for an answer, sends it only after the commit: an acknowledged frame
is durable. Rejected frames are stored with their reason and the connection
lives on. After a reconnect the first minute/hour upload is compared with
what is stored and missing history is requested (CN 2051/2061). Limits keep
one client from holding resources: a frame must complete within a deadline,
an address may hold only so many connections, and a burst of junk bytes is
one bounded record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter as Tally
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from prometheus_client import Counter, Gauge

from ecozone import hj212
from ecozone.gateway import hj2025
from ecozone.gateway.directory import DeviceDirectory
from ecozone.ingest import rules
from ecozone.ingest.rules import (
    Reason,
    Verdict,
    answer_for,
    backfill_range,
    judge,
    measurement_rows,
)
from ecozone.ingest.service import AfterCommit, GroupCommitter, now_pair
from ecozone.ingest.store import latest_data_times

if TYPE_CHECKING:
    from ecozone.ingest.stream import LogCommitter

log = logging.getLogger("ecozone.gateway")

CONNECTIONS = Gauge("ecozone_gateway_open_connections", "Open device connections")
CONNECTIONS_TOTAL = Counter("ecozone_gateway_connections_total", "Device connections accepted")
ANSWERS = Counter("ecozone_gateway_answers_total", "Answers sent to devices", ["cn"])
BACKFILL_REQUESTS = Counter("ecozone_gateway_backfill_requests_total", "History requests sent")
CUT_OFF = Counter(
    "ecozone_gateway_connections_cut_total", "Connections refused or closed by a limit", ["limit"]
)
READ_SIZE = 65536
# Rejections that hang on what the device directory says of the sender's MN.
DEVICE_DEPENDENT = frozenset(
    {Reason.UNKNOWN_MN, Reason.WRONG_PASSWORD, Reason.STRICT_DEVIATION, Reason.NOT_ENCRYPTED,
     Reason.PROTOCOL}
)  # fmt: skip


@dataclass(frozen=True)
class GatewayOptions:
    idle_timeout_s: float = 600.0
    reassembly_timeout_s: float = 120.0
    max_connections: int = 20000
    backfill: bool = True
    # HJ 212-2025 §6.4: how long a replaced SM4 key stays valid, and what the length
    # field of encrypted frames sent counts (config.Settings.sm4_*).
    sm4_key_grace_s: float = 24 * 3600.0
    sm4_length_counts: str = "plaintext"
    # Resource limits (config.Settings.gateway_*): seconds for a started frame to
    # complete (0: none), open connections per IP address (0: no cap), and bytes
    # kept of a burst of junk in its one rejection record.
    frame_deadline_s: float = 120.0
    max_connections_per_address: int = 200
    junk_prefix_bytes: int = 256
    # Listen with SO_REUSEPORT, so several gateway processes share one port and the
    # kernel spreads new connections across them (ecozone.gateway.workers).
    reuse_port: bool = False


class Gateway:
    def __init__(
        self,
        engine: sa.Engine,
        *,
        host: str = "127.0.0.1",
        port: int = 9212,
        options: GatewayOptions | None = None,
        after_commit: Sequence[AfterCommit] = (),
        committer: GroupCommitter | LogCommitter | None = None,
    ):
        """`committer` replaces the group commit into `engine` (e.g. the durable log's
        ingest.stream.LogCommitter, which has the same interface)."""
        self.engine = engine
        self.host = host
        self.port = port
        self.options = options or GatewayOptions()
        self.directory = DeviceDirectory(engine)
        self.committer = committer or GroupCommitter(engine, after_commit=after_commit)
        self.sessions: set[Session] = set()
        self.connections_by_address: Tally[str] = Tally()
        self._server: asyncio.Server | None = None
        self._refresher: asyncio.Task[None] | None = None

    @property
    def address(self) -> tuple[str, int]:
        assert self._server is not None
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    async def start(self) -> None:
        """Load the registry and listen. A port in use raises OSError naming it."""
        await self.directory.load()
        self.committer.start()
        try:
            self._server = await asyncio.start_server(
                self._accept, self.host, self.port, limit=READ_SIZE, backlog=4096,
                reuse_port=self.options.reuse_port or None,
            )  # fmt: skip
        except OSError as exc:
            await self.committer.close()
            raise OSError(
                exc.errno,
                f"cannot listen for HJ 212 devices on {self.host}:{self.port}: {exc.strerror}",
            ) from None
        self._refresher = asyncio.get_running_loop().create_task(self.directory.keep_fresh())
        log.info("gateway listening", extra={"address": f"{self.host}:{self.address[1]}"})

    async def stop(self) -> None:
        """Graceful stop: no new connections, sessions closed, queued writes flushed."""
        if self._server is not None:
            self._server.close()
        if self._refresher is not None:
            self._refresher.cancel()
        for session in list(self.sessions):
            session.close()
        if self.sessions:
            await asyncio.wait([s.task for s in self.sessions if s.task], timeout=10)
        await self.committer.close()
        if self._server is not None:
            await self._server.wait_closed()
        log.info("gateway stopped")

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self.sessions) >= self.options.max_connections:
            CUT_OFF.labels("max_connections").inc()
            writer.close()
            return
        peername = writer.get_extra_info("peername")
        address = str(peername[0]) if peername else "unknown"
        cap = self.options.max_connections_per_address
        if cap and self.connections_by_address[address] >= cap:
            log.warning("connection refused: %s already holds %d connections", address, cap)
            CUT_OFF.labels("per_address").inc()
            writer.close()
            return
        self.connections_by_address[address] += 1
        session = Session(self, reader, writer)
        session.task = asyncio.current_task()
        self.sessions.add(session)
        CONNECTIONS.inc()
        CONNECTIONS_TOTAL.inc()
        try:
            await session.run()
        finally:
            self.sessions.discard(session)
            CONNECTIONS.dec()
            self.connections_by_address[address] -= 1
            if self.connections_by_address[address] <= 0:
                del self.connections_by_address[address]


class Session:
    """One device connection, in whichever HJ 212 version the device speaks."""

    def __init__(
        self, gateway: Gateway, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ):
        self.gateway = gateway
        self.reader = reader
        self.writer = writer
        peername = writer.get_extra_info("peername")
        self.peer = f"{peername[0]}:{peername[1]}" if peername else "unknown"
        self.decoder = hj212.FrameDecoder()
        self.reassembler = hj212.Reassembler(timeout_s=gateway.options.reassembly_timeout_s)
        self.mns: set[str] = set()
        self.backfill_checked: set[tuple[int, str]] = set()
        self.task: asyncio.Task[Any] | None = None
        self._closing = False
        self.junk = JunkBurst(gateway.options.junk_prefix_bytes)

    def close(self) -> None:
        self._closing = True
        self.writer.close()

    def send(
        self, packet: hj212.Packet, *, sm4_key: bytes | None = None, answer: bool = True
    ) -> None:
        """Write a packet; data commands are SM4-encrypted when `sm4_key` is given."""
        length_counts = self.gateway.options.sm4_length_counts
        self.writer.write(hj212.encode(packet, sm4_key=sm4_key, length_counts=length_counts))
        if answer:
            ANSWERS.labels(packet.cn).inc()

    async def run(self) -> None:
        options = self.gateway.options
        deadline = options.frame_deadline_s
        frame_started: float | None = None  # when the frame now being received began
        try:
            while not self._closing:
                timeout = options.idle_timeout_s
                if frame_started is not None and deadline:
                    timeout = min(timeout, frame_started + deadline - time.monotonic())
                try:
                    # The idle timeout restarts on every read; the frame deadline does not.
                    # asyncio.timeout arms one timer on this task (wait_for would wrap
                    # every read in a task of its own).
                    async with asyncio.timeout(max(timeout, 0)):
                        chunk = await self.reader.read(READ_SIZE)
                except TimeoutError:
                    extra = {"peer": self.peer, "mn": ",".join(self.mns)}
                    if frame_started is not None and timeout < options.idle_timeout_s:
                        log.info("frame not completed within %g s", deadline, extra=extra)
                        CUT_OFF.labels("frame_deadline").inc()
                    else:
                        log.info("idle timeout", extra=extra)
                    break
                if not chunk:
                    break
                now = time.monotonic()
                frames = self.decoder.feed(chunk)
                self.junk.add(self.decoder.take_rejected(), now)
                if frames or self.junk.age(now) >= (deadline or options.idle_timeout_s):
                    self._record_junk()  # a burst ends at the next frame
                if not self.decoder.buffered:
                    frame_started = None
                elif frames or frame_started is None:
                    frame_started = now
                for frame in frames:
                    await self._handle(frame)
                for error in self.reassembler.expire(time.monotonic()):
                    log.warning("incomplete message dropped: %s", error, extra={"peer": self.peer})
        except (ConnectionError, asyncio.CancelledError):
            pass
        except Exception:
            log.exception("session failed", extra={"peer": self.peer})
        finally:
            with contextlib.suppress(Exception):
                self._record_junk()
            with contextlib.suppress(Exception):
                self.writer.close()

    def _record_junk(self) -> None:
        verdict = self.junk.take(self.peer)
        if verdict is not None:
            self.gateway.committer.submit(verdict, wait=False)

    async def _handle(self, frame: bytes) -> None:
        gateway = self.gateway
        received_at, local_now = now_pair()
        grace = timedelta(seconds=gateway.options.sm4_key_grace_s)
        verdict = judge(
            frame,
            peer=self.peer,
            devices=gateway.directory.devices,
            received_at=received_at,
            local_now=local_now,
            key_grace=grace,
        )
        if not verdict.accepted and verdict.kind in DEVICE_DEPENDENT:
            # Another gateway process may have changed the device a moment ago (a new
            # SM4 key after CN 1014, a registration): read it again and judge once more.
            mn = verdict.raw.get("mn")
            before = gateway.directory.devices.get(mn)
            await gateway.directory.refresh_if_stale(mn)
            after = gateway.directory.devices.get(mn)
            if after is not None and after != before:
                verdict = judge(
                    frame,
                    peer=self.peer,
                    devices=gateway.directory.devices,
                    received_at=received_at,
                    local_now=local_now,
                    key_grace=grace,
                )
        packet = verdict.packet
        if not verdict.accepted or packet is None:
            log.info("frame rejected: %s", verdict.reason, extra={"peer": self.peer})
            gateway.committer.submit(verdict, wait=False)
            if packet is not None and packet.cn == "1001":
                await hj2025.announce(self, verdict, local_now)
                await self.writer.drain()
            return

        self.mns.add(packet.mn)
        kind = rules.KIND_BY_CN.get(packet.cn)
        if packet.is_packetized and kind is not None:
            # Parts are answered one by one (C.50); their measurements are stored
            # once the whole message is here.
            verdict.rows = []
            whole = self.reassembler.add(packet, time.monotonic())
            if whole is not None:
                try:
                    verdict.rows = measurement_rows(
                        whole, verdict.device.point_id, kind, received_at, local_now,
                        lenient=verdict.device.lenient,
                    )  # fmt: skip
                except ValueError as exc:
                    log.warning("reassembled message not stored: %s", exc, extra={"mn": packet.mn})

        rotating = packet.cn == "1014"  # HJ 212-2025: the device asks for a new SM4 key
        answer = None if rotating else answer_for(packet)
        future = gateway.committer.submit(verdict, wait=answer is not None or rotating)
        if future is not None:
            try:
                stored_as_accepted = await future
            except Exception:
                # Not durable, so not acknowledged: the device will send it again.
                self.close()
                return
            if not stored_as_accepted:  # refused at the write; recorded with its reason
                log.info("frame rejected: %s", verdict.reason, extra={"peer": self.peer})
                return
            if rotating:
                await hj2025.rotate_key(self, verdict, local_now)
            if answer is not None:
                self.send(answer)
            await self.writer.drain()
        if kind in rules.BACKFILL_KINDS and gateway.options.backfill and packet.cp.data_time:
            await self._maybe_backfill(verdict, kind)

    async def _maybe_backfill(self, verdict: Verdict, kind: str) -> None:
        device, packet = verdict.device, verdict.packet
        assert packet is not None and packet.cp.data_time is not None
        key = (device.point_id, kind)
        if key in self.backfill_checked:
            return
        self.backfill_checked.add(key)
        try:
            stored = await asyncio.to_thread(
                _latest, self.gateway.engine, device.point_id, kind, packet.cp.data_time
            )
        except sa.exc.DBAPIError as exc:  # the database is away; the frame is answered
            log.warning("history check skipped: %s", type(exc).__name__, extra={"mn": device.mn})
            return
        missing = backfill_range(kind, packet.cp.data_time, stored)
        if missing is None:
            return
        _, local_now = now_pair()
        version = packet.protocol_version
        request = hj212.history_request(
            kind,
            missing[0],
            missing[1],
            mn=device.mn,
            pw=device.password,
            st=device.st,
            qn=hj212.new_qn(local_now),
            version=version if version in ("2005", "2017", "2025") else "2017",
        )
        log.info(
            "requesting missed %s data %s..%s",
            kind,
            missing[0],
            missing[1],
            extra={"mn": device.mn},
        )
        self.send(request, sm4_key=device.sm4_key, answer=False)
        BACKFILL_REQUESTS.inc()
        await self.writer.drain()


def _latest(engine: sa.Engine, point_id: int, kind: str, before: Any) -> list[Any]:
    with engine.connect() as conn:
        return latest_data_times(conn, point_id, kind, before)


class JunkBurst:
    """Bytes outside any frame, gathered until the next frame into one rejection record.

    A device or scanner trickling garbage would otherwise cost one raw_frame
    row per TCP segment; the record keeps the first `prefix_bytes` bytes and
    counts the rest."""

    def __init__(self, prefix_bytes: int):
        self.prefix_bytes = prefix_bytes
        self._reset()

    def _reset(self) -> None:
        self._prefix = bytearray()
        self._whole_prefix = True  # no byte of the burst skipped before the prefix's end
        self._skipped = 0
        self._pieces = 0
        self._first_reason = ""
        self._started: float | None = None

    def age(self, now: float) -> float:
        return 0.0 if self._started is None else now - self._started

    def add(self, rejected: Sequence[hj212.Rejected], now: float) -> None:
        for piece in rejected:
            if self._started is None:
                self._started = now
                self._first_reason = piece.error.reason
            self._pieces += 1
            self._skipped += piece.skipped
            if self._whole_prefix and len(self._prefix) < self.prefix_bytes:
                self._prefix += piece.data[: self.prefix_bytes - len(self._prefix)]
            self._whole_prefix = self._whole_prefix and len(piece.data) == piece.skipped

    def take(self, peer: str) -> Verdict | None:
        """The burst as one rejected verdict (None when there was none); starts a new one."""
        if self._started is None:
            return None
        data = bytes(self._prefix)
        reason = self._first_reason  # one piece: its own reason says it all
        if self._pieces > 1:
            reason = (
                f"{self._skipped} bytes outside any frame skipped in {self._pieces} pieces,"
                f" first {len(data)} kept (first: {reason})"
            )
        received_at, _ = now_pair()
        raw = {"received_at": received_at, "peer": peer, "data": data}
        raw.update(rules.sniff(data))
        raw.update(verdict="rejected", reason=reason)
        self._reset()
        return Verdict(False, reason, raw, kind=Reason.JUNK)
