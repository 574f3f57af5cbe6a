"""Supervision (双随机、一公开): target lists, the inspector pool, the positive list and
pledge-based exemptions, campaigns and their verifiable draws, the public results.

Re-exports the model and the pure rules only; stores and use cases are imported by path.
"""

from ecozone.supervision.model import Category, ListingKind, SupervisionError, SupervisionSettings

__all__ = ["Category", "ListingKind", "SupervisionError", "SupervisionSettings"]
