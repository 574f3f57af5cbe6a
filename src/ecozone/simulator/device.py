# A virtual data logger on asyncio: it connects to the platform over TCP like a
# field device, uploads on its schedule, waits for answers with OverTime and
# ReCount, and answers the platform's requests.
#
# Strategy: one session per connection runs a reader (frames in; answers are
# matched to waiting uploads by QN, requests go to handler tasks), the schedule
# (uploads in time order, one at a time, like a logger's send queue) and, for
# HJ 212-2025 devices, the heartbeat. Times on the wire come from the device's
# own clock: the simulated Clock plus a skew the platform may correct (1012).
# Network waits are wall time; only the data schedule follows simulated time.

from __future__ import annotations

import asyncio
import bisect
import contextlib
import math
import random
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from ecozone.hj212 import (
    EXE_NO_DATA,
    EXE_SUCCESS,
    QN_BAD_PW,
    QN_READY,
    QN_REFUSED,
    CommandParams,
    FrameDecoder,
    Packet,
    ProtocolError,
    encode,
    execution_result,
    heartbeat,
    make_flag,
    new_qn,
    notification_response,
    parse,
    request_response,
)
from ecozone.hj212.codes import command_name
from ecozone.simulator import packets, profiles
from ecozone.simulator.model import DeviceSpec, Scenario, SimulatorError

__all__ = ["Clock", "Device", "DeviceStats", "china_now"]

_CST = timedelta(hours=8)
_EXE_BAD_CONDITION = 3  # HJ 212-2017 Table 6: 命令请求条件错误
_EXE_TIMEOUT = 4  # Table 6: 通讯超时
_QN_BAD_MN = 4  # Table 7: MN错误
_QN_BAD_CN = 8  # Table 7: CN错误
_MIN_INTERVALS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)  # Table 4, MinInterval
_HISTORY = {"2051": "minute", "2061": "hour", "2031": "day"}
_ANSWERS = ("9014", "9013")  # data response; notification response (heartbeat)
_READ_SIZE = 65536
_LINGER_S = 60.0  # wall seconds a device that reached its end waits for requests in progress


def china_now() -> datetime:
    """The wall clock as HJ 212 devices in China keep it: naive China Standard Time."""
    return (datetime.now(UTC) + _CST).replace(tzinfo=None)


class Clock:
    """Simulated time, starting at `start` (default: now) and running at `speed` times
    wall time; speed inf jumps straight to the next event. With `follow_wall`, once the
    simulated time catches up with the wall clock it stays on it, so a run can replay
    the last hours quickly and then go on live."""

    def __init__(
        self,
        start: datetime | None = None,
        speed: float = 1.0,
        *,
        follow_wall: bool = True,
        wall: Callable[[], datetime] = china_now,
    ):
        if not speed > 0:
            raise SimulatorError(f"speed {speed} must be > 0 (inf: as fast as answers come)")
        self.speed = speed
        self.follow_wall = follow_wall
        self._wall = wall
        self._live = start is None
        self._start = wall() if start is None else start
        self._anchor = time.monotonic()
        self._virtual = self._start

    @property
    def catching_up(self) -> bool:
        """True while simulated time is on its way to join the wall clock (a replay of the
        past, during which devices send no real-time data)."""
        self.now()
        return self.follow_wall and not self._live

    def now(self) -> datetime:
        if self._live:
            return self._wall()
        if math.isinf(self.speed):
            t = self._virtual
        else:
            t = self._start + timedelta(seconds=(time.monotonic() - self._anchor) * self.speed)
        if self.follow_wall:
            wall = self._wall()
            if t >= wall:
                self._live = True
                return wall
        return t

    async def sleep_until(self, t: datetime, wake: asyncio.Event | None = None) -> None:
        """Return once simulated time reaches `t`, or as soon as `wake` is set."""
        while True:
            now = self.now()
            if t <= now or (wake is not None and wake.is_set()):
                await asyncio.sleep(0)
                return
            if not self._live and math.isinf(self.speed):
                wall = self._wall() if self.follow_wall else None
                if wall is not None and t > wall:
                    self._virtual = wall
                    self._live = True
                    continue
                self._virtual = t
                await asyncio.sleep(0)
                return
            delay = (t - now).total_seconds() / (1.0 if self._live else self.speed)
            if wake is None:
                await asyncio.sleep(delay)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), delay)


