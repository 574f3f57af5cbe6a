"""Uploads: type sniffed from content, limits named, one copy per content."""

import hashlib

import pytest
import sqlalchemy as sa

from ecozone import files
from ecozone.errors import Invalid, NotFound
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n"


def test_type_comes_from_the_content_not_the_name():
    assert files.check_upload("photo.pdf", PNG).media_type == "image/png"
    assert files.check_upload("scan", PDF).media_type == "application/pdf"
    with pytest.raises(Invalid, match="only JPEG or PNG photos and PDF"):
        files.check_upload("evil.png", b"<script>alert(1)</script>")


def test_limits_are_named():
    with pytest.raises(Invalid, match="empty"):
        files.check_upload("a.png", b"")
    with pytest.raises(Invalid, match="101 bytes is more than the limit of 100 bytes"):
        files.check_upload("a.png", PNG + b"\x00" * (101 - len(PNG)), max_bytes=100)
    with pytest.raises(Invalid, match="file name"):
        files.check_upload("a\x00.png", PNG)


def test_saved_once_and_loaded_by_digest(tmp_path):
    url = f"sqlite:///{tmp_path}/f.db"
    upgrade(url)
    engine = make_engine(url)
    upload = files.check_upload("a.png", PNG)
    assert upload.sha256 == hashlib.sha256(PNG).hexdigest()
    with engine.begin() as conn:
        assert files.save(conn, upload, PNG) == upload.sha256
        files.save(conn, upload, PNG)
        assert conn.execute(sa.text("SELECT count(*) FROM stored_file")).scalar() == 1
        assert files.load(conn, upload.sha256) == ("image/png", PNG)
        with pytest.raises(NotFound):
            files.load(conn, "0" * 64)
