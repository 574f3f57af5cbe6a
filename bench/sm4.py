"""Parse and encode speed of HJ 212-2025 SM4-encrypted frames against plaintext ones.

The frame is bench/codec.py's CN 2051 minute upload (six pollutants, ~500
bytes). Measured in this process, with whichever code path _accel chose
(ECOZONE_HJ212_PURE=1 forces pure Python):

  plaintext            parse(frame)
  plaintext, key given parse(frame, sm4_key=key): the cost of looking for '{0x'
  encrypted            parse(encrypted, sm4_key=key): text of the ciphertext to bytes,
                       SM4-ECB decryption (cryptography, OpenSSL), then as plaintext
  encode / encrypted   encode(packet) / encode(packet, sm4_key=key)

Each figure is the best and the median of several timed loops (time.perf_counter).

    python bench/sm4.py [--repeat 7] [--number 20000]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable

from codec import minute_packet  # bench/codec.py, beside this script
from ecozone.hj212 import ACCELERATED, encode, parse

KEY = b"0000000000000000"  # HJ 212-2025 Appendix A.2 test key


def rate(fn: Callable[[], object], number: int, repeat: int) -> tuple[float, float]:
    """(best, median) calls per second."""
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rates.append(number / (time.perf_counter() - start))
    return max(rates), statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--number", type=int, default=20_000)
    args = parser.parse_args()
    packet = minute_packet()
    plain = encode(packet)
    encrypted = encode(packet, sm4_key=KEY)
    assert parse(encrypted, sm4_key=KEY) == parse(plain)
    print(f"python {platform.python_version()}, accelerated={ACCELERATED}, "
          f"frame {len(plain)} bytes plaintext, {len(encrypted)} bytes encrypted")  # fmt: skip
    cases = {
        "parse plaintext": lambda: parse(plain),
        "parse plaintext, key given": lambda: parse(plain, sm4_key=KEY),
        "parse encrypted": lambda: parse(encrypted, sm4_key=KEY),
        "encode plaintext": lambda: encode(packet),
        "encode encrypted": lambda: encode(packet, sm4_key=KEY),
    }
    for name, fn in cases.items():
        best, median = rate(fn, args.number, args.repeat)
        print(f"{name:28s} {best:10,.0f} frames/s ({median:,.0f}), {1e6 / best:6.1f} µs/frame")


if __name__ == "__main__":
    main()
