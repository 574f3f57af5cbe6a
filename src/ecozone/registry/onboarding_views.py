"""The administrator's device page: loggers awaiting approval (HJ 212-2025 CN 1001) and the
rotation of a device's access password.

Approval and rotation call the use cases the REST API calls (onboarding.approve,
service.set_device_password), as the signed-in admin, so both are audited there.
A new password is in the one answer that set it (no-store) and never shown again;
stored secrets are never read here. Refusals come back in Chinese on the form.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone.accounts import messages
from ecozone.accounts import rules as account_rules
from ecozone.accounts.model import SYSTEM_SCOPE, Principal
from ecozone.accounts.views import ADMIN_GROUP, ADMIN_ONLY, admin_gate, no_store
from ecozone.registry import onboarding, store
from ecozone.registry.model import PendingStatus, RegistryError
from ecozone.registry.service import set_device_password
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import NotFound
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)
shell.add_menu(MenuEntry("nav.admin.devices", "/admin/devices", ADMIN_ONLY, 73, ADMIN_GROUP))

FormText = Annotated[str, Form()]

#: The registry's refusals (RegistryError.errors) by form field, in Chinese and English.
_PROBLEMS = messages.patterns(
    (r"^it was already approved as MN (.*)$", "", "该记录仪已批准接入，分配的 MN 为 {0}",
     "This logger was approved already, as MN {0}"),
    (r"^no point (\S+) of enterprise (\S+)$", "point", "企业 {1} 没有监测点 {0}",
     "Enterprise {1} has no point {0}"),
    (r"^point (\S+) already has device (\S+)$", "point", "监测点 {0} 已有设备 {1}",
     "Point {0} already has device {1}"),
    (r"^MN (.*) is already registered$", "mn", "MN {0} 已被其他设备使用",
     "MN {0} is registered already"),
    (r"^MN (.*) has (\d+) characters; at most (\d+)", "mn", "MN 有 {1} 个字符，最多 {2} 个",
     "The MN has {1} characters; at most {2} are allowed"),
    (r"^MN (.*?): bad character", "mn", "MN 只能包含字母、数字、_、- 和 .",
     "An MN holds only letters, digits, _, - and ."),
    (r"^no free MN could be derived", "mn", "无法自动生成空闲的 MN，请手工填写",
     "No free MN could be derived; type one"),
    (r"^no device has MN (.*)$", "mn", "没有 MN 为 {0} 的设备", "No device has MN {0}"),
    (r"^password must be 1 to 32 characters", "password", "密码应为 1 至 32 个字符",
     "The password must have 1 to 32 characters"),
    (r"^password must be printable", "password", "密码只能用可打印字符，且不能包含 ; , = &",
     "The password must be printable and hold none of ; , = &"),
)  # fmt: skip


def refusal(exc: RegistryError, lang: str, form: str) -> dict[str, list[str]]:
    """The registry's problems as errors of `form`'s fields ("<form>:<field>")."""
    errors: dict[str, list[str]] = {}
    for problem in exc.errors:
        field, sentence = messages.translate(problem, _PROBLEMS, lang)
        if field is None:
            sentence = t(lang, "admin.error.refused", detail=sentence)
        errors.setdefault(f"{form}:{field or ''}", []).append(sentence)
    return errors


def page_context(engine: sa.Engine) -> dict[str, Any]:
    """Pending loggers (those waiting first), free points to approve them onto, known MNs."""
    pending = onboarding.list_pending(engine)
    pending.sort(key=lambda p: (p.status != PendingStatus.PENDING, p.first_seen_at))
    with engine.connect() as conn:
        points = store.points_in_scope(conn, SYSTEM_SCOPE)
    free = [
        {"value": f"{p['credit_code']}|{p['code']}",
         "label": f"{p['enterprise_name']} · {p['name']} ({p['code']})"}
        for p in points if p["mn"] is None
    ]  # fmt: skip
    return {"pending": pending, "free_points": free,
            "device_mns": sorted(p["mn"] for p in points if p["mn"] is not None)}  # fmt: skip


def _page(
    request: Request,
    principal: Principal,
    lang: str,
    engine: sa.Engine,
    *,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    typed: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    approved = request.query_params.get("approved")
    notice = t(lang, "devices.approved", logger_sn=approved) if approved else None
    return shell.render(
        request, principal, lang, "registry/onboarding.html", status_code=status_code,
        errors=errors or {}, typed=typed or {}, **{"notice": notice, **extra},
        **page_context(engine),
    )  # fmt: skip


@router.get("/admin/devices", response_class=HTMLResponse)
def devices_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    return _page(request, principal, lang, engine)


@router.post("/admin/devices/pending/{logger_sn}/approve", response_class=HTMLResponse)
def approve(
    logger_sn: str,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    point: FormText = "",
    mn: FormText = "",
    confirm: FormText = "",
) -> Response:
    """Register the logger as the device of the chosen point, with the MN typed or derived."""
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    if not any(p.logger_sn == logger_sn for p in onboarding.list_pending(engine)):
        return shell.error_page(request, principal, lang, NotFound(f"no logger {logger_sn}"))
    form = f"approve-{logger_sn}"
    typed = {f"{form}:point": point, f"{form}:mn": mn}
    credit_code, _, point_code = point.partition("|")
    errors = {}
    if not point_code:
        errors[f"{form}:point"] = [t(lang, "devices.error.point")]
    if confirm != "yes":
        errors[f"{form}:confirm"] = [t(lang, "admin.error.confirm")]
    if errors:
        return _page(request, principal, lang, engine, status_code=400, errors=errors,
                     typed=typed)  # fmt: skip
    try:
        onboarding.approve(
            engine, logger_sn, credit_code=credit_code, point_code=point_code,
            actor=principal.username, mn=mn.strip() or None,
        )  # fmt: skip
    except RegistryError as exc:
        return _page(request, principal, lang, engine, status_code=400,
                     errors=refusal(exc, lang, form), typed=typed)  # fmt: skip
    return RedirectResponse(f"/admin/devices?approved={quote(logger_sn)}", status_code=303)


@router.post("/admin/devices/password", response_class=HTMLResponse)
def rotate_password(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    mn: FormText = "",
    mode: FormText = "generate",
    password: FormText = "",
    confirm: FormText = "",
) -> Response:
    """A device's new access password: generated or typed; shown in this answer only."""
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    typed = {"rotate:mn": mn, "rotate:mode": mode}
    if confirm != "yes":
        return _page(request, principal, lang, engine, status_code=400, typed=typed,
                     errors={"rotate:confirm": [t(lang, "admin.error.confirm")]})  # fmt: skip
    new = password if mode == "typed" else account_rules.new_password()
    try:
        set_device_password(engine, mn.strip(), new, actor=principal.username)
    except RegistryError as exc:
        return _page(request, principal, lang, engine, status_code=400, typed=typed,
                     errors=refusal(exc, lang, "rotate"))  # fmt: skip
    page = _page(request, principal, lang, engine, rotated={"mn": mn.strip(), "password": new},
                 notice=t(lang, "devices.rotated", mn=mn.strip()))  # fmt: skip
    return no_store(page)


