"""The clock's settings from ECOZONE_PROJECTS_* (domain-2.md §12, (C))."""

from __future__ import annotations

import pytest

from ecozone import config
from ecozone.projects.model import ProjectError, ProjectSettings


def test_defaults_count_calendar_days_and_a_pledge_is_decided_on_acceptance() -> None:
    assert config.projects_settings({}) == ProjectSettings(
        day_kind="calendar", roll_to_working_day=True, pledge_days=0, pilot_days=2,
        due_soon_days=5)  # fmt: skip


def test_each_setting_is_read_and_a_bad_one_is_named() -> None:
    found = config.projects_settings({
        "ECOZONE_PROJECTS_DAY_KIND": "working", "ECOZONE_PROJECTS_ROLL_TO_WORKING_DAY": "0",
        "ECOZONE_PROJECTS_PLEDGE_DAYS": "10", "ECOZONE_PROJECTS_DUE_SOON_DAYS": "3"})  # fmt: skip
    assert (found.day_kind, found.roll_to_working_day, found.pledge_days,
            found.due_soon_days) == ("working", False, 10, 3)  # fmt: skip
    with pytest.raises(ProjectError, match="ECOZONE_PROJECTS_DAY_KIND='weeks'"):
        config.projects_settings({"ECOZONE_PROJECTS_DAY_KIND": "weeks"})
    with pytest.raises(ProjectError, match="ECOZONE_PROJECTS_PILOT_DAYS='-1'"):
        config.projects_settings({"ECOZONE_PROJECTS_PILOT_DAYS": "-1"})
