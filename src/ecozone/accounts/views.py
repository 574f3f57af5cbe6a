"""The administrator's pages of accounts: users (create, change, disable, reset a password)
and API tokens (list, issue, revoke); the audit log is in audit_views.py.

Every form calls the same use case as the REST API and the CLI (service.py), as the
signed-in admin; a refusal comes back on the form it came from, field by field in
Chinese (messages.py), with what was typed kept (never a password). A secret made
here, a one-time password or an API token, is in that one answer only (no-store).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone.accounts import messages, rules, service, store
from ecozone.accounts.model import (
    SYSTEM_SCOPE,
    USER_ROLES,
    AccountError,
    DuplicateUserError,
    Principal,
    Role,
    UnknownTokenError,
    UnknownUserError,
    User,
)
from ecozone.api.params import Id
from ecozone.registry import store as registry_store
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import NotFound
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

ADMIN_ONLY = ("admin",)
ADMIN_GROUP = "nav.group.admin"

router = APIRouter(include_in_schema=False)
shell.add_menu(
    MenuEntry("nav.admin.users", "/admin/users", ADMIN_ONLY, 70, ADMIN_GROUP),
    MenuEntry("nav.admin.tokens", "/admin/tokens", ADMIN_ONLY, 71, ADMIN_GROUP),
    MenuEntry("nav.admin.audit", "/admin/audit", ADMIN_ONLY, 72, ADMIN_GROUP),
)

FormText = Annotated[str, Form()]
FormList = Annotated[list[str], Form()]


def admin_gate(request: Request, principal: Principal, lang: str) -> Response | None:
    """None for an admin; the login page for the public; a 403 page for other roles."""
    return shell.refused(request, principal, lang, ADMIN_ONLY)


def no_store(response: Response) -> Response:
    """A page holding a secret shown once: no cache keeps it."""
    response.headers["Cache-Control"] = "no-store"
    return response


def refusal(exc: AccountError, lang: str) -> dict[str, list[str]]:
    """A use case's refusal as form errors: field -> sentences ("" for the whole form)."""
    errors: dict[str, list[str]] = {}
    for field, sentence in messages.explain(str(exc), lang):
        if field is None:
            sentence = t(lang, "admin.error.refused", detail=sentence)
        errors.setdefault(field or "", []).append(sentence)
    return errors


def _status(exc: AccountError) -> int:
    return 409 if isinstance(exc, DuplicateUserError) else 400


# --- users -------------------------------------------------------------------------------

STATES = {"active": True, "disabled": False}


def scope_text(user: User, lang: str) -> str:
    """What a user may see, in words: a district, credit codes, or the whole zone."""
    if user.role == Role.SUPERVISOR:
        return user.district or t(lang, "admin.scope.city")
    if user.role == Role.ENTERPRISE:
        return ", ".join(user.enterprises)
    return t(lang, "admin.scope.none")


def users_table(users: list[User], lang: str) -> Any:
    rows = [
        {
            "username": user.username,
            "display_name": user.display_name,
            "role": t(lang, f"role.{user.role}"),
            "scope": scope_text(user, lang),
            "state": t(lang, "admin.state.active" if user.active else "admin.state.disabled"),
            "created_at": user.created_at,
            "_href": {"username": f"/admin/users/{quote(user.username)}"},
            "_class": "" if user.active else "revoked",
        }
        for user in users
    ]
    columns = (
        ("username", "admin.col.username"),
        ("display_name", "admin.col.display_name"),
        ("role", "admin.col.role"),
        ("scope", "admin.col.scope"),
        ("state", "admin.col.state"),
        ("created_at", "admin.col.created_at"),
    )
    return shell.make_table("users", lang, columns, rows)


