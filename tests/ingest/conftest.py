"""Fixtures of the durable-log tests: a private NATS server and a private PostgreSQL."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.ingest.servers import (
    NatsServer,
    PostgresCluster,
    nats_server_binary,
    postgres_bin_dir,
    unavailable,
)


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A JetStream server of the test's own (kill and restart it at will)."""
    binary = nats_server_binary()
    if binary is None:
        unavailable("nats-server is not installed (Debian package nats-server)")
    server = NatsServer(binary, tmp_path / "jetstream")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of this module's own, which a test may stop and start."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None or not (bin_dir / "pg_ctl").exists():
        unavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    base = Path(tempfile.mkdtemp(prefix="ecozone-pg-"))
    cluster = PostgresCluster(bin_dir, base)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            cluster.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def private_postgres_url(postgres_cluster: PostgresCluster) -> str:
    """A fresh database in the private cluster."""
    return postgres_cluster.create_database(f"ecozone_log_{uuid.uuid4().hex[:10]}")
