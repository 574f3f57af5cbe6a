"""`ecozone writer`: from the durable log into the database, then the follow-up.

Store consumer: a durable pull consumer shared by every writer process
fetches a batch, writes it in one transaction (ingest.service.write_isolating:
raw frames, measurement upsert, last-seen) and acknowledges the messages
only after the commit. A message is delivered again when a writer died
before its acknowledgement (or, with the database away, to a second writer
while the first still retries), so each message's receipt (peer, instant,
bytes) is claimed in log_receipt in the transaction that stores it: a frame
is stored once however often, and by however many writers, it is delivered.
While the database is unavailable the batch is retried with a doubling
backoff and kept "in progress", so no other writer takes it.

Follow-up consumer: its own durable consumer on the accepted frames runs
what AfterCommit hooks run in the embedded gateway (aggregates, limits,
linkage), and only for messages the store consumer has acknowledged, i.e.
whose rows are committed: it waits until the store consumer's ack floor
passes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import sqlalchemy as sa
from prometheus_client import Counter, Gauge

from ecozone.ingest import message
from ecozone.ingest.rules import Verdict
from ecozone.ingest.service import AfterCommit, write_isolating
from ecozone.ingest.stream import LogSettings, connect, ensure_consumer, ensure_stream
from ecozone.store.schema import log_receipt

log = logging.getLogger("ecozone.ingest.writer")

WRITTEN = Counter(
    "ecozone_log_frames_written_total",
    "Log messages a writer finished, by outcome (stored, already_stored, unreadable, refused)",
    ["outcome"],
)
RETRIES = Counter("ecozone_log_write_retries_total", "Batches retried: database unavailable")
PENDING = Gauge(
    "ecozone_log_pending_messages",
    "Messages of the log a consumer has not acknowledged yet (its lag)",
    ["consumer"],
)

# The database cannot be used right now, whatever the rows: wait and retry.
UNAVAILABLE = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


def write_once(engine: sa.Engine, verdicts: Sequence[Verdict]) -> list[Exception | str | None]:
    """Store the verdicts not stored yet. Per verdict: None (committed now),
    "already" (committed before, by this writer or another) or the error that kept it out."""
    receipts = [message.receipt(v) for v in verdicts]
    return write_isolating(engine, verdicts, receipts=receipts)


def purge_receipts(engine: sa.Engine, older_than: datetime) -> int:
    """Forget receipts of frames received before `older_than`: the stream no longer holds
    those messages, so none can be delivered again."""
    with engine.begin() as conn:
        done = conn.execute(sa.delete(log_receipt).where(log_receipt.c.received_at < older_than))
    return done.rowcount or 0


async def _keep_in_progress(msgs: Sequence[Any], every_s: float) -> None:
    """Tell JetStream the messages are being worked on, so ack_wait does not pass."""
    while True:
        await asyncio.sleep(every_s)
        for msg in msgs:
            with contextlib.suppress(Exception):
                await msg.in_progress()


class Writer:
    """One writer process: the store consumer and, optionally, the follow-up consumer."""

    def __init__(
        self,
        engine: sa.Engine,
        settings: LogSettings,
        *,
        store: bool = True,
        after_commit: Sequence[AfterCommit] = (),
        name: str = "ecozone-writer",
    ):
        self.engine = engine
        self.settings = settings
        self.store = store
        self.after_commit = list(after_commit)
        self.name = name
        self.nc: Any = None
        self.js: Any = None

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set; messages in hand at that moment are finished first."""
        settings = self.settings
        self.nc = await connect(settings, name=self.name)
        self.js = self.nc.jetstream(timeout=10)
        try:
            await ensure_stream(self.js, settings)
            everything, accepted = f"{settings.subject}.>", f"{settings.subject}.accepted"
            await ensure_consumer(self.js, settings, settings.writer_consumer, everything)
            loops = []
            if self.store:
                loops.append(self._consume(settings.writer_consumer, everything, self._store, stop))
                loops.append(self._purge_receipts(stop))
            if self.after_commit:
                await ensure_consumer(self.js, settings, settings.follow_up_consumer, accepted)
                loops.append(
                    self._consume(settings.follow_up_consumer, accepted, self._follow_up, stop)
                )
            loops.append(self._watch_lag(stop))
            await asyncio.gather(*loops)
        finally:  # everything handled is acknowledged; the rest goes to other writers
            with contextlib.suppress(Exception):
                await self.nc.close()

    async def _consume(
        self,
        durable: str,
        subject: str,
        handle: Callable[[list[Any], asyncio.Event], Any],
        stop: asyncio.Event,
    ) -> None:
        sub = await self.js.pull_subscribe(subject, durable=durable, stream=self.settings.stream)
        log.info("%s: consuming %s of stream %s", durable, subject, self.settings.stream)
        while not stop.is_set():
            try:
                msgs = await sub.fetch(self.settings.batch, timeout=self.settings.fetch_wait_s)
            except TimeoutError:
                continue
            except Exception as exc:  # NATS away: the client reconnects by itself
                log.warning("%s: fetch failed: %s", durable, exc.__class__.__name__)
                await _pause(stop, 1.0)
                continue
            if msgs:
                await handle(msgs, stop)

    async def _store(self, msgs: list[Any], stop: asyncio.Event) -> None:
        readable, verdicts = [], []
        for msg in msgs:
            try:
                verdicts.append(message.decode(msg.data))
                readable.append(msg)
            except message.MessageError as exc:
                log.error("log message %s dropped: %s", _seq(msg), exc)
                WRITTEN.labels("unreadable").inc()
                with contextlib.suppress(Exception):
                    await msg.term()
        keeper = asyncio.create_task(_keep_in_progress(readable, self.settings.ack_wait_s / 3))
        delay = 0.5
        try:
            while readable:
                outcomes = await asyncio.to_thread(write_once, self.engine, verdicts)
                waiting_msgs, waiting = [], []
                for msg, verdict, outcome in zip(readable, verdicts, outcomes, strict=True):
                    if isinstance(outcome, UNAVAILABLE):
                        waiting_msgs.append(msg)
                        waiting.append(verdict)
                        continue
                    await self._finish(msg, verdict, outcome)
                if not waiting:
                    return
                first = next(o for o in outcomes if isinstance(o, UNAVAILABLE))
                RETRIES.inc()
                log.error(
                    "database unavailable: %d frames wait in the log, next try in %.1f s: %s",
                    len(waiting), delay, _summary(first),
                )  # fmt: skip
                readable, verdicts = waiting_msgs, waiting
                if await _pause(stop, delay):
                    for msg in readable:  # to another writer at once
                        with contextlib.suppress(Exception):
                            await msg.nak()
                    return
                delay = min(delay * 2, self.settings.retry_max_s)
        finally:
            keeper.cancel()

    async def _finish(self, msg: Any, verdict: Verdict, outcome: Exception | str | None) -> None:
        if outcome is None or outcome == "already":
            WRITTEN.labels("stored" if outcome is None else "already_stored").inc()
            with contextlib.suppress(Exception):  # a lost ack: delivered again, found stored
                await msg.ack()
            return
        # Even its bare rejection record was refused: it can never be stored.
        WRITTEN.labels("refused").inc()
        log.error(
            "frame of MN %s (log message %s) refused by the database and dropped: %s",
            verdict.raw.get("mn"), _seq(msg), _summary(outcome),
        )  # fmt: skip
        with contextlib.suppress(Exception):
            await msg.term()

    async def _follow_up(self, msgs: list[Any], stop: asyncio.Event) -> None:
        last = max(msg.metadata.sequence.stream for msg in msgs)
        keeper = asyncio.create_task(_keep_in_progress(msgs, self.settings.ack_wait_s / 3))
        try:
            if not await self._committed_through(last, stop):
                return
            rows = []
            for msg in msgs:
                with contextlib.suppress(message.MessageError):  # the store consumer logs it
                    rows.extend(message.decode(msg.data).rows)
            delay = 0.5
            while rows:
                try:
                    for hook in self.after_commit:
                        await asyncio.to_thread(hook, rows)
                    break
                except UNAVAILABLE as exc:
                    log.error("follow-up waits for the database (%.1f s): %s", delay, _summary(exc))
                    if await _pause(stop, delay):
                        return
                    delay = min(delay * 2, self.settings.retry_max_s)
                except Exception:  # the data is stored; a failed follow-up is logged
                    log.exception("follow-up of %d rows failed", len(rows))
                    break
        finally:
            keeper.cancel()
        for msg in msgs:
            with contextlib.suppress(Exception):
                await msg.ack()

    async def _committed_through(self, seq: int, stop: asyncio.Event) -> bool:
        """Wait until the store consumer acknowledged every message up to `seq`."""
        while not stop.is_set():
            try:
                info = await self.js.consumer_info(
                    self.settings.stream, self.settings.writer_consumer
                )
                if info.ack_floor is not None and info.ack_floor.stream_seq >= seq:
                    return True
            except Exception as exc:
                log.warning("follow-up cannot read the store consumer: %s", exc.__class__.__name__)
            await _pause(stop, 0.2)
        return False

    async def _purge_receipts(self, stop: asyncio.Event) -> None:
        """Hourly: receipts a day past the stream's max age go (any writer may do it)."""
        keep = timedelta(seconds=self.settings.max_age_s) + timedelta(days=1)
        while not await _pause(stop, 3600.0):
            try:
                gone = await asyncio.to_thread(
                    purge_receipts, self.engine, datetime.now(UTC) - keep
                )
                if gone:
                    log.info("%d receipts older than the stream's messages purged", gone)
            except UNAVAILABLE as exc:
                log.warning("receipts not purged this hour: %s", _summary(exc))

    async def _watch_lag(self, stop: asyncio.Event) -> None:
        consumers = [self.settings.writer_consumer]
        if self.after_commit:
            consumers.append(self.settings.follow_up_consumer)
        while not stop.is_set():
            for durable in consumers:
                with contextlib.suppress(Exception):
                    info = await self.js.consumer_info(self.settings.stream, durable)
                    PENDING.labels(durable).set(
                        (info.num_pending or 0) + (info.num_ack_pending or 0)
                    )
            await _pause(stop, 5.0)


async def _pause(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep, or return early when `stop` is set; True when it is."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()


def _seq(msg: Any) -> str:
    with contextlib.suppress(Exception):
        return str(msg.metadata.sequence.stream)
    return "?"


def _summary(error: BaseException | str) -> str:
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    return f"{error.__class__.__name__}: {detail[0] if detail else ''}"[:300]
