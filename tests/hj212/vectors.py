"""Test vectors from HJ 212-2017 Appendix C, framed with an independent CRC.

`reference_crc` transcribes the C function of Appendix A line by line (bit by
bit, no table), so frames built here do not depend on the codec under test.
"""

from __future__ import annotations

MN = "010000A8900016F000169DC0"


def reference_crc(data: bytes) -> int:
    crc_reg = 0xFFFF
    for byte in data:
        crc_reg = (crc_reg >> 8) ^ byte
        for _ in range(8):
            check = crc_reg & 0x0001
            crc_reg >>= 1
            if check == 0x0001:
                crc_reg ^= 0xA001
    return crc_reg


def frame(segment: str, *, crc: str | None = None, length: int | None = None) -> bytes:
    data = segment.encode("utf-8")
    n = len(data) if length is None else length
    crc_text = f"{reference_crc(data):04X}" if crc is None else crc
    return f"##{n:04d}".encode() + data + crc_text.encode() + b"\r\n"


# Appendix A example (its length 0101 and CRC 1C80 are printed in the standard).
A_EXAMPLE = (
    "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;"
    "Flag=5;CP=&&RtdInterval=30&&"
)

# Table C.1: set timeout and retries.
C1_REQUEST = f"QN=20160801085857223;ST=32;CN=1000;PW=123456;MN={MN};Flag=5;CP=&&OverTime=5;ReCount=3&&"
C1_QN_RTN = f"QN=20160801085857223;ST=91;CN=9011;PW=123456;MN={MN};Flag=4;CP=&&QnRtn=1&&"
C1_EXE_RTN = f"QN=20160801085857223;ST=91;CN=9012;PW=123456;MN={MN};Flag=4;CP=&&ExeRtn=1&&"

# Table C.14: real-time data upload (the standard's "01018-Rtd" typo corrected to w01018).
C14_RTD = (
    f"QN=20160801085857223;ST=32;CN=2011;PW=123456;MN={MN};Flag=5;CP=&&DataTime=20160801085857;"
    "w01001-Rtd=7.1,w01001-Flag=N;w01018-SampleTime=20160801070000,w01018-Rtd=2.2,"
    "w01018-Flag=N,w01018-EFlag=A01&&"
)
C14_ANSWER = f"QN=20160801085857223;ST=91;CN=9014;PW=123456;MN={MN};Flag=4;CP=&&&&"

# Table C.15: treatment-facility running state.
C15_STATE = (
    f"QN=20160801085857223;ST=32;CN=2021;PW=123456;MN={MN};Flag=5;"
    "CP=&&DataTime=20160801085857;SB1-RS=1;SB2-RS=0&&"
)

# Table C.16: minute data.
C16_MINUTE = (
    f"QN=20160801085857223;ST=32;CN=2051;PW=123456;MN={MN};Flag=5;CP=&&DataTime=20160801084000;"
    "w00000-Cou=10.5,w00000-Min=16.4,w00000-Avg=17.5,w00000-Max=20.1,w00000-Flag=N;"
    "w01001-Min=7.1,w01001-Avg=7.5,w01001-Max=7.8,w01001-Flag=N;"
    "w01018-Cou=10.5,w01018-Min=40.1,w01018-Avg=40.1,w01018-Max=40.1,w01018-Flag=N&&"
)

# Table C.18: day data.
C18_DAY = (
    f"QN=20160802000000001;ST=32;CN=2031;PW=123456;MN={MN};Flag=5;CP=&&DataTime=20160801000000;"
    "w00000-Cou=1512.0,w00000-Min=16.4,w00000-Avg=17.5,w00000-Max=20.1,w00000-Flag=N;"
    "w01001-Min=7.1,w01001-Avg=7.5,w01001-Max=7.8,w01001-Flag=N;"
    "w01018-Cou=2142.0,w01018-Min=40.1,w01018-Avg=40.1,w01018-Max=40.1,w01018-Flag=N&&"
)

# Table C.21: hour-history request, and Table C.2: get device time.
C21_REQUEST = (
    f"QN=20160801085857223;ST=32;CN=2061;PW=123456;MN={MN};Flag=5;"
    "CP=&&BeginTime=20160801080000;EndTime=20160801080000&&"
)
C20_REQUEST = (
    f"QN=20160801085857223;ST=32;CN=2051;PW=123456;MN={MN};Flag=5;"
    "CP=&&BeginTime=20160801084000;EndTime=20160801084000&&"
)
C2_GET_TIME = f"QN=20160801085857223;ST=32;CN=1011;PW=123456;MN={MN};Flag=5;CP=&&PolId=w01018&&"
C3_SET_TIME = (
    f"QN=20160801085857223;ST=32;CN=1012;PW=123456;MN={MN};Flag=5;"
    "CP=&&PolId=w01018;SystemTime=20160801085857&&"
)
C6_SET_RTD = f"QN=20160801085857223;ST=32;CN=1062;PW=123456;MN={MN};Flag=5;CP=&&RtdInterval=30&&"
C5_GET_RTD = f"QN=20160801085857223;ST=32;CN=1061;PW=123456;MN={MN};Flag=5;CP=&&&&"

# Table C.50: hour data in two packets, answer wanted (Flag=7: version 1, D=1, A=1).
C50_PART1 = (
    f"QN=20160801085857534;ST=32;CN=2061;PW=123456;MN={MN};Flag=7;PNUM=2;PNO=1;"
    "CP=&&DataTime=20160801080000;w00000-Cou=63.0,w00000-Min=16.4,w00000-Avg=17.5,"
    "w00000-Max=20.1,w00000-Flag=N;w01001-Min=7.1,w01001-Avg=7.5,w01001-Max=7.8,w01001-Flag=N&&"
)
C50_PART2 = (
    f"QN=20160801085857535;ST=32;CN=2061;PW=123456;MN={MN};Flag=7;PNUM=2;PNO=2;"
    "CP=&&DataTime=20160801080000;w01018-Cou=63.0,w01018-Min=40.1,w01018-Avg=40.1,"
    "w01018-Max=40.1,w01018-Flag=N&&"
)
C50_ANSWER1 = f"QN=20160801085857534;ST=91;CN=9014;PW=123456;MN={MN};Flag=4;CP=&&&&"
