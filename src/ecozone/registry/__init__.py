"""The zone's registry: districts, enterprises, monitoring points and their HJ 212 devices.

Import and export a registry file (YAML) all-or-nothing with every error
named by its path, check unified social credit codes (GB 32100-2015), MNs
and outlet codes, and hand the gateway its device table.
"""

from ecozone.registry.model import (
    DEFAULT_ZONE,
    DeviceInfo,
    ImportSummary,
    PointKind,
    RegistryError,
)
from ecozone.registry.rules import check_credit_code, check_mn, mn_is_standard
from ecozone.registry.service import export_registry, import_registry, load_devices
from ecozone.registry.store import record_device_seen

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
