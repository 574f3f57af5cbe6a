"""A noise logger's upload as HJ 212-2017 Table C.26 prints it is stored with its period
values (xxxxxx-Data) where the noise rules read them."""

from __future__ import annotations

from datetime import UTC, datetime

from ecozone import hj212
from ecozone.ingest.rules import measurement_rows
from ecozone.quality import rules

# HJ 212-2017 Appendix C, Table C.26 (上传噪声声级分钟数据), its CRC computed here.
SEGMENT = (
    "QN=20160801085000001;ST=23;CN=2051;PW=123456;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&DataTime=20160801084000;L5-Data=53.0;L10-Data=53.0;L50-Data=49.0;L90-Data=45.0;"
    "L95-Data=43.0;Leq-Data=50.0;LMx-Data=54.0;LMn-Data=42.0&&"
)


def test_table_c26_minute_upload_stores_leq_and_lmax_as_period_values():
    data = SEGMENT.encode()
    frame = b"##%04d" % len(data) + data + b"%04X\r\n" % hj212.crc16(data)
    packet = hj212.parse(frame)
    rows = measurement_rows(packet, 7, "minute", datetime(2016, 8, 1, 0, 51, tzinfo=UTC),
                            datetime(2016, 8, 1, 8, 51))  # fmt: skip
    by_code = {r["pollutant"]: r for r in rows}
    assert by_code[rules.LEQ]["avg"] == 50.0 and by_code[rules.LMAX]["avg"] == 54.0
    assert by_code[rules.LEQ]["data_time"] == datetime(2016, 8, 1, 8, 40)
    (hour,) = rules.hour_levels([(datetime(2016, 8, 1, 8, 40), 50.0, 54.0)])
    assert (hour.leq, hour.lmax) == (50.0, 54.0)
