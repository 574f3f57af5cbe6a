"""Pure validation of permit files: `{"permits": [...]}` as loaded from YAML or JSON.

One reader walks the file and collects every error and warning by its path
(permits[0].outlets[1].limits[2].basis), so a file is refused whole with all its problems
named at once; `check_against_registry` then judges the parsed permits against the stored
registry. No I/O: the service loads the registry and writes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from ecozone.compliance.model import (
    LimitBasis,
    LimitSpec,
    OutletSpec,
    PermitClass,
    PermitSpec,
)
from ecozone.datafile import FileReader
from ecozone.hj212 import codes
from ecozone.safeyaml import brief

PERMIT_NO_MAX = 40
UNIT_MAX = 16
STANDARD_MAX = 100
_PERMIT_NO = re.compile(r"[0-9A-Z]{1,40}")
_TOP_KEYS = ("permits",)
_PERMIT_KEYS = ("permit_no", "credit_code", "class", "valid_from", "valid_to", "outlets")
# What `permit list` prints besides the file's fields, so its output re-imports as is;
# read and ignored (the registry names the enterprise, the dates decide the status).
_LISTED_KEYS = ("enterprise", "status")
_OUTLET_KEYS = ("code", "limits")
_LIMIT_KEYS = ("pollutant", "limit", "unit", "basis", "standard", "annual_cap_t")
#: 排污许可管理条例 (2021) art. 14: a permit is valid for 5 years.
PERMIT_TERM_YEARS = 5

_Spec = TypeVar("_Spec", PermitSpec, OutletSpec, LimitSpec)
_Choice = TypeVar("_Choice", PermitClass, LimitBasis)


class _Reader(FileReader):
    """Collects every error and warning while reading one permit file."""

    def first_of_each(
        self,
        parsed: Iterable[_Spec | None],
        *,
        key: Callable[[_Spec], Hashable],
        field: str,
        repeated: Callable[[_Spec], str],
    ) -> list[_Spec]:
        """The parsed entries (None: unreadable, skipped) whose key no earlier entry had;
        each repeat is an error at its path + `field` naming where the first one is.
        `parsed` is consumed lazily, so errors stay in the file's order."""
        seen: dict[Hashable, str] = {}
        out: list[_Spec] = []
        for spec in parsed:
            if spec is None:
                continue
            if key(spec) in seen:
                self.error(f"{spec.path}{field}", f"{repeated(spec)} at {seen[key(spec)]}")
                continue
            seen[key(spec)] = spec.path
            out.append(spec)
        return out

    def choice(
        self, node: Mapping[str, Any], key: str, path: str, kind: type[_Choice], allowed: str
    ) -> _Choice | None:
        """The member of the enum `kind` named at `key` (required); `allowed` lists them."""
        where, value = self.given(node, key, path, required=True)
        if value is None:
            return None
        if value not in [member.value for member in kind]:
            self.error(where, f"{brief(value)} is not {allowed}")
            return None
        return kind(value)

    def given(
        self, node: Mapping[str, Any], key: str, path: str, *, required: bool
    ) -> tuple[str, Any]:
        """Where `key` is (path.key) and its value, None when absent (an error if required)."""
        where = f"{path}.{key}"
        value = node.get(key)
        if value is None and required:
            self.error(where, "missing")
        return where, value

    def number(
        self, node: Mapping[str, Any], key: str, path: str, *, required: bool
    ) -> float | None:
        where, value = self.given(node, key, path, required=required)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.error(where, f"must be a number, not {brief(value)}")
            return None
        if value <= 0:
            self.error(where, f"must be greater than 0, not {value}")
            return None
        return float(value)

    def day(self, node: Mapping[str, Any], key: str, path: str) -> date | None:
        where, value = self.given(node, key, path, required=True)
        if value is None:
            return None
        if isinstance(value, datetime):
            self.error(where, f"must be a date such as 2024-01-01, not a time ({value})")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.error(where, f"{brief(value)} is not a date; write it as YYYY-MM-DD")
        return None


