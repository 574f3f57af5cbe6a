"""Pure registry rules: credit codes (GB 32100-2015), MNs, outlet codes, registry files."""

from __future__ import annotations

import pytest

from ecozone.registry.model import DEFAULT_ZONE, PointKind
from ecozone.registry.rules import (
    CREDIT_CODE_CHARSET,
    CREDIT_CODE_WEIGHTS,
    check_credit_code,
    check_mn,
    check_point_code,
    check_reference_o2,
    check_st,
    credit_code_check_char,
    mask_frame_secrets,
    mn_is_standard,
    outlet_code_is_standard,
    parse_registry,
)

VALID = "91500000MA5U7AH918"


def test_weights_are_powers_of_3_mod_31() -> None:
    assert CREDIT_CODE_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_credit_code_91500000MA5U7AH918_is_valid_by_the_gb32100_arithmetic() -> None:
    # value of each character = its index in 0123456789ABCDEFGHJKLMNPQRTUWXY
    #   9 1 5 0 0 0 0 0 M  A  5 U  7 A  H  9 1
    #   9 1 5 0 0 0 0 0 21 10 5 27 7 10 17 9 1
    values = [9, 1, 5, 0, 0, 0, 0, 0, 21, 10, 5, 27, 7, 10, 17, 9, 1]
    assert values == [CREDIT_CODE_CHARSET.index(c) for c in VALID[:17]]
    # products with the weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28:
    # 9 + 3 + 45 + 0 + 0 + 0 + 0 + 0 + 420 + 290 + 125 + 351 + 56 + 240 + 170 + 270 + 28
    total = 9 + 3 + 45 + 420 + 290 + 125 + 351 + 56 + 240 + 170 + 270 + 28
    assert total == 2007
    assert total % 31 == 23  # 2007 = 64 * 31 + 23
    assert 31 - 23 == 8  # check value 8, which is the character '8'
    assert credit_code_check_char(VALID[:17]) == "8" == VALID[17]
    assert check_credit_code(VALID) is None


def test_credit_code_with_a_wrong_check_character_names_expected_and_given() -> None:
    assert check_credit_code("91500000MA5U7AH919") == (
        "credit code 91500000MA5U7AH919: bad check character: expected 8 got 9"
    )


def test_a_check_value_of_31_becomes_0() -> None:
    # all zeros: sum 0, 0 mod 31 = 0, 31 - 0 = 31, which wraps to 0 -> '0'
    assert credit_code_check_char("0" * 17) == "0"
    # "1" then zeros: sum 1 * 1 = 1, 31 - 1 = 30 -> charset[30] = 'Y'
    assert credit_code_check_char("1" + "0" * 16) == "Y"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91500000MA5U7AH9I8", "bad character 'I' at position 17; I, O, S, V and Z are not used"),
        ("9150000OMA5U7AH918", "bad character 'O' at position 8; I, O, S, V and Z are not used"),
        ("91500000ma5u7ah918", "letters are upper case"),
    ],
)
def test_credit_code_with_letters_outside_the_charset_names_their_positions(
    code: str, message: str
) -> None:
    problem = check_credit_code(code)
    assert problem is not None and message in problem


@pytest.mark.parametrize("code", [VALID[:17], VALID + "0", ""])
def test_credit_code_of_other_than_18_characters_is_rejected_for_its_length(code: str) -> None:
    assert check_credit_code(code) == (
        f"credit code {code!r} has {len(code)} characters; GB 32100-2015 codes have 18"
    )


def test_credit_code_positions_3_to_8_must_be_digits() -> None:
    problem = check_credit_code("9150A000MA5U7AH918")
    assert problem is not None and "positions 3-8 (administrative division code)" in problem


