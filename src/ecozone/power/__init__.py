"""Emission–electricity linkage (plan item 17): production and control facilities metered
apart, their operating states, and the findings that show treatment not running while
production runs (A–E), raised as alerts of the common desk.

`model` holds the plain data and `rules` the pure judgements over a time grid; `service`
configures an enterprise, `evaluation` judges a period, `warnings` keeps heavy-pollution
warnings, `overview` and `views` serve the pages, `api` and `cli` the other doors.
"""

from ecozone.power import model, rules

__all__ = ["model", "rules"]
