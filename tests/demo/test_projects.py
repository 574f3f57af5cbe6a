"""The demo's EIA projects: every stage present, the clock in each of its running states,
the overdue project of the enterprise user raised into the alert desk, the operating one in
the registry."""

from datetime import date

import sqlalchemy as sa
import yaml

from ecozone.accounts.model import Role, Scope
from ecozone.compliance.model import WorkCalendar
from ecozone.demo.projects import seed_projects
from ecozone.demo.service import seed_path
from ecozone.projects import service
from ecozone.projects.model import ProjectSettings, Stage
from ecozone.registry.service import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import alert


def test_the_demo_has_a_project_in_every_stage(sqlite_url):
    engine = make_engine(sqlite_url)
    upgrade_engine(engine)
    registry = yaml.safe_load(seed_path().read_text(encoding="utf-8"))
    import_registry(engine, registry, actor="demo")
    today = date(2026, 11, 20)
    assert seed_projects(engine, registry, today) == 13
    pairs = service.schedule(engine, Scope(role=Role.ADMIN), today, ProjectSettings(),
                             WorkCalendar())  # fmt: skip
    assert {p.stage for p, _c in pairs} == set(Stage)
    states = {c.state.value for _p, c in pairs}
    assert {"running", "paused", "due_soon", "overdue", "met", "none"} <= states
    operating = next(p for p, _c in pairs if p.stage is Stage.OPERATION)
    assert operating.enterprise_id is not None
    with engine.connect() as conn:
        raised = conn.execute(sa.select(alert.c.type).where(alert.c.type.like("eia_%"))).all()
    assert [tuple(r) for r in raised] == [("eia_overdue",)]
    engine.dispose()
