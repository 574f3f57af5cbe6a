"""A running gateway on a fresh database, and a minimal device built on the codec."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

import sqlalchemy as sa

from ecozone import hj212
from ecozone.gateway.server import Gateway, GatewayOptions
from ecozone.registry.service import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import measurement, raw_frame

STRICT_MN = "010000A8900016F000169DC0"
LENIENT_MN = "88888880000001"
REGISTRY = {
    "districts": ["两江新区"],
    "enterprises": [
        {
            "credit_code": "91500000MA5U7AH918",
            "name": "重庆示例热电有限公司",
            "district": "两江新区",
            "points": [
                {
                    "code": "DA001",
                    "name": "1号锅炉烟囱",
                    "kind": "flue_gas",
                    "reference_o2": 6.0,
                    "device": {"mn": STRICT_MN, "password": "123456", "st": "31"},
                },
                {
                    "code": "DW001",
                    "name": "废水总排口",
                    "kind": "wastewater",
                    "device": {"mn": LENIENT_MN, "password": "654321", "st": "32", "lenient": True},
                },
            ],
        }
    ],
}


def prepare(url: str) -> sa.Engine:
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, REGISTRY)
    return engine


@contextlib.asynccontextmanager
async def running_gateway(engine: sa.Engine, after_commit=(), **options) -> AsyncIterator[Gateway]:
    gateway = Gateway(
        engine,
        host="127.0.0.1",
        port=0,
        options=GatewayOptions(**options),
        after_commit=after_commit,
    )
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.stop()


def minute_packet(
    data_time: datetime,
    *,
    mn: str = STRICT_MN,
    pw: str = "123456",
    so2: float = 21.5,
    flag: int = 5,
    cn: str = "2051",
    qn: str | None = None,
) -> hj212.Packet:
    return hj212.Packet(
        qn=qn or hj212.new_qn(data_time),
        st="31",
        cn=cn,
        pw=pw,
        mn=mn,
        flag=flag,
        cp=hj212.CommandParams(
            data_time=data_time,
            pollutants={
                "a21026": {"Min": so2 - 1, "Avg": so2, "Max": so2 + 1, "Flag": "N"},
                "a21002": {"Min": 40.0, "Avg": 45.0, "Max": 50.0, "Flag": "N"},
                "a19001": {"Min": 8.0, "Avg": 8.5, "Max": 9.0, "Flag": "N"},
            },
        ),
    )


class Device:
    """A device connection: send frames, read whole answers with the codec."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.decoder = hj212.FrameDecoder()
        self.received: list[hj212.Packet] = []

    @classmethod
    async def connect(cls, gateway: Gateway) -> Device:
        reader, writer = await asyncio.open_connection(*gateway.address)
        return cls(reader, writer)

    async def send(self, data: bytes | hj212.Packet) -> None:
        self.writer.write(hj212.encode(data) if isinstance(data, hj212.Packet) else data)
        await self.writer.drain()

    async def receive(self, timeout: float = 5.0) -> hj212.Packet | None:
        """The next answer, or None when none comes within the timeout."""
        while not self.received:
            try:
                chunk = await asyncio.wait_for(self.reader.read(65536), timeout)
            except TimeoutError:
                return None
            if not chunk:
                return None
            self.received += [hj212.parse(f, lenient=True) for f in self.decoder.feed(chunk)]
        return self.received.pop(0)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


def count(engine: sa.Engine, table: sa.Table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count()).select_from(table).where(*where)
        ).scalar_one()


def rejected_reasons(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        stmt = (
            sa.select(raw_frame.c.reason)
            .where(raw_frame.c.verdict == "rejected")
            .order_by(raw_frame.c.id)
        )
        return list(conn.execute(stmt).scalars())


def measurements(engine: sa.Engine, *where) -> list[dict]:
    with engine.connect() as conn:
        stmt = (
            sa.select(measurement)
            .where(*where)
            .order_by(measurement.c.data_time, measurement.c.pollutant)
        )
        return [dict(r._mapping) for r in conn.execute(stmt)]
