import pytest


@pytest.fixture
def database_url(migrated_database_url: str) -> str:
    """Every database here is migrated first; a copy of the session's migrated template
    (tests/conftest.py) stands in for running the chain per test."""
    return migrated_database_url
