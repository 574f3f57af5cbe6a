"""How a stored value is printed: decimals per pollutant and the rounding rule.

Pure functions. The decimals come from the data type HJ 212-2017 App. B gives each
code (N5.2: two decimals, N4: none); values shown in another unit than the one sent
(an air station's µg/m3) follow GB 3095-2012's reporting (µg/m3 whole, CO mg/m3 one
decimal). Rounding is GB/T 8170-2008's (round half to even), done on the decimal text.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from ecozone.hj212 import codes


def data_type_decimals(data_type: str | None) -> int | None:
    """Decimals of an HJ 212-2017 6.3.3.2.2 data type: "N5.2" -> 2, "N4" -> 0, None -> None."""
    if not data_type or not data_type.startswith("N"):
        return None
    _, dot, decimals = data_type.partition(".")
    return int(decimals) if dot and decimals.isdigit() else 0


def display_decimals(
    code: str,
    *,
    rescaled_unit: str | None = None,
    default: int = 3,
    overrides: Mapping[str, int] | None = None,
) -> int:
    """Decimals a value of `code` is printed with.

    A setting for the code wins; a value rescaled for display (`rescaled_unit`, an air
    station's GB 3095-2012 unit) is printed whole in µg/m3 and with one decimal in mg/m3
    (CO); otherwise the code's App. B data type decides, and `default` where it gives none.
    """
    if overrides and code in overrides:
        return overrides[code]
    if rescaled_unit is not None:
        return 1 if rescaled_unit == "mg/m3" else 0
    found = codes.pollutant(code)
    decimals = data_type_decimals(found.data_type if found is not None else None)
    return default if decimals is None else decimals


def round_as_printed(value: float | None, decimals: int) -> float | None:
    """`value` rounded to `decimals` half to even on its shortest decimal text (GB/T 8170-2008
    4.3: 0.125 -> 0.12, 0.135 -> 0.14 at two decimals); None, NaN and infinities stay None."""
    if value is None:
        return None
    try:
        exact = Decimal(repr(float(value)))
        if not exact.is_finite():
            return None
        return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN))
    except (InvalidOperation, ValueError, OverflowError):
        return None


def print_value(value: float | None, decimals: int) -> str:
    """`value` as the standard prints it: fixed decimals ("35.20"), "" when missing."""
    rounded = round_as_printed(value, decimals)
    if rounded is None:
        return ""
    return f"{rounded + 0.0:.{decimals}f}"  # + 0.0 turns -0.0 into 0.0
