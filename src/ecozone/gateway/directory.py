"""The registry's devices as the gateway sees them, cached and refreshed.

Loaded in a worker thread; refreshed periodically, and at once (rate-limited)
when an unknown MN appears, so a device registered a moment ago is accepted
without restarting the gateway.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import sqlalchemy as sa

from ecozone.registry.service import load_devices

log = logging.getLogger("ecozone.gateway")


class DeviceDirectory:
    def __init__(self, engine: sa.Engine, *, refresh_s: float = 60.0, miss_reload_s: float = 5.0):
        self.engine = engine
        self.refresh_s = refresh_s
        self.miss_reload_s = miss_reload_s
        self.devices: dict[str, Any] = {}
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        async with self._lock:
            self.devices = await asyncio.to_thread(self._load)
            self._loaded_at = time.monotonic()

    def _load(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return dict(load_devices(conn))

    async def refresh_if_stale(self, missing_mn: str | None = None) -> None:
        age = time.monotonic() - self._loaded_at
        if age >= self.refresh_s or (
            missing_mn is not None and missing_mn not in self.devices and age >= self.miss_reload_s
        ):
            try:
                await self.load()
            except sa.exc.DBAPIError as exc:  # the database is away: keep the devices known
                self._loaded_at = time.monotonic()
                log.warning("device registry not refreshed: %s", exc.__class__.__name__)
