"""Device secrets at rest: HJ 212 passwords and SM4 keys, encrypted in the database.

HJ 212 compares the password in clear, so it cannot be hashed: it is sealed
with AES-256-GCM under a key derived (HKDF-SHA256) from ECOZONE_SECRET_KEY,
or from a random key generated once in the data directory (secret.key, mode
0600). A dump of the database alone reveals no device secret. The purpose
("device.password", "device.sm4_key") is bound as associated data, so a
sealed value cannot be moved into another column.
"""

from __future__ import annotations

import base64
import os
import secrets as random
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ecozone import config

PREFIX = "v1:"
_NONCE = 12


class SecretError(ValueError):
    """A sealed value that cannot be opened: another key, or not sealed at all."""


@lru_cache(maxsize=8)
def _aead(material: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"ecozone device secrets v1"
    ).derive(material.encode("utf-8"))
    return AESGCM(key)


def key_material(settings: config.Settings | None = None) -> str:
    """The configured secret, or the one in data_dir/secret.key (created 0600 when absent)."""
    settings = settings or config.load()
    if settings.secret_key:
        return settings.secret_key
    path = settings.secret_key_file
    try:
        return _read_key_file(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return _read_key_file(path)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(random.token_urlsafe(32) + "\n")
    return _read_key_file(path)


def _read_key_file(path: Path) -> str:
    text = path.read_text(encoding="ascii").strip()
    if len(text) < 16:
        raise SecretError(f"{path} holds no usable key (at least 16 characters)")
    return text


def seal(plain: str, purpose: str, material: str | None = None) -> str:
    """The stored form of a secret: 'v1:' + base64(nonce + AES-GCM ciphertext)."""
    nonce = os.urandom(_NONCE)
    sealed = _aead(material or key_material()).encrypt(
        nonce, plain.encode("utf-8"), purpose.encode()
    )
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def open_sealed(stored: str, purpose: str, material: str | None = None) -> str:
    """The secret a stored value holds; SecretError when the key does not open it."""
    if not stored.startswith(PREFIX):
        raise SecretError(f"stored {purpose} is not sealed; run `ecozone db upgrade`")
    try:
        raw = base64.b64decode(stored[len(PREFIX) :], validate=True)
        plain = _aead(material or key_material()).decrypt(
            raw[:_NONCE], raw[_NONCE:], purpose.encode()
        )
    except (InvalidTag, ValueError):
        raise SecretError(
            f"stored {purpose} cannot be opened with this secret key "
            "(ECOZONE_SECRET_KEY or secret.key differs from the one that sealed it)"
        ) from None
    return plain.decode("utf-8")


def open_optional(stored: str | None, purpose: str, material: str | None = None) -> str | None:
    return None if stored is None else open_sealed(stored, purpose, material)
