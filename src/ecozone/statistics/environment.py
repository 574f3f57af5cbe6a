"""Environmental-quality statistics (环境质量统计), the pure part: a station's or area's daily
values cut into months and the whole period, each slice evaluated by the HJ 663 evaluation
that airquality already has (days by AQI level, good days and their share 优良天数比例, the
period mean of each pollutant); surface-water sections counted by GB 3838 class and against
their target class (waterquality's evaluation).

Nothing is computed here differently from airquality.evaluation.rules and waterquality.rules:
this module only slices the days and counts the verdicts. No I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from ecozone.airquality.evaluation import rules as evaluation_rules
from ecozone.airquality.model import Aqi, Indicator
from ecozone.waterquality.model import Evaluation as WaterEvaluation
from ecozone.waterquality.model import WaterClass


@dataclass(frozen=True)
class Slice:
    label: str  # "2026-11", or the whole period's label
    start: int  # index of its first day
    end: int  # index after its last day


def month_slices(days: Sequence[date], whole: str | None = None) -> list[Slice]:
    """One slice per calendar month of `days` (consecutive), then the whole period labelled
    `whole` when it spans more than one month."""
    out: list[Slice] = []
    for i, day in enumerate(days):
        label = f"{day:%Y-%m}"
        if out and out[-1].label == label:
            out[-1] = Slice(label, out[-1].start, i + 1)
        else:
            out.append(Slice(label, i, i + 1))
    if whole is not None and len(out) > 1:
        out.append(Slice(whole, 0, len(days)))
    return out


def air_slices(
    days: Sequence[date],
    daily: Mapping[Indicator, np.ndarray],
    reports: Sequence[Aqi],
    slices: Sequence[Slice],
) -> list[tuple[Slice, evaluation_rules.Evaluation]]:
    """The HJ 663 evaluation (airquality.evaluation.rules.evaluate) of each slice of days."""
    return [
        (
            s,
            evaluation_rules.evaluate(
                list(days[s.start : s.end]),
                {k: np.asarray(v)[s.start : s.end] for k, v in daily.items()},
                reports[s.start : s.end],
            ),
        )
        for s in slices
    ]


def air_row(e: evaluation_rules.Evaluation) -> dict[str, object]:
    """An evaluation as a statistics row: days by level I-VI, good days and their share (%,
    of the days with a valid AQI), and each pollutant's period mean (O3: of the daily
    maximum 8-h means) with the O3 90th percentile."""
    row: dict[str, object] = {
        "days": e.days,
        "valid_days": e.valid_aqi_days,
        **{f"level_{n}": e.days_by_level.get(n, 0) for n in range(1, 7)},
        "good_days": e.good_days,
        "good_rate": None if e.good_rate is None else round(e.good_rate, 1),
    }
    for r in e.pollutants:
        row[f"{r.pollutant}_mean"] = r.mean
        if r.pollutant.name == "O3":
            row["O3_p90"] = r.percentile_value
    return row


@dataclass(frozen=True)
class WaterSummary:
    sections: int
    evaluated: int  # sections with a class (a valid value) in the period
    by_class: dict[int, int]  # WaterClass value -> sections; 6 is 劣V
    meeting_target: int

    @property
    def meeting_rate(self) -> float | None:
        """Sections meeting their target per 100 evaluated; None when none was."""
        return None if not self.evaluated else 100.0 * self.meeting_target / self.evaluated


def water_summary(pairs: Sequence[tuple[WaterClass, WaterEvaluation]]) -> WaterSummary:
    """Sections (target class, evaluation) counted by class; a section meets its target when
    its class is no worse (GB 3838: a lower class is cleaner)."""
    classes = Counter(int(e.water_class) for _t, e in pairs if e.water_class is not None)
    meeting = sum(1 for target, e in pairs if e.water_class is not None and e.water_class <= target)
    return WaterSummary(len(pairs), sum(classes.values()), dict(sorted(classes.items())), meeting)


def water_row(summary: WaterSummary) -> dict[str, object]:
    return {
        "sections": summary.sections,
        "evaluated": summary.evaluated,
        **{f"class_{c}": summary.by_class.get(c, 0) for c in range(1, 7)},
        "meeting_target": summary.meeting_target,
        "meeting_rate": None if summary.meeting_rate is None else round(summary.meeting_rate, 1),
        "good_iii": sum(n for c, n in summary.by_class.items() if c <= 3),
    }
