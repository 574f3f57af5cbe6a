"""REST: login, logout, who am I, API tokens; users and the audit log for admins.

Thin: each endpoint checks access with deps, calls one service use case
and translates AccountError into 400 (404 unknown user, 409 taken username,
401 wrong credentials, 429 throttled with Retry-After).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from ecozone.accounts import audit, deps, rules, service
from ecozone.accounts.model import (
    AccountError,
    AuthError,
    DuplicateUserError,
    Principal,
    RateLimited,
    UnknownTokenError,
    UnknownUserError,
)
from ecozone.api.params import Id, Offset
from ecozone.times import CHINA_STANDARD_TIME

router = APIRouter(prefix="/api/v1", tags=["accounts"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Admin = Annotated[Principal, Depends(deps.require_admin)]
RoleName = Literal["admin", "supervisor", "enterprise", "coordinator", "bank"]


class LoginRequest(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=rules.MAX_PASSWORD_LENGTH)


class LoginResponse(BaseModel):
    username: str
    role: str
    token: str = Field(description="The session token, also set as the HttpOnly cookie "
                       f"{deps.SESSION_COOKIE}; usable as Authorization: Bearer")  # fmt: skip


class Me(BaseModel):
    username: str
    role: str = Field(description="admin, supervisor, enterprise, coordinator, bank or public")
    authenticated: bool
    display_name: str | None = None
    district: str | None = Field(None, description="A district supervisor's district")
    enterprises: list[str] = Field([], description="An enterprise user's credit codes")


class TokenRequest(BaseModel):
    days: int = Field(rules.API_TOKEN_DEFAULT_DAYS, ge=1, le=rules.API_TOKEN_MAX_DAYS)


class TokenResponse(BaseModel):
    token: str = Field(description="Shown once; only its SHA-256 hash is stored")
    kind: str
    username: str
    expires_at: datetime


class UserOut(BaseModel):
    username: str
    role: RoleName
    display_name: str | None
    district: str | None
    enterprises: list[str]
    active: bool
    created_at: datetime


class UserList(BaseModel):
    items: list[UserOut]


class UserCreate(BaseModel):
    username: str
    password: str
    role: RoleName
    display_name: str | None = None
    district: str | None = Field(None, description="Supervisors only: limits them to it")
    enterprises: list[str] = Field([], description="Enterprise users: credit codes")


class UserPatch(BaseModel):
    """Only the fields sent are changed; `district: null` makes a supervisor city-wide."""

    password: str | None = None
    role: RoleName | None = None
    display_name: str | None = None
    district: str | None = None
    enterprises: list[str] | None = None
    active: bool | None = None


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditList(BaseModel):
    items: list[AuditEntryOut]
    limit: int
    offset: int


def _account_error(exc: AccountError) -> HTTPException:
    if isinstance(exc, UnknownUserError | UnknownTokenError):
        return HTTPException(status_code=404, detail=str(exc))
    if isinstance(exc, DuplicateUserError):
        return HTTPException(status_code=409, detail=str(exc))
    return HTTPException(status_code=400, detail=str(exc))


@router.post(
    "/auth/login",
    response_model=LoginResponse,
    summary="登录 Log in",
    responses={401: {"description": "Wrong username or password"},
               429: {"description": "Too many failed logins; see Retry-After"}},
)  # fmt: skip
def login(body: LoginRequest, request: Request, response: Response, engine: Engine) -> Any:
    """Open a session: sets the HttpOnly session cookie and returns the token once."""
    client_ip = request.client.host if request.client is not None else "unknown"
    try:
        principal, token = service.login(engine, body.username, body.password, client_ip=client_ip)
    except RateLimited as exc:
        raise HTTPException(
            status_code=429, detail=str(exc), headers={"Retry-After": str(exc.retry_after_s)}
        ) from None
    except AuthError as exc:
        raise HTTPException(status_code=401, detail=str(exc)) from None
    previous = request.cookies.get(deps.SESSION_COOKIE)
    if previous:  # a new login replaces the browser's session rather than adding one
        service.logout(engine, previous)
    response.set_cookie(
        deps.SESSION_COOKIE,
        token,
        max_age=int(service.SESSION_MAX_AGE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=deps.cookie_secure(request),
        path="/",
    )
    return {"username": principal.username, "role": principal.role, "token": token}


@router.post("/auth/logout", status_code=204, summary="退出 Log out")
def logout(request: Request, engine: Engine) -> Response:
    """End the session of the cookie and revoke the bearer token, if any (this is how an
    API token is revoked); always clears the cookie. Needs no login: an expired
    session must still be able to clear its cookie."""
    presented = deps.presented_token(request)  # the bearer token, else the cookie
    tokens = {request.cookies.get(deps.SESSION_COOKIE), presented and presented[0]}
    for token in tokens - {None}:
        service.logout(engine, token)
    response = Response(status_code=204)
    response.delete_cookie(deps.SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/auth/me", response_model=Me, summary="当前用户 Who am I")
def me(principal: deps.CurrentPrincipal, engine: Engine) -> Any:
    """The caller: a user with role and scope, or the anonymous public."""
    if not principal.is_authenticated:
        return {"username": principal.username, "role": principal.role, "authenticated": False}
    user = service.get_user(engine, principal.username)
    return {
        "username": user.username,
        "role": user.role,
        "authenticated": True,
        "display_name": user.display_name,
        "district": user.district,
        "enterprises": list(user.enterprises),
    }


@router.post(
    "/auth/tokens", response_model=TokenResponse, status_code=201, summary="API 令牌 API token"
)
def create_token(
    principal: Annotated[Principal, Depends(deps.require_login)],
    engine: Engine,
    body: TokenRequest | None = None,
) -> Any:
    """A new API token for the logged-in user, for Authorization: Bearer; shown only now."""
    days = body.days if body is not None else rules.API_TOKEN_DEFAULT_DAYS
    try:
        issued = service.issue_api_token(
            engine, principal.username, actor=principal.username, days=days
        )
    except AccountError as exc:
        raise _account_error(exc) from None
    return {
        "token": issued.token,
        "kind": issued.kind.value,
        "username": issued.username,
        "expires_at": issued.expires_at,
    }


@router.get("/users", response_model=UserList, summary="用户 Users")
def list_users(_admin: Admin, engine: Engine) -> Any:
    """Every user with role, scope and state (admins only)."""
    return {"items": [user.as_dict() for user in service.list_users(engine)]}


@router.post("/users", response_model=UserOut, status_code=201, summary="新建用户 New user")
def create_user(body: UserCreate, admin: Admin, engine: Engine) -> Any:
    """Create a user (admins only); 400 names every problem, 409 if the username is taken."""
    try:
        user = service.create_user(
            engine, body.username, body.password, role=body.role, actor=admin.username,
            display_name=body.display_name, district=body.district, enterprises=body.enterprises,
        )  # fmt: skip
    except AccountError as exc:
        raise _account_error(exc) from None
    return user.as_dict()


@router.patch("/users/{username}", response_model=UserOut, summary="修改用户 Change a user")
def update_user(username: str, body: UserPatch, admin: Admin, engine: Engine) -> Any:
    """Change the fields sent (admins only). `active: false` disables the user and ends
    their sessions and tokens; a new password ends their sessions. Admins cannot disable
    themselves or drop their own admin role."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    for name in ("password", "role", "enterprises", "active"):
        if name in changes and changes[name] is None:
            raise HTTPException(status_code=400, detail=f"{name} cannot be null")
    try:
        user = service.change_user(engine, username, actor=admin.username, **changes)
    except AccountError as exc:
        raise _account_error(exc) from None
    return user.as_dict()


