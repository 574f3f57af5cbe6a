"""The durable log between gateways and writers: NATS JetStream.

A gateway started with a log URL hands its verdicts to a LogCommitter
instead of the GroupCommitter: each verdict is published as one message
(ingest.message) and its future resolves once JetStream's PubAck says the
stream stored it, so a device is acknowledged only for frames that are
durable in the log. Writers (ingest.writer) move the log into the database.
The stream and the consumers are declared here, idempotently, by whichever
process starts first; their limits are settings (config.log_settings).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import nats
from nats.js import api
from nats.js.errors import APIError, NotFoundError
from prometheus_client import Counter, Histogram

from ecozone.ingest import message
from ecozone.ingest.rules import Verdict, make_storable

log = logging.getLogger("ecozone.ingest.stream")

PUBLISHED = Counter(
    "ecozone_log_published_total",
    "Verdicts published to the log, by outcome (stored, duplicate, failed)",
    ["outcome"],
)
PUBLISH_SECONDS = Histogram(
    "ecozone_log_publish_seconds",
    "From a verdict's submission to JetStream's PubAck",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class LogError(RuntimeError):
    """The log cannot be used: no server reachable, or the stream cannot be declared."""


@dataclass(frozen=True)
class LogSettings:
    """Where the log is and how it keeps messages (ECOZONE_LOG_*; config.log_settings)."""

    # NATS servers, comma-separated (nats://h1:4222,nats://h2:4222); empty: no log, the
    # gateway writes to the database itself (the embedded default).
    url: str = ""
    stream: str = "ECOZONE_FRAMES"
    # Messages go to <subject>.accepted and <subject>.rejected.
    subject: str = "ecozone.frames"
    # Copies of every message (1 for a single server, 3 for a 3-node cluster).
    replicas: int = 1
    # How long messages are kept whatever their consumers did; a writer down for longer
    # loses them. Limits, not work-queue retention: several consumers read the stream.
    max_age_s: float = 7 * 24 * 3600.0
    # Stream size cap in bytes (-1: none). When full the stream refuses new frames, which
    # then go unacknowledged and stay on the devices, rather than dropping unwritten ones.
    max_bytes: int = -1
    # A second publish of the same frame within this window is dropped by JetStream.
    duplicate_window_s: float = 120.0
    # Seconds a gateway waits for a PubAck before it gives up on a frame (the device is
    # then not acknowledged and sends again).
    publish_timeout_s: float = 5.0
    # How long a process starting waits for a NATS server before it gives up.
    connect_wait_s: float = 30.0
    # Publishes awaiting their PubAck per gateway process.
    max_in_flight: int = 20_000
    writer_consumer: str = "ecozone-writer"
    follow_up_consumer: str = "ecozone-follow-up"
    # A message delivered to a writer and neither acknowledged nor reported in progress
    # within this many seconds goes to another writer.
    ack_wait_s: float = 30.0
    # Messages delivered and not yet acknowledged, per consumer (over all its writers).
    max_ack_pending: int = 50_000
    # Messages per writer transaction, and how long a fetch waits for them.
    batch: int = 2_000
    fetch_wait_s: float = 0.5
    # Backoff of a writer whose database is unavailable: doubles up to this many seconds.
    retry_max_s: float = 15.0

    @property
    def servers(self) -> list[str]:
        return [s.strip() for s in self.url.split(",") if s.strip()]


async def connect(settings: LogSettings, *, name: str) -> Any:
    """A NATS connection that reconnects forever; LogError when no server answers now."""

    said: dict[str, float] = {}

    async def on_error(exc: Exception) -> None:
        text, now = str(exc), time.monotonic()
        if now - said.get(text, -60.0) >= 30.0:  # the same error once per 30 s
            said[text] = now
            log.warning("NATS: %s", text)

    connection: list[Any] = []

    async def on_disconnect() -> None:
        if connection and (connection[0].is_closed or connection[0].is_draining):
            return  # closed on purpose
        log.warning("NATS connection lost; reconnecting")

    async def on_reconnect() -> None:
        log.info("NATS connection back")

    try:
        connecting = nats.connect(
            settings.servers,
            name=name,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            connect_timeout=5,
            error_cb=on_error,
            disconnected_cb=on_disconnect,
            reconnected_cb=on_reconnect,
            pending_size=64 * 1024 * 1024,
        )
        nc = await asyncio.wait_for(connecting, settings.connect_wait_s)
    except TimeoutError:
        raise LogError(
            f"cannot reach NATS at {settings.url} within {settings.connect_wait_s:g} s"
        ) from None
    except Exception as exc:
        raise LogError(f"cannot reach NATS at {settings.url}: {exc}") from None
    connection.append(nc)
    return nc


def stream_config(settings: LogSettings) -> api.StreamConfig:
    return api.StreamConfig(
        name=settings.stream,
        subjects=[f"{settings.subject}.>"],
        retention=api.RetentionPolicy.LIMITS,
        storage=api.StorageType.FILE,
        num_replicas=settings.replicas,
        max_age=settings.max_age_s or None,
        max_bytes=settings.max_bytes,
        discard=api.DiscardPolicy.NEW,
        duplicate_window=settings.duplicate_window_s,
    )


def consumer_config(settings: LogSettings, durable: str, filter_subject: str) -> api.ConsumerConfig:
    return api.ConsumerConfig(
        durable_name=durable,
        name=durable,
        deliver_policy=api.DeliverPolicy.ALL,
        ack_policy=api.AckPolicy.EXPLICIT,
        ack_wait=settings.ack_wait_s,
        max_deliver=-1,
        max_ack_pending=settings.max_ack_pending,
        filter_subject=filter_subject,
        num_replicas=0,  # as the stream
    )


async def ensure_stream(js: Any, settings: LogSettings) -> None:
    """Create the stream, or bring an existing one to the settings' limits."""
    config = stream_config(settings)
    try:
        await js.stream_info(settings.stream)
    except NotFoundError:
        try:
            await js.add_stream(config)
            log.info("stream %s created", settings.stream)
            return
        except APIError as exc:
            if exc.err_code != 10058:  # created meanwhile by another process
                raise LogError(f"cannot create stream {settings.stream}: {exc}") from None
    try:
        await js.update_stream(config)
    except APIError as exc:
        log.warning("stream %s kept as it is; its settings differ: %s", settings.stream, exc)


