"""Emission–electricity linkage (plan item 17): production and control facilities metered
apart, their operating states, and the findings that show treatment not running while
production runs.

`model` holds the plain data and `rules` the pure judgements over a time grid.
"""

from ecozone.power import model, rules

__all__ = ["model", "rules"]