def scope_options(engine: sa.Engine) -> dict[str, Any]:
    """What the user form offers: districts by name, enterprises by credit code."""
    with engine.connect() as conn:
        districts = sorted(store.district_ids_by_name(conn))
        enterprises = [
            {"credit_code": e["credit_code"], "name": e["name"], "district": e["district"]}
            for e in registry_store.enterprises_in_scope(conn, SYSTEM_SCOPE)
        ]
    return {"roles": [r.value for r in USER_ROLES], "districts": districts,
            "enterprises": enterprises}  # fmt: skip


def _scope_fields(role: str, district: str, enterprises: list[str]) -> dict[str, Any]:
    """The scope a role carries; choices left on the form for another role are dropped."""
    return {
        "district": district.strip() or None if role == Role.SUPERVISOR else None,
        "enterprises": [code for code in enterprises if code] if role == Role.ENTERPRISE else [],
    }


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    role: str = "",
    state: str = "",
    q: str = "",
) -> Response:
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    users = service.find_users(
        engine,
        role=role if role in USER_ROLES else None,
        active=STATES.get(state),
        search=q or None,
    )
    return shell.render(
        request, principal, lang, "accounts/users.html", table=users_table(users, lang),
        filters={"role": role, "state": state, "q": q}, roles=[r.value for r in USER_ROLES],
    )  # fmt: skip


def _new_user_form(
    request: Request,
    principal: Principal,
    lang: str,
    engine: sa.Engine,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    blank = {"username": "", "display_name": "", "role": "", "district": "", "enterprises": []}
    return shell.render(
        request, principal, lang, "accounts/user_new.html", status_code=status_code,
        form=form or blank, errors=errors or {}, options=scope_options(engine),
        min_password=rules.MIN_PASSWORD_LENGTH,
    )  # fmt: skip


@router.get("/admin/users/new", response_class=HTMLResponse)
def new_user_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    return _new_user_form(request, principal, lang, engine)


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    username: FormText = "",
    display_name: FormText = "",
    role: FormText = "",
    district: FormText = "",
    enterprises: FormList = [],  # noqa: B006 (FastAPI copies defaults)
    password: FormText = "",
) -> Response:
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    typed = {"username": username, "display_name": display_name, "role": role,
             "district": district, "enterprises": enterprises}  # fmt: skip
    if role not in USER_ROLES:
        errors = {"role": [t(lang, "admin.error.choose_role")]}
        return _new_user_form(request, principal, lang, engine, form=typed, errors=errors,
                              status_code=400)  # fmt: skip
    try:
        user = service.create_user(
            engine, username.strip(), password, role=role, actor=principal.username,
            display_name=display_name.strip() or None, **_scope_fields(role, district, enterprises),
        )  # fmt: skip
    except AccountError as exc:
        return _new_user_form(request, principal, lang, engine, form=typed,
                              errors=refusal(exc, lang), status_code=_status(exc))  # fmt: skip
    return RedirectResponse(f"/admin/users/{quote(user.username)}?created=1", status_code=303)


_NOTICES = {"created": "admin.user.created", "saved": "admin.user.saved",
            "enabled": "admin.user.enabled", "disabled": "admin.user.disabled"}  # fmt: skip


