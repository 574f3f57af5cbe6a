"""The statuses each API route really answers, written into the OpenAPI document.

FastAPI documents only 200 and 422; the dependencies and middlewares add
more, always for the same reasons: the role gate (401, 403), an id or code
in the path that names nothing visible (404), the request guard (413 for a
body, 422 for any path, query or body value) and the Origin check (403 for a
write). `install` adds those to every operation of the document from what its
route depends on; EXTRA lists what a route raises on its own.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

DESCRIPTIONS = {
    400: "The request cannot be carried out; the message says why",
    401: "Not logged in, or the session or token is expired (WWW-Authenticate: Bearer)",
    403: "The role may not do this, or a cookie-authenticated write came from another site",
    404: "Nothing visible to the caller has this id or code",
    409: "Conflicts with the current state; the message names it",
    413: "The request body is larger than the limit",
    422: "A value is invalid or holds an unstorable character; the message names the field",
    429: "Too many failed logins; see Retry-After",
    503: "The database does not answer",
}

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: (method, path) -> statuses a route raises itself, beyond those document_routes derives.
EXTRA: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/healthz"): (503,),
}


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status with its description."""
    return {code: {"description": DESCRIPTIONS[code]} for code in codes}


def _routes(app: FastAPI) -> list[Any]:
    """Every route as served; FastAPI keeps included routers lazily, iter_route_contexts
    flattens them as the router does (older FastAPI: app.routes is flat already)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def _dependency_names(dependant: Any) -> set[str]:
    names: set[str] = set()
    stack = list(dependant.dependencies) if dependant is not None else []
    while stack:
        dep = stack.pop()
        names.add(getattr(dep.call, "__name__", ""))
        stack.extend(dep.dependencies)
    return names


def _takes_values(dependant: Any) -> bool:
    if dependant is None:
        return False
    if dependant.path_params or dependant.query_params or dependant.body_params:
        return True
    return any(_takes_values(dep) for dep in dependant.dependencies)


def statuses_of(method: str, path: str, dependant: Any) -> set[int]:
    """A value the use case refuses is 400 (ecozone.errors.Invalid) and a reference to
    nothing visible 404, so a route taking values answers both; writes can also conflict
    (409), be too large (413) or come from another site (403)."""
    codes = {422}  # the guard checks every path and query
    if _takes_values(dependant):
        codes |= {400, 404}
    if method in WRITE_METHODS:
        codes |= {400, 403, 404, 409, 413}
    if any(name.startswith("require_roles") for name in _dependency_names(dependant)):
        codes |= {401, 403}
    codes.update(EXTRA.get((method, path), ()))
    return codes


def install(app: FastAPI) -> None:
    """Make `app`'s OpenAPI document list the statuses each route answers (statuses_of)."""
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = plain_openapi()
        for route in _routes(app):
            path = getattr(route, "path_format", None) or getattr(route, "path", None)
            operations = schema.get("paths", {}).get(path)
            if not operations:
                continue
            for method in getattr(route, "methods", None) or ():
                operation = operations.get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                for code in sorted(statuses_of(method, path, getattr(route, "dependant", None))):
                    responses.setdefault(str(code), {"description": DESCRIPTIONS[code]})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