def test_pilot_region_code_fails_the_check_character_but_is_otherwise_well_formed() -> None:
    pilot = "91350100M0001TGQXM"  # legal code from an early pilot region
    assert check_credit_code(pilot) == (
        "credit code 91350100M0001TGQXM: bad check character: expected 1 got M"
    )
    assert check_credit_code(pilot, verify_check_char=False) is None


def test_mn_of_24_hex_characters_is_standard() -> None:
    mn = "010000A8900016F000169DC0"  # HJ 212-2017 appendix example
    assert check_mn(mn) is None and mn_is_standard(mn)


def test_mn_of_14_digits_is_accepted_but_not_standard() -> None:
    assert check_mn("88888880000001") is None
    assert not mn_is_standard("88888880000001")


@pytest.mark.parametrize(
    ("mn", "message"),
    [
        ("", "MN is empty"),
        ("0" * 28, f"MN {'0' * 28} has 28 characters; at most 27 are allowed"),
        ("8888/888", "MN 8888/888: bad character '/' at position 5"),
        ("A11 0001", "MN A11 0001: bad character ' ' at position 4"),
        (88888880000001, "MN must be text"),
    ],
)
def test_malformed_mn_is_refused_with_the_reason(mn, message: str) -> None:
    problem = check_mn(mn)
    assert problem is not None and problem.startswith(message)


@pytest.mark.parametrize("mn", ["A110000_0001", "JLYP01_AIR01_0001", "ST-01.A", "A" * 27])
def test_field_mns_with_underscore_dash_dot_up_to_27_are_accepted_but_not_standard(mn) -> None:
    assert check_mn(mn) is None
    assert not mn_is_standard(mn)


def test_lowercase_hex_mn_is_accepted_but_not_standard() -> None:
    assert check_mn("010000a8900016f000169dc0") is None
    assert not mn_is_standard("010000a8900016f000169dc0")


@pytest.mark.parametrize(
    ("code", "kind", "standard"),
    [
        ("DA001", PointKind.FLUE_GAS, True),
        ("DW001", PointKind.WASTEWATER, True),
        ("DW001", PointKind.FLUE_GAS, False),
        ("FQ-01", PointKind.FLUE_GAS, False),
        ("DA1", PointKind.FLUE_GAS, False),
        ("CQ-LJ-01", PointKind.AMBIENT_AIR, True),
    ],
)
def test_outlet_codes_follow_the_permit_pattern_for_their_kind(code, kind, standard) -> None:
    assert check_point_code(code) is None
    assert outlet_code_is_standard(code, kind) is standard


def test_point_code_with_spaces_is_refused() -> None:
    assert check_point_code("DA 001") is not None


@pytest.mark.parametrize("value", [0, 6.0, 20.99])
def test_reference_o2_from_0_to_below_21_is_accepted(value: float) -> None:
    assert check_reference_o2(value) is None


@pytest.mark.parametrize("value", [21, 21.0, -0.1, True, "6", float("nan")])
def test_reference_o2_of_21_or_more_negative_or_not_a_number_is_refused(value) -> None:
    assert check_reference_o2(value) is not None


@pytest.mark.parametrize(("st", "ok"), [("31", True), ("A0", True), ("3", False), ("a1", False)])
def test_st_is_two_characters_0_9_a_z(st: str, ok: bool) -> None:
    assert (check_st(st) is None) is ok


def test_registry_file_defaults_zone_device_st_and_flags() -> None:
    document, errors, _ = parse_registry(
        {
            "districts": ["两江新区"],
            "enterprises": [
                {
                    "credit_code": " 91500000ma5u7ah918 ",
                    "name": "E",
                    "district": "两江新区",
                    "points": [
                        {"code": "DW001", "name": "总排口", "kind": "wastewater",
                         "device": {"mn": "88888880000002", "password": "123456"}},
                    ],
                }
            ],
        }
    )  # fmt: skip
    assert errors == []
    assert document.zone == DEFAULT_ZONE
    (enterprise,) = document.enterprises
    assert enterprise.credit_code == VALID and enterprise.credit_code_verified
    device = enterprise.points[0].device
    assert device is not None and device.st == "32" and device.lenient is False