def _instant(value: datetime | None, name: str) -> datetime | None:
    """Naive times are China Standard Time, as everywhere else in the API; a time that
    cannot be said in UTC (before 0001-01-01 08:00 CST) is refused."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA_STANDARD_TIME)
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise HTTPException(
            status_code=422, detail=f"{name} {value.isoformat()} is out of range"
        ) from None
    return value


@router.get("/audit", response_model=AuditList, summary="审计日志 Audit log")
def list_audit(
    _admin: Admin,
    engine: Engine,
    actor: Annotated[str | None, Query(description="Username (or cli:..., demo)")] = None,
    action: Annotated[str | None, Query(description="create, update, login, POST, ...")] = None,
    entity: Annotated[str | None, Query(description="Table, or route template")] = None,
    entity_id: Annotated[str | None, Query()] = None,
    since: Annotated[datetime | None, Query(description="From (inclusive); naive = CST")] = None,
    until: Annotated[datetime | None, Query(description="Up to (exclusive)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[Offset, Query()] = 0,
) -> Any:
    """Who did what and when, with the values before and after; newest first (admins only)."""
    since, until = _instant(since, "since"), _instant(until, "until")
    if since is not None and until is not None and until <= since:
        raise HTTPException(
            status_code=400,
            detail=f"until {until.isoformat()} is not after since {since.isoformat()}",
        )
    items = audit.entries(
        engine, actor=actor, action=action, entity=entity, entity_id=entity_id,
        since=since, until=until, limit=limit, offset=offset,
    )  # fmt: skip
    return {"items": [item.__dict__ for item in items], "limit": limit, "offset": offset}


class ApiTokenOut(BaseModel):
    id: int
    username: str = Field(description="Who holds it")
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


class ApiTokenList(BaseModel):
    items: list[ApiTokenOut]


@router.get("/tokens", response_model=ApiTokenList, summary="API 令牌列表 API tokens")
def list_tokens(_admin: Admin, engine: Engine) -> Any:
    """The API tokens still valid, newest first, with holder and last use; never the token
    itself, which only its holder saw once (admins only)."""
    return {"items": [token.__dict__ for token in service.list_api_tokens(engine)]}


@router.delete(
    "/tokens/{token_id}",
    status_code=204,
    summary="吊销 API 令牌 Revoke an API token",
    responses={404: {"description": "No API token with that id"}},
)
def revoke_token(token_id: Id, admin: Admin, engine: Engine) -> Response:
    """End an API token at once (admins only); audited."""
    try:
        service.revoke_api_token(engine, token_id, actor=admin.username)
    except AccountError as exc:
        raise _account_error(exc) from None
    return Response(status_code=204)