# Ack latency histogram bounds: 20 per decade from 10 µs to 100 s.
_LATENCY_BOUNDS = [10 ** (i / 20 - 5) for i in range(141)]


@dataclass
class DeviceStats:
    """Counters of one device; RunStats adds them up."""

    frames_sent: int = 0
    bytes_sent: int = 0
    retries: int = 0  # resends after OverTime
    acks: int = 0
    ack_timeouts: int = 0  # uploads given up after ReCount resends
    connects: int = 0
    connect_failures: int = 0
    disconnects: int = 0
    requests: int = 0  # platform requests answered
    history_records: int = 0
    bad_frames: int = 0
    uploads: dict[str, int] = field(default_factory=dict)  # CN -> records sent
    latency_sum_s: float = 0.0
    latency_max_s: float = 0.0
    latency_buckets: list[int] = field(default_factory=lambda: [0] * (len(_LATENCY_BOUNDS) + 1))

    def record_ack(self, seconds: float) -> None:
        self.acks += 1
        self.latency_sum_s += seconds
        self.latency_max_s = max(self.latency_max_s, seconds)
        self.latency_buckets[bisect.bisect_left(_LATENCY_BOUNDS, seconds)] += 1

    def count_upload(self, cn: str) -> None:
        self.uploads[cn] = self.uploads.get(cn, 0) + 1

    def latency_percentile(self, q: float) -> float | None:
        """Upper bound of the q-quantile (0..1) of ack latency in seconds, None without acks."""
        total = sum(self.latency_buckets)
        if not total:
            return None
        rank = max(1, math.ceil(q * total))
        seen = 0
        for i, count in enumerate(self.latency_buckets):
            seen += count
            if seen >= rank:
                return min(_LATENCY_BOUNDS[min(i, len(_LATENCY_BOUNDS) - 1)], self.latency_max_s)
        return self.latency_max_s


class _LinkDown(Exception):
    """The connection is gone or unusable; the session ends and the device reconnects."""


