"""Uploads as HJ 212 frames: strict for 2017/2025, 2005 codes for legacy loggers, split
into PNUM/PNO parts when a record outgrows the 1024-byte data segment."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ecozone import hj212
from ecozone.simulator import DeviceSpec, Scenario, packets, profiles

HOUR = datetime(2024, 7, 3, 14)
SCENARIO = Scenario(seed=1)


def qns():
    n = iter(range(1, 1000))
    return lambda: f"20240703140000{next(n):03d}"


def test_hour_record_frame_parses_strictly_with_fixed_decimals():
    spec = DeviceSpec("010000A8900016F000169DC0", "123456", "flue_gas", reference_o2=3.5)
    records = profiles.hour_data(spec, SCENARIO, HOUR)
    (packet,) = packets.record_packets(spec, "2061", HOUR, records, qn=qns(), pw="123456")
    frame = hj212.encode(packet)
    parsed = hj212.parse(frame)
    assert parsed.flag == 5 and parsed.cp.data_time == HOUR
    so2 = records["a21026"]
    assert f"a21026-Avg={so2.avg:.2f}".encode() in frame  # N5.2 written with its 2 decimals
    assert parsed.cp.pollutants["a21026"]["ZsAvg"] == so2.zs_avg
    assert list(parsed.cp.pollutants["a21026"]) == [
        "Cou",
        "Min",
        "Avg",
        "Max",
        "ZsMin",
        "ZsAvg",
        "ZsMax",
        "Flag",
    ]


def test_2005_logger_writes_2005_codes_and_no_flag():
    spec = DeviceSpec("50010600000126", "123456", "wastewater", industry="电镀")
    t = datetime(2024, 7, 3, 14, 0, 30)
    packet = packets.realtime_packet(
        spec, t, profiles.realtime(spec, SCENARIO, t), qn="20240703140030000", pw="123456"
    )
    parsed = hj212.parse(hj212.encode(packet))
    assert parsed.flag is None and parsed.protocol_version == "2005"
    # COD 011, ammonia 060, pH 001, total phosphorus 101, flow B01 (HJ 212-2017 Table B.1)
    assert set(parsed.cp.pollutants) == {"011", "060", "001", "101", "B01"}


def test_record_too_long_for_one_frame_goes_in_numbered_parts_that_merge_back():
    codes = (
        "a21026",
        "a21002",
        "a21005",
        "a34013",
        "a19001",
        "a01012",
        "a00000",
        "a01011",
        "a01014",
    )
    spec = DeviceSpec(
        "020000A8900016F000169DC0", "123456", "flue_gas", reference_o2=3.5, pollutants=codes
    )
    # a coal-fired unit's day: totals with many digits make the record outgrow 1024 bytes
    records = {
        code: replace(
            record,
            cou=None if record.cou is None else 123456789.123456,
            min=1234.5,
            avg=2345.6,
            max=3456.7,
        )
        for code, record in profiles.hour_data(spec, SCENARIO, HOUR).items()
    }
    parts = packets.record_packets(spec, "2031", HOUR, records, qn=qns(), pw="123456")
    assert len(parts) >= 2
    frames = [hj212.encode(p) for p in parts]
    assert all(len(frame) - 12 <= 1024 for frame in frames)  # HJ 212-2017 Table 2
    parsed = [hj212.parse(frame) for frame in frames]
    assert [(p.pnum, p.pno) for p in parsed] == [(len(parts), i + 1) for i in range(len(parts))]
    assert all(p.flag == 0b000010_1_1 for p in parsed)  # 2025, packetized, answer wanted
    assert len({p.qn for p in parsed}) == len(parts)  # each part its own QN (C.50)
    whole = hj212.merge(parsed)
    assert list(whole.cp.pollutants) == list(codes)
    assert whole.cp.data_time == HOUR


def test_restart_notice_carries_the_power_on_time():
    spec = DeviceSpec("010000A8900016F000169DC0", "123456", "flue_gas")
    packet = packets.restart_packet(
        spec,
        datetime(2024, 7, 3, 14, 0, 2),
        datetime(2024, 7, 3, 13, 59),
        qn="20240703140002000",
        pw="123456",
    )
    parsed = hj212.parse(hj212.encode(packet))
    assert parsed.cn == "2081"
    assert parsed.cp.fields["RestartTime"] == datetime(2024, 7, 3, 13, 59)
