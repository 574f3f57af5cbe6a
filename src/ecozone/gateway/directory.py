"""The registry's devices as the gateway sees them, cached and refreshed.

Loaded in a worker thread and refreshed periodically. The database is the
authority, not the cache: several gateway processes (and machines) serve the
same devices, and one of them may have stored a device's new SM4 key, its
new password or the device itself a moment ago. So when a frame is refused
for something the cache says of its device (unknown MN, password, key,
strictness), that one device is read again (rate-limited per MN and in all)
and the frame judged once more.
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
    def __init__(
        self,
        engine: sa.Engine,
        *,
        refresh_s: float = 60.0,
        device_reload_s: float = 1.0,
        max_reloads_per_s: int = 50,
    ):
        self.engine = engine
        self.refresh_s = refresh_s
        self.device_reload_s = device_reload_s
        self.max_reloads_per_s = max_reloads_per_s
        self.devices: dict[str, Any] = {}
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()
        self._reloaded_at: dict[str, float] = {}
        self._window = (0.0, 0)  # (second it started, reloads in it)

    async def load(self) -> None:
        async with self._lock:
            self.devices = await asyncio.to_thread(self._load)
            self._loaded_at = time.monotonic()
            self._reloaded_at.clear()

    def _load(self, mn: str | None = None) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return dict(load_devices(conn, mn))

    async def refresh_if_stale(self, missing_mn: str | None = None) -> None:
        """Reload everything when the cache is older than `refresh_s`; with
        `missing_mn`, read that device again (see `reload_device`)."""
        try:
            if time.monotonic() - self._loaded_at >= self.refresh_s:
                await self.load()
            elif missing_mn is not None:
                await self.reload_device(missing_mn)
        except sa.exc.DBAPIError as exc:  # the database is away: keep the devices known
            self._loaded_at = time.monotonic()
            log.warning("device registry not refreshed: %s", exc.__class__.__name__)

    async def reload_device(self, mn: str | None, *, force: bool = False) -> bool:
        """Read one device again from the database, unless it was read within
        `device_reload_s` or `max_reloads_per_s` reads were made this second (so a
        flood of frames with made-up MNs costs bounded queries). True when read."""
        if mn is None:
            return False
        now = time.monotonic()
        if not force:
            if now - self._reloaded_at.get(mn, -self.device_reload_s) < self.device_reload_s:
                return False
            started, count = self._window
            if now - started >= 1.0:
                started, count = now, 0
            if count >= self.max_reloads_per_s:
                return False
            self._window = (started, count + 1)
        self._reloaded_at[mn] = now
        if len(self._reloaded_at) > 10 * self.max_reloads_per_s:  # keep the memo bounded
            self._reloaded_at = {
                k: t for k, t in self._reloaded_at.items() if now - t < self.device_reload_s
            }
        found = await asyncio.to_thread(self._load, mn)
        devices = dict(self.devices)  # sessions may hold the old mapping; never mutate it
        if mn in found:
            devices[mn] = found[mn]
        else:
            devices.pop(mn, None)
        self.devices = devices
        return True

    async def keep_fresh(self) -> None:
        """Reload everything every `refresh_s`, until cancelled."""
        while True:
            await asyncio.sleep(self.refresh_s)
            try:
                await self.load()
            except Exception:  # the database may be away for a while; keep the old view
                log.exception("device directory not refreshed")
