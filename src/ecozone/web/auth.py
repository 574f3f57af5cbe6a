"""Who is asking: the accounts package's principal, session cookie and login, as the pages use them.

Thin re-exports of the accounts contract (ecozone.accounts.deps / .model /
.service), so the pages name one module and tests override one dependency
(`current_principal`). Decisions stay with the principal's own methods.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.accounts import service as _accounts
from ecozone.accounts.deps import SESSION_COOKIE, cookie_secure, current_principal
from ecozone.accounts.model import PUBLIC, AuthError, Principal, RateLimited

__all__ = [
    "PUBLIC",
    "SESSION_COOKIE",
    "AuthError",
    "Principal",
    "RateLimited",
    "can_see",
    "cookie_secure",
    "current_principal",
    "login",
    "logout",
    "session_max_age_s",
]


def login(
    engine: sa.Engine, username: str, password: str, *, client_ip: str
) -> tuple[Principal, str]:
    """The principal and a new session token; raises AuthError or RateLimited."""
    return _accounts.login(engine, username, password, client_ip=client_ip)


def logout(engine: sa.Engine, token: str) -> None:
    _accounts.logout(engine, token)


def session_max_age_s() -> int | None:
    """Cookie lifetime: the longest a session can last (accounts' SESSION_MAX_AGE; sessions
    slide by SESSION_TTL on the server up to it, as the accounts' own login route sets)."""
    ttl = getattr(_accounts, "SESSION_MAX_AGE", None) or getattr(_accounts, "SESSION_TTL", None)
    if isinstance(ttl, timedelta):
        return int(ttl.total_seconds())
    if isinstance(ttl, int | float):
        return int(ttl)
    return None


def can_see(principal: Any, row: dict[str, Any]) -> bool:
    """Whether `principal` may see the enterprise of `row` (enterprise_id, district_id,
    disclosed); the principal's own rule decides."""
    return bool(
        principal.scope.can_read(
            row["enterprise_id"], district_id=row["district_id"], disclosed=bool(row["disclosed"])
        )
    )
