"""Starting and stopping the demo: one asyncio loop runs gateway, web server and devices.

Ports are checked before anything starts so that a port in use is reported by
name; Ctrl-C (or SIGTERM) stops the devices, the web server and the gateway, in
that order, and the gateway flushes what it holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Callable
from datetime import timedelta
from importlib import resources
from typing import Any

import sqlalchemy as sa
import uvicorn
import yaml

from ecozone import pipeline
from ecozone.accounts.service import ensure_demo_users
from ecozone.compliance.permits import import_permits
from ecozone.config import Settings
from ecozone.demo.credit import seed_credit
from ecozone.demo.energy import seed_energy
from ecozone.demo.permits import demo_permits
from ecozone.demo.power import demo_power
from ecozone.demo.projects import seed_projects
from ecozone.demo.quality import seed_quality
from ecozone.demo.supervision import seed_supervision
from ecozone.demo.trading import seed_trading
from ecozone.demo.transmission import seed_statistics
from ecozone.demo.waste import seed_waste
from ecozone.demo.water import seed_water_sections
from ecozone.demo.zoning import seed_zoning
from ecozone.errors import EcozoneError
from ecozone.gateway.server import Gateway
from ecozone.power.service import configure as configure_power
from ecozone.registry.service import import_registry
from ecozone.simulator.device import china_now
from ecozone.simulator.model import Scenario
from ecozone.simulator.runner import load_registry, run_devices
from ecozone.store.engine import display_url, make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import enterprise

DEMO_SEED = 2021
FIRST_RUN_HISTORY_H = 6.0  # simulated history sent at once, so the pages have data
LATER_RUN_HISTORY_H = 1.0


class DemoError(EcozoneError):
    """The demo cannot start; the message says why."""


def seed_path() -> Any:
    return resources.files("ecozone.demo") / "seed.yaml"


def check_port_free(host: str, port: int, what: str, variable: str) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise DemoError(
                f"{what} port {port} on {host} is not available ({exc.strerror}); "
                f"set {variable} to another port"
            ) from None


def prepare(settings: Settings) -> tuple[sa.Engine, bool]:
    """Migrated database with the demo zone; True when it was seeded now."""
    if settings.database_url.startswith("sqlite:///"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    upgrade_engine(engine)
    with engine.connect() as conn:
        empty = conn.execute(sa.select(sa.func.count()).select_from(enterprise)).scalar_one() == 0
    if empty:
        data = yaml.safe_load(seed_path().read_text(encoding="utf-8"))
        import_registry(engine, data, actor="demo")
        import_permits(engine, demo_permits(data), actor="demo")
        today = china_now().replace(hour=0, minute=0, second=0, microsecond=0)
        for power_file in demo_power(data, seed=DEMO_SEED, today=today):
            configure_power(engine, power_file, actor="demo")
        seed_credit(engine, data, today.date())
        seed_supervision(engine, data, today.date())
        seed_water_sections(engine, data)
        seed_energy(engine, data, today.date())
        seed_waste(engine, data, today.date())
        seed_trading(engine, today.date())
        seed_zoning(engine, today.date())
        seed_projects(engine, data, today.date())
        seed_quality(engine, today, DEMO_SEED)
        seed_statistics(engine, today.date(), DEMO_SEED)
    return engine, empty


async def run_demo(
    settings: Settings,
    *,
    announce: Callable[[str], None] = print,
    stop: asyncio.Event | None = None,
) -> None:
    check_port_free(settings.gateway_host, settings.gateway_port, "Gateway", "ECOZONE_GATEWAY_PORT")
    check_port_free(settings.http_host, settings.http_port, "HTTP", "ECOZONE_HTTP_PORT")
    engine, seeded = await asyncio.to_thread(prepare, settings)
    logins = await asyncio.to_thread(ensure_demo_users, engine)
    notes = ["  logins (demo only):"] + [
        f"    {role:<12} {username} / {password}" for username, password, role in logins
    ]

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    gateway = Gateway(
        engine,
        host=settings.gateway_host,
        port=settings.gateway_port,
        after_commit=[pipeline.after_commit(engine)],
    )
    await gateway.start()
    checks = asyncio.create_task(pipeline.run_periodic(engine, stop), name="checks")

    from ecozone.api.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(engine, settings=settings),
            host=settings.http_host,
            port=settings.http_port,
            log_level="warning",
            lifespan="on",
            proxy_headers=False,
        )
    )
    server.install_signal_handlers = lambda: None  # the demo owns Ctrl-C
    web = asyncio.create_task(server.serve(), name="web")

    history_h = FIRST_RUN_HISTORY_H if seeded else LATER_RUN_HISTORY_H
    specs = load_registry(seed_path())
    devices = asyncio.create_task(
        run_devices(
            specs,
            settings.gateway_host,
            settings.gateway_port,
            Scenario(seed=DEMO_SEED),
            start=(china_now() - timedelta(hours=history_h)).replace(microsecond=0, second=0),
            speed=float("inf"),
            live=True,
            ramp_s=1.0,
            stop=stop,
        ),
        name="devices",
    )

    while not server.started and not web.done():
        await asyncio.sleep(0.05)
    if web.done():
        await gateway.stop()
        raise DemoError(
            f"the web server did not start on {settings.http_host}:{settings.http_port}"
        )

    url = f"http://{settings.http_host}:{settings.http_port}/"
    lines = [
        "ecozone demo is running"
        + (" (demo zone created)" if seeded else " (existing data reused)"),
        f"  web:      {url}",
        f"  API docs: {url}docs   (OpenAPI: {url}openapi.json)",
        f"  gateway:  {settings.gateway_host}:{settings.gateway_port} (HJ 212 over TCP)",
        f"  devices:  {len(specs)} simulated, replaying the last {history_h:g} h, then live",
        f"  database: {display_url(settings.database_url)}",
        *notes,
        "Press Ctrl-C to stop.",
    ]
    announce("\n".join(lines))

    await stop.wait()
    announce("stopping ...")
    with contextlib.suppress(Exception):
        await asyncio.wait_for(devices, 15)
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(web, 15)
    await gateway.stop()
    await checks
    engine.dispose()
    announce("stopped")
