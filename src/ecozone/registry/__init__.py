"""The zone's registry: districts, enterprises, monitoring points and their HJ 212 devices.

Import and export a registry file (YAML) all-or-nothing with every error
named by its path, check unified social credit codes (GB 32100-2015), MNs
and outlet codes, and hand the gateway its device table.
"""

import importlib
from typing import Any

from ecozone.registry.model import (
    DEFAULT_ZONE,
    DeviceInfo,
    ImportSummary,
    PointKind,
    RegistryError,
)

# The rest loads on first use (PEP 562): store.schema builds its CHECK constraints from
# model, so importing the package must not pull in the store while schema is loading.
_LAZY = {
    "check_credit_code": "rules",
    "check_mn": "rules",
    "mn_is_standard": "rules",
    "export_registry": "service",
    "import_registry": "service",
    "load_devices": "service",
    "record_device_seen": "store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "DEFAULT_ZONE",
    "DeviceInfo",
    "ImportSummary",
    "PointKind",
    "RegistryError",
    "check_credit_code",
    "check_mn",
    "export_registry",
    "import_registry",
    "load_devices",
    "mn_is_standard",
    "record_device_seen",
]
