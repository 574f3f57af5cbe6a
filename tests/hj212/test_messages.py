"""Answers and commands built as HJ 212-2017 Appendix C prints them."""

from __future__ import annotations

from datetime import datetime

import pytest
from tests.hj212 import vectors as v
from tests.hj212.vectors import MN, frame

from ecozone import hj212
from ecozone.hj212 import parse

TARGET = {"mn": MN, "pw": "123456", "st": "32", "qn": "20160801085857223"}


def test_data_response_to_c14_is_the_printed_9014():
    request = parse(frame(v.C14_RTD))
    assert hj212.encode(hj212.data_response(request)) == frame(v.C14_ANSWER)


def test_data_response_to_each_packet_echoes_its_own_qn_c50():
    request = parse(frame(v.C50_PART1))
    assert hj212.encode(hj212.data_response(request)) == frame(v.C50_ANSWER1)


def test_request_response_and_execution_result_c1():
    request = parse(frame(v.C1_REQUEST))
    assert hj212.encode(hj212.request_response(request, hj212.QN_READY)) == frame(v.C1_QN_RTN)
    assert hj212.encode(hj212.execution_result(request, hj212.EXE_SUCCESS)) == frame(v.C1_EXE_RTN)


def test_heartbeat_9015_of_2025_is_answered_with_9013_in_2025():
    beat = hj212.heartbeat(mn=MN, pw="123456", st="31", qn="20260101120000000")
    assert beat.flag == 9  # 0b000010_0_1: HJ 212-2025, answer wanted
    answer = hj212.notification_response(parse(hj212.encode(beat)))
    expected = f"QN=20260101120000000;ST=91;CN=9013;PW=123456;MN={MN};Flag=8;CP=&&&&"
    assert hj212.encode(answer) == frame(expected)


def test_2005_answer_carries_qn_in_cp_and_no_flag():
    request = parse(frame("QN=20040516010101001;ST=32;CN=2011;PW=123456;MN=88888880000001;CP=&&&&"))
    answer = hj212.encode(hj212.data_response(request))
    assert answer == frame("ST=91;CN=9014;PW=123456;MN=88888880000001;CP=&&QN=20040516010101001&&")


def test_answer_frame_is_the_printed_9014_of_c14_and_c50():
    assert hj212.answer_frame(parse(frame(v.C14_RTD)), "9014") == frame(v.C14_ANSWER)
    assert hj212.answer_frame(parse(frame(v.C50_PART1)), "9014") == frame(v.C50_ANSWER1)


@pytest.mark.parametrize(
    "text",
    [
        "QN=20040516010101001;ST=32;CN=2011;PW=123456;MN=88888880000001;CP=&&&&",  # 2005
        f"ST=32;CN=2011;PW=123456;MN={MN};Flag=5;CP=&&&&",  # no QN
        f"QN=20260101120000000;ST=31;CN=2011;PW=12=34;MN={MN};Flag=9;CP=&&&&",  # '=' in PW
        f"QN=20260101120000000;ST=31;CN=9015;PW=123456;MN={MN};Flag=9;CP=&&&&",  # 2025
    ],
)
@pytest.mark.parametrize("cn", ["9013", "9014"])
def test_answer_frame_is_what_encode_writes_of_the_answer_packet(text, cn):
    request = parse(frame(text), lenient=True)
    answer = hj212.notification_response if cn == "9013" else hj212.data_response
    if "PW=12=34" in text:  # encode() refuses the echoed field; so does the direct path
        with pytest.raises(hj212.MalformedField):
            hj212.answer_frame(request, cn)
        return
    assert hj212.answer_frame(request, cn) == hj212.encode(answer(request))


@pytest.mark.parametrize(
    ("packet", "printed"),
    [
        (hj212.get_system_time(pol_id="w01018", **TARGET), v.C2_GET_TIME),
        (hj212.set_system_time(datetime(2016, 8, 1, 8, 58, 57), pol_id="w01018", **TARGET), v.C3_SET_TIME),
        (hj212.get_rtd_interval(**TARGET), v.C5_GET_RTD),
        (hj212.set_rtd_interval(30, **TARGET), v.C6_SET_RTD),
        (hj212.history_request("hour", datetime(2016, 8, 1, 8), datetime(2016, 8, 1, 8), **TARGET), v.C21_REQUEST),
        (hj212.history_request("minute", datetime(2016, 8, 1, 8, 40), datetime(2016, 8, 1, 8, 40), **TARGET), v.C20_REQUEST),
    ],
)
def test_commands_match_appendix_c(packet, printed):
    assert hj212.encode(packet) == frame(printed)


def test_day_history_request_is_2031():
    packet = hj212.history_request("day", datetime(2016, 8, 1), datetime(2016, 8, 1), **TARGET)
    assert packet.cn == "2031"


def test_command_arguments_are_checked():
    with pytest.raises(ValueError, match=r"outside 30\.\.3600"):
        hj212.set_rtd_interval(10, **TARGET)
    with pytest.raises(ValueError, match=r"MinInterval=7"):
        hj212.set_min_interval(7, **TARGET)
    with pytest.raises(ValueError, match="before BeginTime"):
        hj212.history_request("hour", datetime(2016, 8, 2), datetime(2016, 8, 1), **TARGET)


def test_new_secret_key_2025():
    packet = hj212.new_secret_key("A1B2C3", datetime(2026, 1, 1, 8), **TARGET)
    assert packet.cn == "1014" and packet.protocol_version == "2025"
    assert parse(hj212.encode(packet)).cp.fields == {
        "NewSK": "A1B2C3", "SKCreateTime": datetime(2026, 1, 1, 8)
    }  # fmt: skip


def test_new_qn_is_time_to_the_millisecond():
    assert hj212.new_qn(datetime(2016, 8, 1, 8, 58, 57, 223456)) == "20160801085857223"
