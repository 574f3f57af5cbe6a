"""The labelled linkage days: deterministic, and the labels say what the series show."""

from datetime import datetime, timedelta

import numpy as np

from ecozone.power.model import FindingType
from ecozone.simulator.power import PairSpec, linkage_days

START = datetime(2026, 10, 1)


def test_same_seed_same_days_and_a_day_alone_equals_it_within_a_run():
    spec = PairSpec("p-1")
    month = linkage_days(7, spec, START, 10)
    again = linkage_days(7, spec, START, 10)
    assert np.array_equal(month.production_kw, again.production_kw, equal_nan=True)
    assert month.episodes == again.episodes
    assert linkage_days(8, spec, START, 10).episodes != month.episodes


def test_labels_match_the_series():
    spec = PairSpec("p-2", production_kw=200, control_kw=60)
    days = linkage_days(2021, spec, START, 31)
    kinds = {e.type for e in days.episodes}
    assert {FindingType.CONTROL_OFF, FindingType.CONTROL_IDLE, FindingType.UNSYNCHRONISED} <= kinds
    for e in days.episodes:
        s = int((e.start - START) / timedelta(minutes=1))
        t = int((e.end - START) / timedelta(minutes=1))
        if e.type is FindingType.CONTROL_OFF:
            assert np.all(days.control_kw[s:t] == 0) and np.all(days.production_kw[s:t] > 100)
        elif e.type is FindingType.CONTROL_IDLE:  # 18 % of rated, noise of 2 % of rated
            assert np.all(np.abs(days.control_kw[s:t] - 10.8) < 6)
        elif e.type is FindingType.ANALYSER_SILENT:
            assert days.analyser_flags[s:t] == ["M"] * (t - s) and np.isnan(days.analyser[s:t]).all()
        elif e.label == "grid_outage":
            assert np.isnan(days.production_kw[s:t]).all() and np.isnan(days.control_kw[s:t]).all()
        elif e.label == "planned_shutdown":
            assert (e.start, e.end) in days.declared and not days.production_kw[s:t].any()
