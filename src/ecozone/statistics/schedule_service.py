"""Use cases of the statistical reports: generate a kind's report for a period and scope once
(its xlsx and PDF kept in the table), the schedule that generates every registered kind for
the periods due, subscriptions, and the notifications (in-app; e-mail when an SMTP server is
configured) that subscribers get when a report is generated.

Idempotent by construction: (kind, period, scope) is unique in the table; a second request
for a generated period answers the stored report, and two writers racing for the same one
end with one row (the loser reads the winner's).
"""

from __future__ import annotations

import io
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from importlib import import_module
from typing import Any

import sqlalchemy as sa
import xlsxwriter

from ecozone.accounts import audit
from ecozone.accounts.model import Role, Scope
from ecozone.statistics import schedule, schedule_store
from ecozone.statistics.schedule import Period, ReportContent, ReportError
from ecozone.textguard import printable
from ecozone.times import local_time, utc_now
from ecozone.web import export

log = logging.getLogger("ecozone.statistics")

#: Modules that register report kinds; another statistic adds its module here.
REPORT_MODULES = (
    "ecozone.statistics.alerts_report",
    "ecozone.statistics.environment_report",
)
FORMATS = ("xlsx", "pdf")
MEDIA = {"xlsx": export.FORMATS["xlsx"], "pdf": "application/pdf"}


@dataclass(frozen=True)
class ReportSettings:
    """When the schedule generates last month's (and last year's) reports, and how mail goes
    out: ECOZONE_STATISTICS_MONTH_DAY (day of the following month, default 1),
    ECOZONE_SMTP_HOST / _PORT / _FROM / _USER / _PASSWORD / _STARTTLS (no host: in-app only)."""

    month_day: int = 1
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "ecozone@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False


def load_kinds() -> list[schedule.ReportKind]:
    for name in REPORT_MODULES:
        import_module(name)
    return schedule.kinds()


def scope_of(district_id: int | None) -> Scope:
    """The scope a report is generated in: the whole zone, or one district's supervisor's."""
    if district_id is None:
        return Scope(role=Role.ADMIN.value)
    return Scope(role=Role.SUPERVISOR.value, district_id=district_id)


# --- rendering ---------------------------------------------------------------------------


def report_title(kind: schedule.ReportKind, period: Period, lang: str = "zh") -> str:
    word = {"month": ("月报", "monthly report"), "year": ("年报", "annual report")}[period.kind]
    return (
        f"{kind.title_zh}{word[0]}（{period.label}）"
        if lang == "zh"
        else f"{kind.title_en} {word[1]} {period.label}"
    )


