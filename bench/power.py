"""How well the linkage detector finds what was injected: precision, recall and detection
delay per finding type over a month of simulated minute data, and how long the month takes.

Each pair (a production line and the control facility serving it; one per demo enterprise
by default) gets a month from ecozone.simulator.power: one shift a day, episodes of each
finding type injected among normal operation, and hard cases that must raise nothing
(planned shutdowns declared, control a few minutes late within tolerance, noisy meters,
grid outages, limit orders obeyed). The detector is ecozone.power.rules with the default
PowerSettings, exactly as the platform runs it.

A finding counts as true when it overlaps an injected episode of its own type; an episode
counts as found when a finding of its type overlaps it. The delay is when a live
evaluation could first raise it (the finding's start plus its minimum duration) minus the
episode's start.

    python bench/power.py [--pairs 33] [--days 31] [--seed 2021]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
import tracemalloc
from collections import defaultdict
from datetime import datetime, timedelta

from ecozone.power import rules
from ecozone.power.model import FindingType, Grid, LimitRequirement, LimitWindow, PowerSettings
from ecozone.power.model import StateThresholds as Thresholds
from ecozone.simulator.power import LinkageDays, PairSpec, linkage_days


def detect(days: LinkageDays, spec: PairSpec, settings: PowerSettings) -> list:
    grid = Grid(days.start, timedelta(minutes=1), days.production_kw.size)
    common = {
        "confirm_slots": settings.confirm_slots,
        "max_gap_slots": settings.max_gap_slots,
        "constant_slots": settings.constant_slots,
        "off_fraction": settings.off_fraction,
        "low_fraction": settings.low_fraction,
    }
    production = rules.classify(days.production_kw, Thresholds(spec.production_kw, **common))
    control = rules.classify(days.control_kw, Thresholds(spec.control_kw, **common))
    excused = rules.window_mask(grid, days.declared)
    linkage = settings.linkage
    found = rules.find_linkage(
        grid, "control", control, {"line": production}, linkage, excused=excused
    )
    windows = [LimitWindow(s, e, LimitRequirement.STOP, level=lv) for s, e, lv in days.orders]
    found += rules.find_limit_breaches(grid, "line", production, windows, linkage)
    silent = rules.analyser_silence(
        days.analyser, days.analyser_flags, flat_slots=settings.analyser_flat_slots
    )
    found += rules.find_analyser_silence(
        grid, "outlet", silent, {"line": production}, linkage, excused=excused
    )
    return found


def minimum_slots(finding, settings: PowerSettings) -> int:
    return {
        FindingType.CONTROL_OFF: settings.control_off_slots,
        FindingType.UNSYNCHRONISED: (
            settings.start_delay_slots
            if finding.evidence.get("edge") == "late_start"
            else settings.stop_tolerance_slots
        )
        + 1,
        FindingType.CONTROL_IDLE: settings.control_idle_slots,
        FindingType.LIMIT_ORDER: settings.limit_order_slots,
        FindingType.ANALYSER_SILENT: settings.analyser_silent_slots,
    }[finding.type]


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=33)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()
    settings = PowerSettings()
    start = datetime(2026, 10, 1)
    specs = [
        PairSpec(f"pair-{i:03d}", production_kw=150 + 20 * (i % 7), control_kw=45 + 5 * (i % 5))
        for i in range(args.pairs)
    ]

    tracemalloc.start()
    began = time.perf_counter()
    generated = [linkage_days(args.seed, spec, start, args.days) for spec in specs]
    generated_s = time.perf_counter() - began
    began = time.perf_counter()
    results = [detect(days, spec, settings) for days, spec in zip(generated, specs, strict=True)]
    detect_s = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    true_pos: dict[FindingType, int] = defaultdict(int)
    false_pos: dict[FindingType, int] = defaultdict(int)
    episodes: dict[FindingType, int] = defaultdict(int)
    caught: dict[FindingType, int] = defaultdict(int)
    delays: dict[FindingType, list[float]] = defaultdict(list)
    hard_cases: dict[str, int] = defaultdict(int)
    hard_hit: dict[str, int] = defaultdict(int)
    for days, found in zip(generated, results, strict=True):
        for f in found:
            match = [
                e
                for e in days.episodes
                if e.type is f.type and overlaps(f.start, f.end, e.start, e.end)
            ]
            if match:
                true_pos[f.type] += 1
            else:
                false_pos[f.type] += 1
        for e in days.episodes:
            if e.type is None:
                hard_cases[e.label] += 1
                if any(overlaps(f.start, f.end, e.start, e.end) for f in found):
                    hard_hit[e.label] += 1
                continue
            episodes[e.type] += 1
            hits = [
                f for f in found if f.type is e.type and overlaps(f.start, f.end, e.start, e.end)
            ]
            if hits:
                caught[e.type] += 1
                first = min(hits, key=lambda f: f.start)
                raised = first.start + timedelta(minutes=minimum_slots(first, settings))
                delays[e.type].append((raised - e.start).total_seconds() / 60)

    minutes = args.pairs * args.days * 1440
    machine = f"{platform.machine()} {platform.processor() or ''}".strip()
    print(f"machine: {machine}, Python {platform.python_version()}")
    print(
        f"{args.pairs} pairs × {args.days} days of minute data: {minutes * 2:,} meter values, "
        f"{minutes:,} analyser values"
    )
    print(
        f"generated in {generated_s:.2f} s; detected in {detect_s:.2f} s "
        f"({minutes * 3 / detect_s:,.0f} values/s); peak traced memory {peak / 2**20:.1f} MiB"
    )
    print(
        f"{'type':<16}{'episodes':>9}{'found':>7}{'false':>7}{'precision':>10}{'recall':>8}"
        f"{'delay p50':>11}{'delay max':>11}"
    )
    for kind in FindingType:
        tp, fp, ep = true_pos[kind], false_pos[kind], episodes[kind]
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = caught[kind] / ep if ep else float("nan")
        d = delays[kind]
        p50 = f"{statistics.median(d):.0f} min" if d else "—"
        worst = f"{max(d):.0f} min" if d else "—"
        print(
            f"{kind.value:<16}{ep:>9}{caught[kind]:>7}{fp:>7}{precision:>10.3f}{recall:>8.3f}"
            f"{p50:>11}{worst:>11}"
        )
    print("hard cases that must raise nothing (cases / touched by a finding):")
    for label in sorted(hard_cases):
        print(f"  {label:<24}{hard_cases[label]:>5}{hard_hit[label]:>5}")


if __name__ == "__main__":
    main()
