"""Measurement queries: one point, enterprise or device over a time range, as rows,
JSON or CSV.

    query(engine, mn=..., kind="hour", start=..., end=...) -> [row, ...]
    to_json(rows), to_csv(rows)                 the two export formats

Devices (MN), enterprises (credit code) and outlets (point code) are resolved
to points first, so an unknown one is reported by name (NotFoundError)
instead of coming back as an empty result. `api.py` and `cli.py` are thin
shells over `service.py`.
"""

import importlib
from typing import Any

from ecozone.measurements.model import OUTPUT_COLUMNS, NotFoundError, QueryError

# The service loads on first use (PEP 562): store.schema builds its CHECK constraints from
# model, so importing the package must not pull in the store while schema is loading.
_SERVICE = frozenset({"parse_time", "query", "to_csv", "to_json"})


def __getattr__(name: str) -> Any:
    if name not in _SERVICE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.service"), name)


__all__ = [
    "OUTPUT_COLUMNS",
    "NotFoundError",
    "QueryError",
    "parse_time",
    "query",
    "to_csv",
    "to_json",
]
