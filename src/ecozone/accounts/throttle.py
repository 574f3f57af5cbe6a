"""Login throttling: attempts kept in the database (table login_attempt), so every
process and every restart sees the same failures.

The decision is rules.login_wait_s, a growing wait after failures rather than
a lock: an attacker slows guessing down but cannot keep the real user out,
whose recent good address ignores everyone else's failures. Old rows are
pruned as new ones are written (successes are kept longer: they make an
address known).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa

from ecozone.accounts import rules, store
from ecozone.accounts.model import RateLimited


def _key(username: str) -> str:
    return username.strip().casefold()[:100]


class LoginThrottle:
    """The throttle over login_attempt; its policy is rules.login_wait_s."""

    def check(self, conn: sa.Connection, username: str, client_ip: str, now: datetime) -> None:
        """Raise RateLimited while an attempt of `username` from `client_ip` must wait."""
        key = _key(username)
        rows = store.login_failures(
            conn, key, client_ip, now - timedelta(seconds=rules.LOGIN_WINDOW_S)
        )
        known = store.logged_in_from(
            conn, key, client_ip, now - timedelta(seconds=rules.KNOWN_ADDRESS_S)
        )

        def times(keep: bool) -> list[float]:
            return [row["at"].timestamp() for row in rows if keep(row)]  # type: ignore[operator]

        wait = rules.login_wait_s(
            now.timestamp(),
            pair=times(lambda r: r["username"] == key and r["client_ip"] == client_ip),
            address=times(lambda r: r["client_ip"] == client_ip),
            account=times(lambda r: r["username"] == key),
            known_address=known,
        )
        if wait > 0:
            wait_s = max(1, math.ceil(wait))
            raise RateLimited(
                f"too many failed logins for this username or from this address; "
                f"try again in {wait_s} s",
                retry_after_s=wait_s,
            )

    def record(
        self, conn: sa.Connection, username: str, client_ip: str, now: datetime, *, succeeded: bool
    ) -> None:
        """Remember an attempt; a success also forgets the pair's earlier attempts."""
        key = _key(username)
        store.forget_login_attempts(
            conn,
            failed_before=now - timedelta(seconds=rules.LOGIN_WINDOW_S),
            succeeded_before=now - timedelta(seconds=rules.KNOWN_ADDRESS_S),
            username=key if succeeded else None,
            client_ip=client_ip[:64],
        )
        store.insert_login_attempt(
            conn, {"at": now, "username": key, "client_ip": client_ip[:64], "succeeded": succeeded}
        )
