"""`ecozone demo`: thin shell over demo.service."""

from __future__ import annotations

import asyncio

from ecozone import config, logs
from ecozone.cli_support import fail
from ecozone.demo.service import DemoError, run_demo


def demo_command() -> None:
    """Start gateway, web/API and simulated devices on a demo zone (embedded SQLite by default)."""
    settings = config.load()
    logs.setup("WARNING")
    try:
        asyncio.run(run_demo(settings))
    except DemoError as exc:
        fail(str(exc), 1)
    except OSError as exc:
        fail(str(exc.strerror or exc), 1)
