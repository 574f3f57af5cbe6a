"""Alembic revisions, oldest first; each is hand-checked against ecozone.store.schema."""
