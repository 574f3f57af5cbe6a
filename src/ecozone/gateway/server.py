"""asyncio TCP server: one Session (an asyncio.Protocol) per device connection.

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
from collections import deque
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import sqlalchemy as sa
from prometheus_client import Counter, Gauge

from ecozone import hj212
from ecozone.gateway import hj2025
from ecozone.gateway.directory import DeviceDirectory
from ecozone.ingest import rules
from ecozone.ingest.rules import (
    Reason,
    Verdict,
    answer_cn,
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
# Frames of one session waiting for their commit (or behind slow work) before reading
# pauses: a device that does not wait for its answers cannot queue without bound.
MAX_IN_FLIGHT = 256
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
        self.tasks: set[asyncio.Task[Any]] = set()  # sessions' slow-path and history work
        self._server: asyncio.Server | None = None
        self._refresher: asyncio.Task[None] | None = None
        self._no_sessions = asyncio.Event()

    @property
    def key_grace(self) -> timedelta:
        return timedelta(seconds=self.options.sm4_key_grace_s)

    @property
    def address(self) -> tuple[str, int]:
        assert self._server is not None
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    async def start(self) -> None:
        """Load the registry and listen. A port in use raises OSError naming it."""
        await self.directory.load()
        self.committer.start()
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(
                lambda: Session(self), self.host, self.port, backlog=4096,
                reuse_port=self.options.reuse_port or None,
            )  # fmt: skip
        except OSError as exc:
            await self.committer.close()
            raise OSError(
                exc.errno,
                f"cannot listen for HJ 212 devices on {self.host}:{self.port}: {exc.strerror}",
            ) from None
        self._refresher = loop.create_task(self.directory.keep_fresh())
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
            self._no_sessions.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._no_sessions.wait(), timeout=10)
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=10)
        await self.committer.close()
        if self._server is not None:
            await self._server.wait_closed()
        log.info("gateway stopped")

    def admit(self, session: Session, address: str) -> bool:
        """Count a new connection in, or refuse it by a limit."""
        if len(self.sessions) >= self.options.max_connections:
            CUT_OFF.labels("max_connections").inc()
            return False
        cap = self.options.max_connections_per_address
        if cap and self.connections_by_address[address] >= cap:
            log.warning("connection refused: %s already holds %d connections", address, cap)
            CUT_OFF.labels("per_address").inc()
            return False
        self.connections_by_address[address] += 1
        self.sessions.add(session)
        CONNECTIONS.inc()
        CONNECTIONS_TOTAL.inc()
        return True

    def release(self, session: Session, address: str) -> None:
        self.sessions.discard(session)
        CONNECTIONS.dec()
        self.connections_by_address[address] -= 1
        if self.connections_by_address[address] <= 0:
            del self.connections_by_address[address]
        if not self.sessions:
            self._no_sessions.set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """A task the graceful stop waits for."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task


