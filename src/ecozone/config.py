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
    # Key that encrypts device passwords and SM4 keys at rest (ECOZONE_SECRET_KEY). Without
    # it a random key is generated once in data_dir/secret.key (mode 0600): back that file
    # up with the database, or the stored device secrets cannot be read.
    secret_key: str | None = None
    # HJ 212-2025 CN 1014: how long a device's previous SM4 key stays valid after a new one.
    sm4_key_grace_s: float = 24 * 3600.0
    # Length field of SM4-encrypted frames the platform sends: the plaintext segment's
    # (the standard's Appendix A.2 examples) or the transmitted one's. UNCONFIRMED.
    sm4_length_counts: str = "plaintext"

    @property
    def secret_key_file(self) -> Path:
        return self.data_dir / "secret.key"


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


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of seconds") from None
    if not value >= 0:
        raise ValueError(f"{name}={raw!r} must be 0 or more seconds")
    return value


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
        secret_key=os.environ.get("ECOZONE_SECRET_KEY") or None,
        sm4_key_grace_s=_seconds("ECOZONE_SM4_KEY_GRACE_S", 24 * 3600.0),
        sm4_length_counts=_length_counts(os.environ.get("ECOZONE_SM4_LENGTH") or "plaintext"),
    )


def _length_counts(raw: str) -> str:
    if raw not in ("plaintext", "transmitted"):
        raise ValueError(f"ECOZONE_SM4_LENGTH={raw!r}: 'plaintext' or 'transmitted'")
    return raw
