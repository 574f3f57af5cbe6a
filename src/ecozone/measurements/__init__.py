"""Measurement queries: one point, enterprise or device over a time range, as rows,
JSON or CSV.

    query(engine, mn=..., kind="hour", start=..., end=...) -> [row, ...]
    to_json(rows), to_csv(rows)                 the two export formats

Devices (MN), enterprises (credit code) and outlets (point code) are resolved
to points first, so an unknown one is reported by name (NotFoundError)
instead of coming back as an empty result. `api.py` and `cli.py` are thin
shells over `service.py`.
"""

from ecozone.lazy import lazy_exports
from ecozone.measurements.model import OUTPUT_COLUMNS, NotFoundError, QueryError

# The service loads on first use (ecozone.lazy): store.schema imports model.
__getattr__ = lazy_exports(
    __name__, {name: "service" for name in ("parse_time", "query", "to_csv", "to_json")}
)

__all__ = [
    "OUTPUT_COLUMNS",
    "NotFoundError",
    "QueryError",
    "parse_time",
    "query",
    "to_csv",
    "to_json",
]
