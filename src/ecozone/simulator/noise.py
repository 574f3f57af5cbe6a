# Deterministic randomness for the simulator: every number is a hash of its key.
#
# Strategy: a key is a blake2b hash of (seed, MN, what); counters are mixed into it
# with splitmix64, so any sample can be computed alone and in any order, scalar or
# vectorised with numpy, and gives the same value every time.

from __future__ import annotations

import hashlib
import math
from functools import lru_cache

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


@lru_cache(maxsize=65536)
def key(*parts: object) -> int:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def mix_int(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def u(key: int, *counters: int) -> float:
    """A uniform number in [0, 1) for (key, counters): splitmix64 over the counters."""
    x = key
    for counter in counters:
        x = mix_int((x + (counter & _MASK) * _GOLDEN) & _MASK)
    return (x >> 11) / 9007199254740992.0


def unit(key: int, counters: np.ndarray) -> np.ndarray:
    x = counters.astype(np.uint64) * np.uint64(_GOLDEN) + np.uint64(key)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def gauss(key: int, counters: np.ndarray) -> np.ndarray:
    """Standard normal numbers, Box-Muller over two hashed uniforms."""
    u1 = unit(key, counters)
    u2 = unit(key ^ 0x5851F42D4C957F2D, counters)
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


def smooth(key: int, t: np.ndarray, period_s: int) -> np.ndarray:
    """Slowly varying noise: normal values at knots `period_s` apart, eased between."""
    k = t // period_s
    frac = (t - k * period_s) / period_s
    first = int(k.min())
    knots = gauss(key, np.arange(first, int(k.max()) + 2, dtype=np.int64))
    a = knots[k - first]
    b = knots[k - first + 1]
    return a + (b - a) * (0.5 - 0.5 * np.cos(np.pi * frac))


def scale(key: int, sigma: float) -> float:
    """A device's own factor around 1 (log-normal, clipped to 0.5..2)."""
    u1, u2 = u(key, 1), u(key, 2)
    g = math.sqrt(-2.0 * math.log1p(-u1)) * math.cos(2.0 * math.pi * u2)
    return min(2.0, max(0.5, math.exp(sigma * g)))


class Keys:
    def __init__(self, seed: int, mn: str):
        self.seed = seed
        self.mn = mn

    def __call__(self, *what: object) -> int:
        return key(self.seed, self.mn, *what)
