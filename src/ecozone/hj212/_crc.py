# CRC of HJ 212 data segments, pure Python. The C accelerator (_speedups)
# gives identical results and is used when it was built.
#
# HJ 212-2017 Appendix A shifts the register right by 8 *before* XOR-ing the
# byte in (crc = (crc >> 8) ^ byte), unlike CRC-16/MODBUS (crc ^= byte). The
# register after a byte therefore depends only on (crc >> 8) ^ byte, one table
# lookup. Real devices also send plain CRC-16/MODBUS; that variant is kept
# here for lenient parsing.

from __future__ import annotations


def _build_table() -> tuple[int, ...]:
    table = []
    for value in range(256):
        crc = value
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _build_table()


def crc16(data: bytes) -> int:
    """The HJ 212 CRC of a data segment (HJ 212-2017 Appendix A, register 0xFFFF, poly 0xA001)."""
    crc = 0xFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc >> 8) ^ byte]
    return crc


def crc16_modbus(data: bytes) -> int:
    """Plain CRC-16/MODBUS, which some devices send instead of the HJ 212 variant."""
    crc = 0xFFFF
    table = _TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


def swap_bytes(value: int) -> int:
    return ((value & 0xFF) << 8) | (value >> 8)
