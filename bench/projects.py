"""Wall time of the EIA schedule: the clock of every project (ecozone.projects.service.schedule),
the due/overdue check into the alert desk (check_deadlines) and the monthly report rows.

Fills a fresh SQLite database with N projects through the use cases (create, submit, accept;
every tenth in technical review, every fifth with an ended hearing pause), a quarter of them
of registered builders so their alerts reach the desk, then times each read.

    PYTHONPATH=src python bench/projects.py [--projects 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from ecozone.accounts.model import Role, Scope
from ecozone.compliance.model import WorkCalendar
from ecozone.projects import report, service
from ecozone.projects.model import ProjectSettings
from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade

ADMIN = Scope(role=Role.ADMIN)
TODAY = date(2026, 11, 20)


def code(n: int) -> str:
    first = f"91500000MA7B{n:05d}"
    return first + credit_code_check_char(first)


def fill(engine, count: int) -> None:
    builders = [code(i) for i in range(20)]
    import_registry(engine, {"zone": "基准园区", "districts": ["两江新区"], "enterprises": [
        {"credit_code": c, "name": f"建设单位{i}", "district": "两江新区"}
        for i, c in enumerate(builders)]}, actor="bench")  # fmt: skip
    for n in range(count):
        data = {"name": f"项目{n}", "industry": "制造", "category": "form" if n % 3 else "report",
                "lon": 106.5, "lat": 29.6, "major": n % 2 == 0}
        if n % 4 == 0:
            data["enterprise"] = builders[n % 20]
        else:
            data |= {"builder_name": f"新建设单位{n}", "credit_code": code(1000 + n),
                     "district": "两江新区"}
        made = service.create_project(engine, ADMIN, data, actor="bench")
        accepted = TODAY - timedelta(days=n % 90)
        for stage, day in (("submitted", accepted - timedelta(days=2)), ("accepted", accepted)):
            service.transition(engine, ADMIN, made.id, stage, on_date=day, reason="b",
                               actor="bench")  # fmt: skip
        if n % 5 == 0 and n % 90 > 4:
            service.pause(engine, ADMIN, made.id, "hearing", start=accepted + timedelta(days=1),
                          reason="b", actor="bench")  # fmt: skip
            service.resume(engine, ADMIN, made.id, end=accepted + timedelta(days=4),
                           actor="bench")  # fmt: skip
        elif n % 10 == 1 and n % 90 > 2:
            service.transition(engine, ADMIN, made.id, "technical_review",
                               on_date=accepted + timedelta(days=1), reason="b",
                               actor="bench")  # fmt: skip


def timed(label: str, fn, repeat: int = 3) -> None:
    best = min(_once(fn) for _ in range(repeat))
    print(f"{label}: {best * 1000:.0f} ms")


def _once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    args = parser.parse_args()
    settings, calendar = ProjectSettings(), WorkCalendar()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        start = time.perf_counter()
        fill(engine, args.projects)
        print(f"filled {args.projects} projects in {time.perf_counter() - start:.1f} s "
              "(create, submit, accept, pauses: each a use case with its audit)")  # fmt: skip
        timed(f"schedule of {args.projects} projects (read + clock)",
              lambda: service.schedule(engine, ADMIN, TODAY, settings, calendar))  # fmt: skip
        timed("check_deadlines (first run raises the alerts)",
              lambda: service.check_deadlines(engine, TODAY, settings, calendar), repeat=1)
        timed("check_deadlines (again: nothing changes)",
              lambda: service.check_deadlines(engine, TODAY, settings, calendar))
        timed("monthly report rows of the major projects",
              lambda: report.monthly_rows(engine, ADMIN, TODAY.replace(day=1), settings,
                                          calendar))  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
