"""A virtual device against a tiny in-test upper computer (tests/simulator/platform.py)."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime, timedelta

from tests.simulator.platform import FakePlatform

from ecozone import hj212
from ecozone.simulator import Clock, Device, DeviceSpec, Scenario, profiles

MN_2017 = "010000A8900016F000169DC0"
MN_2025 = "020000A8900016F000169DC1"
START = datetime(2024, 3, 1, 7, 55)
FLUE_GAS = DeviceSpec(MN_2017, "123456", "flue_gas", reference_o2=3.5, industry="热电")
SCENARIO = Scenario(seed=7)


def fast(start: datetime = START) -> Clock:
    return Clock(start, math.inf, follow_wall=False)


def realtime(start: datetime) -> Clock:
    return Clock(start, 1.0, follow_wall=False)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 15))


def test_2017_device_uploads_on_its_schedule_in_strict_frames_and_gets_every_answer():
    async def scenario():
        async with FakePlatform() as platform:
            device = Device(FLUE_GAS, "127.0.0.1", platform.port, SCENARIO, fast())
            await device.run(until=START + timedelta(minutes=10))
            return platform, device

    platform, device = run(scenario())
    assert platform.errors == []
    cns = [p.cn for p in platform.packets]
    # power-on notice, then every 30 s a real-time upload, every minute a minute record,
    # and at 08:00 the record of 07:00-08:00
    assert cns.count("2081") == 1 and cns[0] == "2081"
    assert cns.count("2011") == 20
    assert cns.count("2051") == 10
    assert cns.count("2061") == 1
    assert {p.flag for p in platform.packets} == {5}  # HJ 212-2017, answer wanted
    minutes = [p.cp.data_time for p in platform.with_cn("2051")]
    assert minutes == [START + timedelta(minutes=i) for i in range(10)]
    assert device.stats.acks == len(platform.packets)
    assert device.stats.retries == 0
    hour = platform.with_cn("2061")[0]
    assert hour.cp.data_time == datetime(2024, 3, 1, 7)
    expected = profiles.hour_data(FLUE_GAS, SCENARIO, datetime(2024, 3, 1, 7))
    assert hour.cp.pollutants["a21026"]["Avg"] == expected["a21026"].avg
    assert hour.cp.pollutants["a21026"]["ZsAvg"] == expected["a21026"].zs_avg
    assert hour.cp.pollutants["a00000"]["Cou"] == expected["a00000"].cou


def test_device_resends_after_overtime_recount_times_then_reconnects():
    scenario = Scenario(seed=1, over_time_s=0.05, re_count=3, reconnect_delay_s=0.01)

    async def main():
        async with FakePlatform(answer=False) as platform:
            device = Device(FLUE_GAS, "127.0.0.1", platform.port, scenario, fast())
            stop = asyncio.Event()
            task = asyncio.create_task(device.run(stop=stop))
            await platform.wait_for(lambda: platform.connections >= 2)
            stop.set()
            await task
            return platform, device

    platform, device = run(main())
    first = [r.frame for r in platform.received if r.connection == 0]
    # HJ 212-2017 6.2.1: the same frame (same QN) once and ReCount=3 times more, then
    # the link counts as down and the device connects again
    assert len(first) == 4
    assert len(set(first)) == 1
    assert device.stats.retries >= 3
    assert device.stats.ack_timeouts >= 1
    assert device.stats.connects >= 2


def test_2025_device_flags_version_000010_and_sends_heartbeats():
    spec = DeviceSpec(MN_2025, "123456", "wastewater", industry="污水处理")
    scenario = Scenario(seed=2, heartbeat_interval_s=0.05, send_rtd=False)

    async def main():
        async with FakePlatform() as platform:
            device = Device(
                spec, "127.0.0.1", platform.port, scenario, realtime(datetime(2025, 6, 1, 10, 0, 1))
            )
            stop = asyncio.Event()
            task = asyncio.create_task(device.run(stop=stop))
            await platform.wait_for(lambda: len(platform.with_cn("9015")) >= 3)
            stop.set()
            await task
            return platform, device

    platform, device = run(main())
    assert platform.errors == []
    beats = platform.with_cn("9015")
    assert all(p.flag == 9 and p.protocol_version == "2025" for p in beats)  # 0b000010_0_1
    assert all(p.protocol_version == "2025" for p in platform.packets)
    assert device.stats.acks >= 3  # each heartbeat answered with 9013


def test_history_request_2061_gets_9011_then_the_records_then_9012():
    now = datetime(2024, 3, 1, 12, 0, 5)
    scenario = Scenario(seed=3, send_rtd=False)

    async def main():
        async with FakePlatform() as platform:
            device = Device(FLUE_GAS, "127.0.0.1", platform.port, scenario, realtime(now))
            stop = asyncio.Event()
            task = asyncio.create_task(device.run(stop=stop))
            await platform.wait_for(lambda: platform.with_cn("2081"))
            request = hj212.history_request(
                "hour",
                datetime(2024, 3, 1, 8),
                datetime(2024, 3, 1, 10),
                mn=MN_2017,
                pw="123456",
                st="31",
                qn="20240301120006000",
            )
            await platform.send(request)
            await platform.wait_for(lambda: platform.with_cn("9012"))
            stop.set()
            await task
            return platform

    platform = run(main())
    assert platform.errors == []
    after = platform.packets[platform.packets.index(platform.with_cn("9011")[0]) :]
    assert [p.cn for p in after] == ["9011", "2061", "2061", "2061", "9012"]
    answer, *records, result = after
    assert (answer.qn, answer.st, answer.cp.fields) == ("20240301120006000", "91", {"QnRtn": 1})
    assert (result.qn, result.cp.fields) == ("20240301120006000", {"ExeRtn": 1})
    assert [r.cp.data_time.hour for r in records] == [8, 9, 10]
    for record in records:
        assert record.flag == 5  # each record asks for its 9014 (C.48)
        expected = profiles.hour_data(FLUE_GAS, scenario, record.cp.data_time)
        for code, values in expected.items():
            assert record.cp.pollutants[code]["Avg"] == values.avg
            assert record.cp.pollutants[code]["Max"] == values.max


def test_backfilled_records_equal_the_ones_sent_live():
    scenario = Scenario(seed=4, send_rtd=False, announce_restart=False)
    begin = datetime(2024, 5, 6, 8, 0)

    async def live():
        async with FakePlatform() as platform:
            device = Device(FLUE_GAS, "127.0.0.1", platform.port, scenario, fast(begin))
            await device.run(until=datetime(2024, 5, 6, 11))
            return platform.with_cn("2061")

    async def backfill():
        async with FakePlatform() as platform:
            clock = realtime(datetime(2024, 5, 7, 9, 0, 5))
            device = Device(FLUE_GAS, "127.0.0.1", platform.port, scenario, clock)
            stop = asyncio.Event()
            task = asyncio.create_task(device.run(stop=stop))
            await platform.wait_for(lambda: platform.connections == 1)
            await platform.send(
                hj212.history_request(
                    "hour",
                    datetime(2024, 5, 6, 8),
                    datetime(2024, 5, 6, 10),
                    mn=MN_2017,
                    pw="123456",
                    st="31",
                    qn="20240507090006000",
                )
            )
            await platform.wait_for(lambda: platform.with_cn("9012"))
            stop.set()
            await task
            return platform.with_cn("2061")

    sent_live = run(live())
    sent_later = run(backfill())
    assert [p.cp for p in sent_live] == [p.cp for p in sent_later]
    assert len(sent_live) == 3


def test_device_answers_time_and_interval_requests():
    target = {"mn": MN_2017, "pw": "123456", "st": "31"}
    now = datetime(2024, 3, 1, 12, 0, 5)

    async def main():
        async with FakePlatform() as platform:
            clock = realtime(now)
            device = Device(FLUE_GAS, "127.0.0.1", platform.port, Scenario(send_rtd=False), clock)
            stop = asyncio.Event()
            task = asyncio.create_task(device.run(stop=stop))
            await platform.wait_for(lambda: platform.with_cn("2081"))
            steps = [
                hj212.get_system_time(qn="20240301120006001", **target),
                hj212.set_system_time(datetime(2024, 3, 1, 13), qn="20240301120006002", **target),
                hj212.get_system_time(qn="20240301120006003", **target),
                hj212.set_rtd_interval(60, qn="20240301120006004", **target),
                hj212.get_rtd_interval(qn="20240301120006005", **target),
            ]
            for n, request in enumerate(steps, start=1):
                await platform.send(request)
                await platform.wait_for(lambda n=n: len(platform.with_cn("9012")) == n)
            stop.set()
            await task
            return platform, device

    platform, device = run(main())
    assert platform.errors == []
    times = [p.cp.fields["SystemTime"] for p in platform.with_cn("1011")]
    assert times[0] - now < timedelta(seconds=5)
    assert datetime(2024, 3, 1, 13) <= times[1] < datetime(2024, 3, 1, 13, 0, 5)
    assert platform.with_cn("1061")[0].cp.fields == {"RtdInterval": 60}
    assert all(p.cp.fields == {"ExeRtn": 1} for p in platform.with_cn("9012"))
    assert device.rtd_interval_s == 60


def test_wrong_password_in_a_request_is_refused_with_qnrtn_3():
    async def main():
        async with FakePlatform() as platform:
            clock = realtime(datetime(2024, 3, 1, 12, 0, 5))
            device = Device(FLUE_GAS, "127.0.0.1", platform.port, Scenario(send_rtd=False), clock)
            stop = asyncio.Event()
            task = asyncio.create_task(device.run(stop=stop))
            await platform.wait_for(lambda: platform.with_cn("2081"))
            await platform.send(
                hj212.get_system_time(mn=MN_2017, pw="000000", st="31", qn="20240301120006001")
            )
            await platform.wait_for(lambda: platform.with_cn("9011"))
            stop.set()
            await task
            return platform

    platform = run(main())
    assert platform.with_cn("9011")[0].cp.fields == {"QnRtn": 3}
    assert platform.with_cn("1011") == []


def test_2005_logger_sends_no_flag_and_2005_codes_and_waits_for_nothing():
    spec = DeviceSpec("50010600000126", "123456", "flue_gas", reference_o2=9.0, industry="热力")
    assert spec.protocol == "2005"

    async def main():
        async with FakePlatform() as platform:
            device = Device(spec, "127.0.0.1", platform.port, SCENARIO, fast())
            await device.run(until=START + timedelta(minutes=3))
            return platform, device

    platform, device = run(main())
    assert platform.errors == []  # 14-digit MNs are HJ/T 212-2005's own
    assert all(p.flag is None and p.protocol_version == "2005" for p in platform.packets)
    minute = platform.with_cn("2051")[0]
    assert set(minute.cp.pollutants) == {"02", "03", "01", "S01", "S03", "B02"}
    assert device.stats.acks == 0 and device.stats.retries == 0


def test_upgraded_logger_with_an_old_mn_speaks_2017_that_parses_only_leniently():
    spec = DeviceSpec("50010800000427", "123456", "wastewater", industry="化工", lenient=True)
    assert spec.protocol == "2017"

    async def main():
        async with FakePlatform(lenient=True) as platform:
            device = Device(spec, "127.0.0.1", platform.port, SCENARIO, fast())
            await device.run(until=START + timedelta(minutes=10))
            return platform

    platform = run(main())
    assert platform.packets and all(p.protocol_version == "2017" for p in platform.packets)
    assert all("MN of 14 characters" in d for p in platform.packets for d in p.deviations)
    try:
        hj212.parse(platform.received[0].frame)
    except hj212.MalformedField as exc:
        assert "MN" in str(exc)
    else:
        raise AssertionError("a 14-character MN with Flag=5 passed the strict parser")


def test_clock_skew_shifts_the_data_times_the_device_writes():
    scenario = Scenario(seed=9, clock_skew_s=600, send_rtd=False, announce_restart=False)
    device = Device(FLUE_GAS, "127.0.0.1", 1, scenario, fast())
    assert timedelta(0) < abs(device.skew) <= timedelta(minutes=10)
    assert device.device_time() - device.clock.now() == device.skew


def test_scenario_drops_the_link_now_and_then_and_the_device_comes_back():
    scenario = Scenario(seed=5, disconnect_mean_s=0.05, reconnect_delay_s=0.01)

    async def main():
        async with FakePlatform() as platform:
            clock = realtime(datetime(2024, 3, 1, 12, 0, 5))
            device = Device(FLUE_GAS, "127.0.0.1", platform.port, scenario, clock)
            stop = asyncio.Event()
            task = asyncio.create_task(device.run(stop=stop))
            await platform.wait_for(lambda: platform.connections >= 3)
            stop.set()
            await task
            return device

    device = run(main())
    assert device.stats.disconnects >= 2
    assert device.stats.connects >= 3
    assert device.stats.uploads["2081"] == 1  # the power-on notice is sent once, not per link
