"""Storage shared by every capability: tables, engines, migrations.

`schema` declares all tables once; `engine.make_engine` opens SQLite (the
embedded default) or PostgreSQL configured alike; `migrate.upgrade` brings a
database to this release's schema. Each capability's queries live in its own
store.py (measurement batches in ecozone.measurements.store).
"""

from ecozone.store.engine import display_url, make_engine
from ecozone.store.migrate import upgrade

__all__ = ["display_url", "make_engine", "upgrade"]
