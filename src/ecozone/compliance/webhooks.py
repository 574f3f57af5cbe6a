"""Webhooks: URLs that receive every new alert as JSON, signed when a secret is set.

Evaluation queues one delivery per (webhook, alert) in the transaction that raised the
alert; `deliver_pending` leases each due delivery, posts it through one seam (`Post`, httpx
in production, a stub in tests) and retries with backoff (rules.retry_delay) until the
attempts run out. Signing is rules.signature.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from ecozone.compliance import rules, store
from ecozone.compliance._usecase import audited, checked_actor, instant, write
from ecozone.compliance.alerts import alert_out
from ecozone.compliance.model import (
    DEFAULT_SETTINGS,
    ComplianceError,
    ComplianceSettings,
    ConflictError,
    NotFoundError,
)
from ecozone.store.schema import webhook, webhook_delivery

#: post(url, body, headers) -> HTTP status code; raises on a network failure.
Post = Callable[[str, bytes, dict[str, str]], int]


def httpx_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST with httpx, 10 s timeout; the production `post` of deliver_pending."""
    import httpx

    return httpx.post(url, content=body, headers=headers, timeout=10.0).status_code


def queue_new_alerts(conn: sa.Connection, alert_ids: list[int], at: datetime) -> None:
    """One pending delivery of each new alert to every active webhook, in the caller's
    transaction (the one that raised the alerts)."""
    active = [w["id"] for w in store.select_webhooks(conn, active_only=True)]
    store.queue_deliveries(conn, alert_ids, active, at)


def add_webhook(
    engine: sa.Engine, url: str, *, actor: str, secret: str | None = None
) -> dict[str, Any]:
    """Register a URL that receives every new alert as JSON (signed when a secret is set)."""
    actor = checked_actor(actor)
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ComplianceError(f"url: {url!r} is not an http:// or https:// URL with a host")
    if len(url) > 500:
        raise ComplianceError(f"url: {len(url)} characters; at most 500")
    if secret is not None and not (1 <= len(secret) <= 200):
        raise ComplianceError("secret: must be 1 to 200 characters")
    with write(engine) as conn, conn.begin():
        if store.webhook_by_url(conn, url) is not None:
            raise ConflictError(f"url: a webhook for {url} exists already")
        webhook_id = store.insert_row(conn, webhook, {"url": url, "secret": secret, "active": True})
        audited(
            conn,
            actor,
            "create",
            "webhook",
            webhook_id,
            None,
            {"url": url, "secret": "***" if secret else None},
        )
    return next(w for w in list_webhooks(engine) if w["id"] == webhook_id)


def set_webhook_active(
    engine: sa.Engine, webhook_id: int, active: bool, *, actor: str
) -> dict[str, Any]:
    """Pause (False) or resume (True) a webhook; paused ones get no new deliveries."""
    actor = checked_actor(actor)
    with write(engine) as conn, conn.begin():
        rows = [w for w in store.select_webhooks(conn) if w["id"] == webhook_id]
        if not rows:
            raise NotFoundError(f"no webhook {webhook_id}")
        if rows[0]["active"] != active:
            store.update_row(conn, webhook, webhook_id, {"active": active})
            audited(
                conn,
                actor,
                "update",
                "webhook",
                webhook_id,
                {"active": not active},
                {"active": active},
            )
    return next(w for w in list_webhooks(engine) if w["id"] == webhook_id)


def list_webhooks(engine: sa.Engine) -> list[dict[str, Any]]:
    """Webhooks (the secret is never shown) with counts of their deliveries by status."""
    with engine.connect() as conn:
        hooks = store.select_webhooks(conn)
        deliveries = store.select_deliveries(conn)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for d in deliveries:
        counts[d["webhook_id"]][d["status"]] += 1
    return [
        {
            "id": h["id"],
            "url": h["url"],
            "active": h["active"],
            "signed": h["secret"] is not None,
            "pending": counts[h["id"]]["pending"],
            "delivered": counts[h["id"]]["delivered"],
            "failed": counts[h["id"]]["failed"],
        }
        for h in hooks
    ]


@dataclass
class DeliveryReport:
    attempted: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{k}: {v}" for k, v in asdict(self).items())


def deliver_pending(
    engine: sa.Engine,
    now: datetime | None = None,
    *,
    post: Post | None = None,
    settings: ComplianceSettings | None = None,
    limit: int = 100,
) -> DeliveryReport:
    """Post the deliveries that are due, each at most once per webhook and alert.

    The body is `{"event": "alert.created", "alert": {...}}` (the alert as list_alerts
    gives it). Headers: X-Ecozone-Event, X-Ecozone-Delivery (the delivery id, for the
    receiver to drop repeats) and, when the webhook has a secret, X-Ecozone-Signature:
    sha256=HMAC-SHA256(secret, body). A 2xx answer delivers; anything else is retried
    after base × 2^(attempts − 1) until the attempts run out. Each delivery is leased
    before it is posted, so concurrent workers never post the same one.
    """
    settings = settings or DEFAULT_SETTINGS
    post = post or httpx_post
    at = instant(now)
    report = DeliveryReport()
    with engine.connect() as conn:
        due = store.due_deliveries(conn, at, limit)
    for delivery in due:
        with write(engine) as conn, conn.begin():
            claimed = store.claim_delivery(
                conn, delivery["id"], delivery["next_attempt_at"], at, at + settings.webhook_lease
            )
            rows = store.select_alerts(conn, alert_ids=[delivery["alert_id"]]) if claimed else []
        if not claimed or not rows:
            continue
        report.attempted += 1
        body = json.dumps(
            {"event": "alert.created", "alert": alert_out(rows[0])}, ensure_ascii=False
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Ecozone-Event": "alert.created",
            "X-Ecozone-Delivery": str(delivery["id"]),
        }
        if delivery["secret"]:
            headers[rules.SIGNATURE_HEADER] = rules.signature(delivery["secret"], body)
        error = None
        try:
            status = post(delivery["url"], body, headers)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except Exception as exc:  # any failure of the call is recorded and retried
            error = f"{exc.__class__.__name__}: {exc}"
        attempts = delivery["attempts"] + 1
        if error is None:
            values: dict[str, Any] = {
                "status": "delivered",
                "attempts": attempts,
                "delivered_at": at,
                "next_attempt_at": None,
                "last_error": None,
            }
            report.delivered += 1
        elif attempts >= settings.webhook_max_attempts:
            values = {
                "status": "failed",
                "attempts": attempts,
                "last_error": error[:2000],
                "next_attempt_at": None,
            }
            report.failed += 1
        else:
            values = {
                "attempts": attempts,
                "last_error": error[:2000],
                "next_attempt_at": at + rules.retry_delay(attempts, settings),
            }
            report.retrying += 1
        with write(engine) as conn, conn.begin():
            store.update_row(conn, webhook_delivery, delivery["id"], values)
    return report


def list_deliveries(
    engine: sa.Engine, *, webhook_id: int | None = None, alert_id: int | None = None
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = store.select_deliveries(conn, webhook_id=webhook_id, alert_id=alert_id)
    return [
        {
            "id": r["id"],
            "webhook_id": r["webhook_id"],
            "alert_id": r["alert_id"],
            "status": r["status"],
            "attempts": r["attempts"],
            "last_error": r["last_error"],
            "next_attempt_at": r["next_attempt_at"].isoformat() if r["next_attempt_at"] else None,
            "delivered_at": r["delivered_at"].isoformat() if r["delivered_at"] else None,
        }
        for r in rows
    ]
