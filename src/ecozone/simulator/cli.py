"""`ecozone simulate`: virtual HJ 212 data loggers against a running gateway.

A thin shell: `simulate()` is the plain function; `app` is a Typer sub-app whose `run`
command wraps it, and `run_command` can be mounted on its own as a single command.
"""

from __future__ import annotations

import math
import sys
from datetime import timedelta
from pathlib import Path

import typer

from ecozone import config
from ecozone.simulator.device import china_now
from ecozone.simulator.model import Scenario, SimulatorError
from ecozone.simulator.runner import RunStats, generate_devices, load_registry, run

__all__ = ["app", "run_command", "simulate"]

app = typer.Typer(
    help="Virtual HJ 212 data loggers that talk to a gateway over TCP.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _group() -> None:
    """Virtual HJ 212 data loggers that talk to a gateway over TCP."""


def simulate(
    host: str,
    port: int,
    registry: str | Path | None = None,
    devices: int = 0,
    speed: float = 1.0,
    duration: float | None = None,
    seed: int = 0,
    *,
    backfill_hours: float = 0.0,
    live: bool = True,
    scenario: Scenario | None = None,
    progress_every_s: float | None = None,
) -> RunStats:
    """Run the devices of `registry` (a registry YAML file), or `devices` generated ones,
    against the gateway at host:port and return the counts.

    Simulated time starts `backfill_hours` ago and runs at `speed` times wall time
    (math.inf: as fast as the gateway answers) until it reaches now; then the devices go
    on in real time when `live`, or stop. `duration` (wall seconds) ends the run early;
    so does Ctrl-C. `seed` makes the generated fleet and the values repeatable; a
    `scenario` given as well brings its own seed for the values.
    """
    if (registry is None) == (devices <= 0):
        raise SimulatorError("give either a registry file or a number of devices (not both)")
    if backfill_hours < 0 or math.isnan(backfill_hours):
        raise SimulatorError(f"backfill_hours {backfill_hours} must be >= 0")
    if not live and backfill_hours == 0:
        raise SimulatorError("without live there is nothing to do unless backfill_hours > 0")
    specs = load_registry(registry) if registry is not None else generate_devices(devices, seed)
    if scenario is None:
        scenario = Scenario(seed=seed)
    start = None
    if backfill_hours > 0:
        start = (china_now() - timedelta(hours=backfill_hours)).replace(microsecond=0)

    def report(stats: RunStats) -> None:
        print(stats.summary().splitlines()[0], file=sys.stderr, flush=True)

    return run(
        specs,
        host,
        port,
        scenario,
        start=start,
        speed=speed,
        live=live,
        duration_s=duration,
        ramp_s=min(2.0, 0.002 * len(specs)),
        progress=report if progress_every_s else None,
        progress_every_s=progress_every_s or 10.0,
    )


@app.command("run")
def run_command(
    host: str = typer.Option(None, help="Gateway host [default: ECOZONE_GATEWAY_HOST]"),
    port: int = typer.Option(None, help="Gateway port [default: ECOZONE_GATEWAY_PORT]"),
    registry: Path = typer.Option(
        None, "--registry", exists=True, dir_okay=False, help="Registry YAML file of devices"
    ),
    devices: int = typer.Option(0, "--devices", min=0, help="Generate this many devices"),
    speed: float = typer.Option(
        1.0, help="Simulated seconds per wall second while catching up; 'inf': no waiting"
    ),
    duration: float = typer.Option(None, help="Stop after this many wall seconds"),
    seed: int = typer.Option(0, help="Seed of the simulated values"),
    backfill_hours: float = typer.Option(
        0.0, help="Start simulated time this many hours ago and catch up at --speed"
    ),
    live: bool = typer.Option(True, help="Go on in real time once caught up (else stop)"),
    rtd_interval: int = typer.Option(30, help="Real-time data interval, seconds"),
    disconnect_every: float = typer.Option(
        None, help="Drop each connection after about this many wall seconds, then reconnect"
    ),
    clock_skew: float = typer.Option(0.0, help="Device clocks off by up to this many seconds"),
) -> None:
    """Run virtual data loggers against a gateway and print what they did."""
    settings = config.load()
    try:
        scenario = Scenario(
            seed=seed,
            rtd_interval_s=rtd_interval,
            disconnect_mean_s=disconnect_every,
            clock_skew_s=clock_skew,
        )
        stats = simulate(
            host or settings.gateway_host,
            port if port is not None else settings.gateway_port,
            registry,
            devices,
            speed,
            duration,
            seed,
            backfill_hours=backfill_hours,
            live=live,
            scenario=scenario,
            progress_every_s=10.0,
        )
    except SimulatorError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(stats.summary())
