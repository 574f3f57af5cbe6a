"""Names a package offers that load on first use (PEP 562 module __getattr__).

store.schema builds its CHECK constraints from the capabilities' models, so
importing a capability package must not pull in its store (and thus the
schema) while the schema itself is loading: such names are listed here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: `modules` maps each name to the submodule
    that defines it, imported when the name is first asked for."""

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return __getattr__
