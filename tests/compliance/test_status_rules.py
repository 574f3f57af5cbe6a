"""Permit status and late data-marking declarations, with hand-worked dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ecozone.compliance import rules
from ecozone.compliance.model import PermitStatus
from ecozone.times import CHINA_STANDARD_TIME


def test_mark_declared_after_its_start_is_late():
    start = datetime(2026, 3, 9, 10, 0)  # device time
    # 02:30 UTC = 10:30 CST, half an hour after the calibration began
    assert rules.mark_is_late(start, datetime(2026, 3, 9, 2, 30, tzinfo=UTC))
    # 01:59 UTC = 09:59 CST, one minute ahead: on time
    assert not rules.mark_is_late(start, datetime(2026, 3, 9, 1, 59, tzinfo=UTC))
    # the same instant written in CST
    assert not rules.mark_is_late(start, datetime(2026, 3, 9, 9, 59, tzinfo=CHINA_STANDARD_TIME))


def test_permit_renewal_is_due_within_60_days_of_its_end():
    valid_from, valid_to = date(2021, 7, 1), date(2026, 6, 30)
    # 2026-05-01 -> 2026-06-30 is 60 days: not yet due
    assert rules.permit_status(valid_from, valid_to, date(2026, 5, 1)) is PermitStatus.VALID
    # 2026-05-02 -> 59 days left: due
    assert rules.permit_status(valid_from, valid_to, date(2026, 5, 2)) is PermitStatus.RENEWAL_DUE
    assert rules.permit_status(valid_from, valid_to, date(2026, 6, 30)) is PermitStatus.RENEWAL_DUE
    assert rules.permit_status(valid_from, valid_to, date(2026, 7, 1)) is PermitStatus.EXPIRED
    assert rules.permit_status(valid_from, valid_to, date(2021, 6, 30)) is (
        PermitStatus.NOT_YET_VALID
    )