async def ensure_consumer(
    js: Any, settings: LogSettings, durable: str, filter_subject: str
) -> None:
    """Create a durable pull consumer; an existing one of that name is used as it is."""
    try:
        await js.consumer_info(settings.stream, durable)
        return
    except NotFoundError:
        pass
    with contextlib.suppress(APIError):  # another writer created it meanwhile
        await js.add_consumer(settings.stream, consumer_config(settings, durable, filter_subject))
    await js.consumer_info(settings.stream, durable)


@dataclass
class _Item:
    verdict: Verdict
    future: asyncio.Future[bool] | None
    submitted: float = field(default_factory=time.perf_counter)


class LogCommitter:
    """GroupCommitter's interface over the log: submit() returns a future that
    resolves after the PubAck (to whether the frame goes in as accepted).

    Build it with `await LogCommitter.open(settings)`, which connects and
    declares the stream, so a gateway that cannot reach its log does not start.
    """

    def __init__(self, settings: LogSettings, nc: Any, js: Any):
        self.settings = settings
        self.nc = nc
        self.js = js
        self._pending: list[_Item] = []
        self._wakeup = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Future[Any]] = set()

    @classmethod
    async def open(cls, settings: LogSettings, *, name: str = "ecozone-gateway") -> LogCommitter:
        nc = await connect(settings, name=name)
        js = nc.jetstream(
            timeout=settings.publish_timeout_s, publish_async_max_pending=settings.max_in_flight
        )
        try:
            await ensure_stream(js, settings)
        except Exception:
            await nc.close()
            raise
        return cls(settings, nc, js)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="log-publish")

    def submit(self, verdict: Verdict, *, wait: bool) -> asyncio.Future[bool] | None:
        """Queue a verdict for the log; with wait=True the future resolves after the
        PubAck, or fails (the frame is then not durable and must not be acknowledged)."""
        if self._closing:
            raise RuntimeError("the gateway's log is shutting down")
        future = asyncio.get_running_loop().create_future() if wait else None
        self._pending.append(_Item(verdict, future))
        self._wakeup.set()
        return future

    async def close(self) -> None:
        """Publish everything queued, wait for the PubAcks (or their timeouts), disconnect."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
        if self._in_flight:
            await asyncio.wait(list(self._in_flight))
        with contextlib.suppress(Exception):
            await self.nc.close()

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                batch, self._pending = self._pending, []
                for item in batch:
                    await self._publish(item)
            if self._closing:
                return

    async def _publish(self, item: _Item) -> None:
        verdict = make_storable(item.verdict)
        try:
            ack = await self.js.publish_async(
                message.subject_of(self.settings.subject, verdict),
                message.encode(verdict),
                wait_stall=self.settings.publish_timeout_s,
                headers={"Nats-Msg-Id": message.message_id(verdict)},
            )
        except Exception as exc:
            self._settle(item, None, exc)
            return
        loop = asyncio.get_running_loop()
        timer = loop.call_later(self.settings.publish_timeout_s, ack.cancel)
        self._in_flight.add(ack)

        def done(ack: asyncio.Future[Any]) -> None:
            timer.cancel()
            self._in_flight.discard(ack)
            if ack.cancelled():
                error: BaseException | None = TimeoutError(
                    f"no PubAck within {self.settings.publish_timeout_s:g} s"
                )
            else:
                error = ack.exception()
            self._settle(item, None if error else ack.result(), error)

        ack.add_done_callback(done)

    def _settle(self, item: _Item, ack: Any, error: BaseException | None) -> None:
        PUBLISH_SECONDS.observe(time.perf_counter() - item.submitted)
        if error is not None:
            PUBLISHED.labels("failed").inc()
            log.warning(
                "frame of MN %s not stored in the log: %s: %s",
                item.verdict.raw.get("mn"),
                error.__class__.__name__,
                error,
            )
        else:
            PUBLISHED.labels("duplicate" if ack.duplicate else "stored").inc()
        future = item.future
        if future is None or future.done():
            return
        if error is None:
            future.set_result(item.verdict.accepted)
        else:
            future.set_exception(error)