def parse_permits(data: Any) -> tuple[list[PermitSpec], list[str], list[str]]:
    """Read a permit file's data (as loaded from YAML or JSON): `{"permits": [...]}`.

    Returns the permits that parsed, every error prefixed by its path (e.g.
    `permits[0].outlets[1].limits[2].basis`) and warnings. The data is fit for
    writing only when no error is returned.
    """
    reader = _Reader()
    top = reader.mapping(data, "permit file", _TOP_KEYS)
    if top is None:
        return [], reader.errors, reader.warnings
    raw_permits = reader.items(top, "permits", "")
    if not raw_permits and "permits" not in top:
        reader.error("permits", "missing")
    permits = reader.first_of_each(
        (_parse_permit(reader, raw, f"permits[{i}]") for i, raw in enumerate(raw_permits)),
        key=lambda spec: spec.permit_no,
        field=".permit_no",
        repeated=lambda spec: f"{spec.permit_no} is already listed",
    )
    return permits, reader.errors, reader.warnings


def parse_permit(data: Any, path: str = "permit") -> tuple[PermitSpec | None, list[str], list[str]]:
    """One permit (the shape of one entry of a permit file), e.g. from a REST request."""
    reader = _Reader()
    spec = _parse_permit(reader, data, path)
    return (spec if not reader.errors else None), reader.errors, reader.warnings


def _parse_permit(reader: _Reader, raw: Any, path: str) -> PermitSpec | None:
    node = reader.mapping(raw, path, _PERMIT_KEYS + _LISTED_KEYS)
    if node is None:
        return None
    permit_no = reader.text(node, "permit_no", path, required=True, max_length=PERMIT_NO_MAX)
    if permit_no is not None:
        permit_no = permit_no.upper()
        if not _PERMIT_NO.fullmatch(permit_no):
            reader.error(f"{path}.permit_no", f"{permit_no!r} must be letters A-Z and digits only")
            permit_no = None
    credit_code = reader.text(node, "credit_code", path, required=True, max_length=18)
    if credit_code is not None:
        credit_code = credit_code.upper()
    management_class = reader.choice(node, "class", path, PermitClass, ", ".join(PermitClass))
    valid_from = reader.day(node, "valid_from", path)
    valid_to = reader.day(node, "valid_to", path)
    if valid_from is not None and valid_to is not None:
        if valid_to < valid_from:
            reader.error(f"{path}.valid_to", f"{valid_to} is before valid_from {valid_from}")
        elif _add_years(valid_from, PERMIT_TERM_YEARS) <= valid_to:
            reader.warnings.append(
                f"{path}: valid {valid_from} to {valid_to}, longer than the "
                f"{PERMIT_TERM_YEARS}-year term of 排污许可管理条例 art. 14"
            )
    if permit_no is not None and credit_code is not None and not permit_no.startswith(credit_code):
        reader.warnings.append(
            f"{path}.permit_no: {permit_no} does not begin with the credit code {credit_code}"
            " as permit numbers do"
        )
    outlets = reader.first_of_each(
        (
            _parse_outlet(reader, raw, f"{path}.outlets[{j}]")
            for j, raw in enumerate(reader.items(node, "outlets", path))
        ),
        key=lambda outlet: outlet.code,
        field=".code",
        repeated=lambda outlet: f"outlet {outlet.code} is already listed",
    )
    if (
        permit_no is None
        or credit_code is None
        or management_class is None
        or valid_from is None
        or valid_to is None
    ):
        return None
    return PermitSpec(
        path=path,
        permit_no=permit_no,
        credit_code=credit_code,
        management_class=management_class,
        valid_from=valid_from,
        valid_to=valid_to,
        outlets=tuple(outlets),
    )


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _parse_outlet(reader: _Reader, raw: Any, path: str) -> OutletSpec | None:
    node = reader.mapping(raw, path, _OUTLET_KEYS)
    if node is None:
        return None
    code = reader.text(node, "code", path, required=True, max_length=32)
    limits = reader.first_of_each(
        (
            _parse_limit(reader, raw, f"{path}.limits[{k}]")
            for k, raw in enumerate(reader.items(node, "limits", path))
        ),
        key=lambda limit: (limit.pollutant, limit.basis),
        field="",
        repeated=lambda limit: f"{limit.pollutant} on a {limit.basis} basis is already limited",
    )
    if code is None:
        return None
    return OutletSpec(path=path, code=code, limits=tuple(limits))