def _user_page(
    request: Request,
    principal: Principal,
    lang: str,
    engine: sa.Engine,
    username: str,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    try:
        user = service.get_user(engine, username)
    except UnknownUserError:
        return shell.error_page(request, principal, lang, NotFound(f"no user {username}"))
    shown = form or {
        "display_name": user.display_name or "",
        "role": user.role,
        "district": user.district or "",
        "enterprises": list(user.enterprises),
    }
    notice = next((t(lang, key) for name, key in _NOTICES.items()
                   if request.query_params.get(name)), None)  # fmt: skip
    context = {"notice": notice, **extra}
    return shell.render(
        request, principal, lang, "accounts/user_edit.html", status_code=status_code,
        user=user, form=shown, errors=errors or {}, options=scope_options(engine),
        scope=scope_text(user, lang), is_self=user.username == principal.username,
        min_password=rules.MIN_PASSWORD_LENGTH, **context,
    )  # fmt: skip


@router.get("/admin/users/{username}", response_class=HTMLResponse)
def user_page(
    username: str, request: Request, principal: Viewer, lang: Lang, engine: Engine
) -> Response:
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    return _user_page(request, principal, lang, engine, username)


def _change(
    request: Request,
    principal: Principal,
    lang: str,
    engine: sa.Engine,
    username: str,
    done: str,
    form: dict[str, Any] | None = None,
    **changes: Any,
) -> Response:
    """Apply `changes` with the use case; back to the user's page with notice `done`."""
    try:
        service.change_user(engine, username, actor=principal.username, **changes)
    except UnknownUserError:
        return shell.error_page(request, principal, lang, NotFound(f"no user {username}"))
    except AccountError as exc:
        return _user_page(request, principal, lang, engine, username, form=form,
                          errors=refusal(exc, lang), status_code=_status(exc))  # fmt: skip
    return RedirectResponse(f"/admin/users/{quote(username)}?{done}=1", status_code=303)


@router.post("/admin/users/{username}", response_class=HTMLResponse)
def change_user(
    username: str,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    display_name: FormText = "",
    role: FormText = "",
    district: FormText = "",
    enterprises: FormList = [],  # noqa: B006
) -> Response:
    """Display name, role and scope."""
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    typed = {"display_name": display_name, "role": role, "district": district,
             "enterprises": enterprises}  # fmt: skip
    if role not in USER_ROLES:
        return _user_page(request, principal, lang, engine, username, form=typed,
                          errors={"role": [t(lang, "admin.error.choose_role")]},
                          status_code=400)  # fmt: skip
    return _change(request, principal, lang, engine, username, "saved", typed, role=role,
                   display_name=display_name.strip() or None,
                   **_scope_fields(role, district, enterprises))  # fmt: skip


@router.post("/admin/users/{username}/active", response_class=HTMLResponse)
def set_active(
    username: str,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    active: FormText = "",
    confirm: FormText = "",
) -> Response:
    """Disable (active=0) or enable (active=1) a user, once the admin has confirmed."""
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    if active not in ("0", "1") or confirm != "yes":
        return _user_page(request, principal, lang, engine, username, status_code=400,
                          errors={"active": [t(lang, "admin.error.confirm")]})  # fmt: skip
    done = "enabled" if active == "1" else "disabled"
    return _change(request, principal, lang, engine, username, done, active=active == "1")


@router.post("/admin/users/{username}/password", response_class=HTMLResponse)
def reset_password(
    username: str,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    mode: FormText = "generate",
    password: FormText = "",
) -> Response:
    """A generated one-time password, shown in this answer only, or the one the admin typed."""
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    typed = password if mode == "typed" else None
    try:
        _user, new = service.reset_password(
            engine, username, actor=principal.username, password=typed
        )
    except UnknownUserError:
        return shell.error_page(request, principal, lang, NotFound(f"no user {username}"))
    except AccountError as exc:
        return _user_page(request, principal, lang, engine, username, status_code=400,
                          errors=refusal(exc, lang), password_mode=mode)  # fmt: skip
    shown = new if typed is None else None
    page = _user_page(request, principal, lang, engine, username, one_time_password=shown,
                      notice=t(lang, "admin.password.done"))  # fmt: skip
    return no_store(page)


# --- API tokens ------------------------------------------------------------------------------


def tokens_table(engine: sa.Engine, lang: str) -> list[dict[str, Any]]:
    return [
        {"id": token.id, "username": token.username, "created_at": token.created_at,
         "expires_at": token.expires_at, "last_used_at": token.last_used_at}
        for token in service.list_api_tokens(engine, now=shell.now())
    ]  # fmt: skip


def _tokens_page(
    request: Request,
    principal: Principal,
    lang: str,
    engine: sa.Engine,
    *,
    status_code: int = 200,
    form: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    **extra: Any,
) -> Response:
    revoked = request.query_params.get("revoked")
    notice = t(lang, "admin.token.revoked", token_id=revoked) if revoked else None
    users = [u.username for u in service.find_users(engine, active=True)]
    return shell.render(
        request, principal, lang, "accounts/tokens.html", status_code=status_code,
        tokens=tokens_table(engine, lang), users=users, errors=errors or {},
        form=form or {"username": "", "days": str(rules.API_TOKEN_DEFAULT_DAYS)},
        max_days=rules.API_TOKEN_MAX_DAYS, **{"notice": notice, **extra},
    )  # fmt: skip


@router.get("/admin/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    return _tokens_page(request, principal, lang, engine)


@router.post("/admin/tokens", response_class=HTMLResponse)
def issue_token(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    username: FormText = "",
    days: FormText = "",
) -> Response:
    """A new API token for a user; the token is in this answer and nowhere else."""
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    typed = {"username": username, "days": days}
    if not days.strip().isdigit():
        errors = {"days": [t(lang, "admin.error.days", max=rules.API_TOKEN_MAX_DAYS)]}
        return _tokens_page(request, principal, lang, engine, status_code=400, form=typed,
                            errors=errors)  # fmt: skip
    try:
        issued = service.issue_api_token(engine, username, actor=principal.username, days=int(days))
    except AccountError as exc:
        return _tokens_page(request, principal, lang, engine, status_code=400, form=typed,
                            errors=refusal(exc, lang))  # fmt: skip
    return no_store(_tokens_page(request, principal, lang, engine, issued=issued))


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(
    token_id: Id,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    confirm: FormText = "",
) -> Response:
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    if confirm != "yes":
        errors = {f"revoke-{token_id}": [t(lang, "admin.error.confirm")]}
        return _tokens_page(request, principal, lang, engine, status_code=400, errors=errors)
    try:
        service.revoke_api_token(engine, token_id, actor=principal.username)
    except UnknownTokenError:
        return shell.error_page(request, principal, lang, NotFound(f"no token {token_id}"))
    return RedirectResponse(f"/admin/tokens?revoked={token_id}", status_code=303)


add_texts({
    "nav.admin.users": ("用户", "Users"),
    "nav.admin.tokens": ("API 令牌", "API tokens"),
    "nav.admin.audit": ("审计日志", "Audit log"),
    "admin.users.title": ("用户管理", "Users"),
    "admin.users.lead": ("平台账号的角色、数据范围和状态。", "Accounts: role, scope and state."),
    "admin.users.new": ("新建用户", "New user"),
    "admin.filter": ("筛选", "Filter"),
    "admin.filter.all": ("全部", "All"),
    "admin.filter.search": ("用户名或姓名", "User name or display name"),
    "admin.filter.reset": ("清除筛选", "Clear filters"),
    "admin.col.username": ("用户名", "User name"),
    "admin.col.display_name": ("姓名", "Display name"),
    "admin.col.role": ("角色", "Role"),
    "admin.col.scope": ("数据范围", "Scope"),
    "admin.col.state": ("状态", "State"),
    "admin.col.created_at": ("创建时间", "Created"),
    "admin.col.expires_at": ("到期时间", "Expires"),
    "admin.col.last_used_at": ("最近使用", "Last used"),
    "admin.col.token": ("编号", "No."),
    "admin.col.actions": ("操作", "Actions"),
    "admin.state.active": ("在用", "active"),
    "admin.state.disabled": ("已停用", "disabled"),
    "admin.scope.city": ("全区（不限区县）", "whole zone"),
    "admin.scope.none": ("—", "—"),
    "admin.field.username": ("用户名", "User name"),
    "admin.field.username_hint": ("2 至 64 个字母、数字或 . _ @ -，以字母或数字开头",
                                  "2 to 64 letters, digits or . _ @ -, starting with a letter "
                                  "or digit"),
    "admin.field.display_name": ("姓名", "Display name"),
    "admin.field.role": ("角色", "Role"),
    "admin.field.choose": ("请选择", "Choose"),
    "admin.field.district": ("区县（仅监管人员）", "District (supervisors only)"),
    "admin.field.district_all": ("不限区县（全区）", "No district (whole zone)"),
    "admin.field.enterprises": ("绑定企业（仅企业用户）", "Enterprises (enterprise users only)"),
    "admin.field.enterprises_hint": ("按住 Ctrl 可多选", "Hold Ctrl to choose several"),
    "admin.field.password": ("初始密码", "Initial password"),
    "admin.field.password_rule": ("至少 {n} 个字符，且不能与用户名相同",
                                  "At least {n} characters, and not the user name"),
    "admin.field.confirm": ("我已确认", "I confirm"),
    "admin.user.create": ("创建用户", "Create user"),
    "admin.user.title": ("用户 {username}", "User {username}"),
    "admin.user.back": ("返回用户列表", "Back to the users"),
    "admin.user.created": ("用户已创建。", "The user was created."),
    "admin.user.saved": ("修改已保存。", "The changes were saved."),
    "admin.user.enabled": ("用户已启用。", "The user was enabled."),
    "admin.user.disabled": ("用户已停用，其会话和令牌已全部失效。",
                            "The user was disabled; their sessions and tokens have ended."),
    "admin.user.profile": ("角色与数据范围", "Role and scope"),
    "admin.user.save": ("保存修改", "Save changes"),
    "admin.user.state": ("账号状态", "Account state"),
    "admin.user.disable": ("停用该用户", "Disable this user"),
    "admin.user.disable_note": ("停用后该用户无法登录，已有会话和 API 令牌立即失效。",
                                "A disabled user cannot sign in; their sessions and API tokens "
                                "end at once."),
    "admin.user.enable": ("启用该用户", "Enable this user"),
    "admin.user.self_note": ("这是您自己的账号：不能停用自己，也不能取消自己的管理员角色。",
                             "This is your own account: you cannot disable it or give up "
                             "your administrator role."),
    "admin.password.title": ("重置密码", "Reset the password"),
    "admin.password.generate": ("生成一次性密码", "Generate a one-time password"),
    "admin.password.typed": ("设置为以下密码", "Set this password"),
    "admin.password.new": ("新密码", "New password"),
    "admin.password.submit": ("重置密码", "Reset password"),
    "admin.password.done": ("密码已重置，该用户的会话已结束。",
                            "The password was reset; the user's sessions have ended."),
    "admin.password.shown_once": ("一次性密码（仅显示这一次，请立即转交用户）：",
                                  "One-time password (shown this once; hand it over now):"),
    "admin.tokens.title": ("API 令牌", "API tokens"),
    "admin.tokens.lead": ("供脚本和外部系统调用接口的令牌；平台只保存其摘要。",
                          "Tokens for scripts and other systems; only their digest is stored."),
    "admin.tokens.none": ("没有有效的 API 令牌。", "No valid API tokens."),
    "admin.token.issue": ("发放令牌", "Issue a token"),
    "admin.token.user": ("用户", "User"),
    "admin.token.days": ("有效天数", "Valid for (days)"),
    "admin.token.submit": ("发放", "Issue"),
    "admin.token.shown_once": ("新令牌（仅显示这一次，请立即复制保存）：",
                               "New token (shown this once; copy it now):"),
    "admin.token.for": ("用户 {username}，到期 {expires}", "user {username}, expires {expires}"),
    "admin.token.revoke": ("吊销", "Revoke"),
    "admin.token.revoked": ("令牌 {token_id} 已吊销。", "Token {token_id} was revoked."),
    "admin.error.refused": ("操作未完成：{detail}", "Not done: {detail}"),
    "admin.error.confirm": ("请先勾选“我已确认”。", "Tick “I confirm” first."),
    "admin.error.choose_role": ("请选择角色。", "Choose a role."),
    "admin.error.days": ("有效天数应为 1 至 {max} 的整数。",
                         "The lifetime must be a whole number of days from 1 to {max}."),
})  # fmt: skip
