# Splitting the CP data area into items, pure Python. The C accelerator's
# split_cp implements exactly this contract; tests run both on the same input.
#
# Strategy: ';' separates items and ',' separates the sub-fields of one code
# (HJ 212-2017 6.3.3.1), but every sub-field names its code ("w01018-Rtd"),
# so both separators can be treated alike. Keys with a '-' belong to a code;
# the others are top-level fields. Numeric sub-fields become floats.

from __future__ import annotations

from ecozone.hj212._fields import NUMBER_RE, NUMERIC_SUBFIELDS

SplitResult = tuple[
    list[tuple[str, str]],  # top-level fields in order
    dict[str, dict[str, float | str | None]],  # code -> sub-fields
    list[str],  # deviations tolerated
    str | None,  # the first error, if any
]


def split_cp(text: str, lenient: bool) -> SplitResult:
    """Split a CP data area (the text between 'CP=&&' and the closing '&&').

    Errors (strict and lenient): an item without '=', an empty key.
    Strict only: a non-numeric value in a numeric sub-field, a repeated key,
    whitespace around an item. Lenient mode keeps going and records them.
    """
    fields: list[tuple[str, str]] = []
    pollutants: dict[str, dict[str, float | str | None]] = {}
    deviations: list[str] = []
    if not text:
        return fields, pollutants, deviations, None
    seen_top: set[str] = set()
    for group in text.split(";"):
        for item in group.split(","):
            if not item:
                continue
            stripped = item.strip(" \t")
            if stripped != item:
                if not stripped:
                    continue
                if not lenient:
                    return fields, pollutants, deviations, f"whitespace around CP item {stripped!r}"
                deviations.append(f"whitespace around CP item {stripped!r}")
                item = stripped
            key, eq, value = item.partition("=")
            if not eq:
                return fields, pollutants, deviations, f"CP item {item!r} has no '='"
            if not key:
                return fields, pollutants, deviations, f"CP item {item!r} has no field name"
            code, dash, sub = key.partition("-")
            if dash:
                if not code or not sub:
                    return (
                        fields,
                        pollutants,
                        deviations,
                        f"CP item {item!r} has an empty code or sub-field",
                    )
                entry = pollutants.get(code)
                if entry is None:
                    entry = pollutants[code] = {}
                elif sub in entry:
                    if not lenient:
                        return fields, pollutants, deviations, f"CP field {key} appears twice"
                    deviations.append(f"CP field {key} appears twice; the last value is kept")
                if sub in NUMERIC_SUBFIELDS:
                    if NUMBER_RE.match(value):
                        entry[sub] = float(value)
                    else:
                        if not lenient:
                            return (
                                fields,
                                pollutants,
                                deviations,
                                f"{key}={value!r} is not a number",
                            )
                        deviations.append(f"{key}={value!r} is not a number; stored as empty")
                        entry[sub] = None
                else:
                    entry[sub] = value
            else:
                if key in seen_top:
                    if not lenient:
                        return fields, pollutants, deviations, f"CP field {key} appears twice"
                    deviations.append(f"CP field {key} appears twice; the last value is kept")
                seen_top.add(key)
                fields.append((key, value))
    return fields, pollutants, deviations, None
