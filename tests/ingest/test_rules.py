"""Pure judging rules: MN shape, period alignment, SM4 keys and their grace period."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from tests.gateway.helpers import minute_packet

from ecozone import hj212
from ecozone.ingest.rules import judge, measurement_rows, period_deviation, period_start
from ecozone.registry.model import DeviceInfo, PointKind

KEY = b"0000000000000000"
NEW_KEY = b"N3wK3yN3wK3yN3wK"
RECEIVED = datetime(2026, 11, 20, 0, 45, tzinfo=UTC)
LOCAL_NOW = datetime(2026, 11, 20, 8, 45)


def device(mn: str = "010000A8900016F000169DC0", **values) -> DeviceInfo:
    return DeviceInfo(
        mn=mn, point_id=1, password="123456", st="31", lenient=False, credit_code="C",
        point_code="DA001", kind=PointKind.FLUE_GAS, reference_o2=None, **values,
    )  # fmt: skip


def verdict(frame: bytes, dev: DeviceInfo, **options):
    return judge(frame, peer="p", devices={dev.mn: dev}, received_at=RECEIVED,
                 local_now=LOCAL_NOW, **options)  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "at", "start"),
    [
        ("minute", datetime(2026, 11, 20, 8, 40, 12), datetime(2026, 11, 20, 8, 40)),
        ("hour", datetime(2026, 11, 20, 8, 33, 37), datetime(2026, 11, 20, 8)),
        ("day", datetime(2026, 11, 20, 0, 0, 1), datetime(2026, 11, 20)),
    ],
)
def test_period_start_of_minute_hour_and_day_data(kind, at, start):
    assert period_start(kind, at) == start
    assert period_deviation(kind, start) is None
    assert "is not the start of its" in period_deviation(kind, at)


def test_rtd_data_has_no_period_to_align_to():
    assert period_deviation("rtd", datetime(2026, 11, 20, 8, 33, 37)) is None


def test_misaligned_hour_is_filed_at_the_hour_leniently_and_refused_strictly():
    at = datetime(2026, 11, 20, 8, 33, 37)
    packet = replace(minute_packet(at), cn="2061")
    rows = measurement_rows(packet, 1, "hour", RECEIVED, LOCAL_NOW, lenient=True)
    assert {r["data_time"] for r in rows} == {datetime(2026, 11, 20, 8)}
    with pytest.raises(ValueError, match="08:33:37 of hour data is not the start of its hour"):
        measurement_rows(packet, 1, "hour", RECEIVED, LOCAL_NOW)


def test_strict_device_with_a_14_character_mn_is_accepted():
    dev = device("88888880000001")
    v = verdict(hj212.encode(minute_packet(LOCAL_NOW - timedelta(minutes=5), mn=dev.mn)), dev)
    assert v.accepted and len(v.rows) == 3
    assert v.raw["reason"] == "tolerated: MN of 14 characters; HJ 212-2017 requires 24 hex digits"


def test_unregistered_odd_mn_is_still_unknown():
    dev = device()
    v = verdict(hj212.encode(minute_packet(LOCAL_NOW, mn="A110000_0001")), dev)
    assert not v.accepted and v.reason == "unknown MN A110000_0001"


def test_previous_key_is_valid_only_during_the_grace_period():
    rotated = device(sm4_key=NEW_KEY, sm4_previous_key=KEY,
                     sm4_key_changed_at=RECEIVED - timedelta(hours=2))  # fmt: skip
    old = hj212.encode(minute_packet(LOCAL_NOW - timedelta(minutes=5)), sm4_key=KEY)
    new = hj212.encode(minute_packet(LOCAL_NOW - timedelta(minutes=5)), sm4_key=NEW_KEY)
    assert verdict(new, rotated).accepted
    v = verdict(old, rotated, key_grace=timedelta(hours=3))
    assert v.accepted and v.sm4_key == KEY and v.packet.encrypted
    late = verdict(old, rotated, key_grace=timedelta(hours=1))
    assert not late.accepted
    assert late.reason == (
        "SM4-encrypted frame does not decrypt with the keys of MN 010000A8900016F000169DC0"
    )


def test_encrypted_frame_from_a_device_without_a_key_is_refused_with_the_reason():
    frame = hj212.encode(minute_packet(LOCAL_NOW), sm4_key=KEY)
    v = verdict(frame, device())
    assert not v.accepted
    assert v.reason == (
        "frame is SM4-encrypted and MN 010000A8900016F000169DC0 has no SM4 key registered"
    )
    stranger = judge(frame, peer="p", devices={}, received_at=RECEIVED, local_now=LOCAL_NOW)
    assert not stranger.accepted and stranger.raw["mn"] == "010000A8900016F000169DC0"
    assert stranger.reason == (
        "frame is SM4-encrypted (HJ 212-2025 §6.4); the device's key is needed to read it"
    )


def test_encryption_required_refuses_plaintext_data_but_not_heartbeats():
    dev = device(sm4_key=KEY, encryption_required=True)
    plain = verdict(hj212.encode(minute_packet(LOCAL_NOW - timedelta(minutes=5))), dev)
    assert not plain.accepted and "must encrypt CN 2051 with SM4" in plain.reason
    beat = hj212.heartbeat(mn=dev.mn, pw="123456", st="31", qn="20261120084500000")
    assert verdict(hj212.encode(beat), dev).accepted


def test_resent_packet_rows_are_marked():
    packet = replace(minute_packet(LOCAL_NOW - timedelta(minutes=5)), extra=(("RF", "1"),))
    v = verdict(hj212.encode(packet), device())
    assert v.accepted and all(row["resent"] for row in v.rows)


def test_length_in_characters_of_chinese_text_is_accepted_leniently_and_recorded():
    from tests.hj212.vectors import frame

    dev = replace(device(), lenient=True)
    segment = (
        f"QN=20261120084000000;ST=31;CN=3020;PW=123456;MN={dev.mn};Flag=9;"
        "CP=&&DataTime=20261120084000;i12001-Info=正常运行&&"
    )
    raw = frame(segment, length=len(segment))  # 4 characters, 12 bytes of UTF-8
    v = verdict(raw, dev)
    assert v.accepted and v.packet.cp.pollutants["i12001"] == {"Info": "正常运行"}
    assert v.raw["reason"] == "tolerated: length field counts characters, not bytes"
    strict = verdict(raw, device())
    assert not strict.accepted and "length field counts characters" in strict.reason
