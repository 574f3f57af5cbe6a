"""Cross-site request forgery: a strict Origin check on writes made with the session cookie.

A browser sends the cookie with a form posted from any site, but it also
says where the page came from (Origin, else Referer) and a page cannot forge
either. So a write carrying the session cookie (and no bearer token, which no
other site can add) is refused with 403 when Origin or Referer names another
site, or Origin is "null" (sandboxed frames, data: pages). This site is the
request's own scheme://host plus the configured trusted origins (a proxy's
public address).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from ecozone.accounts.deps import SESSION_COOKIE
from ecozone.api.guard import Refused, refuse
from ecozone.web.i18n import add_texts

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

add_texts(
    {
        "csrf.refused": (
            "请求来自其他网站（{origin}），已被拒绝。请在本平台的页面上操作。",
            "Refused: the request comes from another site ({origin}); "
            "cookie-authenticated writes must come from this site's own pages.",
        ),
    }
)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return "null"
    return f"{parts.scheme}://{parts.netloc}".lower()


def _has_session_cookie(headers: dict[bytes, bytes]) -> bool:
    cookie = headers.get(b"cookie", b"").decode("latin-1")
    return any(part.strip().partition("=")[0] == SESSION_COOKIE for part in cookie.split(";"))


def foreign_origin(scope: Scope, trusted_origins: tuple[str, ...]) -> str | None:
    """The other site a cookie-authenticated write comes from, or None when it may pass."""
    if scope.get("method") in SAFE_METHODS:
        return None
    headers = dict(scope.get("headers") or [])
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    if authorization[:7].lower() == "bearer " or not _has_session_cookie(headers):
        return None
    host = headers.get(b"host", b"").decode("latin-1").lower()
    allowed = {f"{scope.get('scheme', 'http')}://{host}", *(o.lower() for o in trusted_origins)}
    origin = headers.get(b"origin")
    if origin is not None:
        claimed = origin.decode("latin-1").strip().lower()
        return None if claimed in allowed else claimed
    referer = headers.get(b"referer")
    if referer is not None:
        claimed = _origin_of(referer.decode("latin-1").strip())
        return None if claimed in allowed else claimed
    return None  # neither header: not a browser (browsers send Origin with every POST)


class OriginCheck:
    """ASGI middleware refusing cross-site writes made with the session cookie (403)."""

    def __init__(self, app: ASGIApp, *, trusted_origins: tuple[str, ...] = ()) -> None:
        self.app = app
        self.trusted_origins = trusted_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            origin = foreign_origin(scope, self.trusted_origins)
            if origin is not None:
                await refuse(
                    scope, receive, send, Refused(403, "csrf.refused", origin=origin[:100])
                )
                return
        await self.app(scope, receive, send)
