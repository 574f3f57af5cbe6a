"""Who may read the operations pages (/metrics, /status): not the anonymous public.

Logged-in users of the given roles may, and so may a scraper: by its address
(ECOZONE_METRICS_ALLOW) or by the bearer token ECOZONE_METRICS_TOKEN.
"""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request

from ecozone.accounts import deps
from ecozone.api.proxy import address_in, networks


def scraper_allowed(request: Request) -> bool:
    settings = request.app.state.settings
    token = settings.metrics_token
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if (
        token
        and scheme.lower() == "bearer"
        and secrets.compare_digest(presented.strip().encode(), token.encode())
    ):
        return True
    peer = request.client.host if request.client else ""
    return bool(settings.metrics_allow) and address_in(peer, networks(settings.metrics_allow))


def check_operations_access(request: Request, roles: frozenset[str]) -> bool:
    """True when the request may read; False for the anonymous public (the caller answers
    401 or a login page); 403 for a logged-in user of another role."""
    if scraper_allowed(request):
        return True
    principal = deps.current_principal(request)
    if not principal.is_authenticated:
        return False
    if principal.role not in roles:
        raise HTTPException(403, detail=f"this needs the role {' or '.join(sorted(roles))}")
    return True
