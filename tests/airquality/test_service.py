"""latest_aqi and station_aqi over stored data, on SQLite and PostgreSQL: which hourly values
count, units as sent, moving and daily means with their validity counts, ranges and scope."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from tests.airquality.data import (
    CO,
    DAY_1,
    NO2,
    O3,
    PM10,
    PM25,
    SO2,
    computed,
    hour_row,
    hours,
    setup,
    store,
)

from ecozone.airquality import service
from ecozone.airquality.model import (
    AirQualityError,
    AqiSettings,
    Indicator,
    Level,
    Pollutant,
    ReportKind,
    StationNotFound,
)
from ecozone.store.schema import measurement
from ecozone.times import CHINA_STANDARD_TIME

I = Indicator  # noqa: E741
H = timedelta(hours=1)
DEFAULTS = AqiSettings()


def at(local: datetime) -> datetime:
    """The aware instant of a China Standard Time wall clock."""
    return local.replace(tzinfo=CHINA_STANDARD_TIME)


def six(point_id: int, t: datetime, pm25_ng: float = 80_000.0) -> list[dict]:
    """One hour of the six pollutants as sent: PM2.5 80 µg/m3 (IAQI 107), PM10 58 µg/m3 (54),
    SO2 9, NO2 41, O3 102 µg/m3, CO 0.8 mg/m3."""
    sent = {PM25: pm25_ng, PM10: 58_000.0, SO2: 0.009, NO2: 0.041, O3: 0.102, CO: 0.8}
    return [hour_row(point_id, code, t, value) for code, value in sent.items()]


@pytest.fixture
def zone(database_url: str):
    engine, ids = setup(database_url)
    yield engine, ids
    engine.dispose()


def test_latest_aqi_reports_each_stations_newest_valid_hour(zone):
    engine, ids = zone
    newest = DAY_1 + 10 * H
    store(engine, six(ids["AQ01"], newest - H, pm25_ng=35_000.0) + six(ids["AQ01"], newest))
    store(engine, six(ids["AQ09"], newest - 5 * H))
    # a value from the future (a device clock ahead) is not the latest
    store(engine, [hour_row(ids["AQ09"], PM25, newest + 3 * H, 500_000.0)])
    reports = service.latest_aqi(engine, now=at(newest + 90 * timedelta(minutes=1)))
    by_code = {r.station.code: r for r in reports}
    assert sorted(by_code) == ["AQ01", "AQ02", "AQ09"]
    aq01 = by_code["AQ01"]
    # 80 000 ng/m3 = 80 µg/m3 PM2.5: (150-100)/(115-75) x (80-75) + 100 = 106.25 -> 107
    assert (aq01.data_time, aq01.aqi.aqi, aq01.aqi.level) == (newest, 107, Level.III)
    assert aq01.aqi.primary_pollutants == (Pollutant.PM2_5,)
    assert aq01.aqi.sub_index(I.PM2_5_1H).concentration == 80.0
    assert aq01.aqi.sub_index(I.CO_1H).concentration == 0.8
    assert aq01.aqi.sub_index(I.O3_1H).concentration == 102.0  # 0.102 mg/m3
    assert (by_code["AQ02"].data_time, by_code["AQ02"].aqi.aqi) == (None, None)
    assert by_code["AQ09"].data_time == newest - 5 * H
    assert aq01.edition == "HJ 633-2012"


def test_latest_aqi_is_scoped_to_enterprises_and_points(zone):
    engine, ids = zone
    store(engine, six(ids["AQ01"], DAY_1) + six(ids["AQ09"], DAY_1))
    now = at(DAY_1 + 2 * H)
    owned = service.latest_aqi(engine, enterprise_ids=[ids["station_owner"]], now=now)
    assert [r.station.code for r in owned] == ["AQ01", "AQ02"]
    assert service.latest_aqi(engine, enterprise_ids=[], now=now) == []
    only = service.latest_aqi(engine, point_ids=[ids["AQ09"], ids["DA001"]], now=now)
    assert [r.station.code for r in only] == ["AQ09"]  # DA001 is a stack, not a station


def test_older_than_two_days_is_not_latest(zone):
    engine, ids = zone
    store(engine, six(ids["AQ01"], DAY_1))
    [report] = service.latest_aqi(engine, point_ids=[ids["AQ01"]], now=at(DAY_1 + 49 * H))
    assert report.aqi.aqi is None


def test_computed_hourly_values_decide_over_the_devices_own(zone):
    engine, ids = zone
    aq = ids["AQ01"]
    store(engine, hours(aq, PM25, DAY_1, [80_000.0, 80_000.0, 80_000.0]))
    computed(engine, aq, PM25, DAY_1, 35_000.0, valid=True)  # 35 µg/m3 -> 50
    computed(engine, aq, PM25, DAY_1 + H, 80_000.0, valid=False)  # 30 of 60 minutes
    got = service.station_aqi(engine, aq, DAY_1, DAY_1 + 3 * H, "hour", settings=DEFAULTS)
    pm = [r.aqi.sub_index(I.PM2_5_1H).concentration for r in got]
    assert pm == [35.0, None, 80.0]  # computed valid; computed invalid; device, not computed yet
    assert [r.aqi.aqi for r in got] == [50, None, 107]


def test_device_values_count_with_flag_n_t_or_none_only(zone):
    engine, ids = zone
    aq = ids["AQ01"]
    rows = [
        hour_row(aq, PM25, DAY_1 + k * H, 80_000.0, flag)
        for k, flag in enumerate(["N", "T", None, "D", "M", "C", "B", "F", "S", "n"])
    ]
    store(engine, rows)
    got = service.station_aqi(engine, aq, DAY_1, DAY_1 + 10 * H, "hour", settings=DEFAULTS)
    assert [r.aqi.aqi for r in got] == [107, 107, 107, None, None, None, None, None, None, 107]


def test_units_setting_reads_pm_sent_in_ug(zone):
    engine, ids = zone
    store(engine, [hour_row(ids["AQ01"], PM25, DAY_1, 80.0)])
    settings = AqiSettings(units={PM25: "µg/m3"})
    [report] = service.station_aqi(engine, ids["AQ01"], DAY_1, DAY_1 + H, settings=settings)
    assert report.aqi.aqi == 107


def test_hourly_24h_moving_pm_needs_20_valid_hours(zone):
    engine, ids = zone
    aq = ids["AQ01"]
    # PM2.5 40 µg/m3 for hours 0..19 (20 hours), nothing at 20..23, 40 again at 24.
    store(engine, hours(aq, PM25, DAY_1, [40_000.0] * 20 + [None] * 4 + [40_000.0]))
    settings = AqiSettings(pm_hourly_basis="24h")
    got = service.station_aqi(engine, aq, DAY_1 + 19 * H, DAY_1 + 25 * H, settings=settings)
    # 24 h ending 19:00 hold only 20 hours of the day (the 4 before midnight are unknown);
    # 23:00 -> hours 0..23, 20 valid: mean 40 -> 1.25 x 5 + 50 = 56.25 -> 57;
    # 24:00 -> hours 1..24, 20 valid (1..19 and 24); 19 valid would be invalid.
    assert [(r.data_time.hour, r.aqi.aqi) for r in got] == [
        (19, 57), (20, 57), (21, 57), (22, 57), (23, 57), (0, 57),
    ]  # fmt: skip
    # drop 05:00, one of the 20 valid hours of 00:00..23:00
    with engine.begin() as conn:
        conn.execute(
            measurement.delete().where(
                measurement.c.point_id == aq, measurement.c.data_time == DAY_1 + 5 * H
            )
        )
    got = service.station_aqi(engine, aq, DAY_1 + 23 * H, DAY_1 + 25 * H, settings=settings)
    # 23:00: hours 0..23 now hold 19 valid -> no 24-h mean, no PM2.5 IAQI, no AQI
    assert [r.aqi.aqi for r in got] == [None, None]
    assert I.PM2_5_24H in got[0].aqi.missing


def test_stored_so2_above_800_takes_the_24h_moving_mean(zone):
    engine, ids = zone
    aq = ids["AQ01"]
    # 23 hours at 0.47 mg/m3 (470 µg/m3), then 0.9 mg/m3 (900 µg/m3) at 23:00.
    store(engine, hours(aq, SO2, DAY_1, [0.47] * 23 + [0.9]))
    [report] = service.station_aqi(engine, aq, DAY_1 + 23 * H, DAY_1 + 24 * H, settings=DEFAULTS)
    # 24-h mean (23 x 470 + 900) / 24 = 11 710 / 24 = 487.92 -> 488;
    # IAQI (200-150)/(800-475) x (488-475) + 150 = 50/325 x 13 + 150 = 152
    assert report.aqi.sub_index(I.SO2_1H).iaqi is None
    assert report.aqi.sub_index(I.SO2_24H).concentration == 488.0
    assert (report.aqi.aqi, report.aqi.primary_indicators) == (152, (I.SO2_24H,))


def test_daily_aqi_of_a_day_with_20_valid_hours_and_of_one_with_19(zone):
    engine, ids = zone
    aq = ids["AQ01"]
    day_2 = DAY_1 + timedelta(days=1)
    store(engine, hours(aq, PM25, DAY_1, [80_000.0] * 20))  # 20 valid hours
    store(engine, hours(aq, PM25, day_2, [80_000.0] * 19))  # 19 valid hours
    # O3 on day 1: 100 µg/m3, 200 from 12:00 to 15:00. Daily max 8-h: (4 x 200 + 4 x 100) / 8
    # = 150; 8-h column 100 -> 50, 160 -> 100: 50/60 x (150-100) + 50 = 91.67 -> 92.
    # Daily max 1-h: 200; 1-h column 160 -> 50, 200 -> 100: 50/40 x 40 + 50 = 100.
    store(engine, hours(aq, O3, DAY_1, [0.1] * 12 + [0.2] * 4 + [0.1] * 8))
    got = service.station_aqi(engine, aq, DAY_1, day_2 + timedelta(days=1), "day")
    assert [r.data_time for r in got] == [DAY_1, day_2]
    first, second = got[0].aqi, got[1].aqi
    assert first.sub_index(I.PM2_5_24H).iaqi == 107
    assert first.sub_index(I.O3_8H).concentration == 150.0
    assert first.sub_index(I.O3_8H).iaqi == 92
    assert first.sub_index(I.O3_1H).iaqi == 100
    assert (first.aqi, first.primary_pollutants) == (107, (Pollutant.PM2_5,))
    assert second.sub_index(I.PM2_5_24H).concentration is None
    assert second.aqi is None


def test_report_range_defaults_and_whole_hours():
    now = at(datetime(2026, 5, 2, 10, 40))
    kind, first, count = service.report_range("hour", None, None, now)
    assert (kind, first, count) == (ReportKind.HOUR, datetime(2026, 5, 1, 10), 24)
    kind, first, count = service.report_range("day", None, None, now)
    assert (first, count) == (datetime(2026, 4, 2), 30)
    # hours whose start lies in [10:30, 13:00): 11:00 and 12:00
    _, first, count = service.report_range("hour", "2026-05-01T10:30", "2026-05-01T13:00")
    assert (first, count) == (datetime(2026, 5, 1, 11), 2)
    # an aware bound is converted to China Standard Time
    _, first, _ = service.report_range("hour", "2026-05-01T02:00:00Z", "2026-05-01T12:00")
    assert first == datetime(2026, 5, 1, 10)


def test_bad_requests_are_refused_with_the_reason(zone):
    engine, ids = zone
    for kind, start, end, message in (
        ("hour", "2026-05-02", "2026-05-01", "is not before end"),
        ("hour", "2026-01-01", "2026-05-01", "at most 2232 hours per request"),
        ("week", None, None, "unknown report kind 'week'"),
        ("day", "yesterday", None, "start 'yesterday' is not a time"),
    ):
        with pytest.raises(AirQualityError, match=message):
            service.station_aqi(engine, ids["AQ01"], start, end, kind)
    with pytest.raises(StationNotFound, match="is a flue_gas point, not an air station"):
        service.station_aqi(engine, ids["DA001"])
    with pytest.raises(StationNotFound, match="no air station with point id 9999"):
        service.station_aqi(engine, 9999)
    # outside the caller's enterprises: the same answer as for no station at all
    with pytest.raises(StationNotFound, match=f"no air station with point id {ids['AQ09']}"):
        service.station_aqi(engine, ids["AQ09"], enterprise_ids=[ids["station_owner"]])
    with pytest.raises(StationNotFound, match=f"no air station with point id {ids['DA001']}"):
        service.station_aqi(engine, ids["DA001"], enterprise_ids=[ids["station_owner"]])


def test_reports_render_as_json_and_csv(zone):
    engine, ids = zone
    store(engine, six(ids["AQ01"], DAY_1))
    reports = service.station_aqi(engine, ids["AQ01"], DAY_1, DAY_1 + H)
    body = service.as_dict(reports[0])
    assert body["data_time"] == "2026-05-01T00:00:00+08:00"
    assert (body["aqi"], body["level"], body["category"], body["colour"]) == (
        107, 3, "轻度污染", "#FF7E00",
    )  # fmt: skip
    assert body["primary_pollutants"] == ["PM2.5"]
    text = service.render(reports, "csv", "hour")
    header, row = text.splitlines()
    assert header.startswith("point_id,station,name,district,kind,data_time,edition,aqi,")
    assert "PM2.5_1h,PM2.5_1h_iaqi" in header
    assert row.startswith(f"{ids['AQ01']},AQ01,礼嘉空气站,两江新区,hour,2026-05-01T00:00:00+08:00,")
    with pytest.raises(AirQualityError, match="unknown format 'xml'"):
        service.render(reports, "xml")