add_texts({
    "nav.admin.devices": ("设备接入", "Device onboarding"),
    "devices.title": ("设备接入", "Device onboarding"),
    "devices.lead": ("数采仪通过 CN 1001 上报硬件信息后在此等待批准；"
                     "批准后平台以 CN 1002 下发 MN。",
                     "Loggers that announced themselves with CN 1001 wait here; once approved "
                     "the platform sends their MN with CN 1002."),
    "devices.pending": ("待接入设备", "Loggers awaiting approval"),
    "devices.none": ("没有待接入的设备。", "No logger is waiting."),
    "devices.col.logger_sn": ("数采仪序列号", "Logger serial"),
    "devices.col.sent_mn": ("上报的 MN", "MN it sent"),
    "devices.col.st": ("系统编码", "ST"),
    "devices.col.first_seen": ("首次上报", "First seen"),
    "devices.col.last_seen": ("最近上报", "Last seen"),
    "devices.col.peer": ("来源地址", "Address"),
    "devices.col.status": ("状态", "Status"),
    "devices.col.assigned_mn": ("分配的 MN", "Assigned MN"),
    "devices.status.pending": ("待批准", "pending"),
    "devices.status.approved": ("已批准，待下发", "approved, MN not yet sent"),
    "devices.status.assigned": ("已下发 MN", "MN sent"),
    "devices.approve": ("批准接入", "Approve"),
    "devices.point": ("接入监测点", "Point"),
    "devices.mn": ("MN（留空则按硬件信息生成）", "MN (blank: derived from the hardware)"),
    "devices.approved": ("记录仪 {logger_sn} 已批准接入。", "Logger {logger_sn} was approved."),
    "devices.error.point": ("请选择要接入的监测点。", "Choose the point."),
    "devices.rotate": ("轮换设备密码", "Rotate a device's password"),
    "devices.rotate_note": ("新密码须同时通过 CN 1072 或现场设置到设备上，否则其数据将被拒收。",
                            "Set the same password on the device (CN 1072 or on site), or its "
                            "frames will be refused."),
    "devices.rotate.mn": ("设备 MN", "Device MN"),
    "devices.rotate.generate": ("生成新密码", "Generate a password"),
    "devices.rotate.typed": ("设置为以下密码", "Set this password"),
    "devices.rotate.password": ("新密码（1 至 32 个字符，不含 ; , = &）",
                                "New password (1 to 32 characters, none of ; , = &)"),
    "devices.rotate.submit": ("轮换密码", "Rotate"),
    "devices.rotated": ("设备 {mn} 的密码已更换。", "The password of device {mn} was changed."),
    "devices.shown_once": ("新密码（仅显示这一次，请立即记录）：",
                           "New password (shown this once; note it now):"),
})  # fmt: skip
