"""A fleet against the in-test platform; the CLI and simulate() on top of it."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from tests.simulator.platform import FakePlatform, platform_in_thread
from typer.testing import CliRunner

import ecozone
from ecozone.simulator import (
    Scenario,
    SimulatorError,
    generate_devices,
    protocol_for_mn,
    run_devices,
)
from ecozone.simulator.cli import app, simulate

SEED = Path(ecozone.__file__).parent / "demo" / "seed.yaml"


def test_generated_fleet_is_deterministic_with_unique_mns_and_a_mix_of_versions():
    fleet = generate_devices(100, seed=1)
    assert fleet == generate_devices(100, seed=1)
    assert len({d.mn for d in fleet}) == 100
    versions = {protocol_for_mn(d.mn) for d in fleet}
    assert versions == {"2005", "2017", "2025"}
    assert {d.kind.value for d in fleet} == {
        "flue_gas",
        "wastewater",
        "ambient_air",
        "surface_water",
    }


def test_fleet_replays_ten_minutes_as_fast_as_answers_come_and_counts_them():
    fleet = generate_devices(6, seed=3)
    start = datetime(2024, 6, 1, 9, 0)

    async def main():
        async with FakePlatform(lenient=True) as platform:
            stats = await run_devices(
                fleet,
                "127.0.0.1",
                platform.port,
                Scenario(seed=3, send_rtd=False),
                start=start,
                until=start + timedelta(minutes=10),
                speed=math.inf,
                live=False,
            )
            return platform, stats

    platform, stats = asyncio.run(asyncio.wait_for(main(), 15))
    assert platform.errors == []
    assert stats.devices == 6
    assert stats.frames_sent == len(platform.received)
    answered = [p for p in platform.packets if p.needs_ack]
    assert stats.acks == len(answered) and stats.retries == 0
    assert stats.uploads["2081"] == 6
    assert stats.latency_p50_s is not None and stats.latency_p50_s <= stats.latency_max_s
    assert "6 devices" in stats.summary()


def test_simulate_needs_a_registry_or_a_device_count():
    with pytest.raises(SimulatorError, match="registry file or a number of devices"):
        simulate("127.0.0.1", 1)


def test_cli_runs_the_demo_registry_replaying_the_last_minutes():
    with platform_in_thread(lenient=True) as platform:
        result = CliRunner().invoke(
            app,
            [
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(platform.port),
                "--registry",
                str(SEED),
                "--speed",
                "inf",
                "--backfill-hours",
                "0.05",
                "--no-live",
            ],
        )
        received = list(platform.received)
    assert result.exit_code == 0, result.output
    assert "65 devices" in result.output  # 61 monitoring points and 4 power loggers
    mns = {r.packet.mn for r in received if r.packet is not None}
    assert len(mns) == 65
    assert [r.error for r in received if r.error] == []


def test_cli_reports_a_bad_registry_file_clearly(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("enterprises: [{credit_code: X}]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--port", "1", "--registry", str(bad)])
    assert result.exit_code == 2
    assert "credit_code" in result.output
