"""Group commit: many verdicts, one transaction.

Sessions submit verdicts and, when they owe the device an answer, wait for
the future to resolve: it resolves only after the transaction holding the
frame has committed, so an acknowledged frame is never lost. While one
transaction runs in the writer thread, new submissions pile up and go
together into the next one; throughput therefore grows with load instead of
hinging on one commit per frame. One bad frame never costs the others: rows
are checked before the batch, and a batch the database refuses is split in
halves until the refused frame is alone, then recorded as rejected.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
import sqlalchemy as sa
from prometheus_client import Counter, Histogram
from sqlalchemy.dialects import postgresql, sqlite

from ecozone.ingest.rules import Reason, Verdict, make_storable, reject
from ecozone.measurements.store import insert_raw_frames, upsert_measurements
from ecozone.store.schema import device as device_table
from ecozone.store.schema import log_receipt

log = logging.getLogger("ecozone.ingest")

FRAMES = Counter("ecozone_frames_total", "Frames received, by verdict", ["verdict"])
REJECTIONS = Counter("ecozone_frames_rejected_total", "Rejected frames, by reason", ["reason"])
_ACCEPTED, _REJECTED = FRAMES.labels("accepted"), FRAMES.labels("rejected")
MEASUREMENTS = Counter("ecozone_measurements_written_total", "Measurement rows written")
WRITE_SECONDS = Histogram(
    "ecozone_write_seconds",
    "Duration of one group commit",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
BATCH_FRAMES = Histogram(
    "ecozone_write_batch_frames",
    "Frames per group commit",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000),
)


def label(verdict: Verdict) -> str:
    """A bounded label for a rejection: its Reason, else the reason text's first words."""
    return str(verdict.kind) if verdict.kind is not None else reason_label(verdict.reason)


def reason_label(reason: str | None) -> str:
    """A bounded label for the metric: the reason up to its first detail."""
    if not reason:
        return "none"
    for marker in ("unknown MN", "wrong password", "is strict", "CRC", "length", "DataTime"):
        if marker in reason:
            return marker.replace(" ", "_").lower()
    return reason.split(":")[0].split("(")[0].strip()[:40].replace(" ", "_").lower()


def write_verdicts(
    engine: sa.Engine, verdicts: Iterable[Verdict], *, receipts: Sequence[bytes] | None = None
) -> set[int]:
    """Store a batch in one transaction: raw frames, measurements, device last-seen.

    With `receipts` (one per verdict: ingest.message.receipt of a durable-log
    message), each is first claimed in log_receipt in the same transaction;
    a verdict whose receipt is there already, a message delivered again and
    committed by another writer (PostgreSQL makes a second claimant wait for
    the first's commit), is left out. Returns the indexes left out.
    """
    verdicts = list(verdicts)
    with engine.begin() as conn:
        skipped: set[int] = set()
        if receipts is not None:
            skipped = claim_receipts(conn, verdicts, receipts)
            if skipped:
                verdicts = [v for i, v in enumerate(verdicts) if i not in skipped]
        rows = [row for v in verdicts for row in v.rows]
        seen: dict[str, tuple[datetime, str]] = {}
        for v in verdicts:
            if v.accepted and v.device is not None and v.packet is not None:
                seen[v.device.mn] = (v.raw["received_at"], v.packet.protocol_version)
        insert_raw_frames(conn, [v.raw for v in verdicts])
        written = upsert_measurements(conn, rows)
        if seen:
            record_seen(conn, seen)
    accepted = 0
    for v in verdicts:
        if v.accepted:
            accepted += 1
        else:
            REJECTIONS.labels(label(v)).inc()
    _ACCEPTED.inc(accepted)
    _REJECTED.inc(len(verdicts) - accepted)
    MEASUREMENTS.inc(written)
    return skipped