def _next_boundary(t: datetime, step: timedelta) -> datetime:
    """The first multiple of `step` (counted from midnight 2000-01-01) after `t`."""
    return profiles.EPOCH + ((t - profiles.EPOCH) // step + 1) * step


class _LRU(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or(self, key, make):
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        if len(self) > self.size:
            self.popitem(last=False)
        return value


class _Data:
    """A device's view of profiles, with the few hours it is working on kept at hand."""

    def __init__(self, spec: DeviceSpec, scenario: Scenario):
        self.spec = spec
        self.scenario = scenario
        self._blocks = _LRU(2)
        self._intervals = _LRU(4)
        self._hours = _LRU(50)

    def block(self, hour: datetime) -> profiles.HourBlock:
        return self._blocks.get_or(
            hour, lambda: profiles.hour_block(self.spec, self.scenario, hour)
        )

    def readings(self, t: datetime) -> dict[str, profiles.Reading]:
        return profiles.reading_at(self.block(t.replace(minute=0, second=0, microsecond=0)), t)

    def intervals(self, hour: datetime, minutes: int) -> list:
        return self._intervals.get_or(
            (hour, minutes), lambda: profiles.interval_records(self.block(hour), minutes)
        )

    def interval(self, start: datetime, minutes: int) -> dict[str, profiles.Record]:
        for data_time, records in self.intervals(start.replace(minute=0), minutes):
            if data_time == start:
                return records
        raise SimulatorError(f"{start} is not on a {minutes}-minute boundary")

    def hour(self, hour: datetime, minutes: int) -> dict[str, profiles.Record]:
        return self._hours.get_or(
            (hour, minutes),
            lambda: profiles.combine(
                self.spec.kind, [records for _, records in self.intervals(hour, minutes)]
            ),
        )

    def day(self, day: datetime, minutes: int) -> dict[str, profiles.Record]:
        hours = [self.hour(day + timedelta(hours=h), minutes) for h in range(24)]
        return profiles.combine(self.spec.kind, hours)


class Device:
    """One virtual data logger. `await device.run(...)` until the clock passes `until`
    or `stop` is set; it reconnects by itself whenever the link drops."""

    def __init__(
        self,
        spec: DeviceSpec,
        host: str,
        port: int,
        scenario: Scenario | None = None,
        clock: Clock | None = None,
        stats: DeviceStats | None = None,
    ):
        scenario = scenario or Scenario()
        profiles.check_pollutants(spec)
        self.spec = spec
        self.host = host
        self.port = port
        self.scenario = scenario
        self.clock = clock or Clock()
        self.stats = stats or DeviceStats()
        self.password = spec.password
        self.rtd_interval_s = scenario.rtd_interval_s
        self.min_interval = scenario.min_interval_for(spec.kind)
        self.over_time_s = scenario.over_time_s
        self.re_count = scenario.re_count
        self.send_rtd = scenario.send_rtd
        self._rng = random.Random(f"{scenario.seed}|{spec.mn}|network")
        skew = self._rng.uniform(-1.0, 1.0) * scenario.clock_skew_s
        self.skew = timedelta(seconds=round(skew))
        self._data = _Data(spec, scenario)
        self._pending: dict[str, asyncio.Future[float]] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._handlers: set[asyncio.Task] = set()
        self._last_qn_ms = 0
        self._boot_time: datetime | None = None
        self._announced = False
        self._until: datetime | None = None
        self._replan: asyncio.Event | None = None
        self._history_lock: asyncio.Lock | None = None

    # --- time ------------------------------------------------------------------------------

    def device_time(self) -> datetime:
        """The device's own clock: simulated time plus its skew."""
        return self.clock.now() + self.skew

    def next_qn(self) -> str:
        """QN = the device time to the millisecond, kept strictly increasing (Table 3)."""
        ms = (self.device_time() - profiles.EPOCH) // timedelta(milliseconds=1)
        ms = max(ms, self._last_qn_ms + 1)
        self._last_qn_ms = ms
        return new_qn(profiles.EPOCH + timedelta(milliseconds=ms))

    # --- the connection --------------------------------------------------------------------

    async def run(self, *, until: datetime | None = None, stop: asyncio.Event | None = None):
        """Connect, upload and answer until simulated time passes `until` or `stop` is set."""
        self._until = until
        self._replan = asyncio.Event()
        self._history_lock = asyncio.Lock()
        self._boot_time = self.device_time().replace(microsecond=0)
        delay = self.scenario.reconnect_delay_s
        while not self._finished(stop):
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            except OSError:
                self.stats.connect_failures += 1
                await self._pause(delay, stop)
                delay = min(delay * 2, self.scenario.reconnect_delay_max_s)
                continue
            delay = self.scenario.reconnect_delay_s
            self.stats.connects += 1
            try:
                await self._session(reader, writer, stop)
            finally:
                self._writer = None
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
            if not self._finished(stop):
                self.stats.disconnects += 1
                await self._pause(delay, stop)

    def _finished(self, stop: asyncio.Event | None) -> bool:
        if stop is not None and stop.is_set():
            return True
        return self._until is not None and self.clock.now() >= self._until

    async def _pause(self, seconds: float, stop: asyncio.Event | None) -> None:
        if stop is None:
            await asyncio.sleep(seconds)
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)

    async def _session(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        stop: asyncio.Event | None,
    ) -> None:
        self._writer = writer
        tasks = [
            asyncio.create_task(self._read_loop(reader)),
            asyncio.create_task(self._schedule_loop()),
        ]
        if self.spec.protocol == "2025":
            tasks.append(asyncio.create_task(self._heartbeat_loop()))
        if self.scenario.disconnect_mean_s is not None:
            tasks.append(asyncio.create_task(self._drop_now_and_then()))
        stopping = asyncio.create_task(stop.wait()) if stop is not None else None
        if stopping is not None:
            tasks.append(stopping)
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            schedule = tasks[1]
            if schedule in done and schedule.exception() is None:
                await self._finish_requests(tasks[0], stopping)
        finally:
            for task in [*tasks, *self._handlers]:
                task.cancel()
            await asyncio.gather(*tasks, *self._handlers, return_exceptions=True)
            self._handlers.clear()
            for future in self._pending.values():
                future.cancel()
            self._pending.clear()
        for task in done:
            error = task.exception() if not task.cancelled() else None
            if error is not None and not isinstance(error, _LinkDown | ConnectionError):
                raise error

    async def _finish_requests(self, reader: asyncio.Task, stopping: asyncio.Task | None) -> None:
        """At the simulated end, answer the requests in progress (a backfill, say) before
        hanging up, unless the link drops, `stop` is set or _LINGER_S passes."""
        deadline = time.monotonic() + _LINGER_S
        while self._handlers:
            remaining = deadline - time.monotonic()
            watch = [*self._handlers, reader] + ([stopping] if stopping is not None else [])
            done, _ = await asyncio.wait(
                watch, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
            )
            if not done or reader in done or stopping in done:
                return

    async def _read_loop(self, reader: asyncio.StreamReader) -> None:
        decoder = FrameDecoder()
        while True:
            try:
                chunk = await reader.read(_READ_SIZE)
            except ConnectionError as exc:
                raise _LinkDown(str(exc)) from None
            if not chunk:
                raise _LinkDown("connection closed")
            for frame in decoder.feed(chunk):
                try:
                    packet = parse(frame, lenient=True)
                except ProtocolError:
                    self.stats.bad_frames += 1
                    continue
                self._dispatch(packet)
            self.stats.bad_frames += len(decoder.take_rejected())

    def _dispatch(self, packet: Packet) -> None:
        if packet.cn in _ANSWERS:
            qn = packet.qn or packet.cp.fields.get("QN")  # HJ/T 212-2005 answers carry it in CP
            future = self._pending.get(str(qn))
            if future is not None and not future.done():
                future.set_result(time.monotonic())
            return
        if packet.cn.startswith("90"):
            return  # answers to nothing we asked
        task = asyncio.create_task(self._handle_request(packet))
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)

    async def _write(self, frame: bytes) -> None:
        writer = self._writer
        if writer is None or writer.is_closing():
            raise _LinkDown("not connected")
        try:
            writer.write(frame)
            await writer.drain()
        except ConnectionError as exc:
            raise _LinkDown(str(exc)) from None
        self.stats.frames_sent += 1
        self.stats.bytes_sent += len(frame)

    async def upload(self, packet: Packet) -> bool:
        """Send one packet; when its Flag asks for an answer, wait OverTime seconds for it
        and send it again up to ReCount times (HJ 212-2017 6.2). True once answered (or
        when no answer was asked); False, or _LinkDown, once the tries are used up."""
        frame = encode(packet)
        self.stats.count_upload(packet.cn)
        if not packet.needs_ack or packet.qn is None:
            await self._write(frame)
            return True
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._pending[packet.qn] = future
        try:
            for attempt in range(1 + self.re_count):
                if attempt:
                    self.stats.retries += 1
                sent_at = time.monotonic()
                await self._write(frame)
                try:
                    answered_at = await asyncio.wait_for(asyncio.shield(future), self.over_time_s)
                except TimeoutError:
                    continue
                self.stats.record_ack(max(0.0, answered_at - sent_at))
                return True
        finally:
            self._pending.pop(packet.qn, None)
        self.stats.ack_timeouts += 1
        if self.scenario.reconnect_on_timeout:
            raise _LinkDown(f"no answer to QN {packet.qn} after {1 + self.re_count} tries")
        return False

    async def _drop_now_and_then(self) -> None:
        mean = self.scenario.disconnect_mean_s
        assert mean is not None
        await asyncio.sleep(self._rng.expovariate(1.0 / mean))
        raise _LinkDown("dropped by the scenario")

    async def _heartbeat_loop(self) -> None:
        """HJ 212-2025: a 9015 heartbeat every interval, answered with 9013."""
        while True:
            await asyncio.sleep(self.scenario.heartbeat_interval_s)
            beat = heartbeat(mn=self.spec.mn, pw=self.password, st=self.spec.st, qn=self.next_qn())
            await self.upload(beat)

    # --- the upload schedule ---------------------------------------------------------------

    async def _schedule_loop(self) -> None:
        if self.scenario.announce_restart and not self._announced:
            now = self.device_time().replace(microsecond=0)
            restart = packets.restart_packet(
                self.spec, now, self._boot_time or now, qn=self.next_qn(), pw=self.password
            )
            await self.upload(restart)
            self._announced = True
        while True:
            finished = await self._run_schedule()
            if finished:
                return

    async def _run_schedule(self) -> bool:
        """Upload on the boundaries of the device clock until told to plan again (False)
        or until the simulated end is passed (True)."""
        assert self._replan is not None
        self._replan.clear()
        now = self.device_time()
        rtd_step = timedelta(seconds=self.rtd_interval_s)
        record_step = timedelta(minutes=self.min_interval)
        next_rtd = _next_boundary(now, rtd_step)
        next_record = _next_boundary(now, record_step)
        next_hour = _next_boundary(now, timedelta(hours=1))
        next_day = _next_boundary(now, timedelta(days=1))
        while True:
            due = min(next_rtd, next_record)
            sim_due = due - self.skew
            if self._until is not None and sim_due > self._until:
                await self.clock.sleep_until(self._until, self._replan)
                return not self._replan.is_set()
            await self.clock.sleep_until(sim_due, self._replan)
            if self._replan.is_set():
                return False
            if due == next_rtd:
                if self.send_rtd and not self.clock.catching_up:
                    await self._send_realtime(due)
                next_rtd += rtd_step
                if next_rtd < self.device_time() - rtd_step:  # fell behind: real-time is stale
                    next_rtd = _next_boundary(self.device_time(), rtd_step)
            if due == next_record:
                await self._send_records("2051", due - record_step)
                next_record += record_step
                if due == next_hour:
                    await self._send_records("2061", due - timedelta(hours=1))
                    next_hour += timedelta(hours=1)
                if due == next_day:
                    await self._send_records("2031", due - timedelta(days=1))
                    next_day += timedelta(days=1)

    async def _send_realtime(self, t: datetime) -> None:
        packet = packets.realtime_packet(
            self.spec, t, self._data.readings(t), qn=self.next_qn(), pw=self.password
        )
        await self.upload(packet)

    def _records(self, cn: str, start: datetime) -> dict[str, profiles.Record]:
        if cn == "2051":
            return self._data.interval(start, self.min_interval)
        if cn == "2061":
            return self._data.hour(start, self.min_interval)
        return self._data.day(start, self.min_interval)

    async def _send_records(self, cn: str, start: datetime, *, ack: bool = True) -> bool:
        for packet in packets.record_packets(
            self.spec,
            cn,
            start,
            self._records(cn, start),
            qn=self.next_qn,
            pw=self.password,
            ack=ack,
        ):
            if not await self.upload(packet):
                return False
        return True

    # --- answering the platform ----------------------------------------------------------

    def _as_mine(self, request: Packet) -> Packet:
        """The request as if sent in this device's version, so answers carry our Flag."""
        version = self.spec.protocol or "2017"
        flag = None if version == "2005" else make_flag(version, ack=True)
        return replace(request, flag=flag)

    def _data_reply(self, request: Packet, fields: dict) -> Packet:
        """A request's data answer (e.g. 1011 with SystemTime): same QN, our ST (C.2)."""
        version = self.spec.protocol or "2017"
        return Packet(
            qn=request.qn,
            st=self.spec.st,
            cn=request.cn,
            pw=self.password,
            mn=self.spec.mn,
            flag=None if version == "2005" else make_flag(version),
            cp=CommandParams(fields=fields),
        )

    async def _reply(self, packet: Packet) -> None:
        await self._write(encode(packet))

    async def _handle_request(self, request: Packet) -> None:
        try:
            await self._answer(request)
        except _LinkDown:
            if self._writer is not None:
                self._writer.close()  # the reader sees the end and the session closes

    async def _answer(self, request: Packet) -> None:
        self.stats.requests += 1
        mine = self._as_mine(request)
        if request.mn != self.spec.mn:
            await self._reply(request_response(mine, _QN_BAD_MN))
            return
        if request.pw != self.password:
            await self._reply(request_response(mine, QN_BAD_PW))
            return
        cn = request.cn
        fields = request.cp.fields
        if cn == "2012":  # stop real-time data: a notification (C.11)
            self.send_rtd = False
            await self._reply(notification_response(mine))
            return
        if cn in _HISTORY:
            await self._history(request, _HISTORY[cn])
            return
        simple = {"1000", "1011", "1012", "1061", "1062", "1063", "1064", "1072", "2011"}
        if cn not in simple:
            known = command_name(cn, from_platform=True) is not None
            await self._reply(request_response(mine, QN_REFUSED if known else _QN_BAD_CN))
            return
        await self._reply(request_response(mine, QN_READY))
        result = EXE_SUCCESS
        if cn == "1011":  # C.2: the data answer, then the result
            reply = {"SystemTime": self.device_time().replace(microsecond=0)}
            if fields.get("PolId"):
                reply = {"PolId": fields["PolId"], **reply}
            await self._reply(self._data_reply(request, reply))
        elif cn == "1012":
            result = self._set_time(fields.get("SystemTime"))
        elif cn == "1061":
            await self._reply(self._data_reply(request, {"RtdInterval": self.rtd_interval_s}))
        elif cn == "1063":
            await self._reply(self._data_reply(request, {"MinInterval": self.min_interval}))
        elif cn == "1062":
            result = self._set_interval("rtd_interval_s", fields.get("RtdInterval"), 30, 3600)
        elif cn == "1064":
            value = fields.get("MinInterval")
            result = self._set_interval("min_interval", value, 1, 30, _MIN_INTERVALS)
        elif cn == "1000":
            over_time, re_count = fields.get("OverTime"), fields.get("ReCount")
            if isinstance(over_time, int) and isinstance(re_count, int) and 0 < over_time <= 99:
                self.over_time_s, self.re_count = float(over_time), re_count
            else:
                result = _EXE_BAD_CONDITION
        elif cn == "1072":
            new_pw = fields.get("NewPW")
            if isinstance(new_pw, str) and new_pw:
                self.password = new_pw
            else:
                result = _EXE_BAD_CONDITION
        elif cn == "2011":
            self.send_rtd = True
        await self._reply(execution_result(mine, result))  # with the PW it was asked with (C.9)

    def _set_time(self, value: object) -> int:
        if not isinstance(value, datetime):
            return _EXE_BAD_CONDITION
        self.skew = timedelta(seconds=round((value - self.clock.now()).total_seconds()))
        self._wake_schedule()
        return EXE_SUCCESS

    def _set_interval(
        self,
        attribute: str,
        value: object,
        low: int,
        high: int,
        allowed: tuple[int, ...] | None = None,
    ) -> int:
        if not isinstance(value, int) or not low <= value <= high:
            return _EXE_BAD_CONDITION
        if allowed is not None and value not in allowed:
            return _EXE_BAD_CONDITION
        setattr(self, attribute, value)
        self._wake_schedule()
        return EXE_SUCCESS

    def _wake_schedule(self) -> None:
        if self._replan is not None:
            self._replan.set()

    async def _history(self, request: Packet, kind: str) -> None:
        """CN 2051/2061/2031 from the platform: 9011, the records of the range one by one,
        9012 (HJ 212-2017 C.20-C.22, with answers C.48 when history_ack)."""
        mine = self._as_mine(request)
        begin, end = request.cp.fields.get("BeginTime"), request.cp.fields.get("EndTime")
        assert self._history_lock is not None
        async with self._history_lock:
            await self._reply(request_response(mine, QN_READY))
            if not isinstance(begin, datetime) or not isinstance(end, datetime) or end < begin:
                await self._reply(execution_result(mine, _EXE_BAD_CONDITION))
                return
            step = {
                "minute": timedelta(minutes=self.min_interval),
                "hour": timedelta(hours=1),
                "day": timedelta(days=1),
            }[kind]
            now = self.device_time()
            starts = [
                start
                for start in profiles.record_starts(kind, begin, end, self.min_interval)
                if start + step <= now  # only intervals already over
            ][: self.scenario.history_max_records]
            if not starts:
                await self._reply(execution_result(mine, EXE_NO_DATA))
                return
            for start in starts:
                if not await self._send_records(request.cn, start, ack=self.scenario.history_ack):
                    await self._reply(execution_result(mine, _EXE_TIMEOUT))
                    return
                self.stats.history_records += 1
            await self._reply(execution_result(mine, EXE_SUCCESS))
