"""parse() against HJ 212-2017's own examples, and every kind of bad frame."""

from __future__ import annotations

from datetime import datetime

import pytest
from tests.hj212 import vectors as v
from tests.hj212.vectors import MN, frame

from ecozone import hj212
from ecozone.hj212 import (
    BadEncoding,
    BadHeader,
    BadLength,
    BadTrailer,
    CrcMismatch,
    FrameTooLong,
    MalformedField,
    ProtocolError,
    parse,
)


def test_crc_of_appendix_a_example_is_1c80_over_101_bytes():
    segment = v.A_EXAMPLE.encode()
    assert len(segment) == 101
    assert hj212.crc16(segment) == 0x1C80
    assert v.reference_crc(segment) == 0x1C80


def test_appendix_a_frame_as_printed_parses():
    printed = b"##0101" + v.A_EXAMPLE.encode() + b"1C80\r\n"
    packet = parse(printed)
    assert packet.qn == "20160801085857223"
    assert (packet.st, packet.cn, packet.pw, packet.mn) == ("32", "1062", "100000", MN)
    assert packet.flag == 5
    assert packet.cp.fields == {"RtdInterval": 30}
    # Flag=5 = 0b000001_0_1: version bits 000001 (HJ 212-2017), no packets, answer wanted.
    assert packet.protocol_version == "2017"
    assert packet.needs_ack and not packet.is_packetized


def test_realtime_upload_c14_gives_values_flags_and_sample_time():
    packet = parse(frame(v.C14_RTD))
    assert packet.cn == "2011"
    assert packet.cp.data_time == datetime(2016, 8, 1, 8, 58, 57)
    assert packet.cp.pollutants == {
        "w01001": {"Rtd": 7.1, "Flag": "N"},
        "w01018": {"SampleTime": "20160801070000", "Rtd": 2.2, "Flag": "N", "EFlag": "A01"},
    }


def test_minute_upload_c16_reads_cou_min_avg_max_flag_of_each_code():
    packet = parse(frame(v.C16_MINUTE))
    assert packet.cp.data_time == datetime(2016, 8, 1, 8, 40)
    assert list(packet.cp.pollutants) == ["w00000", "w01001", "w01018"]
    assert packet.cp.pollutants["w00000"] == {
        "Cou": 10.5, "Min": 16.4, "Avg": 17.5, "Max": 20.1, "Flag": "N"
    }  # fmt: skip
    assert packet.cp.pollutants["w01001"] == {"Min": 7.1, "Avg": 7.5, "Max": 7.8, "Flag": "N"}


def test_day_upload_c18():
    packet = parse(frame(v.C18_DAY))
    assert packet.cn == "2031"
    assert packet.cp.data_time == datetime(2016, 8, 1)
    assert packet.cp.pollutants["w01018"]["Cou"] == 2142.0


def test_running_state_c15_keeps_sb_codes():
    packet = parse(frame(v.C15_STATE))
    assert packet.cp.pollutants == {"SB1": {"RS": 1.0}, "SB2": {"RS": 0.0}}


def test_answers_c1_carry_qnrtn_and_exertn_as_integers():
    assert parse(frame(v.C1_QN_RTN)).cp.fields == {"QnRtn": 1}
    assert parse(frame(v.C1_EXE_RTN)).cp.fields == {"ExeRtn": 1}
    request = parse(frame(v.C1_REQUEST))
    assert request.cp.fields == {"OverTime": 5, "ReCount": 3}


def test_history_request_c21_reads_begin_and_end_times():
    packet = parse(frame(v.C21_REQUEST))
    assert packet.cp.fields == {
        "BeginTime": datetime(2016, 8, 1, 8),
        "EndTime": datetime(2016, 8, 1, 8),
    }


def test_empty_cp_c5():
    packet = parse(frame(v.C5_GET_RTD))
    assert packet.cp.fields == {} and packet.cp.pollutants == {} and packet.cp.data_time is None


def test_packetized_part_c50_has_pnum_and_pno():
    packet = parse(frame(v.C50_PART1))
    # Flag=7 = 0b000001_1_1: HJ 212-2017, packetized, answer wanted.
    assert packet.is_packetized and packet.needs_ack
    assert (packet.pnum, packet.pno) == (2, 1)


