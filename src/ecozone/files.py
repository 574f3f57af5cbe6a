"""Uploaded files: what may be uploaded, and where it is kept (table stored_file).

An upload's type is sniffed from its first bytes, never taken from the name
or the browser's claim: only photos (JPEG, PNG) and PDF are evidence here.
Content is kept in the database, addressed by its SHA-256, so a backup of
the database holds the evidence too, the same file uploaded twice is stored
once, and a record that cites a digest proves which bytes were meant.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa

from ecozone.errors import Invalid, NotFound
from ecozone.store.schema import stored_file
from ecozone.textguard import check_text

#: Largest upload accepted, bytes (10 MiB: a phone photo or a scanned page or two).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_NAME_CHARS = 200

_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
ALLOWED_TYPES = tuple(media for _, media in _MAGIC)


class UploadRefused(Invalid):
    """An upload that is empty, too large, of a type not accepted, or badly named."""


@dataclass(frozen=True)
class Upload:
    """A checked upload: its display name, sniffed type, size and digest."""

    name: str
    media_type: str
    size: int
    sha256: str


def sniff(content: bytes) -> str | None:
    """The media type the content's first bytes show, or None when not an accepted type."""
    for magic, media in _MAGIC:
        if content.startswith(magic):
            return media
    return None


def check_upload(name: str, content: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Upload:
    """The upload described, or UploadRefused naming what is wrong with it."""
    name = check_text(name.strip(), "file name")
    if not name or len(name) > MAX_NAME_CHARS:
        raise UploadRefused(f"file name: must be 1 to {MAX_NAME_CHARS} characters")
    if not content:
        raise UploadRefused(f"{name}: the file is empty")
    if len(content) > max_bytes:
        raise UploadRefused(
            f"{name}: {len(content)} bytes is more than the limit of {max_bytes} bytes"
        )
    media = sniff(content)
    if media is None:
        raise UploadRefused(f"{name}: only JPEG or PNG photos and PDF files are accepted")
    return Upload(name, media, len(content), hashlib.sha256(content).hexdigest())


def save(conn: sa.Connection, upload: Upload, content: bytes) -> str:
    """Keep `content` (checked as `upload`) unless the same bytes are kept already; its digest."""
    exists = conn.execute(
        sa.select(stored_file.c.sha256).where(stored_file.c.sha256 == upload.sha256)
    ).first()
    if exists is None:
        conn.execute(
            stored_file.insert().values(
                sha256=upload.sha256, media_type=upload.media_type, size=upload.size,
                content=content,
            )
        )  # fmt: skip
    return upload.sha256


def load(conn: sa.Connection, sha256: str) -> tuple[str, bytes]:
    """(media type, content) of a kept file; NotFound when no file has that digest."""
    row = conn.execute(
        sa.select(stored_file.c.media_type, stored_file.c.content).where(
            stored_file.c.sha256 == sha256
        )
    ).first()
    if row is None:
        raise NotFound(f"file {sha256[:12]}… not found")
    return row.media_type, bytes(row.content)