class Session(asyncio.Protocol):
    """One device connection, in whichever HJ 212 version the device speaks.

    The common case runs in data_received itself, with no task per frame: a
    frame is judged, queued for the group commit, and its answer is written by
    the commit future's callback. A frame that needs I/O before its answer (a
    directory refresh, a CN 1014 key rotation, a CN 1001 announcement) goes to
    the session's one worker task, and the frames after it wait behind it, so
    answers keep the frames' order. Reading pauses while too many frames wait
    for their commit or the device does not read its answers.
    """

    def __init__(self, gateway: Gateway):
        self.gateway = gateway
        self.transport: asyncio.Transport | None = None
        self.peer = "unknown"
        self.decoder = hj212.FrameDecoder()
        self.reassembler = hj212.Reassembler(timeout_s=gateway.options.reassembly_timeout_s)
        self.mns: set[str] = set()
        self.backfill_checked: set[tuple[int, str]] = set()
        self.junk = JunkBurst(gateway.options.junk_prefix_bytes)
        self._address = "unknown"
        self._admitted = False
        self._closing = False
        self._eof = False
        self._last_read = 0.0
        self._frame_started: float | None = None  # when the frame now being received began
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._queue: deque[_Waiting] = deque()  # frames behind slow work, in order
        self._worker: asyncio.Task[None] | None = None
        self._in_flight = 0  # frames waiting for their commit
        self._write_paused = False
        self._read_paused = False

    # -- the transport's callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports have the interface but not the class: no isinstance check.
        self.transport = cast(asyncio.Transport, transport)
        peername = transport.get_extra_info("peername")
        if peername:
            self._address = str(peername[0])
            self.peer = f"{peername[0]}:{peername[1]}"
        if not self.gateway.admit(self, self._address):
            self._closing = True
            transport.close()
            return
        self._admitted = True
        self._last_read = time.monotonic()
        self._arm(self._last_read + self.gateway.options.idle_timeout_s)

    def connection_lost(self, exc: Exception | None) -> None:
        self._closing = True
        if self._timer is not None:
            self._timer.cancel()
        if not self._admitted:
            return
        with contextlib.suppress(Exception):
            self._record_junk()
        self.gateway.release(self, self._address)

    def eof_received(self) -> bool:
        """The device is done sending: answer what is pending, then close."""
        self._eof = True
        self._close_if_done()
        return True

    def pause_writing(self) -> None:
        self._write_paused = True
        self._throttle()

    def resume_writing(self) -> None:
        self._write_paused = False
        self._throttle()

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        options = self.gateway.options
        deadline = options.frame_deadline_s
        now = time.monotonic()
        self._last_read = now
        frames = self.decoder.feed(data)
        self.junk.add(self.decoder.take_rejected(), now)
        if frames or self.junk.age(now) >= (deadline or options.idle_timeout_s):
            self._record_junk()  # a burst ends at the next frame
        if not self.decoder.buffered:
            self._frame_started = None
        elif frames or self._frame_started is None:
            self._frame_started = now
            if deadline and now + deadline < self._timer_at:
                self._arm(now + deadline)
        try:
            for frame in frames:
                self._dispatch(frame)
        except Exception:
            log.exception("session failed", extra={"peer": self.peer})
            self.close()
            return
        for error in self.reassembler.expire(now):
            log.warning("incomplete message dropped: %s", error, extra={"peer": self.peer})
        self._throttle()

    # -- closing, timers and flow control

    def close(self) -> None:
        self._closing = True
        if self.transport is not None:
            self.transport.close()

    def _close_if_done(self) -> None:
        if self._eof and not self._in_flight and not self._queue and self._worker is None:
            self.close()

    def _arm(self, at: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = at
        self._timer = asyncio.get_running_loop().call_at(at, self._on_timer)

    def _on_timer(self) -> None:
        """One timer per session, moved lazily: the idle timeout restarts with every read,
        the frame deadline does not. Time spent paused (waiting on the commit or on the
        device reading its answers) counts for neither."""
        self._timer = None
        if self._closing:
            return
        options = self.gateway.options
        now = time.monotonic()
        if self._read_paused:  # the gateway is behind, not the device
            self._last_read = now
            if self._frame_started is not None:
                self._frame_started = now
        idle_at = self._last_read + options.idle_timeout_s
        deadline_at = float("inf")
        if self._frame_started is not None and options.frame_deadline_s:
            deadline_at = self._frame_started + options.frame_deadline_s
        if now < min(idle_at, deadline_at):
            self._arm(min(idle_at, deadline_at))
            return
        extra = {"peer": self.peer, "mn": ",".join(self.mns)}
        if deadline_at <= now and deadline_at < idle_at:
            log.info("frame not completed within %g s", options.frame_deadline_s, extra=extra)
            CUT_OFF.labels("frame_deadline").inc()
        else:
            log.info("idle timeout", extra=extra)
        self.close()

    def _throttle(self) -> None:
        """Pause reading while the device is ahead of its answers; resume once caught up."""
        if self.transport is None or self._closing:
            return
        busy = (self._write_paused or self._in_flight >= MAX_IN_FLIGHT
                or len(self._queue) >= MAX_IN_FLIGHT)  # fmt: skip
        if busy and not self._read_paused:
            self._read_paused = True
            self.transport.pause_reading()
        elif not busy and self._read_paused:
            self._read_paused = False
            self.transport.resume_reading()

    # -- frames

    def send(
        self, packet: hj212.Packet, *, sm4_key: bytes | None = None, answer: bool = True
    ) -> None:
        """Write a packet; data commands are SM4-encrypted when `sm4_key` is given."""
        length_counts = self.gateway.options.sm4_length_counts
        self.write(hj212.encode(packet, sm4_key=sm4_key, length_counts=length_counts))
        if answer:
            _answers(packet.cn).inc()

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def _record_junk(self) -> None:
        verdict = self.junk.take(self.peer)
        if verdict is not None:
            self.gateway.committer.submit(verdict, wait=False)

    def _judge(self, frame: bytes, received_at: datetime, local_now: datetime) -> Verdict:
        return judge(
            frame,
            peer=self.peer,
            devices=self.gateway.directory.devices,
            received_at=received_at,
            local_now=local_now,
            key_grace=self.gateway.key_grace,
        )

    def _dispatch(self, frame: bytes) -> None:
        if self._queue or self._worker is not None:  # behind slow work: keep the order
            self._queue.append(_Waiting(frame, None, *now_pair()))
            return
        received_at, local_now = now_pair()
        verdict = self._judge(frame, received_at, local_now)
        if _needs_io(verdict):
            self._queue.append(_Waiting(frame, verdict, received_at, local_now))
            self._worker = self.gateway.spawn(self._work())
            return
        self._take(verdict, received_at, local_now)

    async def _work(self) -> None:
        try:
            while self._queue and not self._closing:
                waiting = self._queue.popleft()
                verdict = waiting.verdict or self._judge(
                    waiting.frame, waiting.received_at, waiting.local_now
                )
                if _needs_io(verdict):
                    await self._take_slowly(waiting, verdict)
                else:
                    self._take(verdict, waiting.received_at, waiting.local_now)
                self._throttle()
        except Exception:
            log.exception("session failed", extra={"peer": self.peer})
            self.close()
        finally:
            self._worker = None
            self._throttle()
            self._close_if_done()

    async def _take_slowly(self, waiting: _Waiting, verdict: Verdict) -> None:
        gateway = self.gateway
        if not verdict.accepted and verdict.kind in DEVICE_DEPENDENT:
            # Another gateway process may have changed the device a moment ago (a new
            # SM4 key after CN 1014, a registration): read it again and judge once more.
            mn = verdict.raw.get("mn")
            before = gateway.directory.devices.get(mn)
            await gateway.directory.refresh_if_stale(mn)
            after = gateway.directory.devices.get(mn)
            if after is not None and after != before:
                verdict = self._judge(waiting.frame, waiting.received_at, waiting.local_now)
        packet = verdict.packet
        if not verdict.accepted or packet is None:
            self._reject(verdict)
            if packet is not None and packet.cn == "1001":
                await hj2025.announce(self, verdict, waiting.local_now)
            return
        if packet.cn != "1014":
            self._take(verdict, waiting.received_at, waiting.local_now)
            return
        # HJ 212-2025: the device asks for a new SM4 key, sent once its frame is stored.
        self.mns.add(packet.mn)
        try:
            stored_as_accepted = await gateway.committer.submit(verdict, wait=True)  # type: ignore[misc]
        except Exception:
            self.close()  # not durable, so not answered: the device will ask again
            return
        if stored_as_accepted:
            await hj2025.rotate_key(self, verdict, waiting.local_now)
        else:
            log.info("frame rejected: %s", verdict.reason, extra={"peer": self.peer})

    def _reject(self, verdict: Verdict) -> None:
        log.info("frame rejected: %s", verdict.reason, extra={"peer": self.peer})
        self.gateway.committer.submit(verdict, wait=False)

    def _take(self, verdict: Verdict, received_at: datetime, local_now: datetime) -> None:
        """Queue a judged frame for the commit; its answer goes out from the callback."""
        packet = verdict.packet
        if not verdict.accepted or packet is None:
            self._reject(verdict)
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
        answer = answer_cn(packet)
        future = self.gateway.committer.submit(verdict, wait=answer is not None)
        if future is None:
            self._check_history(verdict, kind)
            return
        self._in_flight += 1
        future.add_done_callback(lambda f: self._committed(f, verdict, answer, kind))

    def _committed(
        self, future: asyncio.Future[bool], verdict: Verdict, answer: str | None,
        kind: str | None,
    ) -> None:  # fmt: skip
        """The commit's callback: the answer (of CN `answer`) goes out once the frame is
        durable."""
        self._in_flight -= 1
        try:
            if future.cancelled() or future.exception() is not None:
                self.close()  # not durable, so not acknowledged: the device sends it again
                return
            if not future.result():  # refused at the write; recorded with its reason
                log.info("frame rejected: %s", verdict.reason, extra={"peer": self.peer})
                return
            if answer is not None and not self._closing and verdict.packet is not None:
                self.write(hj212.answer_frame(verdict.packet, answer))
                _answers(answer).inc()
            self._check_history(verdict, kind)
        except Exception:  # an answer that cannot be written (encode refused an echoed field)
            log.exception("session failed", extra={"peer": self.peer})
            self.close()
        finally:
            self._throttle()
            self._close_if_done()

    def _check_history(self, verdict: Verdict, kind: str | None) -> None:
        """After a reconnect, the first minute/hour upload of a point starts the look for
        missed history (once per point and kind in a session)."""
        packet = verdict.packet
        if (kind not in rules.BACKFILL_KINDS or not self.gateway.options.backfill
                or packet is None or not packet.cp.data_time or self._closing):  # fmt: skip
            return
        key = (verdict.device.point_id, kind)
        if key not in self.backfill_checked:
            self.backfill_checked.add(key)
            self.gateway.spawn(self._maybe_backfill(verdict, kind))

    async def _maybe_backfill(self, verdict: Verdict, kind: str) -> None:
        device, packet = verdict.device, verdict.packet
        assert packet is not None and packet.cp.data_time is not None
        try:
            stored = await asyncio.to_thread(
                _latest, self.gateway.engine, device.point_id, kind, packet.cp.data_time
            )
        except sa.exc.DBAPIError as exc:  # the database is away; the frame is answered
            log.warning("history check skipped: %s", type(exc).__name__, extra={"mn": device.mn})
            return
        missing = backfill_range(kind, packet.cp.data_time, stored)
        if missing is None or self._closing:
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


class _Waiting(NamedTuple):
    frame: bytes
    verdict: Verdict | None  # judged already, or to be judged in turn
    received_at: datetime
    local_now: datetime


def _needs_io(verdict: Verdict) -> bool:
    """Whether the frame's handling awaits I/O before its answer."""
    packet = verdict.packet
    if verdict.accepted:
        return packet is not None and packet.cn == "1014"
    return verdict.kind in DEVICE_DEPENDENT or (packet is not None and packet.cn == "1001")


_ANSWERS_BY_CN: dict[str, Any] = {}


def _answers(cn: str) -> Any:
    """The answers counter's child for a CN (labels() looks it up on every call)."""
    child = _ANSWERS_BY_CN.get(cn)
    if child is None:
        child = _ANSWERS_BY_CN[cn] = ANSWERS.labels(cn)
    return child


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