@pytest.mark.parametrize(
    ("flag", "version", "ack", "packetized"),
    [
        (4, "2017", False, False),
        (5, "2017", True, False),
        (7, "2017", True, True),
        (8, "2025", False, False),  # 0b000010_0_0
        (9, "2025", True, False),  # 0b000010_0_1
        (0, "2005", False, False),
        (1, "2005", True, False),
    ],
)
def test_flag_bits(flag, version, ack, packetized):
    segment = f"QN=20160801085857223;ST=32;CN=2011;PW=123456;MN={MN};Flag={flag};CP=&&&&"
    if packetized:
        segment = segment.replace(";CP=", ";PNUM=1;PNO=1;CP=")
    packet = parse(frame(segment))
    assert packet.protocol_version == version
    assert packet.needs_ack is ack
    assert packet.is_packetized is packetized


def test_2005_frame_without_flag_and_with_14_character_mn():
    segment = (
        "ST=32;CN=2011;PW=123456;MN=88888880000001;CP=&&DataTime=20040516020111;011-Rtd=100.0&&"
    )
    packet = parse(frame(segment))
    assert packet.protocol_version == "2005"
    assert packet.flag is None and packet.qn is None
    assert packet.cp.pollutants == {"011": {"Rtd": 100.0}}
    assert not packet.needs_ack


def test_unknown_cn_and_unknown_header_field_are_kept():
    segment = f"QN=20260101000000000;ST=31;CN=2999;PW=123456;MN={MN};Flag=8;RF=1;CP=&&Foo=bar&&"
    packet = parse(frame(segment))
    assert packet.cn == "2999"
    assert packet.extra == (("RF", "1"),)
    assert packet.cp.fields == {"Foo": "bar"}
    assert hj212.encode(packet) == frame(segment.replace(";RF=1;CP", ";RF=1;CP"))


def test_utf8_chinese_text_is_decoded_and_counted_in_bytes():
    segment = f"QN=20160801085857223;ST=32;CN=3020;PW=123456;MN={MN};Flag=4;CP=&&i12001-Info=正常&&"
    data = segment.encode("utf-8")
    assert len(data) == len(segment) + 4  # two CJK characters take 3 bytes each
    packet = parse(frame(segment))
    assert packet.cp.pollutants == {"i12001": {"Info": "正常"}}


# --- bad frames: each error class, and its message -------------------------


def test_crc_mismatch_names_both_values():
    with pytest.raises(CrcMismatch) as err:
        parse(frame(v.A_EXAMPLE, crc="1C81"))
    assert "CRC mismatch: frame says 1C81, data gives 1C80" in str(err.value)
    assert err.value.offset == 6 + 101


def test_bad_header_start():
    with pytest.raises(BadHeader, match="not '##'"):
        parse(b"#!0101" + v.A_EXAMPLE.encode() + b"1C80\r\n")


def test_bad_length_digits():
    with pytest.raises(BadHeader, match="not 4 decimal digits"):
        parse(b"##01a1" + v.A_EXAMPLE.encode() + b"1C80\r\n")


def test_length_field_disagreeing_with_data():
    with pytest.raises(BadLength, match="length field says 100 bytes, data segment has 101"):
        parse(frame(v.A_EXAMPLE, length=100))


def test_data_segment_over_1024_bytes_is_too_long():
    long_cp = ";".join(f"a{i:05d}-Rtd=1.0" for i in range(80))
    segment = f"QN=20160801085857223;ST=31;CN=2011;PW=123456;MN={MN};Flag=4;CP=&&{long_cp}&&"
    assert len(segment) > 1024
    with pytest.raises(FrameTooLong, match="at most 1024"):
        parse(frame(segment))
    packet = parse(frame(segment), lenient=True)
    assert len(packet.cp.pollutants) == 80
    assert any("exceeds 1024" in d for d in packet.deviations)


def test_missing_trailer():
    with pytest.raises(BadTrailer, match="not CR LF"):
        parse(frame(v.A_EXAMPLE)[:-2])


