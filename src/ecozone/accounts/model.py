"""Plain data of accounts: who is asking (Principal), stored users, issued tokens, audit entries.

Frozen dataclasses and one exception family (AccountError). The Principal
carries everything an access decision needs, so deciding is a method call
without the database; nothing here touches the database or the web layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ecozone.errors import Conflict, Invalid, NotFound


class Role(StrEnum):
    """Roles of DESIGN.md "Interfaces"; PUBLIC is the anonymous visitor and is never stored."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"  # environment bureau; city-wide, or one district
    ENTERPRISE = "enterprise"  # pollutant-discharging unit; its own enterprises only
    COORDINATOR = "coordinator"  # plan tracking (measures 1-23)
    BANK = "bank"  # green finance (长江绿融通, plan item 20): the credit and compliance feed
    PUBLIC = "public"


#: Roles a stored user can have (table user_account, check constraint `role`).
USER_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.ENTERPRISE, Role.COORDINATOR, Role.BANK)

#: Who may read raw frames, every enterprise of their scope and the registry's devices.
STAFF_ROLES = (Role.ADMIN, Role.SUPERVISOR)

PUBLIC_USERNAME = "anonymous"


class TokenKind(StrEnum):
    SESSION = "session"  # browser, in the HttpOnly cookie; sliding expiry
    API = "api"  # scripts and other systems, Authorization: Bearer; fixed expiry


class AccountError(Invalid):
    """A request about users, passwords or tokens was refused; the message says why."""


class UnknownUserError(AccountError, NotFound):
    """No user with that username."""


class DuplicateUserError(AccountError, Conflict):
    """The username is taken."""


class AuthError(AccountError):
    http_status = 401

    """Login refused. The message is safe to show: it never says whether the username exists."""


class RateLimited(AccountError):
    """Too many failed logins recently for this username or client address."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Scope:
    """What a principal may read and act on: the platform's one access decision.

    DESIGN.md "Who uses it": admins and city-wide supervisors see every
    enterprise; a supervisor with `district_id` sees that district's
    enterprises only; an enterprise user sees the enterprises in
    `enterprise_ids` "and nobody else's"; the public sees the disclosed
    enterprises (a key pollutant-discharging unit's automatic monitoring data,
    which the law makes public), and so does a coordinator, whose work is the
    plan, not enterprise data, and a bank, which reads enterprise data through
    its own feed (supervision.finance_api) and nothing else.
    `accounts.store.scope_condition` turns a Scope into SQL; every route, page
    and export reads through one or the other.
    """

    role: str
    district_id: int | None = None
    enterprise_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def everything(self) -> bool:
        """Admin or city-wide supervisor: no enterprise is outside the scope."""
        return self.role == Role.ADMIN or (
            self.role == Role.SUPERVISOR and self.district_id is None
        )

    @property
    def disclosed_only(self) -> bool:
        """The public view: the anonymous public, coordinators and banks."""
        return self.role in (Role.PUBLIC, Role.COORDINATOR, Role.BANK)

    @property
    def is_staff(self) -> bool:
        """Admin or supervisor (of any extent): reads raw frames and the registry's devices."""
        return self.role in STAFF_ROLES

    def can_read(self, enterprise_id: int, *, district_id: int | None, disclosed: bool) -> bool:
        """Read access to an enterprise's registry entry and monitoring data."""
        if self.disclosed_only:
            return disclosed
        return self.owns(enterprise_id, district_id=district_id)

    def owns(self, enterprise_id: int, *, district_id: int | None) -> bool:
        """Whether the enterprise is the viewer's own business, not merely disclosed to all:
        only then are its alerts, their handling, data marks and devices shown and acted on."""
        if self.everything:
            return True
        if self.role == Role.SUPERVISOR:
            return district_id is not None and district_id == self.district_id
        if self.role == Role.ENTERPRISE:
            return enterprise_id in self.enterprise_ids
        return False


@dataclass(frozen=True)
class Principal:
    """Who is making a request; `scope` says what they may see and act on."""

    user_id: int | None
    username: str
    role: str
    district_id: int | None = None
    enterprise_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None and self.role != Role.PUBLIC

    @property
    def scope(self) -> Scope:
        role = self.role if self.is_authenticated else Role.PUBLIC
        return Scope(role=role, district_id=self.district_id, enterprise_ids=self.enterprise_ids)

    @property
    def is_staff(self) -> bool:
        """Admin or supervisor (of any extent)."""
        return self.is_authenticated and self.scope.is_staff


#: The platform itself (background jobs, the CLI, a page's own-scope reads): no limit.
SYSTEM_SCOPE = Scope(role=Role.ADMIN)

PUBLIC = Principal(user_id=None, username=PUBLIC_USERNAME, role=Role.PUBLIC)


@dataclass(frozen=True)
class User:
    """A stored user as shown to admins; never carries the password hash."""

    id: int
    username: str
    role: str
    display_name: str | None
    district: str | None  # district name, for a district supervisor
    enterprises: tuple[str, ...]  # credit codes, for an enterprise user
    active: bool
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "role": self.role,
            "display_name": self.display_name,
            "district": self.district,
            "enterprises": list(self.enterprises),
            "active": self.active,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class IssuedToken:
    """A new token. `token` exists only here: the database keeps its SHA-256 hash."""

    token: str
    kind: TokenKind
    username: str
    expires_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class UnknownTokenError(AccountError, NotFound):
    """No API token with that id."""


@dataclass(frozen=True)
class ApiToken:
    """An API token as admins see it: who holds it and when it was used; never the secret."""

    id: int
    username: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
