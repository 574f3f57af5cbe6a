"""Forwarded headers, believed only from the configured proxies (ECOZONE_TRUSTED_PROXIES).

Anyone can send X-Forwarded-For, so it says nothing unless the peer is a
proxy we run. From such a peer the client is the right-most address of the
header that is not itself a trusted proxy (a client may prepend anything);
X-Forwarded-Proto gives the scheme. From any other peer both are ignored, so
the login throttle and the audit log see the real peer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(items: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def address_in(address: str, nets: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in nets)


def forwarded_client(peer: str, forwarded_for: str, proxies: tuple[Network, ...]) -> str:
    """The client behind `peer`: the right-most untrusted address of X-Forwarded-For when
    `peer` is a trusted proxy, else `peer` itself."""
    if not address_in(peer, proxies):
        return peer
    client = peer
    for hop in reversed([hop.strip() for hop in forwarded_for.split(",") if hop.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage: stop believing the chain here
        client = hop
        if not address_in(hop, proxies):
            break
    return client


class ForwardedHeaders:
    """ASGI middleware putting the real client (and scheme) into the scope, see the module."""

    def __init__(self, app: ASGIApp, *, trusted_proxies: Iterable[str] = ()) -> None:
        self.app = app
        self.proxies = networks(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope.get("client") and self.proxies:
            peer, port = scope["client"]
            if address_in(peer, self.proxies):
                headers = dict(scope.get("headers") or [])
                forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
                client = forwarded_client(peer, forwarded, self.proxies)
                scope = {**scope, "client": (client, port if client == peer else 0)}
                proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
                if proto in ("http", "https"):
                    scope["scheme"] = (
                        proto if scope["type"] == "http" else proto.replace("http", "ws")
                    )
        await self.app(scope, receive, send)