def test_registry_file_reports_unknown_keys_with_a_suggestion() -> None:
    _, errors, _ = parse_registry(
        {"enterprises": [{"credit_code": VALID, "name": "E", "district": "D", "adress": "x"}]}
    )
    assert errors == ["enterprises[0]: unknown key 'adress' (did you mean 'address'?)"]


def test_registry_file_reports_numbers_where_codes_must_be_quoted() -> None:
    _, errors, _ = parse_registry(
        {
            "enterprises": [
                {"credit_code": VALID, "name": "E", "district": "D",
                 "points": [{"code": "DA001", "name": "P", "kind": "flue_gas",
                             "device": {"mn": 88888880000001, "password": 123456, "st": 31}}]},
            ]
        }
    )  # fmt: skip
    assert errors == [
        'enterprises[0].points[0].device.mn: must be text; write it in quotes: mn: "88888880000001"',
        "enterprises[0].points[0].device.password: must be text; write it in quotes"
        " (the file gives 123456, a int)",
        'enterprises[0].points[0].device.st: ST must be text such as "31", not int 31',
    ]


def test_registry_file_that_is_not_a_mapping_is_refused() -> None:
    _, errors, _ = parse_registry(["not", "a", "mapping"])
    assert len(errors) == 1 and errors[0].startswith("registry file: expected a mapping")


def _one_device(**device) -> dict:
    return {"enterprises": [{"credit_code": VALID, "name": "E", "district": "D",
                             "points": [{"code": "DA001", "name": "P", "kind": "flue_gas",
                                         "device": {"mn": "88888880000001", **device}}]}]}  # fmt: skip


def test_a_device_password_the_codec_cannot_carry_is_refused_in_the_file() -> None:
    _, errors, _ = parse_registry(_one_device(password="a;b"))
    assert errors == [
        "enterprises[0].points[0].device.password: password must be printable and hold none"
        " of ; , = &"
    ]


def test_a_left_out_or_masked_secret_means_keep_the_stored_one() -> None:
    for device in ({}, {"password": "******", "sm4_key": "******"}):
        document, errors, _ = parse_registry(_one_device(**device))
        assert errors == []
        spec = document.enterprises[0].points[0].device
        assert spec is not None and spec.password is None and spec.keep_sm4_key
    document, _, _ = parse_registry(_one_device(password="123456", sm4_key=None))
    spec = document.enterprises[0].points[0].device
    assert spec is not None and spec.password == "123456" and not spec.keep_sm4_key


@pytest.mark.parametrize(
    ("frame", "shown"),
    [
        ("QN=20240501110000000;ST=31;CN=2011;PW=123456;MN=88888880000001;CP=&&a21026-Rtd=1&&",
         "QN=20240501110000000;ST=31;CN=2011;PW=******;MN=88888880000001;CP=&&a21026-Rtd=1&&"),
        ("##0101PW=x;MN=1", "##0101PW=******;MN=1"),  # PW right after the length
        ("ST=31;PW=;MN=1", "ST=31;PW=******;MN=1"),  # an empty password is masked too
        ("CN=1072;PW=a;CP=&&NewPW=b&&", "CN=1072;PW=******;CP=&&NewPW=******&&"),
        ("CN=1014;PW=a;CP=&&NewSK=0000000000000000&&", "CN=1014;PW=******;CP=&&NewSK=******&&"),
        ("CP=&&a21026-Rtd=1,XPW=2&&", "CP=&&a21026-Rtd=1,XPW=2&&"),  # another key
        ("ST=31;PW=abc", "ST=31;PW=******"),  # a cut frame
    ],
)  # fmt: skip
def test_frame_secrets_are_masked_and_the_rest_kept(frame: str, shown: str) -> None:
    assert mask_frame_secrets(frame) == shown
