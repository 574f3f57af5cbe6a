"""HJ 212-2025 §6.4 SM4 encryption of the data area, against the standard's own examples.

The Appendix A.2 frames below are the standard's text (key: sixteen 0x30
bytes). Their ciphertext is checked against the GB/T 32907 SM4 vector and
against the codec, and their CRC with the independent reference CRC.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from tests.hj212.vectors import reference_crc

from ecozone import hj212
from ecozone.hj212 import CrcMismatch, KeyRequired, ProtocolError
from ecozone.hj212._sm4 import encrypt_segment

TEST_KEY = bytes([0x30] * 16)  # Appendix A.2: "密钥使用16个0x30"
HEADER = "QN=20240520210700000;ST=31;CN=2051;PW=123456;MN=010000A8900016F000169DC0;Flag=9;CP=&&"

# Appendix A.2, example with a CP of 13 whole blocks (208 characters, no plaintext tail).
A2_PLAIN_CP = (
    "DataTime=20240520210600;a01011-Min=1.35,a01011-Avg=1.35,a01011-Max=1.35,a01011-Flag=N;"
    "a01012-Min=9.3,a01012-Avg=9.3,a01012-Max=9.3,a01012-Flag=N;"
    "a01014-Min=3.20,a01014-Avg=3.211,a01014-Max=3.212,a01014-Flag=N"
)
A2_CIPHER = bytes.fromhex(
    "E4 3E 15 9A CF AB 24 2C B5 31 55 FB 8B 92 81 A1 A2 42 57 7A BF AE D8 81 BE 88 B7 2D 69 FC 55 ED "
    "1A 80 11 9F AA C8 B3 CD 33 D2 85 CC 76 F5 7F 2C A7 F8 8B 95 73 C6 64 7E 0F 07 E2 46 09 BD 6B 63 "
    "EB 20 C5 B9 78 4F 28 E7 1D 2F 49 94 FF 61 D9 E1 C2 B3 07 55 92 B4 D1 E0 9C 4D 8B B2 7B E9 7B 55 "
    "9E 3D A6 64 37 81 A6 F4 77 76 9D EE B0 09 B1 0D FF F3 42 69 22 72 5D 60 7D C4 48 0F 0C AC 5F 70 "
    "DB 25 87 B1 24 BC B2 81 59 27 21 D6 E4 BC 18 0A 97 E5 E1 11 49 9C BE 82 2E 31 C8 D7 76 15 53 54 "
    "3A A2 42 07 C2 90 99 7B BD E6 4F 92 66 BC 5F 52 9A 17 2E 38 1C 1D 89 8C A1 A0 D7 71 A9 14 A7 B2 "
    "D7 46 7C 70 B9 4F 1D 4A 7B 03 50 A4 8D BF 8B 41"
)
# Appendix A.2, example whose CP (147 characters) ends in a 3-character plaintext tail "g=N".
A4_PLAIN_CP = (
    "DataTime=20240520210600;a01011-Min=1.35,a01011-Avg=1.35,a01011-Max=1.35,a01011-Flag=N;"
    "a01014-Min=3.20,a01014-Avg=3.20,a01014-Max=3.20,a01014-Flag=N"
)
A4_CIPHER = A2_CIPHER[:80] + bytes.fromhex(
    "3B 39 1A 1D 2A 45 4B 65 38 8D 5D 94 35 DB F0 21 52 8C 7B F9 75 5E F1 65 18 71 0C 0C AC 0A DE F9 "
    "C5 15 6C D0 A5 A1 76 74 AC 0E D2 AB C4 00 23 E9 EF 70 12 85 54 B8 24 38 E9 1A DC E9 8A 0D 03 A4"
)


def _written(cipher: bytes) -> str:
    return "{" + ",".join(f"0x{byte:02X}" for byte in cipher) + "}"


# As printed: the length field is the plaintext segment's (0295, 0234), the CRC the plaintext's.
A2_FRAME = f"##0295{HEADER}{_written(A2_CIPHER)}&&2200\r\n".encode()
A4_FRAME = f"##0234{HEADER}{_written(A4_CIPHER)}g=N&&B541\r\n".encode()


def test_sm4_of_the_cryptography_package_matches_the_gb_t_32907_vector():
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert encryptor.update(key) + encryptor.finalize() == bytes.fromhex(
        "681edf34d206965e86b3e94f536e4246"
    )


def test_appendix_a2_lengths_and_crcs_are_those_of_the_plaintext_segment():
    plain2 = (HEADER + A2_PLAIN_CP + "&&").encode()
    plain4 = (HEADER + A4_PLAIN_CP + "&&").encode()
    # 85 header characters + 208 + 2 = 295 (whole blocks); 85 + 147 + 2 = 234 (9 blocks + "g=N").
    assert len(HEADER) == 85
    assert len(plain2) == 295 and len(A2_CIPHER) == 13 * 16
    assert len(plain4) == 234 and len(A4_CIPHER) == 9 * 16 and len(A4_PLAIN_CP) == 9 * 16 + 3
    assert (reference_crc(plain2), reference_crc(plain4)) == (0x2200, 0xB541)


@pytest.mark.parametrize(
    ("raw", "cp_text", "so2_code"),
    [(A2_FRAME, A2_PLAIN_CP, "a01012"), (A4_FRAME, A4_PLAIN_CP, "a01014")],
)
def test_standard_encrypted_examples_decrypt(raw, cp_text, so2_code):
    packet = hj212.parse(raw, sm4_key=TEST_KEY)
    assert packet.encrypted
    assert packet.cn == "2051" and packet.mn == "010000A8900016F000169DC0"
    assert packet.cp.data_time == datetime(2024, 5, 20, 21, 6)
    assert packet.cp.pollutants["a01011"] == {"Min": 1.35, "Avg": 1.35, "Max": 1.35, "Flag": "N"}
    assert so2_code in packet.cp.pollutants
    # The decrypted packet is the plaintext one.
    plain = f"##{len(HEADER) + len(cp_text) + 2:04d}{HEADER}{cp_text}&&".encode()
    plain += f"{reference_crc(plain[6:]):04X}\r\n".encode()
    assert packet == hj212.parse(plain)


@pytest.mark.parametrize(("raw", "cp_text"), [(A2_FRAME, A2_PLAIN_CP), (A4_FRAME, A4_PLAIN_CP)])
def test_encryption_writes_the_standards_encrypted_form(raw, cp_text):
    plain = (HEADER + cp_text + "&&").encode()
    assert encrypt_segment(TEST_KEY, plain) == raw[6:-6]


def test_encode_encrypts_what_it_would_send_in_plaintext():
    # The encoder writes 3.2 for the standard's "3.20", so compare with its own plaintext.
    packet = hj212.parse(A4_FRAME, sm4_key=TEST_KEY)
    plain = hj212.encode(packet)
    sent = hj212.encode(packet, sm4_key=TEST_KEY)
    assert sent[:6] == plain[:6] and sent[-6:] == plain[-6:]  # plaintext length and CRC
    assert sent[6:-6] == encrypt_segment(TEST_KEY, plain[6:-6])
    assert hj212.parse(sent, sm4_key=TEST_KEY) == packet


def test_length_field_counting_the_transmitted_segment_is_accepted_too():
    # The standard's own frame, with the length of what is transmitted written instead.
    transmitted = len(A4_FRAME) - 6 - 4 - 2  # '##' + length, CRC, CR LF
    assert transmitted == 234 - 144 + len(_written(A4_CIPHER))
    raw = b"##%04d" % transmitted + A4_FRAME[6:]
    assert hj212.parse(raw, sm4_key=TEST_KEY) == hj212.parse(A4_FRAME, sm4_key=TEST_KEY)
    packet = hj212.parse(A4_FRAME, sm4_key=TEST_KEY)
    sent = hj212.encode(packet, sm4_key=TEST_KEY, length_counts="transmitted")
    assert sent[2:6] == b"%04d" % (len(sent) - 12)
    assert hj212.parse(sent, sm4_key=TEST_KEY) == packet


def test_encrypted_frame_without_a_key_says_the_key_is_needed():
    with pytest.raises(KeyRequired, match=r"SM4-encrypted.*key is needed") as err:
        hj212.parse(A2_FRAME, lenient=True)
    assert isinstance(err.value, ProtocolError)
    assert err.value.mn == "010000A8900016F000169DC0"


def test_wrong_key_gives_a_crc_error():
    with pytest.raises(CrcMismatch):
        hj212.parse(A2_FRAME, sm4_key=b"1" * 16)
    with pytest.raises(CrcMismatch):
        hj212.parse(A4_FRAME, sm4_key=b"0000000000000001", lenient=True)


def test_plaintext_frame_parses_with_a_key_and_is_not_marked_encrypted():
    packet = hj212.parse(A2_FRAME, sm4_key=TEST_KEY)
    plain = hj212.encode(packet)
    assert not hj212.parse(plain, sm4_key=TEST_KEY).encrypted


def test_only_data_commands_1014_and_3020_are_encrypted():
    # §6.4.4: CN 2000-2999, 1014 and 3020.
    assert all(hj212.encrypted_cn(cn) for cn in ("2011", "2051", "2999", "1014", "3020"))
    assert not any(hj212.encrypted_cn(cn) for cn in ("9014", "9015", "1011", "3019", "1001"))
    beat = hj212.heartbeat(mn="010000A8900016F000169DC0", pw="123456", st="31",
                           qn="20240520210700000")  # fmt: skip
    assert hj212.encode(beat, sm4_key=TEST_KEY) == hj212.encode(beat)


def test_cp_shorter_than_one_block_stays_plaintext():
    packet = hj212.new_secret_key("ABCDEFGHIJKLMNOP", datetime(2026, 1, 1), mn="A110000_0001",
                                  pw="123456", st="32", qn="20260101000000000")  # fmt: skip
    frame = hj212.encode(packet, sm4_key=TEST_KEY)
    assert b"{0x" in frame  # 44 characters: two blocks and a plaintext tail
    back = hj212.parse(frame, sm4_key=TEST_KEY, lenient=True)
    assert back.cp.fields["NewSK"] == "ABCDEFGHIJKLMNOP" and back.encrypted
    short = hj212.data_response(back)  # 9014 is never encrypted
    assert b"{0x" not in hj212.encode(short, sm4_key=TEST_KEY)


def test_malformed_ciphertext_is_named():
    bad = A4_FRAME.replace(b"0xE4,", b"0xZZ,", 1)
    with pytest.raises(ProtocolError, match="is not 0xHH"):
        hj212.parse(bad, sm4_key=TEST_KEY)
    short = A4_FRAME.replace(b"0x03,0xA4}", b"0x03}")
    with pytest.raises(ProtocolError, match="whole 16-byte SM4 blocks"):
        hj212.parse(short, sm4_key=TEST_KEY)