def _parse_limit(reader: _Reader, raw: Any, path: str) -> LimitSpec | None:
    node = reader.mapping(raw, path, _LIMIT_KEYS)
    if node is None:
        return None
    pollutant = reader.text(node, "pollutant", path, required=True, max_length=16)
    known = None
    if pollutant is not None:
        known = codes.pollutant(pollutant)
        if known is None:
            reader.error(
                f"{path}.pollutant",
                f"{brief(pollutant)} is not a pollutant code of HJ 212-2017 Appendix B"
                " (e.g. a21026)",
            )
            pollutant = None
    limit_value = reader.number(node, "limit", path, required=True)
    unit = reader.text(node, "unit", path, required=True, max_length=UNIT_MAX)
    if known is not None and unit is not None and known.unit and unit != known.unit:
        reader.warnings.append(
            f"{path}.unit: {unit} differs from {known.unit}, the unit HJ 212-2017 gives"
            f" {known.code}; values are compared as stored"
        )
    basis = reader.choice(node, "basis", path, LimitBasis, "hour or day")
    standard = reader.text(node, "standard", path, required=False, max_length=STANDARD_MAX)
    annual_cap_t = reader.number(node, "annual_cap_t", path, required=False)
    if pollutant is None or limit_value is None or unit is None or basis is None:
        return None
    return LimitSpec(
        path=path,
        pollutant=pollutant,
        limit_value=limit_value,
        unit=unit,
        basis=basis,
        standard=standard,
        annual_cap_t=annual_cap_t,
    )


def check_against_registry(
    permits: Iterable[PermitSpec],
    *,
    enterprises: Mapping[str, Any],
    outlets: Mapping[str, Mapping[str, str]],
    stored_permits: Mapping[str, str],
) -> tuple[list[str], list[str]]:
    """Errors and warnings of permits against the stored registry.

    `enterprises`: credit codes stored; `outlets`: credit code -> {outlet code: point kind};
    `stored_permits`: permit number -> credit code of permits already stored. A permit
    number is never moved to another enterprise.
    """
    errors: list[str] = []
    warnings: list[str] = []
    for spec in permits:
        if spec.credit_code not in enterprises:
            errors.append(
                f"{spec.path}.credit_code: no enterprise with credit code {spec.credit_code}"
                " in the registry"
            )
            continue
        owner = stored_permits.get(spec.permit_no)
        if owner is not None and owner != spec.credit_code:
            errors.append(
                f"{spec.path}.permit_no: permit {spec.permit_no} is stored for enterprise "
                f"{owner}, not {spec.credit_code}"
            )
        known = outlets.get(spec.credit_code, {})
        for outlet in spec.outlets:
            kind = known.get(outlet.code)
            if kind is None:
                listed = ", ".join(sorted(known)) or "none"
                errors.append(
                    f"{outlet.path}.code: enterprise {spec.credit_code} has no outlet "
                    f"{outlet.code} in the registry (its outlets: {listed})"
                )
                continue
            for limit in outlet.limits:
                medium = codes.pollutant(limit.pollutant)
                water = limit.pollutant.startswith("w")
                if (kind == "flue_gas" and water) or (kind == "wastewater" and not water):
                    name = medium.name if medium is not None else limit.pollutant
                    warnings.append(
                        f"{limit.path}.pollutant: {limit.pollutant} ({name}) at {kind} outlet "
                        f"{outlet.code}"
                    )
    return errors, warnings
