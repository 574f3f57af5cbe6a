"""Storage shared by every capability: tables, engines, migrations, measurement batches.

`schema` declares all tables once; `engine.make_engine` opens SQLite (the
embedded default) or PostgreSQL configured alike; `migrate.upgrade` brings a
database to this release's schema; `measurements` holds the gateway's fast
batch upsert and the range query over the measurement table.
"""

from ecozone.store.engine import display_url, make_engine
from ecozone.store.migrate import upgrade

__all__ = ["display_url", "make_engine", "upgrade"]