def test_missing_mn_is_named():
    segment = "QN=20160801085857223;ST=32;CN=1062;PW=100000;Flag=5;CP=&&RtdInterval=30&&"
    with pytest.raises(MalformedField, match="header field MN is missing"):
        parse(frame(segment))


def test_non_numeric_value_is_named():
    segment = v.C14_RTD.replace("w01001-Rtd=7.1", "w01001-Rtd=7,1x")
    with pytest.raises(MalformedField) as err:
        parse(frame(segment))
    assert "CP item '1x' has no '='" in str(err.value)
    segment = v.C14_RTD.replace("w01001-Rtd=7.1", "w01001-Rtd=abc")
    with pytest.raises(MalformedField, match="w01001-Rtd='abc' is not a number"):
        parse(frame(segment))
    assert parse(frame(segment), lenient=True).cp.pollutants["w01001"]["Rtd"] is None


def test_invalid_date_is_named():
    segment = v.C16_MINUTE.replace("DataTime=20160801084000", "DataTime=20161301084000")
    with pytest.raises(MalformedField, match="DataTime='20161301084000' is not a valid time"):
        parse(frame(segment))


def test_flag_out_of_range():
    with pytest.raises(MalformedField, match=r"Flag='300' is not an integer in 0..255"):
        parse(frame(v.A_EXAMPLE.replace("Flag=5", "Flag=300")))


def test_packetized_flag_without_pnum():
    with pytest.raises(MalformedField, match="announces PNUM and PNO but they are missing"):
        parse(frame(v.A_EXAMPLE.replace("Flag=5", "Flag=7")))


def test_pno_greater_than_pnum():
    with pytest.raises(MalformedField, match="PNO=3 is greater than PNUM=2"):
        parse(frame(v.C50_PART1.replace("PNO=1", "PNO=3")))


def test_missing_cp():
    with pytest.raises(MalformedField, match="no 'CP=&&' field"):
        parse(frame("QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=" + MN + ";Flag=5"))


def test_invalid_utf8_names_the_byte():
    data = (
        f"QN=20160801085857223;ST=32;CN=3020;PW=123456;MN={MN};Flag=4;CP=&&i12001-Info="
    ).encode()
    data += "正常".encode("gbk") + b"&&"
    raw = b"##%04d" % len(data) + data + b"%04X\r\n" % v.reference_crc(data)
    with pytest.raises(BadEncoding, match="is not valid UTF-8"):
        parse(raw)
    packet = parse(raw, lenient=True)
    assert packet.cp.pollutants["i12001"]["Info"] == "正常"
    assert "text is GBK-encoded, not UTF-8" in packet.deviations


def test_all_errors_are_protocol_errors_and_value_errors():
    for cls in (BadHeader, BadLength, CrcMismatch, FrameTooLong, BadTrailer, MalformedField):
        assert issubclass(cls, ProtocolError)
    assert issubclass(ProtocolError, ValueError)


def test_error_names_mn_when_known():
    segment = v.C16_MINUTE.replace("w01001-Avg=7.5", "w01001-Avg=x")
    with pytest.raises(MalformedField) as err:
        parse(frame(segment))
    assert err.value.mn == MN and MN in str(err.value)


# --- lenient mode: each known deviation accepted and recorded ---------------


def test_lowercase_crc_is_a_deviation():
    raw = frame(v.A_EXAMPLE, crc="1c80")
    with pytest.raises(CrcMismatch, match="lowercase"):
        parse(raw)
    assert parse(raw, lenient=True).deviations == ("CRC written in lowercase hex",)


def test_swapped_and_modbus_crcs_are_deviations():
    data = v.A_EXAMPLE.encode()
    # CRC-16/MODBUS computed bit by bit: XOR the byte into the low end, then 8 shifts.
    modbus = 0xFFFF
    for byte in data:
        modbus ^= byte
        for _ in range(8):
            modbus = (modbus >> 1) ^ 0xA001 if modbus & 1 else modbus >> 1
    cases = {
        "801C": "CRC sent with its bytes swapped",
        f"{modbus:04X}": "CRC is plain CRC-16/MODBUS",
        f"{((modbus & 0xFF) << 8) | (modbus >> 8):04X}": "CRC is CRC-16/MODBUS with its bytes swapped",
    }
    for crc, deviation in cases.items():
        raw = frame(v.A_EXAMPLE, crc=crc)
        with pytest.raises(CrcMismatch):
            parse(raw)
        assert parse(raw, lenient=True).deviations == (deviation,)


