"""Pure compliance rules, worked by hand: no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from ecozone.compliance import permit_file, rules
from ecozone.compliance.model import (
    DEFAULT_SETTINGS,
    AlertAction,
    AlertState,
    ComplianceSettings,
    Mark,
    MarkKind,
    TransitionError,
)

H = timedelta(hours=1)
D = timedelta(days=1)


def hours(first: datetime, n: int) -> list[datetime]:
    return [first + i * H for i in range(n)]


T9 = datetime(2024, 5, 1, 9)


# --- exceedances ---------------------------------------------------------------------------


def test_three_consecutive_exceeding_hours_are_one_event_with_peak_and_duration():
    times = hours(T9, 5)  # 09:00 .. 13:00
    values = [90.0, 120.0, 135.0, 110.0, 95.0]  # 10, 11 and 12 o'clock are above 100
    events = rules.exceedances(times, values, [100.0] * 5, step=H)
    assert len(events) == 1
    event = events[0]
    assert event.start == datetime(2024, 5, 1, 10)
    assert event.end == datetime(2024, 5, 1, 13)  # 12:00 hour ends at 13:00
    assert event.duration_h == 3  # 13 - 10
    assert event.peak == 135.0  # max(120, 135, 110)
    assert event.limit == 100.0
    assert [v for _, v in event.values] == [120.0, 135.0, 110.0]


def test_value_equal_to_the_limit_is_not_an_exceedance():
    assert rules.exceedances(hours(T9, 1), [100.0], [100.0], step=H) == []


def test_invalid_hours_are_not_judged():
    events = rules.exceedances(
        hours(T9, 3), [150.0, 150.0, 150.0], [100.0] * 3, step=H, valid=[True, False, True]
    )
    # the invalid 10:00 hour splits the run in two one-hour events
    assert [(e.start.hour, e.end.hour) for e in events] == [(9, 10), (11, 12)]


def test_a_missing_hour_ends_the_event():
    times = [T9, T9 + H, T9 + 3 * H]  # 12:00's neighbour 11:00 is missing
    events = rules.exceedances(times, [150.0, 160.0, 170.0], [100.0] * 3, step=H)
    assert [(e.start.hour, e.duration_h) for e in events] == [(9, 2), (12, 1)]


def test_a_run_is_split_where_the_permitted_limit_changes():
    events = rules.exceedances(hours(T9, 2), [150.0, 150.0], [100.0, 50.0], step=H)
    assert [(e.start.hour, e.limit) for e in events] == [(9, 100.0), (10, 50.0)]


def test_marked_maintenance_hides_the_hours_it_touches():
    times = hours(T9, 5)
    values = [90.0, 120.0, 135.0, 110.0, 95.0]
    # maintenance 10:15-11:30 touches the 10:00 and 11:00 hours; 12:00 still exceeds
    excluded = rules.marked(
        times, H, [(datetime(2024, 5, 1, 10, 15), datetime(2024, 5, 1, 11, 30))]
    )
    assert excluded.tolist() == [False, True, True, False, False]
    events = rules.exceedances(times, values, [100.0] * 5, step=H, excluded=excluded)
    assert [(e.start.hour, e.end.hour, e.peak) for e in events] == [(12, 13, 110.0)]


def test_a_mark_ending_on_the_hour_does_not_touch_the_next_hour():
    excluded = rules.marked(hours(T9, 2), H, [(datetime(2024, 5, 1, 8), datetime(2024, 5, 1, 10))])
    assert excluded.tolist() == [True, False]


def test_day_basis_merges_consecutive_days():
    days = [datetime(2024, 5, d) for d in (1, 2, 3, 4)]
    events = rules.exceedances(days, [40.0, 55.0, 52.0, 30.0], [50.0] * 4, step=D)
    assert len(events) == 1
    assert (events[0].start, events[0].end) == (datetime(2024, 5, 2), datetime(2024, 5, 4))
    assert events[0].duration_h == 48  # two days
    assert events[0].peak == 55.0


def test_flue_gas_is_judged_on_the_value_converted_to_reference_o2():
    # SO2 90 mg/m3 measured at 9 % O2, reference 6 %: 90 × (21 − 6)/(21 − 9) = 90 × 15/12 = 112.5
    judged = rules.judged_values([90.0], [112.5], has_reference_o2=True)
    assert judged == [112.5]
    assert len(rules.exceedances(hours(T9, 1), judged, [100.0], step=H)) == 1
    # a wastewater point has no reference O2: the mean itself is judged
    assert rules.judged_values([90.0], [None], has_reference_o2=False) == [90.0]


def test_hour_without_converted_value_is_not_judged():
    judged = rules.judged_values([150.0], [None], has_reference_o2=True)
    assert rules.exceedances(hours(T9, 1), judged, [100.0], step=H) == []


def test_period_starts_must_increase():
    with pytest.raises(ValueError, match="strictly increasing"):
        rules.exceedances([T9 + H, T9], [1.0, 2.0], [0.5, 0.5], step=H)


def test_marks_applying_skip_revoked_and_other_pollutants():
    marks = [
        Mark(1, 7, None, MarkKind.SHUTDOWN, T9, T9 + H),
        Mark(2, 7, "a21002", MarkKind.CALIBRATION, T9, T9 + H),
        Mark(3, 7, "a21026", MarkKind.MAINTENANCE, T9, T9 + 2 * H, revoked=True),
    ]
    assert rules.marks_applying(marks, "a21026") == [(T9, T9 + H)]
    assert len(rules.marks_applying(marks, "a21002")) == 2
    assert rules.marks_applying(marks, "a21002", [MarkKind.SHUTDOWN]) == [(T9, T9 + H)]


# --- constant values, flags, mismatches ----------------------------------------------------


def test_six_identical_hourly_means_are_a_constant_value_event():
    times = hours(T9, 8)
    values = [34.8, 35.2, 35.2, 35.2, 35.2, 35.2, 35.2, 36.0]  # 10:00 .. 15:00 frozen: 6 h
    events = rules.constant_runs(times, values, min_periods=6)
    assert len(events) == 1
    assert (events[0].start.hour, events[0].end.hour) == (10, 16)
    assert events[0].duration_h == 6
    assert events[0].peak == 35.2


def test_five_identical_hourly_means_are_not_enough():
    values = [34.8, 35.2, 35.2, 35.2, 35.2, 35.2, 36.0]  # 5 h frozen
    assert rules.constant_runs(hours(T9, 7), values, min_periods=6) == []


def test_zero_flow_stops_are_not_constant_values():
    values = [0.0] * 8  # a stopped boiler reads zero all night
    flows = [0.0] * 8
    excluded = rules.stopped(values, flows)
    assert excluded.all()
    assert rules.constant_runs(hours(T9, 8), values, min_periods=6, excluded=excluded) == []
    # without a flow measurement, a zero reading is taken as a stop too
    assert rules.stopped([0.0, 12.0], [None, None]).tolist() == [True, False]


def test_a_stop_in_the_middle_breaks_a_constant_run():
    values = [35.2] * 8
    excluded = np.zeros(8, dtype=bool)
    excluded[4] = True  # 13:00 stopped: 4 + 3 hours either side, neither reaches 6
    assert rules.constant_runs(hours(T9, 8), values, min_periods=6, excluded=excluded) == []


def test_an_hour_is_in_a_flags_state_when_most_values_carry_it():
    # 31 of 60 minutes flagged D: more than half; 30 of 60 is not
    assert rules.flag_hours([31, 30, 1], [60, 60, 1]).tolist() == [True, False, True]


def test_twelve_fault_hours_raise_a_device_fault_eleven_do_not():
    times = hours(T9, 12)
    assert len(rules.long_runs(times, [True] * 12, min_periods=12)) == 1
    assert rules.long_runs(times[:11], [True] * 11, min_periods=12) == []


def test_maintenance_longer_than_24_hours_is_long():
    allowed = DEFAULT_SETTINGS.maintenance_hours  # 24
    times = hours(T9, 25)
    events = rules.long_runs(times, [True] * 25, min_periods=allowed + 1)
    assert len(events) == 1 and events[0].duration_h == 25  # 25 h > 24 h
    assert rules.long_runs(times[:24], [True] * 24, min_periods=allowed + 1) == []


def test_hour_mismatch_beyond_ten_percent():
    assert rules.hour_mismatch(100.0, 89.0)  # |100 − 89| = 11 > 10 % of 100
    assert not rules.hour_mismatch(100.0, 91.0)  # 9 ≤ 10
    assert not rules.hour_mismatch(2.0, 2.4)  # 0.4 > 10 % of 2 but below the 0.5 floor
    assert rules.hour_mismatch(2.0, 2.6)  # 0.6 > max(0.2, 0.5)
    assert not rules.hour_mismatch(None, 5.0)


def test_mismatching_hours_merge_with_the_largest_difference_as_peak():
    events = rules.mismatches(
        hours(T9, 3), [100.0, 50.0, 80.0], [80.0, 65.0, 80.0], relative=0.1, floor=0.5
    )
    # 09:00: |100 − 80| = 20 > 10; 10:00: |50 − 65| = 15 > 5; 11:00 agrees
    assert len(events) == 1
    assert (events[0].start.hour, events[0].end.hour) == (9, 11)
    assert events[0].peak == 20.0
    assert events[0].limit == 10.0  # tolerance at 09:00: 10 % of 100


# --- permits -------------------------------------------------------------------------------


def test_discharge_after_the_permit_expired_is_one_event():
    times = hours(datetime(2028, 12, 31, 22), 4)  # 22:00, 23:00, 00:00, 01:00
    covered = rules.permitted(times, [(date(2024, 1, 1), date(2028, 12, 31))])
    assert covered.tolist() == [True, True, False, False]  # valid_to is inclusive
    events = rules.unpermitted_discharge(times, [True] * 4, covered)
    assert [(e.start, e.end) for e in events] == [
        (datetime(2029, 1, 1, 0), datetime(2029, 1, 1, 2))
    ]


def test_no_event_while_the_outlet_does_not_discharge():
    times = hours(datetime(2029, 1, 1), 3)
    covered = rules.permitted(times, [(date(2024, 1, 1), date(2028, 12, 31))])
    assert rules.unpermitted_discharge(times, [False] * 3, covered) == []


PERMIT_FILE = {
    "permits": [
        {
            "permit_no": "91500000MA5U7AH918001P",
            "credit_code": "91500000MA5U7AH918",
            "class": "key",
            "valid_from": date(2024, 1, 1),
            "valid_to": date(2028, 12, 31),
            "outlets": [
                {
                    "code": "DA001",
                    "limits": [
                        {
                            "pollutant": "a21026",
                            "limit": 100,
                            "unit": "mg/m3",
                            "basis": "hour",
                            "standard": "GB 13223-2011",
                            "annual_cap_t": 50,
                        },
                    ],
                },
                {
                    "code": "DW001",
                    "limits": [
                        {"pollutant": "w01018", "limit": 60, "unit": "mg/L", "basis": "day"},
                        {"pollutant": "w21003", "limit": 8, "unit": "mg/L", "basis": "day"},
                        {"pollutant": "w01001", "limit": 9, "unit": "", "basis": "week"},
                    ],
                },
            ],
        }
    ]
}


def test_permit_file_errors_name_the_entry_by_path():
    permits, errors, _ = permit_file.parse_permits(PERMIT_FILE)
    assert "permits[0].outlets[1].limits[2].basis: 'week' is not hour or day" in errors
    assert "permits[0].outlets[1].limits[2].unit: is empty" in errors
    assert len(errors) == 2
    assert permits[0].outlets[1].limits[1].pollutant == "w21003"


def test_a_good_permit_file_parses():
    data = {
        "permits": [
            dict(PERMIT_FILE["permits"][0], outlets=PERMIT_FILE["permits"][0]["outlets"][:1])
        ]
    }
    permits, errors, warnings = permit_file.parse_permits(data)
    assert errors == [] and warnings == []
    limit = permits[0].outlets[0].limits[0]
    assert (limit.pollutant, limit.limit_value, limit.basis.value, limit.annual_cap_t) == (
        "a21026",
        100.0,
        "hour",
        50.0,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"class": "major"}, "permits[0].class: 'major' is not key, simplified, registration"),
        (
            {"valid_to": "2023-12-31"},
            "permits[0].valid_to: 2023-12-31 is before valid_from 2024-01-01",
        ),
        (
            {"valid_from": "1st Jan"},
            "permits[0].valid_from: '1st Jan' is not a date; write it as YYYY-MM-DD",
        ),
        ({"permit_no": None}, "permits[0].permit_no: missing"),
        ({"owner": "x"}, "permits[0]: unknown key 'owner'"),
    ],
)
def test_permit_field_errors(change, message):
    entry = dict(PERMIT_FILE["permits"][0], outlets=[]) | change
    _, errors, _ = permit_file.parse_permits({"permits": [entry]})
    assert message in errors


def test_limit_value_and_pollutant_are_checked():
    entry = dict(PERMIT_FILE["permits"][0])
    entry["outlets"] = [
        {
            "code": "DA001",
            "limits": [
                {"pollutant": "a99999", "limit": 100, "unit": "mg/m3", "basis": "hour"},
                {"pollutant": "a21002", "limit": -5, "unit": "mg/m3", "basis": "hour"},
                {"pollutant": "a21002", "limit": "100", "unit": "mg/m3", "basis": "day"},
            ],
        }
    ]
    _, errors, _ = permit_file.parse_permits({"permits": [entry]})
    assert errors == [
        "permits[0].outlets[0].limits[0].pollutant: 'a99999' is not a pollutant code of"
        " HJ 212-2017 Appendix B (e.g. a21026)",
        "permits[0].outlets[0].limits[1].limit: must be greater than 0, not -5",
        "permits[0].outlets[0].limits[2].limit: must be a number, not '100'",
    ]


def test_duplicates_within_a_file_are_errors():
    entry = dict(PERMIT_FILE["permits"][0])
    entry["outlets"] = [
        {
            "code": "DA001",
            "limits": [
                {"pollutant": "a21026", "limit": 100, "unit": "mg/m3", "basis": "hour"},
                {"pollutant": "a21026", "limit": 80, "unit": "mg/m3", "basis": "hour"},
            ],
        },
        {"code": "DA001"},
    ]
    _, errors, _ = permit_file.parse_permits({"permits": [entry, entry]})
    assert (
        "permits[0].outlets[0].limits[1]: a21026 on a hour basis is already limited at "
        "permits[0].outlets[0].limits[0]" in errors
    )
    assert (
        "permits[0].outlets[1].code: outlet DA001 is already listed at permits[0].outlets[0]"
        in errors
    )
    assert "permits[1].permit_no: 91500000MA5U7AH918001P is already listed at permits[0]" in errors


def test_permits_are_checked_against_the_registry():
    data = {
        "permits": [
            dict(PERMIT_FILE["permits"][0], outlets=[{"code": "DA009"}]),
            dict(
                PERMIT_FILE["permits"][0],
                permit_no="91500000MA5U7AH918002P",
                credit_code="91500000MA5U7AH9XX",
                outlets=[],
            ),
        ]
    }
    permits, errors, _ = permit_file.parse_permits(data)
    assert errors == []
    errors, _ = permit_file.check_against_registry(
        permits,
        enterprises={"91500000MA5U7AH918": 1},
        outlets={"91500000MA5U7AH918": {"DA001": "flue_gas", "DW001": "wastewater"}},
        stored_permits={},
    )
    assert errors == [
        "permits[0].outlets[0].code: enterprise 91500000MA5U7AH918 has no outlet DA009 in the "
        "registry (its outlets: DA001, DW001)",
        "permits[1].credit_code: no enterprise with credit code 91500000MA5U7AH9XX in the registry",
    ]


def test_a_term_beyond_five_years_is_a_warning():
    entry = dict(PERMIT_FILE["permits"][0], outlets=[], valid_to=date(2029, 1, 1))
    _, errors, warnings = permit_file.parse_permits({"permits": [entry]})
    assert errors == []
    assert any("longer than the 5-year term" in w for w in warnings)


# --- annual caps ---------------------------------------------------------------------------


def test_cap_projection_warns_before_the_cap_is_reached():
    # 27.15 t emitted by 1 July 2023 00:00: 181 of 365 days elapsed
    status = rules.cap_status(
        27_150.0, 50.0, year=2023, as_of=datetime(2023, 7, 1), settings=DEFAULT_SETTINGS
    )
    assert status.emitted_t == 27.15
    assert status.projected_t == pytest.approx(27.15 * 365 / 181)  # = 54.75 t
    assert status.projected_t == pytest.approx(54.75)
    assert status.fraction == pytest.approx(0.543)  # below 80 %
    assert status.level == "projected_over"  # 54.75 > 50


def test_cap_levels_approaching_and_exceeded():
    at = datetime(2023, 10, 1)
    assert (
        rules.cap_status(40_000.0, 50.0, year=2023, as_of=at, settings=DEFAULT_SETTINGS).level
        == "approaching"
    )  # 80 %
    assert (
        rules.cap_status(50_500.0, 50.0, year=2023, as_of=at, settings=DEFAULT_SETTINGS).level
        == "exceeded"
    )
    # 30 t by 1 October: 30 × 365/273 = 40.1 t projected, 60 % used: no warning
    assert (
        rules.cap_status(30_000.0, 50.0, year=2023, as_of=at, settings=DEFAULT_SETTINGS).level
        is None
    )


def test_no_projection_in_the_first_weeks_of_the_year():
    status = rules.cap_status(
        5_000.0, 50.0, year=2023, as_of=datetime(2023, 1, 10), settings=DEFAULT_SETTINGS
    )
    assert status.projected_t is None and status.level is None
    looser = ComplianceSettings(cap_projection_min=timedelta(days=1))
    # 5 t in 9 days: 5 × 365 / 9 = 202.8 t projected
    assert (
        rules.cap_status(
            5_000.0, 50.0, year=2023, as_of=datetime(2023, 1, 10), settings=looser
        ).level
        == "projected_over"
    )


# --- alert lifecycle -----------------------------------------------------------------------


def test_the_closed_loop_in_order():
    state = AlertState.OPEN
    state = rules.next_state(state, AlertAction.DISPATCH)
    assert state is AlertState.DISPATCHED
    state = rules.next_state(
        state, AlertAction.FEEDBACK, cause="bag filter torn", measures="replaced"
    )
    assert state is AlertState.FEEDBACK
    state = rules.next_state(state, AlertAction.VERIFY)
    assert state is AlertState.VERIFIED
    assert rules.next_state(state, AlertAction.CLOSE) is AlertState.CLOSED
    assert rules.next_state(AlertState.CLOSED, "reopen", comment="recurred") is AlertState.OPEN


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        (
            "open",
            "feedback",
            "cannot feedback an alert that is open; feedback applies to dispatched alerts",
        ),
        (
            "open",
            "verify",
            "cannot verify an alert that is open; verify applies to feedback alerts",
        ),
        (
            "dispatched",
            "close",
            "cannot close an alert that is dispatched; close applies to open or verified alerts",
        ),
        (
            "closed",
            "dispatch",
            "cannot dispatch an alert that is closed; dispatch applies to open alerts",
        ),
        (
            "open",
            "reopen",
            "cannot reopen an alert that is open; reopen applies to feedback or verified or closed alerts",
        ),
    ],
)
def test_invalid_transitions_are_refused(state, action, message):
    with pytest.raises(TransitionError) as info:
        rules.next_state(state, action, comment="x", cause="x", measures="x")
    assert str(info.value) == message


def test_feedback_needs_cause_and_measures_and_a_false_alarm_needs_a_comment():
    with pytest.raises(TransitionError, match="feedback needs cause and measures"):
        rules.next_state("dispatched", "feedback", cause=" ")
    with pytest.raises(TransitionError, match="close needs comment"):
        rules.next_state("open", "close")
    assert (
        rules.next_state("open", "close", comment="false alarm: calibration") is AlertState.CLOSED
    )


# --- data marks and webhooks ---------------------------------------------------------------


def test_a_declaration_made_after_its_range_began_is_late():
    start = datetime(2024, 5, 1, 10)  # 10:00 CST = 02:00 UTC
    on_time = Mark(
        1,
        7,
        None,
        MarkKind.MAINTENANCE,
        start,
        start + H,
        declared_at=datetime(2024, 5, 1, 1, 59, tzinfo=UTC),
    )
    late = Mark(
        2,
        7,
        None,
        MarkKind.MAINTENANCE,
        start,
        start + H,
        declared_at=datetime(2024, 5, 1, 2, 1, tzinfo=UTC),
    )
    assert not rules.is_late(on_time)
    assert rules.is_late(late)


def test_overlapping_declarations_are_paired():
    marks = [
        Mark(1, 7, None, MarkKind.MAINTENANCE, T9, T9 + 3 * H),
        Mark(2, 7, "a21026", MarkKind.CALIBRATION, T9 + 2 * H, T9 + 4 * H),  # overlaps 1
        Mark(3, 7, "a21002", MarkKind.CALIBRATION, T9 + 3 * H, T9 + 5 * H),  # starts as 1 ends
        Mark(4, 8, None, MarkKind.SHUTDOWN, T9, T9 + 5 * H),  # another point
        Mark(5, 7, None, MarkKind.FAULT, T9, T9 + 5 * H, revoked=True),
    ]
    assert rules.overlapping(marks) == {1: [2], 2: [1], 3: [], 4: []}


def test_mark_fields_are_checked():
    errors = rules.check_mark(kind="holiday", start=T9, end=T9, reason="", pollutant="zz")
    assert errors == [
        "kind: 'holiday' is not shutdown, maintenance, calibration, fault",
        "end: 2024-05-01T09:00:00+08:00 is not after start 2024-05-01T09:00:00+08:00",
        "reason: missing; say why the data is marked",
        "pollutant: 'zz' is not a pollutant code of HJ 212-2017",
    ]


def test_signature_is_hmac_sha256_of_the_body():
    # RFC 4231 test case 2
    assert rules.signature("Jefe", b"what do ya want for nothing?") == (
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_retry_delay_doubles_up_to_the_cap():
    s = ComplianceSettings(
        webhook_backoff_base=timedelta(seconds=60), webhook_backoff_max=timedelta(minutes=5)
    )
    assert [rules.retry_delay(n, s).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 300]


def test_permit_status_with_the_60_day_renewal_notice():
    permit_status = rules.permit_status

    valid_from, valid_to = date(2024, 1, 1), date(2028, 12, 31)
    assert permit_status(valid_from, valid_to, date(2023, 12, 31)) == "not_yet_valid"
    assert permit_status(valid_from, valid_to, date(2028, 11, 1)) == "valid"  # 60 days left
    assert permit_status(valid_from, valid_to, date(2028, 11, 2)) == "renewal_due"  # 59 days
    assert permit_status(valid_from, valid_to, date(2028, 12, 31)) == "renewal_due"
    assert permit_status(valid_from, valid_to, date(2029, 1, 1)) == "expired"
