# Picks the hot-path functions: the C accelerator when it was built, the pure
# Python ones otherwise. Both give identical results (tests check this);
# ECOZONE_HJ212_PURE=1 forces the pure-Python path.

from __future__ import annotations

import os

from ecozone.hj212 import _cp, _crc

crc16 = _crc.crc16
crc16_modbus = _crc.crc16_modbus
split_cp = _cp.split_cp
ACCELERATED = False

if os.environ.get("ECOZONE_HJ212_PURE") != "1":
    try:
        from ecozone.hj212 import _speedups
    except ImportError:  # no compiler at install time: stay on pure Python
        pass
    else:
        crc16 = _speedups.crc16
        crc16_modbus = _speedups.crc16_modbus
        split_cp = _speedups.split_cp
        ACCELERATED = True