def claim_receipts(
    conn: sa.Connection, verdicts: Sequence[Verdict], receipts: Sequence[bytes]
) -> set[int]:
    """Record the receipts in the caller's transaction; the indexes of those recorded before."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    claimed: set[bytes] = set()
    for start in range(0, len(receipts), _CLAIMS_PER_STATEMENT):
        part = range(start, min(start + _CLAIMS_PER_STATEMENT, len(receipts)))
        stmt = (
            insert(log_receipt)
            .values([{"receipt": receipts[i], "received_at": verdicts[i].raw["received_at"]}
                     for i in part])
            .on_conflict_do_nothing()
            .returning(log_receipt.c.receipt)
        )  # fmt: skip
        claimed.update(bytes(r) for r in conn.execute(stmt).scalars())
    # A receipt twice in one batch (the same message fetched twice) is stored by its first.
    first: dict[bytes, int] = {}
    for i, r in enumerate(receipts):
        first.setdefault(r, i)
    return {i for i, r in enumerate(receipts) if r not in claimed or first[r] != i}


_CLAIMS_PER_STATEMENT = 1_000


# PostgreSQL, one statement: the materialised CTE locks the devices' rows in MN order
# (gateway processes writing batches that share devices never wait on each other in a
# cycle) and a row is updated only once locked, over arrays instead of one UPDATE each.
_PG_RECORD_SEEN = sa.text(
    "WITH locked AS MATERIALIZED (SELECT mn FROM device WHERE mn = ANY(CAST(:mns AS text[]))"
    " ORDER BY mn FOR UPDATE)"
    " UPDATE device SET last_seen_at = seen.at, protocol = seen.version"
    " FROM unnest(CAST(:mns AS text[]), CAST(:ats AS timestamptz[]),"
    " CAST(:versions AS text[])) AS seen(mn, at, version), locked"
    " WHERE device.mn = seen.mn AND locked.mn = seen.mn"
)


def record_seen(conn: sa.Connection, seen: dict[str, tuple[datetime, str]]) -> None:
    """Each device's last-seen instant and protocol version, in the caller's transaction."""
    mns = sorted(seen)
    if conn.dialect.name == "postgresql":
        conn.execute(
            _PG_RECORD_SEEN,
            {"mns": mns, "ats": [seen[mn][0] for mn in mns],
             "versions": [seen[mn][1] for mn in mns]},
        )  # fmt: skip
        return
    conn.execute(
        device_table.update()
        .where(device_table.c.mn == sa.bindparam("device_mn"))
        .values(last_seen_at=sa.bindparam("seen_at"), protocol=sa.bindparam("version")),
        [{"device_mn": mn, "seen_at": seen[mn][0], "version": seen[mn][1]} for mn in mns],
    )


# Errors that say the database cannot be used right now, whatever the rows: splitting
# the batch would not help, so every frame of it fails (and is not acknowledged).
_UNAVAILABLE = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


def write_isolating(
    engine: sa.Engine, verdicts: Sequence[Verdict], *, receipts: Sequence[bytes] | None = None
) -> list[Exception | str | None]:
    """Store a batch so that a frame the database refuses costs only itself.

    Each verdict is first made storable (rules.make_storable). When the
    commit fails for a reason other than an unavailable database, the batch
    is retried in halves; a frame that fails alone is stored as rejected
    (Reason.DATABASE_REFUSED) without its measurements. Returns, per
    verdict, None when its record is committed (see `verdict.accepted`),
    "already" when its receipt (see write_verdicts) was committed before,
    or the error that kept it from being stored.
    """
    for verdict in verdicts:
        make_storable(verdict)
    outcomes: list[Exception | str | None] = [None] * len(verdicts)
    _write_part(engine, list(verdicts), receipts, 0, len(verdicts), outcomes)
    return outcomes


def _write_part(
    engine: sa.Engine,
    verdicts: list[Verdict],
    receipts: Sequence[bytes] | None,
    lo: int,
    hi: int,
    outcomes: list[Exception | str | None],
) -> None:
    try:
        part = None if receipts is None else receipts[lo:hi]
        for i in write_verdicts(engine, verdicts[lo:hi], receipts=part):
            outcomes[lo + i] = "already"
        return
    except _UNAVAILABLE as exc:
        outcomes[lo:hi] = [exc] * (hi - lo)
        return
    except Exception as exc:
        error = exc
    if hi - lo > 1:
        middle = (lo + hi) // 2
        _write_part(engine, verdicts, receipts, lo, middle, outcomes)
        _write_part(engine, verdicts, receipts, middle, hi, outcomes)
        return
    verdict = verdicts[lo]
    if not verdict.accepted:  # even its bare record was refused
        outcomes[lo] = error
        return
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    summary = f"{error.__class__.__name__}: {detail[0] if detail else ''}"[:300]
    log.warning("frame of MN %s refused by the database: %s", verdict.raw.get("mn"), summary)
    reject(verdict, Reason.DATABASE_REFUSED, f"the database refused the frame: {summary}")
    try:
        part = None if receipts is None else receipts[lo : lo + 1]
        if write_verdicts(engine, [verdict], receipts=part):
            outcomes[lo] = "already"
    except Exception as exc:
        outcomes[lo] = exc


@dataclass
class _Item:
    verdict: Verdict
    future: asyncio.Future[bool] | None


AfterCommit = Callable[[list[dict[str, Any]]], None]


class GroupCommitter:
    """Batches submitted verdicts into transactions run in worker threads.

    Up to `in_flight` transactions run at once (default: 2 on PostgreSQL, so
    one batch's rows are built while the server stores the previous one and
    both cores work; 1 on SQLite, which has one writer). A batch holding a
    frame of a connection or a device that an earlier batch still writes
    waits for that batch's commit: a device's records are stored, and its
    answers go out, in the order it sent them.

    `after_commit` callbacks receive the measurement rows of committed
    batches (for aggregation and alerting). They run in their own worker,
    coalescing rows while busy, so they never delay an answer to a device.
    """

    def __init__(
        self,
        engine: sa.Engine,
        *,
        max_batch: int = 5000,
        after_commit: Sequence[AfterCommit] = (),
        in_flight: int | None = None,
    ):
        self.engine = engine
        self.max_batch = max_batch
        if in_flight is None:
            in_flight = 2 if engine.dialect.name == "postgresql" else 1
        self.in_flight = max(in_flight, 1)
        self._writing: dict[asyncio.Task[None], frozenset[str]] = {}
        self.after_commit = list(after_commit)
        self._pending: list[_Item] = []
        self._wakeup = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._committed_rows: list[dict[str, Any]] = []
        self._rows_ready = asyncio.Event()
        self._hook_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._run(), name="group-commit")
        if self.after_commit:
            self._hook_task = loop.create_task(self._run_hooks(), name="after-commit")

    def submit(self, verdict: Verdict, *, wait: bool) -> asyncio.Future[bool] | None:
        """Queue a verdict; with wait=True the returned future resolves after commit,
        to True when the frame was stored as accepted, False when it was stored as
        rejected at the last moment (its text or the database refused its rows)."""
        if self._closing:
            raise RuntimeError("the writer is shutting down")
        future = asyncio.get_running_loop().create_future() if wait else None
        self._pending.append(_Item(verdict, future))
        self._wakeup.set()
        return future

    async def close(self) -> None:
        """Write everything queued, run the callbacks on it, then stop."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
        self._rows_ready.set()
        if self._hook_task is not None:
            await self._hook_task

    async def _run_hooks(self) -> None:
        while True:
            await self._rows_ready.wait()
            self._rows_ready.clear()
            rows, self._committed_rows = self._committed_rows, []
            if rows:
                for hook in self.after_commit:
                    try:
                        await asyncio.to_thread(hook, rows)
                    except Exception:  # the data is stored; a failed follow-up is logged
                        log.exception("after-commit callback %s failed", hook)
            if self._closing and not self._committed_rows and self._task and self._task.done():
                return

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                while len(self._writing) >= self.in_flight:  # submissions pile up meanwhile
                    await asyncio.wait(self._writing, return_when=asyncio.FIRST_COMPLETED)
                batch, self._pending = (
                    self._pending[: self.max_batch],
                    self._pending[self.max_batch :],
                )
                keys = _order_keys(batch)
                earlier = [task for task, held in self._writing.items()
                           if not held.isdisjoint(keys)]  # fmt: skip
                task = asyncio.get_running_loop().create_task(self._write(batch, earlier))
                self._writing[task] = keys
                task.add_done_callback(self._writing.pop)
            if self._closing:
                if self._writing:
                    await asyncio.wait(self._writing)
                return

    async def _write(self, batch: list[_Item], after: Sequence[asyncio.Task[None]] = ()) -> None:
        if after:  # a connection or device of this batch is still being written
            await asyncio.wait(after)
        started = time.perf_counter()
        try:
            outcomes = await asyncio.to_thread(
                write_isolating, self.engine, [i.verdict for i in batch]
            )
        except Exception as exc:  # pragma: no cover - write_isolating reports per frame
            outcomes = [exc] * len(batch)
        failed = [error for error in outcomes if error is not None]
        if failed:  # the database failed: those frames get no answer
            log.error(
                "group commit: %d of %d frames failed: %s", len(failed), len(batch), failed[0]
            )
        WRITE_SECONDS.observe(time.perf_counter() - started)
        BATCH_FRAMES.observe(len(batch))
        stored = [item for item, error in zip(batch, outcomes, strict=True) if error is None]
        if self.after_commit and stored:
            self._committed_rows.extend(row for item in stored for row in item.verdict.rows)
            self._rows_ready.set()
        for item, error in zip(batch, outcomes, strict=True):
            if item.future is None or item.future.done():
                continue
            if error is None:
                item.future.set_result(item.verdict.accepted)
            else:
                item.future.set_exception(error)


def _order_keys(batch: Sequence[_Item]) -> frozenset[str]:
    """What orders batches: the connections (peer) and devices (MN) whose frames they hold."""
    keys = set()
    for item in batch:
        raw = item.verdict.raw
        keys.add(raw["peer"])
        if raw.get("mn"):
            keys.add("MN " + raw["mn"])
    return frozenset(keys)


def now_pair() -> tuple[datetime, datetime]:
    """(aware UTC now, naive China Standard Time now): the receive stamp and device clock."""
    utc = datetime.now(UTC)
    return utc, (utc + _CST_OFFSET).replace(tzinfo=None)


_CST_OFFSET = datetime(2000, 1, 1, 8) - datetime(2000, 1, 1)
