"""The demo's noise, dust and overflow monitoring: each page has data and the alert desk one
alert of each kind, found by the checks in the simulated days' labelled episodes."""

from datetime import date, datetime

import sqlalchemy as sa
import yaml

from ecozone.demo.quality import seed_quality
from ecozone.demo.service import seed_path
from ecozone.quality import dust, noise, service, sewer
from ecozone.quality.model import Period, QualitySettings
from ecozone.registry.service import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import alert

TODAY = datetime(2026, 11, 20)


def test_the_demo_raises_one_alert_of_each_kind(sqlite_url):
    engine = make_engine(sqlite_url)
    upgrade_engine(engine)
    import_registry(engine, yaml.safe_load(seed_path().read_text(encoding="utf-8")), actor="demo")
    found = seed_quality(engine, TODAY, 2021)
    # NB01's unapproved night (22:00-01:00 of the 18th); DU01's dusty morning of the 18th;
    # the storms of the 18th and a month before at the meter and the gauge.
    assert found == {"night_construction": 1, "dust_days": 1, "overflows": 4}
    with engine.connect() as conn:
        kinds = dict(
            conn.execute(sa.select(alert.c.type, sa.func.count()).group_by(alert.c.type)).all()
        )
    assert kinds == {"night_construction": 1, "dust_exceedance": 1, "sewer_overflow": 4}
    (raised,) = [a for a in noise.check_night_construction(
        engine, datetime(2026, 11, 17), TODAY, QualitySettings())]  # fmt: skip
    assert raised[1].start == datetime(2026, 11, 18, 22)
    # The noise page's default day shows that night, over its limit, and a sudden noise.
    chosen = noise.stations(engine, None)
    assert noise.newest_day(engine, chosen) == date(2026, 11, 18)
    pairs = dict((s.code, p) for s, p in noise.day_night(
        engine, chosen, date(2026, 11, 18), date(2026, 11, 18), QualitySettings()))  # fmt: skip
    night = next(p for p in pairs["NB01"] if p.period is Period.NIGHT)
    assert night.exceeds
    assert any(p.sudden for p in pairs["NZ01"])
    assert len(service.sites(engine, None)) == 2 and len(dust.inspections(engine, None)) == 1
    assert len(sewer.monthly(engine, None)) == 2
    assert len(noise.honking(engine)) == 24
    engine.dispose()
