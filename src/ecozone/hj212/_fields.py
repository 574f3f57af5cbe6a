# Field vocabulary of HJ 212-2017 Table 4 and the conversions between wire
# text and Python values. Kept apart so the parser, the encoder and the C
# accelerator agree on one definition of "a number" and "a time".

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

# Pollutant sub-fields carrying measured numbers (Table 4); everything else
# (Flag, EFlag, SampleTime, SN, Info) stays a string.
NUMERIC_SUBFIELDS = frozenset(
    {
        "Rtd", "Min", "Avg", "Max", "Cou",
        "ZsRtd", "ZsMin", "ZsAvg", "ZsMax",
        "Data", "DayData", "NightData", "RS", "RT",
    }
)  # fmt: skip

# Top-level CP fields holding integers (Table 4).
INT_FIELDS = frozenset(
    {
        "QnRtn", "ExeRtn", "RtdInterval", "MinInterval", "OverTime", "ReCount",
        "VaseNo", "Ctime", "Stime",
    }
)  # fmt: skip

# Top-level CP fields holding a time YYYYMMDDhhmmss (Table 4, and SKCreateTime of HJ 212-2025).
TIME_FIELDS = frozenset(
    {"DataTime", "SystemTime", "BeginTime", "EndTime", "RestartTime", "SKCreateTime"}
)

# Decimal numbers as devices write them: no hex, no inf/nan, no digit separators.
NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
TIME_FORMAT = "%Y%m%d%H%M%S"


@lru_cache(maxsize=4096)  # consecutive frames share DataTime values
def parse_time(text: str) -> tuple[datetime | None, bool]:
    """(time, had_milliseconds) for YYYYMMDDhhmmss[zzz]; time is None when invalid.

    HJ 212 times have whole seconds; the milliseconds some devices append are dropped.
    """
    n = len(text)
    if (n != 14 and n != 17) or not text.isascii() or not text.isdigit():
        return None, False
    try:
        value = datetime(
            int(text[0:4]), int(text[4:6]), int(text[6:8]),
            int(text[8:10]), int(text[10:12]), int(text[12:14]),
        )  # fmt: skip
    except ValueError:
        return None, False
    return value, n == 17


def format_time(value: datetime) -> str:
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}"
        f"{value.hour:02d}{value.minute:02d}{value.second:02d}"
    )


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float."""
    text = repr(float(value))
    if text in ("nan", "inf", "-inf"):
        raise ValueError(f"{value!r} cannot be sent in HJ 212")
    return text
