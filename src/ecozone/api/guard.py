"""Request limits checked before any parsing: body size, JSON shape, unstorable characters.

An ASGI middleware reads the body itself, counting bytes (the Content-Length
header first, then what actually arrives), so a 300 MB password never reaches
a parser; multipart uploads get their own, larger limit. JSON nesting and key
count are measured on the raw text before json.loads; then every string of the
path, the query, a form or a JSON body is held to ecozone.textguard's rule
(TAB, LF, CR allowed), answered with 413 or 422 naming the field. The body is
then replayed to the application unchanged.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecozone import textguard
from ecozone.web.i18n import add_texts

#: Deepest JSON nesting and most object keys (all objects together) in one body.
MAX_JSON_DEPTH = 32
MAX_JSON_KEYS = 10_000

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_STRUCTURE = re.compile(rb"[^\[\]{}:]")

add_texts(
    {
        "guard.too_large": (
            "提交的内容超过 {limit} 字节的上限。",
            "The request body is larger than the limit of {limit} bytes.",
        ),
        "guard.too_deep": (
            "JSON 嵌套超过 {limit} 层。",
            "The JSON body is nested deeper than {limit} levels.",
        ),
        "guard.too_many_keys": (
            "JSON 中的字段超过 {limit} 个。",
            "The JSON body has more than {limit} keys.",
        ),
        "guard.bad_json": ("JSON 格式有误：{reason}", "The body is not valid JSON: {reason}"),
        "guard.bad_char": (
            "{field} 含有不允许的字符（{char}）。",
            "{field} holds {char}, which is not allowed.",
        ),
    }
)


class Refused(Exception):
    """A request the guard answers itself: status, text key of web.i18n and its values."""

    def __init__(self, status: int, key: str, **params: Any) -> None:
        super().__init__(key)
        self.status, self.key, self.params = status, key, params


def is_api_path(path: str) -> bool:
    return path.startswith(("/api/", "/web/api/", "/static/")) or path in (
        "/openapi.json",
        "/metrics",
        "/healthz",
    )


async def refuse(scope: Scope, receive: Receive, send: Send, refused: Refused) -> None:
    """Answer `refused`: JSON {"detail": English text} for the API, a page in the reader's
    language (Chinese by default) for everything else."""
    from fastapi.responses import JSONResponse
    from starlette.requests import Request

    from ecozone.accounts.model import PUBLIC
    from ecozone.web import shell
    from ecozone.web.i18n import t

    if is_api_path(scope.get("path", "")):
        detail = t("en", refused.key, **refused.params)
        response: Any = JSONResponse({"detail": detail}, status_code=refused.status)
    else:
        request = Request(scope, receive)
        lang = shell.language(request)
        heading = "error.forbidden" if refused.status == 403 else "error.bad_request"
        response = shell.render(
            request, PUBLIC, lang, "error.html", status_code=refused.status,
            heading=t(lang, heading), status=refused.status,
            message=t(lang, refused.key, **refused.params),
        )  # fmt: skip
    await response(scope, receive, send)


def _check(text: str, field: str) -> None:
    found = textguard.find_unstorable(text, multiline=True)
    if found is not None:
        raise Refused(422, "guard.bad_char", field=field, char=textguard.describe(found[1]))


def check_json_shape(body: bytes) -> None:
    """Nesting depth and key count of a JSON text, measured without parsing it: strings
    are blanked out, then brackets and colons counted."""
    structure = _JSON_STRUCTURE.sub(b"", _JSON_STRING.sub(b'""', body))
    if structure.count(b":") > MAX_JSON_KEYS:
        raise Refused(422, "guard.too_many_keys", limit=MAX_JSON_KEYS)
    depth = 0
    for byte in structure.replace(b":", b""):
        depth += 1 if byte in b"[{" else -1
        if depth > MAX_JSON_DEPTH:
            raise Refused(422, "guard.too_deep", limit=MAX_JSON_DEPTH)


def check_json_strings(value: Any, field: str = "body") -> None:
    """Every key and string value, named by its place (body.items[2].name)."""
    if isinstance(value, str):
        _check(value, field)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, field)
            check_json_strings(item, f"{field}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json_strings(item, f"{field}[{index}]")


def check_query(query: str, what: str = "query parameter") -> None:
    for name, value in parse_qsl(query, keep_blank_values=True):
        _check(name, f"{what} name")
        _check(value, f"{what} {name[:40]}")


def check_body(content_type: str, body: bytes) -> None:
    media = content_type.split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        if not body.strip():
            return
        check_json_shape(body)
        try:
            value = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise Refused(422, "guard.bad_json", reason=str(exc)[:100]) from None
        check_json_strings(value)
    elif media == "application/x-www-form-urlencoded":
        try:
            check_query(body.decode("utf-8"), what="form field")
        except UnicodeDecodeError:
            raise Refused(422, "guard.bad_char", field="form", char="invalid UTF-8") from None


class RequestGuard:
    """ASGI middleware: size limits, JSON shape and unstorable characters, see the module."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            _check(scope.get("path", ""), "path")
            check_query(scope.get("query_string", b"").decode("latin-1"))
            body = await self._read_body(scope, receive)
            if body is not None:
                headers = dict(scope.get("headers") or [])
                check_body(headers.get(b"content-type", b"").decode("latin-1"), body)
        except Refused as refused:
            await refuse(scope, receive, send, refused)
            return
        if body is None:
            await self.app(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body within the limit (None for methods that carry none)."""
        if scope.get("method") not in WRITE_METHODS:
            return None
        headers = dict(scope.get("headers") or [])
        media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        limit = self.max_upload_bytes if media == b"multipart/form-data" else self.max_body_bytes
        declared = headers.get(b"content-length", b"").strip()
        if declared.isdigit() and int(declared) > limit:
            raise Refused(413, "guard.too_large", limit=limit)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise Refused(413, "guard.too_large", limit=limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # the disconnect, when the client goes

    return replay
