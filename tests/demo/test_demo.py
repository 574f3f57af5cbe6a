"""The demo starts everything, data flows from the simulated devices, and it stops cleanly."""

from __future__ import annotations

import asyncio
import socket
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from ecozone.airquality.service import latest_aqi
from ecozone.config import Settings
from ecozone.demo.service import DemoError, run_demo
from ecozone.monitoring import recompute
from ecozone.store.engine import make_engine
from ecozone.store.schema import enterprise, measurement, point, power_facility


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'data' / 'ecozone.db'}",
        http_host="127.0.0.1",
        http_port=_free_port(),
        gateway_host="127.0.0.1",
        gateway_port=_free_port(),
    )


@pytest.mark.slow
def test_demo_seeds_serves_and_ingests_then_stops(tmp_path):
    settings = _settings(tmp_path)
    messages: list[str] = []

    async def scenario() -> None:
        stop = asyncio.Event()
        demo = asyncio.create_task(run_demo(settings, announce=messages.append, stop=stop))
        engine = None
        for _ in range(600):
            await asyncio.sleep(0.1)
            if demo.done():
                demo.result()
            if messages and settings.database_url and (tmp_path / "data" / "ecozone.db").exists():
                engine = engine or make_engine(settings.database_url)
                with engine.connect() as conn:
                    if conn.execute(
                        sa.select(sa.func.count()).select_from(measurement)
                    ).scalar_one():
                        break
        # The replayed history reaches the four air stations: wait for two hours of their
        # five-minute values (6 pollutants x 12 an hour x 2) each.
        stations = sa.select(point.c.id).where(point.c.kind == "ambient_air")
        for _ in range(600):
            with engine.connect() as conn:
                counts = conn.execute(
                    sa.select(measurement.c.point_id, sa.func.count())
                    .where(measurement.c.point_id.in_(stations), measurement.c.kind == "minute")
                    .group_by(measurement.c.point_id)
                ).all()
            if len(counts) == 4 and min(c for _, c in counts) >= 6 * 12 * 2:
                break
            await asyncio.sleep(0.1)
        url = f"http://127.0.0.1:{settings.http_port}/healthz"
        body = await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=5).read())
        assert b'"ok"' in body
        stop.set()
        await asyncio.wait_for(demo, 60)
        with engine.connect() as conn:
            enterprises = conn.execute(
                sa.select(sa.func.count()).select_from(enterprise)
            ).scalar_one()
            rows = conn.execute(sa.select(sa.func.count()).select_from(measurement)).scalar_one()
            metered = conn.execute(
                sa.select(sa.func.count(sa.distinct(power_facility.c.enterprise_id)))
            ).scalar_one()
        # Their hours are valid (9 of 12 five-minute values make 45 minutes), so each shows
        # an AQI, and each sits in the district it is named after.
        recompute(engine)
        reports = latest_aqi(engine)
        engine.dispose()
        assert len(reports) == 4
        assert all(r.aqi.aqi is not None for r in reports), [r.station.code for r in reports]
        assert sorted(r.station.district for r in reports) == sorted(
            ["两江新区", "渝北区", "重庆高新区", "南岸区"]
        )
        assert enterprises >= 30
        assert metered == 4  # the enterprises with a power logger in the seed
        assert rows > 0

    asyncio.run(scenario())
    assert "demo zone created" in messages[0]
    assert f"http://127.0.0.1:{settings.http_port}/" in messages[0]
    assert messages[-1] == "stopped"


def test_port_in_use_is_named(tmp_path):
    settings = _settings(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", settings.http_port))
        busy.listen()
        with pytest.raises(
            DemoError, match=rf"HTTP port {settings.http_port} .* ECOZONE_HTTP_PORT"
        ):
            asyncio.run(run_demo(settings, announce=lambda _: None))
