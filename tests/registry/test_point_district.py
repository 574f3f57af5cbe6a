"""A point has its own district (an air station stands where it is named, not where its
owner is registered): import, export, the lists and the scope of a district supervisor."""

from __future__ import annotations

import copy

import pytest
import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.airquality import store as air_store
from ecozone.registry import RegistryError, export_registry, import_registry
from ecozone.registry import store as registry_store
from ecozone.store.engine import make_engine
from ecozone.store.schema import district

REGISTRY = {
    "districts": ["两江新区", "渝北区"],
    "enterprises": [
        {
            "credit_code": "125000001559170089",
            "name": "示例生态环境监测站",
            "district": "两江新区",
            "disclosed": True,
            "points": [
                {"code": "AQ01", "name": "两江新区礼嘉空气自动站", "kind": "ambient_air"},
                {"code": "AQ02", "name": "渝北区空港空气自动站", "kind": "ambient_air",
                 "district": "渝北区"},
            ],
        }
    ],
}  # fmt: skip


@pytest.fixture
def engine(migrated_database_url: str):
    engine = make_engine(migrated_database_url)
    import_registry(engine, copy.deepcopy(REGISTRY))
    yield engine
    engine.dispose()


def _district_ids(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(district.c.name, district.c.id)).all())


def test_a_point_takes_its_own_district_else_its_owners(engine):
    ids = _district_ids(engine)
    with engine.connect() as conn:
        everything = registry_store.points_in_scope(conn, Scope(role="admin"))
        yubei = registry_store.points_in_scope(
            conn, Scope(role="supervisor", district_id=ids["渝北区"])
        )
        liangjiang = registry_store.list_points(
            conn, Scope(role="supervisor", district_id=ids["两江新区"])
        )
        stations = air_store.stations(
            conn, scope=Scope(role="supervisor", district_id=ids["渝北区"])
        )
    assert {p["code"]: p["district"] for p in everything} == {"AQ01": "两江新区", "AQ02": "渝北区"}
    assert [p["code"] for p in yubei] == ["AQ02"]
    assert [p["code"] for p in liangjiang] == ["AQ01"]
    assert [(s.code, s.district) for s in stations] == [("AQ02", "渝北区")]


def test_export_keeps_the_point_district(engine):
    exported = export_registry(engine)
    points = exported["enterprises"][0]["points"]
    assert [p.get("district") for p in points] == [None, "渝北区"]


def test_an_unknown_point_district_is_refused(engine):
    bad = copy.deepcopy(REGISTRY)
    bad["enterprises"][0]["points"][1]["district"] = "南岸区"
    with pytest.raises(RegistryError, match=r"points\[1\]\.district: unknown district 南岸区"):
        import_registry(engine, bad)
