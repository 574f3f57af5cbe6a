"""The supervision tests' zone (tests/supervision/conftest.py) serves disclosure too."""

from tests.supervision.conftest import engine

__all__ = ["engine"]
