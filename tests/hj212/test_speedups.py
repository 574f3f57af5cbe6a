"""The C accelerator gives exactly what the pure-Python reference gives.

Every test runs both on the same input and compares the results, messages
included; dicts are compared by repr too, since == ignores insertion order
and cannot tell -0.0 from 0.0.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ecozone.hj212 import _cp, _crc, _fields

speedups = pytest.importorskip(
    "ecozone.hj212._speedups",
    reason="the C accelerator ecozone.hj212._speedups is not built (pip install -e . builds it)",
)

APPENDIX_A_SEGMENT = (
    b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;"
    b"Flag=5;CP=&&RtdInterval=30&&"
)


def same_split(text, lenient):
    expected = _cp.split_cp(text, lenient)
    got = speedups.split_cp(text, lenient)
    assert got == expected
    assert repr(got) == repr(expected)
    return got


# ------------------------------------------------------------------ CRC ---


def test_accelerated_when_the_extension_is_importable():
    if os.environ.get("ECOZONE_HJ212_PURE") == "1":
        pytest.skip("ECOZONE_HJ212_PURE=1 forces the pure-Python path")
    from ecozone.hj212 import _accel

    assert _accel.ACCELERATED is True
    assert _accel.split_cp is speedups.split_cp
    assert _accel.crc16 is speedups.crc16


def test_crc_of_appendix_a_example_is_1c80():
    assert speedups.crc16(APPENDIX_A_SEGMENT) == 0x1C80 == _crc.crc16(APPENDIX_A_SEGMENT)


def test_crc16_modbus_check_value_is_4b37():
    assert speedups.crc16_modbus(b"123456789") == 0x4B37 == _crc.crc16_modbus(b"123456789")


def test_crc_of_nothing_is_the_initial_register():
    assert speedups.crc16(b"") == 0xFFFF == _crc.crc16(b"")
    assert speedups.crc16_modbus(b"") == 0xFFFF == _crc.crc16_modbus(b"")


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_crc_takes_any_bytes_like_object(kind):
    data = APPENDIX_A_SEGMENT * 3
    assert speedups.crc16(kind(data)) == _crc.crc16(data)
    assert speedups.crc16_modbus(kind(data)) == _crc.crc16_modbus(data)


def test_crc_of_a_memoryview_slice():
    view = memoryview(APPENDIX_A_SEGMENT)[3:-5]
    assert speedups.crc16(view) == _crc.crc16(bytes(view))


@pytest.mark.parametrize("function", ["crc16", "crc16_modbus"])
@pytest.mark.parametrize("value", ["QN=1", "", 12, None])
def test_crc_refuses_str_and_non_buffers(function, value):
    with pytest.raises(TypeError):
        getattr(speedups, function)(value)


@given(st.binary(max_size=2000))
@example(b"")
@example(b"\x00")
@example(bytes(range(256)) * 3)
def test_crc16_equals_reference(data):
    assert speedups.crc16(data) == _crc.crc16(data)


@given(st.binary(max_size=2000))
@example(bytes(range(256)) * 3)
def test_crc16_modbus_equals_reference(data):
    assert speedups.crc16_modbus(data) == _crc.crc16_modbus(data)


@given(st.binary(min_size=0, max_size=40), st.integers(0, 39))
def test_crc_every_length_around_the_eight_byte_steps(data, cut):
    data = data[:cut]
    assert speedups.crc16(data) == _crc.crc16(data)
    assert speedups.crc16_modbus(data) == _crc.crc16_modbus(data)


# --------------------------------------------------- NUMERIC_SUBFIELDS ---


def test_numeric_subfields_are_those_of_the_fields_module():
    assert isinstance(speedups.NUMERIC_SUBFIELDS, frozenset)
    assert speedups.NUMERIC_SUBFIELDS == _fields.NUMERIC_SUBFIELDS


# ------------------------------------------------------- split_cp cases ---

MINUTE_CP = (
    "DataTime=20160801084000;"
    "w00000-Cou=10.5,w00000-Min=16.4,w00000-Avg=17.5,w00000-Max=20.1,w00000-Flag=N;"
    "w01001-Min=7.1,w01001-Avg=7.5,w01001-Max=7.8,w01001-Flag=N"
)


@pytest.mark.parametrize("lenient", [False, True])
@pytest.mark.parametrize(
    "text",
    [
        "",
        MINUTE_CP,
        "RtdInterval=30",
        "DataTime=20160801085857;SB1-RS=1;SB2-RS=0",
        ";;,,;",
        " ; \t ,",
        " w01-Rtd=1 ",
        "\tDataTime=1",
        "noequals",
        "=1",
        "-Rtd=1",
        "w01-=1",
        "w01-Rtd=",
        "w01-Rtd=abc",
        "w01-Rtd=1;w01-Rtd=2",
        "w01-Rtd=1;w01-Rtd=x",
        "w01-Flag=N;w01-Flag=D",
        "a=1;a=2;a=3",
        "k1=1;k2=2;k3=3;k4=4;k5=5;k6=6;k7=7;k8=8;k9=9;k10=10;k1=again",
        "w01-Rtd=1e500,w02-Rtd=-1e500,w03-Rtd=1e-400,w04-Rtd=-0",
        "w01-Rtd=+.5,w01-Min=5.,w01-Max=.5e+3,w01-Avg=-0.0E-0",
        "w01-Rtd=1e,w02-Rtd=.,w03-Rtd=-,w04-Rtd=1.2.3,w05-Rtd=nan,w06-Rtd=inf",
        "w01-Rtd=1_000,w02-Rtd=0x10,w03-Rtd= 1,w04-Rtd=1 ",
        "w01-Rtd=" + "9" * 400 + "." + "1" * 400,
        "w01-Rtd=0.1000000000000000055511151231257827021181583404541015625",
        "w01-Rtd=a=b,x=y=z",
        "a-b-c=1,a-b-Rtd=2",
        'w01-Info=it\'s,w02-Info="q",w03-Info=both\'"',
        "'quote",
        "w01-Rtd='1'",
        "bad\\item",
        "ctl\x00\x01\x7f",
        "DataTime=\x00-;a\x00-b=1\x00,w-\x00=\x00;\x00",
        "w01-Rtd=1\x00",
        "w01-Rtd=\n1",
        "w01-Rtd=٣",
        "w01-Rtd=١٢.٥e٣",
        "w01-Rtd=１",
        "名称=值;w01-Info=中文",
        " 名称=值 ",
        "w01-Rtd=1;名称",
    ],
)
def test_split_cp_examples_equal_reference(text, lenient):
    same_split(text, lenient)


def test_minute_data_splits_into_floats_and_flags():
    fields, pollutants, deviations, error = same_split(MINUTE_CP, False)
    assert fields == [("DataTime", "20160801084000")]
    assert pollutants["w01001"] == {"Min": 7.1, "Avg": 7.5, "Max": 7.8, "Flag": "N"}
    assert deviations == [] and error is None


def rtd_of(text):
    return speedups.split_cp(f"w01-Rtd={text}", False)[1]["w01"]["Rtd"]


@pytest.mark.parametrize(
    "text",
    [
        "0.1", "-0", "-0.0E-0", "+.5", "5.", "0e99999999", "1e22", "1e23", "22e21",
        "9007199254740992", "9007199254740993", "9007199254740992e22", "-9007199254740993e-22",
        "123456789012345678", "1234567890123456789", "12345678901234567890",
        "0000000000000000000001.5", "1." + "0" * 30, "0." + "0" * 30 + "1",
        "2.2250738585072011e-308", "4.9e-324", "2e-324", "1e-400",
        "1.7976931348623157e308", "1.7976931348623159e308", "1e309", "-1e309",
        "0.1000000000000000055511151231257827021181583404541015625", "9" * 400 + ".5",
        "1e" + "0" * 50 + "5",
    ],
)  # fmt: skip
def test_numbers_convert_exactly_as_float_does(text):
    assert repr(rtd_of(text)) == repr(float(text))


@given(
    st.tuples(
        st.sampled_from(["", "+", "-"]),
        st.text("0123456789", max_size=20),
        st.sampled_from(["", "."]),
        st.text("0123456789", max_size=20),
        st.sampled_from(["", "e", "E-", "e+"]),
        st.integers(0, 400).map(str),
    ).map("".join)
)
@example("1.5e-22")
def test_any_decimal_converts_exactly_as_float_does(text):
    if not _fields.NUMBER_RE.match(text):
        return
    assert repr(rtd_of(text)) == repr(float(text))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_the_shortest_repr_of_any_float_reads_back_as_that_float(value):
    assert repr(rtd_of(repr(value))) == repr(value)


def test_unicode_digits_are_read_as_the_reference_reads_them():
    _, pollutants, _, error = same_split("w01-Rtd=٣", False)
    assert error is None and pollutants == {"w01": {"Rtd": 3.0}}


def test_split_cp_accepts_keywords_and_any_truthy_lenient():
    assert speedups.split_cp(text=" a=1", lenient=1) == _cp.split_cp(" a=1", True)
    assert speedups.split_cp(" a=1", []) == _cp.split_cp(" a=1", False)
    assert speedups.split_cp(" a=1", "yes") == _cp.split_cp(" a=1", "yes")


def test_split_cp_of_non_str_behaves_as_reference():
    assert speedups.split_cp(None, False) == _cp.split_cp(None, False)
    with pytest.raises(TypeError):
        _cp.split_cp(b"a=1", False)
    with pytest.raises(TypeError):
        speedups.split_cp(b"a=1", False)
    with pytest.raises(TypeError):
        speedups.split_cp("a=1")


def test_split_cp_of_a_str_subclass_equals_reference():
    class Text(str):
        pass

    same_split(Text(MINUTE_CP), False)


def test_results_do_not_share_mutable_state_between_calls():
    first = speedups.split_cp(MINUTE_CP, False)
    first[1]["w01001"]["Min"] = "changed"
    first[0].append(("x", "y"))
    assert same_split(MINUTE_CP, False)[1]["w01001"]["Min"] == 7.1


# --------------------------------------------------- split_cp property ---
# CP texts as devices send them, and as they get them wrong: codes and
# sub-fields, numbers in every form the grammar allows and many it refuses,
# empty items, stray separators, whitespace, repeated keys, non-ASCII text.


def cp_texts(ascii_only: bool):
    digits = st.text("0123456789", min_size=1, max_size=12)
    sign = st.sampled_from(["", "+", "-"])
    exponent = st.one_of(st.just(""), st.tuples(st.sampled_from("eE"), sign, digits).map("".join))
    mantissa = st.one_of(
        digits,
        st.tuples(digits, st.just("."), st.text("0123456789", max_size=8)).map("".join),
        st.tuples(st.just("."), digits).map("".join),
    )
    invalid = [
        "", ".", "-", "+", "e5", "1e", "1e+", ".e1", "1..2", "1.2.3", "--1", "+-1", "nan",
        "inf", "-inf", "Infinity", "1_0", "0x1F", "1 ", " 1", "1d5", "N", "0b1", "'1'",
    ]  # fmt: skip
    numbers = [
        st.tuples(sign, mantissa, exponent).map("".join),
        st.floats(allow_nan=False).map(repr),
        st.integers(-(10**30), 10**30).map(str),
        st.sampled_from(invalid),
    ]
    junk_alphabet = " \t;,=-aZ09.eE+\x00\n'\"\\"
    top_keys = ["DataTime", "RtdInterval", "QnRtn", "BeginTime", "PolId", "k"]
    if not ascii_only:
        unicode_digits = st.text("0123456789٠١٢٣٤٥٦٧٨٩０１２３", min_size=1, max_size=4)
        numbers.append(
            st.tuples(sign, unicode_digits, st.sampled_from(["", ".", ".5", "e2"])).map("".join)
        )
        numbers.append(st.sampled_from(["١٢", "١.٥", "1e٣", "１０", "٣"]))
        junk_alphabet += "名٣é"
        top_keys.append("数据时间")
    number = st.one_of(numbers)
    junk = st.text(junk_alphabet, max_size=12)
    codes = st.one_of(
        st.sampled_from(["w01018", "a21026", "a34013", "SB1", "w00000", "a01012"]),
        st.text("aw0123456789SB", min_size=1, max_size=8),
    )
    subfields = st.sampled_from(
        [*sorted(_fields.NUMERIC_SUBFIELDS), "Flag", "EFlag", "SampleTime", "SN", "Info", "rtd"]
    )
    pad = st.text(" \t", max_size=2)
    value_junk = st.text(junk_alphabet.translate({ord(c): None for c in " \t;,\n"}), max_size=8)
    value = st.one_of(number, number, number, number, value_junk)
    pollutant = st.tuples(codes, st.lists(st.tuples(subfields, value), min_size=1, max_size=6))
    group = pollutant.map(lambda p: ",".join(f"{p[0]}-{sub}={v}" for sub, v in p[1]))
    top = st.tuples(st.sampled_from(top_keys), st.one_of(digits, value_junk)).map("=".join)
    # Mostly well-formed items, so that the texts get deep before any error.
    padded = st.tuples(pad, group, pad).map("".join)
    item = st.one_of(*[group] * 8, top, top, padded, junk)

    @st.composite
    def texts(draw):
        items = draw(st.lists(item, max_size=12))
        if items and draw(st.booleans()):  # repeated keys
            items += draw(st.lists(st.sampled_from(items), max_size=5))
        out = []
        for one in items:
            out.append(one)
            out.append(draw(st.sampled_from([";", ";", ",", ",", ";;", ",;"])))
        if out and draw(st.booleans()):
            out.pop()
        return "".join(out)

    return texts()


@settings(max_examples=600, deadline=None)
@given(cp_texts(ascii_only=True), st.booleans())
def test_split_cp_of_generated_ascii_cp_equals_reference(text, lenient):
    same_split(text, lenient)


@settings(max_examples=300, deadline=None)
@given(cp_texts(ascii_only=False), st.booleans())
def test_split_cp_of_generated_cp_with_non_ascii_equals_reference(text, lenient):
    same_split(text, lenient)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=80), st.booleans())
def test_split_cp_of_any_ascii_text_equals_reference(text, lenient):
    same_split(text, lenient)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.booleans())
def test_split_cp_of_any_text_equals_reference(text, lenient):
    same_split(text, lenient)
