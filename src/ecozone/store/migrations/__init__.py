"""Alembic environment of ecozone's database schema (see ecozone.store.migrate)."""
