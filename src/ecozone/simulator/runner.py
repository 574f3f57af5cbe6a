# Many virtual devices at once against one gateway, and where they come from: a
# registry file or a generated fleet. Counts what a benchmark reports: frames,
# answers, resends, answer latency.
#
# Every device gets its own Clock from the same start, so with speed inf each
# one runs as fast as its own answers come back, and the run as a whole is as
# fast as the gateway acknowledges.

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ecozone import safeyaml
from ecozone.registry.rules import parse_registry
from ecozone.simulator.device import Clock, Device, DeviceStats, china_now
from ecozone.simulator.model import DeviceSpec, PointKind, Scenario, SimulatorError

__all__ = ["RunStats", "Runner", "generate_devices", "load_registry", "run", "run_devices"]


def load_registry(path: str | Path) -> list[DeviceSpec]:
    """The devices of a registry file (the YAML `ecozone registry import` reads), one
    DeviceSpec per point with a device, checked by the registry's own rules."""
    path = Path(path)
    try:
        data = safeyaml.read_file(path)
    except OSError as exc:
        raise SimulatorError(f"cannot read registry file {path}: {exc.strerror}") from None
    except safeyaml.YamlRefused as exc:
        raise SimulatorError(f"registry file {path}: {exc}") from None
    document, errors, _warnings = parse_registry(data)
    if errors:
        listed = "\n".join(f"  {error}" for error in errors)
        raise SimulatorError(f"registry file {path} has {len(errors)} error(s):\n{listed}")
    specs = []
    for enterprise in document.enterprises:
        for point in enterprise.points:
            device = point.device
            if device is None:
                continue
            if device.password is None:
                raise SimulatorError(
                    f"registry file {path}: {point.path}.device has no password; a simulated"
                    " device needs it (ecozone registry export --with-secrets)"
                )
            specs.append(
                DeviceSpec(
                    mn=device.mn,
                    password=device.password,
                    kind=PointKind(point.kind),
                    st=device.st,
                    reference_o2=point.reference_o2,
                    industry=enterprise.industry or "",
                    lenient=device.lenient,
                    name=f"{enterprise.name} {point.code}",
                )
            )
    if not specs:
        raise SimulatorError(f"registry file {path} lists no point with a device")
    return specs


# A generated fleet: 45 % flue gas, 35 % wastewater, 10 % air and 10 % water stations.
_KINDS = [PointKind.FLUE_GAS] * 9 + [PointKind.WASTEWATER] * 7 + [PointKind.AMBIENT_AIR] * 2
_KINDS += [PointKind.SURFACE_WATER] * 2
_FLUE_GAS = [("汽车零部件", 3.5), ("热电", 6.0), ("食品", 3.5), ("化工", 9.0), ("热电", 15.0),
             ("制药", 3.5), ("电子", None), ("热力", 3.0)]  # fmt: skip
_WASTEWATER = ["污水处理", "电子", "表面处理", "制药", "食品", "物流", "汽车零部件"]