def test_short_mn_in_2017_frame_is_a_deviation():
    raw = frame(v.A_EXAMPLE.replace(MN, "88888880000001"))
    with pytest.raises(MalformedField, match="MN of 14 characters"):
        parse(raw)
    assert parse(raw, lenient=True).mn == "88888880000001"


def test_datatime_with_milliseconds_is_truncated_in_lenient_mode():
    raw = frame(v.C16_MINUTE.replace("DataTime=20160801084000", "DataTime=20160801084000123"))
    with pytest.raises(MalformedField, match="has milliseconds"):
        parse(raw)
    packet = parse(raw, lenient=True)
    assert packet.cp.data_time == datetime(2016, 8, 1, 8, 40)
    assert "DataTime has milliseconds; dropped" in packet.deviations


def test_length_counting_characters_is_a_deviation():
    segment = f"QN=20160801085857223;ST=32;CN=3020;PW=123456;MN={MN};Flag=4;CP=&&i12001-Info=正常&&"
    raw = frame(segment, length=len(segment))  # characters, not bytes
    with pytest.raises(BadLength):
        parse(raw)
    packet = parse(raw, lenient=True)
    assert "length field counts characters, not bytes" in packet.deviations


def test_missing_separator_before_cp_as_in_table_c19():
    segment = f"QN=20160802000000001;ST=32;CN=2041;PW=123456;MN={MN};Flag=5CP=&&DataTime=20160801000000;SB1-RT=1.1&&"
    with pytest.raises(MalformedField):
        parse(frame(segment))
    packet = parse(frame(segment), lenient=True)
    assert packet.flag == 5 and packet.cp.pollutants == {"SB1": {"RT": 1.1}}
    assert "no ';' before CP" in packet.deviations


def test_comma_between_header_fields_as_in_table_c22():
    segment = f"QN=20160801085857534,ST=32;CN=2031;PW=123456;MN={MN};Flag=5;CP=&&DataTime=20160801000000&&"
    with pytest.raises(MalformedField):
        parse(frame(segment))
    packet = parse(frame(segment), lenient=True)
    assert packet.qn == "20160801085857534" and packet.st == "32"


@pytest.mark.parametrize("mn", ["A110000_0001", "JLYP01_AIR01_0001", "ST-01.A"])
def test_field_mns_with_underscore_dash_dot_are_read_leniently_and_reported_strictly(mn):
    raw = frame(v.A_EXAMPLE.replace(MN, mn))
    with pytest.raises(MalformedField, match=f"MN of {len(mn)} characters"):
        parse(raw)
    packet = parse(raw, lenient=True)
    assert packet.mn == mn
    assert packet.deviations == (hj212.mn_deviation(mn, "2017"),)


def test_mn_with_other_characters_or_over_27_is_refused_even_leniently():
    for mn in ("A1/0001", "A" * 28):
        with pytest.raises(MalformedField, match=r"is not 1\.\.27 letters"):
            parse(frame(v.A_EXAMPLE.replace(MN, mn)), lenient=True)


def test_packetized_part_over_1024_bytes_is_read_leniently():
    # Field devices split a message into PNUM/PNO parts yet exceed 1024 bytes in one part.
    values = ";".join(f"a{n:05d}-Avg={n}.5,a{n:05d}-Flag=N" for n in range(45))
    segment = (
        f"QN=20160801085857534;ST=32;CN=2061;PW=123456;MN={MN};Flag=7;PNUM=2;PNO=1;"
        f"CP=&&DataTime=20160801080000;{values}&&"
    )
    assert len(segment) > 1024
    with pytest.raises(FrameTooLong):
        parse(frame(segment))
    packet = parse(frame(segment), lenient=True)
    assert (packet.pnum, packet.pno) == (2, 1) and len(packet.cp.pollutants) == 45
    assert any("exceeds 1024" in d for d in packet.deviations)
