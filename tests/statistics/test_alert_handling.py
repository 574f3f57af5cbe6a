"""Alert-handling statistics over the hand-built month of tests.statistics.data, on SQLite and
PostgreSQL: counts per state, hours to dispatch and to close, overdue counts and rate, per
type, district and enterprise, and the viewer's scope."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest
import sqlalchemy as sa
from tests.statistics.alerts_data import seed_alerts
from tests.web.conftest import ENGINES, database, seeded_zone

from ecozone.accounts.model import Scope
from ecozone.statistics import alerts
from ecozone.statistics.alerts_report import STATES, alert_statistics
from ecozone.statistics.schedule import month_period

MARCH = month_period(2025, 3)
END_OF_MARCH = date(2025, 3, 31)


@pytest.fixture(scope="module", params=ENGINES)
def zone(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with database(request.param, str(tmp_path_factory.mktemp("stats"))) as url:
        engine, ids = seeded_zone(url)
        seed_alerts(engine, ids)
        yield engine, ids
        engine.dispose()


def everything(zone: tuple[sa.Engine, dict]) -> alerts.AlertStatistics:
    return alert_statistics(zone[0], Scope(role="admin"), MARCH, END_OF_MARCH)


def test_counts_per_state_leave_out_the_alert_of_april(zone):
    total = everything(zone).total
    assert total.count == 6  # A1..A6; A7 started in April
    assert total.by_state == {"open": 1, "dispatched": 2, "feedback": 0, "verified": 0,
                              "closed": 3}  # fmt: skip


def test_hours_to_dispatch_median_p90_mean(zone):
    # dispatched after 1, 2, 4 and 10 hours (A1..A4), sorted 1 2 4 10:
    # median (2 + 4) / 2 = 3; P90 k = 1 + 3 * 0.9 = 3.7: 4 + 0.7 * (10 - 4) = 8.2;
    # mean (1 + 2 + 4 + 10) / 4 = 4.25
    d = everything(zone).total.to_dispatch
    assert d.n == 4
    assert d.median_h == pytest.approx(3.0)
    assert d.p90_h == pytest.approx(8.2)
    assert d.mean_h == pytest.approx(4.25)


def test_hours_to_close_count_only_closed_alerts(zone):
    # closed after 48 (A1), 160 (A2) and 3 (A6) hours, sorted 3 48 160: median 48;
    # P90 k = 1 + 2 * 0.9 = 2.8: 48 + 0.8 * (160 - 48) = 137.6; mean 211 / 3 = 70.33
    c = everything(zone).total.to_close
    assert (c.n, c.median_h, c.p90_h, c.mean_h) == (3, pytest.approx(48.0),
                                                    pytest.approx(137.6), pytest.approx(211 / 3))  # fmt: skip


def test_overdue_is_a_late_answer_or_no_answer_past_the_deadline(zone):
    # deadlines: A1 (answered 3-11, on time), A2 (answered 3-15 CST > 3-14, late),
    # A3 (unanswered, 3-31 > 3-14, overdue), A4 (deadline 4-30 not reached): 2 of 4 = 50 %
    total = everything(zone).total
    assert (total.with_deadline, total.overdue, total.overdue_rate) == (4, 2, 50.0)


def test_overdue_on_the_deadline_day_itself_is_not_yet_overdue(zone):
    result = alert_statistics(zone[0], Scope(role="admin"), MARCH, date(2025, 3, 14))
    # A3 unanswered, but 3-14 is its last day; A2 answered late on 3-15 (CST) counts
    assert result.total.overdue == 1


def test_figures_per_type_and_district(zone):
    result = everything(zone)
    by_type = {g.key: g for g in result.by_type}
    # exceedance: A1, A2, A6; dispatched after 1 and 2 h: median 1.5; A2 overdue of 2 deadlines
    assert by_type["exceedance"].count == 3
    assert by_type["exceedance"].to_dispatch.median_h == pytest.approx(1.5)
    assert (by_type["exceedance"].overdue, by_type["exceedance"].overdue_rate) == (1, 50.0)
    # offline: A3, A4, A5; dispatched after 4 and 10 h: median 7
    assert by_type["offline"].to_dispatch.median_h == pytest.approx(7.0)
    assert by_type["offline"].to_close.n == 0
    by_district = {g.key: g.count for g in result.by_district}
    assert by_district == {"两江新区": 3, "重庆高新区": 3}
    assert [g.key for g in result.by_month] == ["2025-03"]


def test_an_enterprise_and_a_district_supervisor_see_only_their_own(zone):
    engine, ids = zone
    own = alert_statistics(engine, Scope(role="enterprise", enterprise_ids=frozenset({ids["power"]})),
                           MARCH, END_OF_MARCH)  # fmt: skip
    assert own.total.count == 3  # A1, A2, A5
    assert [g.key for g in own.by_enterprise] == ["重庆示例热电有限公司"]
    district = alert_statistics(engine, Scope(role="supervisor", district_id=ids["district_lj"]),
                                MARCH, END_OF_MARCH)  # fmt: skip
    assert district.total.count == 3
    assert alert_statistics(engine, Scope(role="public"), MARCH, END_OF_MARCH).total.count == 0


def test_no_alerts_give_empty_figures_not_errors():
    result = alerts.statistics(alerts.empty_facts(), END_OF_MARCH, STATES)
    assert result.total.count == 0
    assert result.total.to_dispatch.median_h is None
    assert result.total.overdue_rate is None
    assert result.by_type == ()


def test_grouping_is_by_key_not_by_position():
    nan = np.nan
    facts = alerts.AlertFacts(
        type=np.array(["b", "a", "b"], dtype=object), state=np.array(["open"] * 3, dtype=object),
        enterprise=np.array(["x"] * 3, dtype=object), district=np.array(["d"] * 3, dtype=object),
        month=np.array(["2025-03"] * 3, dtype=object), raised_s=np.array([0.0, 0.0, 0.0]),
        dispatched_s=np.array([3600.0, 7200.0, 36000.0]), closed_s=np.array([nan] * 3),
        deadline_day=np.array([nan] * 3), answered_day=np.array([nan] * 3),
    )  # fmt: skip
    groups = {g.key: g for g in alerts.statistics(facts, END_OF_MARCH, ("open",)).by_type}
    assert groups["a"].to_dispatch.median_h == pytest.approx(2.0)
    assert groups["b"].to_dispatch.median_h == pytest.approx((1 + 10) / 2)
