"""Login throttling: failed attempts per username and per client address, kept in memory.

Per process: each worker counts its own failures and a restart forgets them,
so with N workers an attacker gets up to N times the allowance. That bounds
guessing well enough for a platform behind a login page; a shared store
(the database, Redis) would be the next step if it does not. The decision
itself is rules.retry_after; this module only remembers times, under a lock
because FastAPI runs sync endpoints on a thread pool.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from ecozone.accounts import rules
from ecozone.accounts.model import RateLimited

#: Forgetting old keys scans every key; doing it once per this many failures keeps a
#: spray from many addresses linear in its size.
SWEEP_EVERY = 256


class LoginThrottle:
    def __init__(
        self,
        *,
        per_username: int = rules.MAX_FAILURES_PER_USERNAME,
        per_ip: int = rules.MAX_FAILURES_PER_IP,
        window_s: float = rules.LOGIN_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_username = per_username
        self.per_ip = per_ip
        self.window_s = window_s
        self.clock = clock
        self._lock = threading.Lock()
        self._by_username: dict[str, deque[float]] = {}
        self._by_ip: dict[str, deque[float]] = {}
        self._failures_since_sweep = 0

    def check(self, username: str, client_ip: str) -> None:
        """Raise RateLimited when either the username or the address is over its allowance."""
        key = username.casefold()
        with self._lock:
            now = self.clock()
            waits = [
                rules.retry_after(
                    self._by_username.get(key, ()), now, limit=self.per_username,
                    window_s=self.window_s,
                ),
                rules.retry_after(
                    self._by_ip.get(client_ip, ()), now, limit=self.per_ip, window_s=self.window_s
                ),
            ]  # fmt: skip
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            raise RateLimited(
                f"too many failed logins for this username or from this address; "
                f"try again in {seconds} s",
                retry_after_s=seconds,
            )

    def failed(self, username: str, client_ip: str) -> None:
        with self._lock:
            now = self.clock()
            for table, key, limit in (
                (self._by_username, username.casefold(), self.per_username),
                (self._by_ip, client_ip, self.per_ip),
            ):
                times = table.setdefault(key, deque(maxlen=limit))
                times.append(now)
            self._failures_since_sweep += 1
            if self._failures_since_sweep >= SWEEP_EVERY:
                self._forget_old(now)
                self._failures_since_sweep = 0

    def succeeded(self, username: str) -> None:
        """A correct password clears its username's failures (not the address's)."""
        with self._lock:
            self._by_username.pop(username.casefold(), None)

    def reset(self) -> None:
        with self._lock:
            self._by_username.clear()
            self._by_ip.clear()

    def _forget_old(self, now: float) -> None:
        """Drop keys whose newest failure left the window, so memory stays bounded."""
        for table in (self._by_username, self._by_ip):
            stale = [key for key, times in table.items() if now - times[-1] >= self.window_s]
            for key in stale:
                del table[key]
