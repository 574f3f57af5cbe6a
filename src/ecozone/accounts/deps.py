"""FastAPI dependencies that enforce access: who is asking, which role is needed, what they may see.

Every route takes `current_principal` (directly or through `require_roles`)
and scopes its reads with `visible_enterprise_ids` / `check_enterprise_access`,
so enforcement lives in the API, whatever a page shows or hides. Another
enterprise's data answers 404 exactly like data that does not exist, not 403:
a 403 would confirm that the credit code or MN is registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, HTTPException, Request

from ecozone.accounts import audit, service, store
from ecozone.accounts.model import PUBLIC, USER_ROLES, Principal, Role, TokenKind

#: The browser session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS.
SESSION_COOKIE = "ecozone_session"


def cookie_secure(request: Request) -> bool:
    """Secure over HTTPS, and always when ECOZONE_SECURE_COOKIE says TLS ends at a proxy."""
    settings = getattr(request.app.state, "settings", None)
    return request.url.scheme == "https" or bool(getattr(settings, "secure_cookie", False))


#: The only writes (method, route) the anonymous public may make; every other
#: non-GET route under /api/v1 must answer 401 to it (tests/accounts check this
#: for every route the app mounts). Add a route here only on purpose.
PUBLIC_WRITE_ROUTES = frozenset({("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/logout")})


def get_engine(request: Request) -> sa.Engine:
    return request.app.state.engine


def presented_token(request: Request) -> tuple[str, tuple[str, ...]] | None:
    """The token a request carries and the token kinds it may be: Authorization:
    Bearer (session or API token) first, else the session cookie (sessions only)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), (TokenKind.SESSION, TokenKind.API)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie, (TokenKind.SESSION,)
    return None


def current_principal(request: Request) -> Principal:
    """Who is asking: the user of a valid session cookie or bearer token, else the public.

    An invalid or expired credential also yields the public principal (the
    request may still read public data); `request.state.credential_rejected`
    lets a 401 say why.
    """
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    principal = PUBLIC
    presented = presented_token(request)
    if presented is not None:
        token, kinds = presented
        found = service.authenticate(get_engine(request), token, kinds=kinds)
        if found is None:
            request.state.credential_rejected = True
        else:
            principal = found
    request.state.principal = principal
    holder = audit.current_request()
    if holder is not None:
        holder.actor = principal.username
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[..., Principal]:
    """A dependency admitting logged-in users with one of `roles` (any role if none given).

    401 for the anonymous public (with WWW-Authenticate: Bearer), 403 for a
    logged-in user of another role.
    """
    for role in roles:
        if role not in USER_ROLES:
            raise ValueError(f"unknown role {role!r} in require_roles")

    def dependency(request: Request, principal: CurrentPrincipal) -> Principal:
        if not principal.is_authenticated:
            reason = (
                "the session or token is expired or unknown; log in again"
                if getattr(request.state, "credential_rejected", False)
                else "log in first (session cookie or Authorization: Bearer token)"
            )
            raise HTTPException(
                status_code=401,
                detail=f"not authenticated: {reason}",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if roles and principal.role not in roles:
            raise HTTPException(
                status_code=403,
                detail=f"this needs the role {' or '.join(roles)}; {principal.username} is "
                f"{principal.role}",
            )
        return principal

    dependency.__name__ = f"require_roles_{'_'.join(roles) or 'login'}"
    return dependency


require_login = require_roles()
require_admin = require_roles(Role.ADMIN)
require_staff = require_roles(Role.ADMIN, Role.SUPERVISOR)


def visible_enterprise_ids(engine: sa.Engine, principal: Principal) -> set[int] | None:
    """Ids of the enterprises `principal` may read; None means all of them (see Scope)."""
    if principal.scope.everything:
        return None
    with engine.connect() as conn:
        return store.visible_enterprise_ids(conn, principal.scope)


def _not_found(detail: str) -> HTTPException:
    return HTTPException(status_code=404, detail=detail)


def check_enterprise_access(engine: sa.Engine, principal: Principal, credit_code: str) -> int:
    """The enterprise's id if `principal` may read it; 404 (as for an unknown
    credit code, same message) otherwise."""
    with engine.connect() as conn:
        found = store.enterprise_access(conn, credit_code)
    if found is None or not principal.scope.can_read(
        found["id"], district_id=found["district_id"], disclosed=found["disclosed"]
    ):
        raise _not_found(f"no enterprise with credit code {credit_code}")
    return found["id"]


def check_device_access(engine: sa.Engine, principal: Principal, mn: str) -> int:
    """The owning enterprise's id if `principal` may read the device with MN `mn`;
    404 (as for an unknown MN, same message) otherwise."""
    with engine.connect() as conn:
        found = store.device_access(conn, mn)
    if found is None or not principal.scope.can_read(
        found["id"], district_id=found["district_id"], disclosed=found["disclosed"]
    ):
        raise _not_found(f"no device with MN {mn}")
    return found["id"]
