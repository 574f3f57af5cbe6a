"""The versioned coefficient and factor sets of data/factors.yaml, read once per process.

An environment variable ECOZONE_ENERGY_FACTORS_FILE (config.energy_settings) may point at
another file of the same shape, so a deployment adds a year's factors without a release.
"""

from __future__ import annotations

import functools
from datetime import date
from importlib import resources
from pathlib import Path

from ecozone import safeyaml
from ecozone.energy.model import EnergyError, FactorSet

KINDS = ("energy", "electricity_equal_value", "fuel", "grid_market", "grid_statistical", "heat")


def parse(data: object) -> tuple[FactorSet, ...]:
    """Factor sets from the loaded file; EnergyError names the first thing wrong."""
    if not isinstance(data, dict):
        raise EnergyError("factor file: expected a mapping of kinds")
    sets = []
    for kind, items in data.items():
        if kind not in KINDS:
            raise EnergyError(f"factor file: unknown kind {kind!r}; expected one of {KINDS}")
        for i, item in enumerate(items or ()):
            where = f"{kind}[{i}]"
            try:
                start = item["valid_from"]
                valid_from = start if isinstance(start, date) else date.fromisoformat(str(start))
                values = {str(k): float(v) for k, v in dict(item["values"]).items()}
                sets.append(FactorSet(kind, str(item["version"]), str(item["source"]),
                                      valid_from, values, str(item.get("note", ""))))  # fmt: skip
            except (KeyError, TypeError, ValueError) as exc:
                raise EnergyError(f"factor file {where}: {exc}") from None
    return tuple(sets)


@functools.lru_cache(maxsize=4)
def load(path: str | None = None) -> tuple[FactorSet, ...]:
    """The sets of `path`, or of the packaged data/factors.yaml."""
    if path:
        return parse(safeyaml.read_file(Path(path)))
    text = resources.files("ecozone.energy").joinpath("data/factors.yaml").read_text("utf-8")
    return parse(safeyaml.load(text))