def to_xlsx(title: str, content: ReportContent) -> bytes:
    """One sheet of key figures, then one sheet per table (bold frozen headings); cells as the
    page exports write them (export.cell_value: CST times, printable text, never formulas)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": True,
        },
    )
    bold = book.add_format({"bold": True})
    first = book.add_worksheet(export.sheet_title(title))
    first.write_string(0, 0, printable(title), bold)
    first.set_column(0, 0, 36)
    first.set_column(1, 1, 24)
    for r, (name, value) in enumerate(content.facts, start=2):
        first.write_string(r, 0, printable(str(name)))
        _cell(first, r, 1, value)
    for r, note in enumerate(content.notes, start=len(content.facts) + 3):
        first.write_string(r, 0, printable(note))
    used = {first.name}
    for heading, table in content.sections:
        name = export.sheet_title(heading)
        while name in used:
            name = export.sheet_title(name[:28] + f" {len(used)}")
        used.add(name)
        sheet = book.add_worksheet(name)
        for i, column in enumerate(table.columns):
            sheet.set_column(i, i, max(10, min(40, 2 * len(column.heading) + 2)))
            sheet.write_string(0, i, printable(column.heading), bold)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate(table.rows, start=1):
            for i, column in enumerate(table.columns):
                _cell(sheet, r, i, row.get(column.key))
    book.close()
    return out.getvalue()


def _cell(sheet: Any, r: int, c: int, value: Any) -> None:
    value = export.cell_value(value)
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    else:
        sheet.write_string(r, c, str(value))


def to_pdf(title: str, content: ReportContent, lang: str, made: datetime) -> bytes:
    return export.to_pdf(document(title, content, lang, made))


def document(title: str, content: ReportContent, lang: str, made: datetime) -> export.PdfDocument:
    stamp = local_time(made).strftime("%Y-%m-%d %H:%M")
    return export.PdfDocument(
        title=title,
        sections=list(content.sections),
        footer=f"{title} · {stamp}",
        facts=list(content.facts),
        notes=list(content.notes),
        lang=lang,
    )


# --- generation ----------------------------------------------------------------------------


def generate(
    engine: sa.Engine,
    kind_name: str,
    period: Period,
    *,
    district_id: int | None = None,
    actor: str = "schedule",
    settings: ReportSettings | None = None,
    now: datetime | None = None,
) -> tuple[int, bool]:
    """The report of `kind_name` for `period` and scope (the zone, or a district): generated
    now, its subscribers notified, unless it exists already. (report id, generated now)."""
    load_kinds()
    kind = schedule.kind_of(kind_name)
    key = schedule.scope_key(district_id)
    with engine.connect() as conn:
        found = schedule_store.report_id(conn, kind.name, period.label, key)
    if found is not None:
        return found, False
    now = now or utc_now()
    content = kind.produce(engine, scope_of(district_id), period, "zh")
    title = report_title(kind, period)
    values = {
        "kind": kind.name,
        "period_kind": period.kind,
        "period": period.label,
        "scope_key": key,
        "district_id": district_id,
        "title": title,
        "generated_by": actor,
        "generated_at": now,
        "facts": [[str(name), _plain(value)] for name, value in content.facts],
        "xlsx": to_xlsx(title, content),
        "pdf": to_pdf(title, content, "zh", now),
    }
    try:
        with engine.begin() as conn:
            rid = schedule_store.insert_report(conn, values)
            audit.record(
                conn,
                actor=actor,
                action="create",
                entity="statistics_report",
                entity_id=str(rid),
                before=None,
                after={"kind": kind.name, "period": period.label, "scope": key},
            )
            mail = schedule_store.subscribers(conn, kind.name, district_id)
            schedule_store.notify(
                conn,
                [s["username"] for s in mail],
                f"{title} 已生成",
                f"/statistics/reports#report-{rid}",
                now,
            )
    except sa.exc.IntegrityError:
        with engine.connect() as conn:
            again = schedule_store.report_id(conn, kind.name, period.label, key)
        if again is None:
            raise
        return again, False
    send_mail(
        settings or ReportSettings(), [s["email"] for s in mail if s["email"]], title, values["pdf"]
    )
    return rid, True


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def run_due(engine: sa.Engine, today: date, settings: ReportSettings | None = None) -> list[int]:
    """The schedule's round: every registered kind's zone report for every period due on
    `today` (CST) that is not generated yet; the ids generated now. One kind failing is
    logged and spares the others."""
    settings = settings or ReportSettings()
    made = []
    for kind in load_kinds():
        for period in schedule.due_periods(today, settings.month_day):
            try:
                rid, fresh = generate(engine, kind.name, period, settings=settings)
            except Exception:
                log.exception("statistical report %s %s failed", kind.name, period.label)
                continue
            if fresh:
                made.append(rid)
    return made


def send_mail(settings: ReportSettings, to: Iterable[str], title: str, pdf: bytes) -> int:
    """The report's PDF to `to` when an SMTP server is configured; how many were sent. A
    failure is logged: the in-app notification is already there."""
    to = sorted(set(to))
    if not settings.smtp_host or not to:
        return 0
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(to)
    message.set_content(f"{title} 已生成，PDF 见附件；xlsx 可在平台“统计报表”页面下载。")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{title}.pdf")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("mailing %s to %d subscribers failed", title, len(to))
        return 0
    return len(to)


# --- subscriptions and notifications -------------------------------------------------------


def check_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 200 or any(c.isspace() for c in email):
        raise ReportError(f"e-mail address {email!r} is not valid")
    return email


def subscribe(
    engine: sa.Engine,
    username: str,
    kind_name: str,
    email: str | None = None,
    *,
    now: datetime | None = None,
) -> None:
    load_kinds()
    kind = schedule.kind_of(kind_name)
    address = check_email(email)
    with engine.begin() as conn:
        schedule_store.subscribe(conn, username, kind.name, address, now or utc_now())
        audit.record(
            conn,
            actor=username,
            action="create",
            entity="statistics_subscription",
            entity_id=kind.name,
            before=None,
            after={"email": address},
        )


def unsubscribe(engine: sa.Engine, username: str, kind_name: str) -> bool:
    load_kinds()
    kind = schedule.kind_of(kind_name)
    with engine.begin() as conn:
        gone = schedule_store.unsubscribe(conn, username, kind.name) > 0
        if gone:
            audit.record(
                conn,
                actor=username,
                action="delete",
                entity="statistics_subscription",
                entity_id=kind.name,
                before={"kind": kind.name},
                after=None,
            )
    return gone


def reports(engine: sa.Engine, scope: Scope) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return schedule_store.reports(conn, scope)


def report_file(engine: sa.Engine, scope: Scope, rid: int, fmt: str) -> dict[str, Any] | None:
    if fmt not in FORMATS:
        raise ReportError(f"format must be xlsx or pdf, not {fmt!r}")
    with engine.connect() as conn:
        return schedule_store.report_file(conn, scope, rid, fmt)


def subscriptions(engine: sa.Engine, username: str) -> dict[str, str | None]:
    with engine.connect() as conn:
        return schedule_store.subscriptions_of(conn, username)


def unread(engine: sa.Engine, username: str) -> int:
    with engine.connect() as conn:
        return schedule_store.unread_count(conn, username)


def notifications(engine: sa.Engine, username: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return schedule_store.notifications(conn, username)


def mark_read(engine: sa.Engine, username: str) -> int:
    with engine.begin() as conn:
        return schedule_store.mark_read(conn, username, utc_now())
