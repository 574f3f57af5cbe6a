"""The zone's registry: districts, enterprises, monitoring points and their HJ 212 devices.

Import and export a registry file (YAML) all-or-nothing with every error
named by its path, check unified social credit codes (GB 32100-2015), MNs
and outlet codes, and hand the gateway its device table.
"""

from ecozone.lazy import lazy_exports
from ecozone.registry.model import (
    DEFAULT_ZONE,
    DeviceInfo,
    ImportSummary,
    PointKind,
    RegistryError,
)

# The rest loads on first use (ecozone.lazy): store.schema imports model.
__getattr__ = lazy_exports(
    __name__,
    {
        "check_credit_code": "rules",
        "check_mn": "rules",
        "mn_is_standard": "rules",
        "export_registry": "service",
        "import_registry": "service",
        "load_devices": "service",
        "record_device_seen": "store",
    },
)

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
