"""Settings from ECOZONE_* environment variables, with defaults that work out of the box.

Read once per call of `load()`; nothing is cached at import so tests can change
the environment freely.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    http_host: str
    http_port: int
    gateway_host: str
    gateway_port: int


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"{name}={port} is outside 0..65535")
    return port


def load() -> Settings:
    data_dir = Path(os.environ.get("ECOZONE_DATA_DIR") or "ecozone-data")
    url = os.environ.get("ECOZONE_DATABASE_URL") or f"sqlite:///{data_dir / 'ecozone.db'}"
    return Settings(
        data_dir=data_dir,
        database_url=url,
        http_host=os.environ.get("ECOZONE_HTTP_HOST") or "127.0.0.1",
        http_port=_port("ECOZONE_HTTP_PORT", 8212),
        gateway_host=os.environ.get("ECOZONE_GATEWAY_HOST") or "127.0.0.1",
        gateway_port=_port("ECOZONE_GATEWAY_PORT", 9212),
    )