def generate_devices(count: int, seed: int = 0) -> list[DeviceSpec]:
    """`count` devices with unique MNs, a mix of kinds, industries and versions: one in
    twenty speaks HJ 212-2025 (MN 0200...), one in twenty-five is a legacy logger with a
    14-digit MN (lenient), the rest HJ 212-2017. Same count and seed, same fleet."""
    if count < 0:
        raise SimulatorError(f"device count {count} is negative")
    specs = []
    for i in range(count):
        digest = hashlib.blake2b(f"{seed}|device|{i}".encode(), digest_size=16).hexdigest()
        kind = _KINDS[i % len(_KINDS)]
        if i % 25 == 7:
            digits = str(int(digest, 16))[-9:].rjust(9, "0")
            mn = f"5001{digits}{i % 10}"  # 14 characters
        elif i % 20 == 5:
            mn = ("0200" + digest[:20]).upper()
        else:
            mn = ("0100" + digest[:20]).upper()
        password = f"{int(digest[20:], 16) % 1_000_000:06d}"
        industry, reference_o2 = "", None
        if kind is PointKind.FLUE_GAS:
            industry, reference_o2 = _FLUE_GAS[(i // len(_KINDS)) % len(_FLUE_GAS)]
        elif kind is PointKind.WASTEWATER:
            industry = _WASTEWATER[(i // len(_KINDS)) % len(_WASTEWATER)]
        else:
            industry = "环境监测"
        specs.append(
            DeviceSpec(
                mn=mn,
                password=password,
                kind=kind,
                reference_o2=reference_o2,
                industry=industry,
                lenient=len(mn) != 24,
                name=f"simulated {kind} {i + 1}",
            )
        )
    return specs


@dataclass(frozen=True)
class RunStats:
    """What a run did, over all its devices."""

    devices: int
    elapsed_s: float
    frames_sent: int = 0
    bytes_sent: int = 0
    retries: int = 0
    acks: int = 0
    ack_timeouts: int = 0
    connects: int = 0
    connect_failures: int = 0
    disconnects: int = 0
    requests: int = 0
    history_records: int = 0
    bad_frames: int = 0
    uploads: dict[str, int] = field(default_factory=dict)
    latency_mean_s: float | None = None
    latency_p50_s: float | None = None
    latency_p99_s: float | None = None
    latency_max_s: float | None = None

    @classmethod
    def of(cls, stats: Sequence[DeviceStats], elapsed_s: float) -> RunStats:
        total = DeviceStats()
        for one in stats:
            for name in (
                "frames_sent",
                "bytes_sent",
                "retries",
                "acks",
                "ack_timeouts",
                "connects",
                "connect_failures",
                "disconnects",
                "requests",
                "history_records",
                "bad_frames",
            ):
                setattr(total, name, getattr(total, name) + getattr(one, name))
            for cn, n in one.uploads.items():
                total.uploads[cn] = total.uploads.get(cn, 0) + n
            total.latency_sum_s += one.latency_sum_s
            total.latency_max_s = max(total.latency_max_s, one.latency_max_s)
            total.latency_buckets = [
                a + b for a, b in zip(total.latency_buckets, one.latency_buckets, strict=True)
            ]
        return cls(
            devices=len(stats),
            elapsed_s=elapsed_s,
            frames_sent=total.frames_sent,
            bytes_sent=total.bytes_sent,
            retries=total.retries,
            acks=total.acks,
            ack_timeouts=total.ack_timeouts,
            connects=total.connects,
            connect_failures=total.connect_failures,
            disconnects=total.disconnects,
            requests=total.requests,
            history_records=total.history_records,
            bad_frames=total.bad_frames,
            uploads=dict(sorted(total.uploads.items())),
            latency_mean_s=total.latency_sum_s / total.acks if total.acks else None,
            latency_p50_s=total.latency_percentile(0.5),
            latency_p99_s=total.latency_percentile(0.99),
            latency_max_s=total.latency_max_s if total.acks else None,
        )

    @property
    def frames_per_s(self) -> float:
        return self.frames_sent / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def summary(self) -> str:
        def ms(value: float | None) -> str:
            return "-" if value is None else f"{value * 1000:.1f} ms"

        uploads = ", ".join(f"{cn}: {n}" for cn, n in self.uploads.items()) or "none"
        return "\n".join(
            [
                f"{self.devices} devices, {self.elapsed_s:.1f} s: {self.frames_sent} frames"
                f" ({self.frames_per_s:.0f}/s, {self.bytes_sent} bytes)",
                f"answers {self.acks}, resends {self.retries}, given up {self.ack_timeouts}",
                f"answer latency mean {ms(self.latency_mean_s)}, p50 <= {ms(self.latency_p50_s)},"
                f" p99 <= {ms(self.latency_p99_s)}, max {ms(self.latency_max_s)}",
                f"connects {self.connects} (failed {self.connect_failures}),"
                f" disconnects {self.disconnects}",
                f"requests answered {self.requests}, history records {self.history_records},"
                f" bad frames received {self.bad_frames}",
                f"uploads by CN: {uploads}",
            ]
        )


class Runner:
    """A fleet of devices on one event loop.

    `start` is where simulated time begins (None: now); `speed` how much faster than
    wall time it runs (inf: as fast as answers come). With `live` the devices go on in
    real time once they catch up with the wall clock; without it they stop there, or at
    `until` when that is given (simulated time, which then may lie anywhere).
    """

    def __init__(
        self,
        specs: Sequence[DeviceSpec],
        host: str,
        port: int,
        scenario: Scenario | None = None,
        *,
        start: datetime | None = None,
        speed: float = 1.0,
        live: bool = True,
        until: datetime | None = None,
        ramp_s: float = 0.0,
    ):
        if not specs:
            raise SimulatorError("no devices to run")
        mns = [spec.mn for spec in specs]
        if len(set(mns)) != len(mns):
            duplicates = sorted({mn for mn in mns if mns.count(mn) > 1})
            raise SimulatorError(f"MN used by more than one device: {', '.join(duplicates)}")
        if not live and start is None and until is None:
            raise SimulatorError("a run that is not live needs a start in the past or an end")
        if math.isnan(speed) or speed <= 0:
            raise SimulatorError(f"speed {speed} must be > 0 (inf: as fast as answers come)")
        self.scenario = scenario or Scenario()
        self.host = host
        self.port = port
        self.start = start
        self.speed = speed
        self.live = live
        self.until = until
        self.ramp_s = ramp_s
        self.devices = [Device(spec, host, port, self.scenario, self._clock()) for spec in specs]
        self._started = time.monotonic()

    def _clock(self) -> Clock:
        return Clock(self.start, self.speed, follow_wall=self.live or self.until is None)

    def stats(self) -> RunStats:
        return RunStats.of([device.stats for device in self.devices], self._elapsed())

    def _elapsed(self) -> float:
        return time.monotonic() - self._started

    async def run(
        self,
        *,
        duration_s: float | None = None,
        stop: asyncio.Event | None = None,
        progress: Callable[[RunStats], None] | None = None,
        progress_every_s: float = 10.0,
    ) -> RunStats:
        """Run until every device is done, `duration_s` wall seconds pass or `stop` is set."""
        stop = stop or asyncio.Event()
        until = self.until
        if until is None and not self.live:
            until = china_now()
        self._started = time.monotonic()
        tasks = []
        for i, device in enumerate(self.devices):
            device.clock = self._clock()  # simulated time starts now, not at construction
            delay = self.ramp_s * i / len(self.devices)
            tasks.append(asyncio.create_task(self._start(device, delay, until, stop)))
        watchers = []
        if duration_s is not None:
            watchers.append(asyncio.create_task(self._stop_after(duration_s, stop)))
        if progress is not None:
            watchers.append(asyncio.create_task(self._report(progress, progress_every_s)))
        try:
            results = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for watcher in watchers:
                watcher.cancel()
            await asyncio.gather(*watchers, return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors and not isinstance(errors[0], asyncio.CancelledError):
            raise errors[0]
        return self.stats()

    async def _start(
        self, device: Device, delay: float, until: datetime | None, stop: asyncio.Event
    ) -> None:
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
        if not stop.is_set():
            await device.run(until=until, stop=stop)

    @staticmethod
    async def _stop_after(seconds: float, stop: asyncio.Event) -> None:
        await asyncio.sleep(seconds)
        stop.set()

    async def _report(self, progress: Callable[[RunStats], None], every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            progress(self.stats())


async def run_devices(
    specs: Sequence[DeviceSpec],
    host: str,
    port: int,
    scenario: Scenario | None = None,
    *,
    start: datetime | None = None,
    speed: float = 1.0,
    live: bool = True,
    until: datetime | None = None,
    duration_s: float | None = None,
    ramp_s: float = 0.0,
    stop: asyncio.Event | None = None,
    progress: Callable[[RunStats], None] | None = None,
    progress_every_s: float = 10.0,
) -> RunStats:
    """Run `specs` against host:port; see Runner for the time options."""
    runner = Runner(
        specs,
        host,
        port,
        scenario,
        start=start,
        speed=speed,
        live=live,
        until=until,
        ramp_s=ramp_s,
    )
    return await runner.run(
        duration_s=duration_s, stop=stop, progress=progress, progress_every_s=progress_every_s
    )


def run(
    specs: Sequence[DeviceSpec],
    host: str,
    port: int,
    scenario: Scenario | None = None,
    **options,
) -> RunStats:
    """run_devices on a fresh event loop; Ctrl-C (SIGINT) or SIGTERM ends the run and
    still returns its counts."""

    async def main() -> RunStats:
        stop = options.pop("stop", None) or asyncio.Event()
        loop = asyncio.get_running_loop()
        installed = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, stop.set)
                installed.append(signum)
        try:
            return await run_devices(specs, host, port, scenario, stop=stop, **options)
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)

    return asyncio.run(main())
