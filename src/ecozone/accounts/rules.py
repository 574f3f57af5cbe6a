"""Account rules: usernames, passwords, role bindings, password hashing, tokens, expiry, backoff.

Pure functions over plain values (a random salt or token is drawn, nothing is
read or written). Passwords are hashed with Argon2id (RFC 9106) through
argon2-cffi; tokens are random and only their SHA-256 digest is kept, so a
copy of the database holds nothing that logs anybody in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ecozone.accounts.model import USER_ROLES, AccountError, Role

MIN_PASSWORD_LENGTH = 8
#: Argon2 hashes any length, but hashing megabytes on request is a denial of service.
MAX_PASSWORD_LENGTH = 1024

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,63}")

#: Argon2id with argon2-cffi's defaults (RFC 9106 "second recommended option":
#: t=3, m=64 MiB, p=4). A stored hash made with other parameters is replaced
#: at the next successful login (see verify_password).
PASSWORD_HASHER = PasswordHasher()

#: Idle lifetime of a browser session: each use pushes its expiry this far ahead.
SESSION_TTL = timedelta(hours=8)
#: A session ends this long after login however busy it is.
SESSION_MAX_AGE = timedelta(days=7)
#: last_used_at (and a session's expiry) is rewritten at most this often per token.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
API_TOKEN_DEFAULT_DAYS = 90
API_TOKEN_MAX_DAYS = 366

#: Login throttle (see login_wait_s): failures older than this are forgotten.
LOGIN_WINDOW_S = 900.0
#: A successful login makes its address "known" to that user for this long.
KNOWN_ADDRESS_S = 30 * 24 * 3600.0


@dataclass(frozen=True)
class Backoff:
    """No wait for the first `free` failures, then `base_s` doubling per failure, at most
    `cap_s`: guessing slows down without ever locking anybody out for good."""

    free: int
    base_s: float
    cap_s: float

    def wait_s(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.cap_s, self.base_s * 2.0 ** min(failures - self.free, 32))


#: One address guessing one account's password.
PAIR_BACKOFF = Backoff(free=3, base_s=1.0, cap_s=60.0)
#: One address trying many accounts (a spray); generous for an office behind one NAT.
ADDRESS_BACKOFF = Backoff(free=20, base_s=1.0, cap_s=300.0)
#: One account tried from many addresses; never applied to the user's known addresses.
ACCOUNT_BACKOFF = Backoff(free=5, base_s=1.0, cap_s=30.0)


def check_username(username: str) -> str:
    """2-64 characters, letters, digits and . _ @ -, starting with a letter or digit."""
    if not USERNAME_PATTERN.fullmatch(username):
        raise AccountError(
            f"username {username!r} is not allowed: use 2 to 64 characters, letters, digits "
            "and . _ @ -, starting with a letter or digit"
        )
    return username


def password_problems(password: str, username: str) -> list[str]:
    """What is wrong with `password` for `username`; empty when it is acceptable.

    Minimum rules: at least MIN_PASSWORD_LENGTH characters, and not the
    username (compared ignoring case and surrounding spaces).
    """
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            f"password is {len(password)} characters long; "
            f"it must have at least {MIN_PASSWORD_LENGTH}"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"password is longer than {MAX_PASSWORD_LENGTH} characters")
    if password.strip().casefold() == username.strip().casefold():
        problems.append("password must not be the username")
    return problems


def check_password(password: str, username: str) -> str:
    problems = password_problems(password, username)
    if problems:
        raise AccountError("; ".join(problems))
    return password


def check_role(role: str) -> Role:
    if role not in USER_ROLES:
        raise AccountError(
            f"unknown role {role!r}; expected one of {', '.join(r.value for r in USER_ROLES)}"
        )
    return Role(role)


def binding_problems(role: str, *, district: str | None, enterprises: Sequence[str]) -> list[str]:
    """Which scope a role may carry: a supervisor may have a district (else city-wide),
    an enterprise user needs at least one enterprise, other roles neither."""
    problems = []
    if district is not None and role != Role.SUPERVISOR:
        problems.append(f"only a supervisor has a district, not role {role}")
    if role == Role.ENTERPRISE and not enterprises:
        problems.append("an enterprise user must be bound to at least one enterprise")
    if enterprises and role != Role.ENTERPRISE:
        problems.append(f"only an enterprise user is bound to enterprises, not role {role}")
    return problems


def hash_password(password: str) -> str:
    return PASSWORD_HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> tuple[bool, bool]:
    """(matches, needs_rehash). needs_rehash: the hash was made with other Argon2
    parameters than PASSWORD_HASHER's, so it should be replaced now that the
    password is known."""
    try:
        PASSWORD_HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False, False
    return True, PASSWORD_HASHER.check_needs_rehash(password_hash)


def new_token() -> str:
    """An opaque token: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 hex digest: what auth_token.token_hash stores and lookups compare."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def session_expiry(created_at: datetime, now: datetime) -> datetime:
    """Sliding expiry: SESSION_TTL after the latest use, never past SESSION_MAX_AGE."""
    return min(now + SESSION_TTL, created_at + SESSION_MAX_AGE)


def is_due_for_touch(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= TOKEN_TOUCH_INTERVAL


def check_token_days(days: int) -> int:
    if not 1 <= days <= API_TOKEN_MAX_DAYS:
        raise AccountError(f"token lifetime of {days} days is outside 1..{API_TOKEN_MAX_DAYS}")
    return days


def login_wait_s(
    now: float,
    *,
    pair: Sequence[float],
    address: Sequence[float],
    account: Sequence[float],
    known_address: bool,
) -> float:
    """Seconds until the next login attempt is allowed (0: now).

    Each list holds the times (seconds, ascending, inside LOGIN_WINDOW_S) of
    failures: of this account from this address (`pair`), from this address
    for any account, of this account from any address. Each counter waits its
    Backoff after its newest failure. From an address where the user logged in
    recently (`known_address`) only the pair counts, so neither others' failures
    on the account nor a neighbour behind the same address delays the user.
    """
    counters = [(pair, PAIR_BACKOFF)]
    if not known_address:
        counters += [(address, ADDRESS_BACKOFF), (account, ACCOUNT_BACKOFF)]
    wait = 0.0
    for times, backoff in counters:
        if times:
            wait = max(wait, times[-1] + backoff.wait_s(len(times)) - now)
    return wait


#: Letters and digits that cannot be mistaken for one another when read out or copied.
_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
GENERATED_PASSWORD_LENGTH = 14


def new_password() -> str:
    """A one-time password an administrator hands over (~80 bits from the OS's random source)."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(GENERATED_PASSWORD_LENGTH))


def self_change_problems(
    actor: str, username: str, *, role: str | None = None, active: bool | None = None
) -> list[str]:
    """An administrator cannot lock themself out: neither disable their own account nor
    give up their own admin role (another admin must do it)."""
    if actor != username:
        return []
    problems = []
    if active is False:
        problems.append("you cannot disable your own account; another admin must do it")
    if role is not None and role != Role.ADMIN:
        problems.append("you cannot give up your own admin role; another admin must do it")
    return problems
