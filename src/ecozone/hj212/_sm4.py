# HJ 212-2025 §6.4 data-area encryption: SM4 (GB/T 32907), ECB, no padding.
#
# Strategy: work on the bytes of the data segment, before any text decoding.
# The CP content (between 'CP=&&' and the closing '&&') is cut into 16-byte
# blocks; whole blocks are encrypted and written as '{0xE4,0x3E,...}', a tail
# shorter than 16 bytes stays plaintext after the '}' (Appendix A.2). The CRC
# and, in the standard's examples, the length field describe the plaintext
# segment, so decrypting first lets the rest of parse() run unchanged. The
# cipher itself is the `cryptography` package's SM4; nothing is hand-written.

from __future__ import annotations

import re

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ecozone.hj212._errors import KeyRequired, MalformedField

BLOCK = 16
KEY_LENGTH = 16
_CP_START = b"CP=&&"
_OPEN = b"{0x"
_BYTE = re.compile(rb"0[xX]([0-9A-Fa-f]{2})\Z")
_MN = re.compile(rb"MN=([^;,&]{1,27})[;,&]")


def encrypted_cn(cn: str) -> bool:
    """True for the commands whose data area is encrypted: CN 2000-2999, 1014, 3020 (§6.4.4)."""
    return cn in ("1014", "3020") or (len(cn) == 4 and cn.isdigit() and cn[0] == "2")


def check_key(key: bytes) -> bytes:
    key = bytes(key)
    if len(key) != KEY_LENGTH:
        raise ValueError(f"an SM4 key has 16 bytes, not {len(key)} (HJ 212-2025 §6.4.2)")
    return key


def _cipher(key: bytes) -> Cipher:
    return Cipher(algorithms.SM4(check_key(key)), modes.ECB())


def encrypt_blocks(key: bytes, plain: bytes) -> tuple[bytes, bytes]:
    """(ciphertext of the whole 16-byte blocks, the plaintext tail shorter than 16 bytes)."""
    whole = len(plain) - len(plain) % BLOCK
    encryptor = _cipher(key).encryptor()
    return encryptor.update(plain[:whole]) + encryptor.finalize(), plain[whole:]


def decrypt_blocks(key: bytes, cipher_bytes: bytes) -> bytes:
    decryptor = _cipher(key).decryptor()
    return decryptor.update(cipher_bytes) + decryptor.finalize()


def is_encrypted(data: bytes) -> bool:
    """Whether a data segment carries an SM4-encrypted CP ('CP=&&{0x...')."""
    at = data.find(_CP_START)
    return at >= 0 and data.startswith(_OPEN, at + len(_CP_START))


def encrypt_segment(key: bytes, data: bytes) -> bytes:
    """The transmitted form of a plaintext data segment (Appendix A.2)."""
    at = data.find(_CP_START)
    if at < 0 or not data.endswith(b"&&"):
        raise MalformedField("no 'CP=&&...&&' data area to encrypt")
    start = at + len(_CP_START)
    cipher_bytes, tail = encrypt_blocks(key, data[start:-2])
    if not cipher_bytes:
        return data  # shorter than one block: all of it stays plaintext
    written = b"{0x" + cipher_bytes.hex(",").upper().encode("ascii").replace(b",", b",0x") + b"}"
    return data[:start] + written + tail + b"&&"


def decrypt_segment(data: bytes, key: bytes | None, offset: int) -> bytes:
    """The plaintext data segment of a transmitted one whose CP is encrypted.

    `offset` is where `data` starts in the frame, for error messages. Without
    a key the frame cannot be read: KeyRequired names the MN when the header
    shows it.
    """
    at = data.find(_CP_START)
    start = at + len(_CP_START)
    if key is None:
        found = _MN.search(data, 0, at)
        mn = found.group(1).decode("ascii", "replace") if found else None
        raise KeyRequired(
            "frame is SM4-encrypted (HJ 212-2025 §6.4); the device's key is needed to read it",
            offset=offset + start,
            mn=mn,
        )
    close = data.find(b"}", start)
    if close < 0 or not data.endswith(b"&&") or close > len(data) - 2:
        raise MalformedField("encrypted CP has no closing '}'", offset=offset + start)
    cipher_bytes = _read_bytes(data[start + 1 : close], offset + start)
    if len(cipher_bytes) % BLOCK:
        raise MalformedField(
            f"encrypted CP holds {len(cipher_bytes)} bytes, not whole 16-byte SM4 blocks",
            offset=offset + start,
        )
    plain = decrypt_blocks(key, cipher_bytes)
    return data[:start] + plain + data[close + 1 :]


def _read_bytes(text: bytes, offset: int) -> bytes:
    """The bytes written '0xE4,0x3E,...': items of 5 characters, checked by slicing
    (every 5th character from 0 is '0', from 1 'x', from 4 ','), hex by bytes.fromhex."""
    n = (len(text) + 1) // 5
    digits = bytearray(2 * n)
    digits[0::2], digits[1::2] = text[2::5], text[3::5]
    if (
        n
        and len(text) == 5 * n - 1
        and text[0::5] == b"0" * n
        and text[1::5].lower() == b"x" * n
        and text[4::5] == b"," * (n - 1)
    ):
        try:
            return bytes.fromhex(digits.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            pass
    _name_bad_item(text, offset)
    raise AssertionError("unreachable")


def _name_bad_item(text: bytes, offset: int) -> None:
    for i, item in enumerate(text.split(b",")):
        if _BYTE.match(item) is None:
            raise MalformedField(
                f"encrypted CP item {i + 1} {item[:8]!r} is not 0xHH", offset=offset
            )
    raise MalformedField("encrypted CP is not a list of 0xHH bytes", offset=offset)
