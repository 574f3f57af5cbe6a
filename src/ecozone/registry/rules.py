"""Pure checks of registry data: credit codes, MNs, outlet codes, and registry files.

No I/O: functions take plain values (and a snapshot of the stored registry
where a rule needs it) and return error messages, so every rule is tested
without a database. A message names what is wrong; the caller adds where.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ecozone.datafile import FileReader
from ecozone.registry import model
from ecozone.registry.model import (
    DEFAULT_ZONE,
    SECRET_MASK,
    DeviceSpec,
    EnterpriseSpec,
    PointKind,
    PointSpec,
    RegistryDocument,
    RegistrySnapshot,
)
from ecozone.safeyaml import brief

# --- Unified social credit code, GB 32100-2015 ----------------------------------------

#: The 31 characters of GB 32100-2015; I, O, S, V and Z are left out. A character's
#: value is its index.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weight of position i (0-based) of the first 17 characters: 3^i mod 31.
CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def credit_code_check_char(first17: str) -> str:
    """Check character of a credit code's first 17 characters (GB 32100-2015).

    C18 = 31 - (sum of value_i * W_i mod 31), where 31 becomes 0, mapped back
    through the charset.
    """
    total = sum(
        CREDIT_CODE_CHARSET.index(char) * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def check_credit_code(code: str, *, verify_check_char: bool = True) -> str | None:
    """None if `code` is a well-formed unified social credit code, else what is wrong.

    Checks length 18, the charset, positions 3-8 (administrative division
    code, GB/T 2260) being digits and, unless `verify_check_char` is False,
    the check character. Codes from early pilot regions are legal yet fail
    the check character; the registry lets those in only when told to.
    """
    if not isinstance(code, str):
        return f"credit code must be text, not {type(code).__name__} {brief(code)}"
    if len(code) != 18:
        return f"credit code {code!r} has {len(code)} characters; GB 32100-2015 codes have 18"
    bad = [(i + 1, char) for i, char in enumerate(code) if char not in CREDIT_CODE_CHARSET]
    if bad:
        where = ", ".join(f"{char!r} at position {position}" for position, char in bad)
        hint = ""
        if any(char.islower() for _, char in bad):
            hint = "; letters are upper case"
        elif any(char in "IOSVZ" for _, char in bad):
            hint = "; I, O, S, V and Z are not used"
        return f"credit code {code}: bad character {where}{hint}"
    if not code[2:8].isdigit():
        return (
            f"credit code {code}: positions 3-8 (administrative division code) must be digits,"
            f" got {code[2:8]}"
        )
    if verify_check_char:
        expected = credit_code_check_char(code[:17])
        if code[17] != expected:
            return f"credit code {code}: bad check character: expected {expected} got {code[17]}"
    return None


# --- HJ 212 device identity -------------------------------------------------------------

_MN_CHARS = re.compile(r"[0-9A-Za-z_.\-]")
_MN_STANDARD = re.compile(r"[0-9A-F]{24}")
MN_MAX_LENGTH = 27


def check_mn(mn: str) -> str | None:
    """None if `mn` can identify a device, else what is wrong.

    HJ 212-2017 §6.3.2 table 3 makes the MN 24 characters 0-9 A-F (an EPC-96
    code). Devices in the field carry other shapes: HJ/T 212-2005 era
    14-digit MNs such as 88888880000001, water-station codes such as
    A110000_0001 or JLYP01_AIR01_0001. The registry is the authority on who a
    device is, so 1 to 27 letters, digits, '_', '-' and '.' are accepted;
    `mn_is_standard` tells the standard shape apart.
    """
    if not isinstance(mn, str):
        return f"MN must be text, not {type(mn).__name__} {brief(mn)}"
    if not mn:
        return "MN is empty"
    if len(mn) > MN_MAX_LENGTH:
        shown = mn if len(mn) <= 40 else mn[:40] + "..."
        return f"MN {shown} has {len(mn)} characters; at most {MN_MAX_LENGTH} are allowed"
    bad = [
        f"{char!r} at position {i + 1}" for i, char in enumerate(mn) if not _MN_CHARS.match(char)
    ]
    if bad:
        return (
            f"MN {mn}: bad character {', '.join(bad)}; only letters, digits, '_', '-' and '.'"
            " are allowed"
        )
    return None


def check_device_password(password: str) -> str | None:
    """None for an HJ 212 access password the codec can carry: 1..32 printable
    characters without ; , = & (HJ 212-2017 table 3)."""
    if not isinstance(password, str) or not 1 <= len(password) <= _LENGTHS["password"]:
        return "password must be 1 to 32 characters"
    if not password.isprintable() or any(c in password for c in ";,=&"):
        return "password must be printable and hold none of ; , = &"
    return None


SM4_KEY_LENGTH = 16
_SM4_KEY = re.compile(r"[!-~]{16}")  # printable ASCII, as CN 1014 NewSK carries it


def check_sm4_key(key: str) -> str | None:
    """None for an HJ 212-2025 SM4 key: 16 bytes, written as 16 printable ASCII characters
    (§6.4.2; the standard's test key is "0000000000000000"), without ; , = &."""
    if not isinstance(key, str):
        return f"SM4 key must be text, not {type(key).__name__}"
    if not _SM4_KEY.fullmatch(key) or any(c in key for c in ";,=&"):
        return (
            f"SM4 key has {len(key)} characters; HJ 212-2025 §6.4.2 needs 16 printable"
            " ASCII characters without ; , = &"
        )
    return None


# PW in the header, NewPW (CN 1072) and NewSK (HJ 212-2025 CN 1014) in CP: a key starts
# the frame's text or follows a separator; its value runs to the next separator.
_FRAME_SECRET = re.compile(r"(?<![A-Za-z_-])(PW|NewPW|NewSK)=[^;,&]*")


def mask_frame_secrets(frame: str) -> str:
    """Frame text with the value of each PW=, NewPW= and NewSK= replaced by SECRET_MASK,
    everything else as it was: frames are shown to supervisors, passwords are not
    (HJ 212-2017 §6.3.2 table 3 puts the access password in every frame)."""
    return _FRAME_SECRET.sub(lambda m: f"{m.group(1)}={SECRET_MASK}", frame)


def mn_is_standard(mn: str) -> bool:
    """True for an HJ 212-2017 MN: exactly 24 characters 0-9 A-F (§6.3.2 table 3)."""
    return bool(_MN_STANDARD.fullmatch(mn))


_ST = re.compile(r"[0-9A-Z]{2}")
#: HJ 212-2017 §6.6.1 table 5 system codes usual for each point kind; the first is the default.
ST_BY_POINT_KIND: dict[PointKind, tuple[str, ...]] = {
    PointKind.FLUE_GAS: ("31", "51"),  # 大气环境污染源, 烟气排放过程监控
    PointKind.WASTEWATER: ("32", "52"),  # 地表水体环境污染源, 污水排放过程监控
    PointKind.AMBIENT_AIR: ("22", "27"),  # 空气质量监测, 挥发性有机物监测
    PointKind.SURFACE_WATER: ("21",),  # 地表水质量监测
    PointKind.POWER: ("44", "45"),  # 用电监控, 关键生产工况 (HJ 212-2025, domain-2.md §1.2)
    PointKind.NOISE: ("23", "36"),  # 声环境质量监测, 声环境污染源
    PointKind.DUST: ("39", "22"),  # 工地扬尘污染源 (HJ 212-2025), 空气质量监测
    PointKind.SEWER: ("32", "21"),  # 地表水体环境污染源, 地表水质量监测
}


def check_st(st: str) -> str | None:
    """None if `st` is a system code: two characters 0-9 A-Z (HJ 212-2017 §6.6.1.2)."""
    if not isinstance(st, str):
        return f'ST must be text such as "31", not {type(st).__name__} {brief(st)}'
    if not _ST.fullmatch(st):
        return f"ST {brief(st)} is not a system code: two characters 0-9 or A-Z"
    return None


# --- Monitoring point codes ---------------------------------------------------------------

_POINT_CODE = re.compile(r"[0-9A-Za-z_-]{1,32}")
#: Outlet codes of discharge permits (HJ 608-2017): DA for air outlets, DW for water
#: outlets, then a three-digit serial number.
_OUTLET_PREFIX = {PointKind.FLUE_GAS: "DA", PointKind.WASTEWATER: "DW"}


def check_point_code(code: str) -> str | None:
    """None if `code` can name a point: 1-32 letters, digits, '_' or '-'."""
    if not isinstance(code, str):
        return f"point code must be text, not {type(code).__name__} {brief(code)}"
    if not _POINT_CODE.fullmatch(code):
        return f"point code {code!r} must be 1-32 letters, digits, '_' or '-'"
    return None


def outlet_code_is_standard(code: str, kind: PointKind | str) -> bool:
    """True when an outlet's code follows the permit pattern for its kind (DA001, DW001).

    Ambient-air and surface-water stations are not discharge outlets; any
    well-formed code is standard for them.
    """
    prefix = _OUTLET_PREFIX.get(PointKind(kind))
    return prefix is None or re.fullmatch(prefix + r"\d{3}", code) is not None


REFERENCE_O2_RANGE = "0 <= reference_o2 < 21"


def check_reference_o2(value: Any) -> str | None:
    """None for a reference O2 content in % by volume: 0 <= x < 21 (air holds 20.9 %)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"reference_o2 must be a number ({REFERENCE_O2_RANGE}), not {brief(value)}"
    if not 0 <= value < 21:
        return f"reference_o2 {value} is out of range; expected {REFERENCE_O2_RANGE}"
    return None


# --- Registry files -------------------------------------------------------------------------

_LENGTHS = {
    "zone": model.ZONE_NAME_LENGTH,
    "district": model.DISTRICT_NAME_LENGTH,
    "enterprise name": model.ENTERPRISE_NAME_LENGTH,
    "industry": model.INDUSTRY_LENGTH,
    "address": model.ADDRESS_LENGTH,
    "point name": model.POINT_NAME_LENGTH,
    # HJ 212-2017 table 3: PW is at most 6 characters, devices send up to 32 (the codec's bound).
    "password": 32,
}

_TOP_KEYS = ("zone", "districts", "enterprises")
_ENTERPRISE_KEYS = (
    "credit_code", "credit_code_verified", "name", "district", "industry", "address",
    "lon", "lat", "disclosed", "points",
)  # fmt: skip
_POINT_KEYS = (
    "code", "name", "kind", "district", "reference_o2", "lon", "lat", "operating_from", "device",
)  # fmt: skip
_DEVICE_KEYS = ("mn", "password", "st", "lenient", "sm4_key", "encryption_required")


class _Reader(FileReader):
    """Collects errors and warnings while reading one registry file."""

    def coordinate(self, node: Mapping[str, Any], key: str, path: str) -> float | None:
        value = node.get(key)
        if value is None:
            return None
        limit = 180 if key == "lon" else 90
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            self.error(f"{path}.{key}", f"must be a number of degrees, not {brief(value)}")
            return None
        if not -limit <= value <= limit:
            self.error(f"{path}.{key}", f"{value} is outside -{limit}..{limit} degrees")
            return None
        return float(value)

    def day(self, node: Mapping[str, Any], key: str, path: str) -> date | None:
        """A calendar day, as YAML writes it (2024-06-21) or as text of that form."""
        value = node.get(key)
        if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.error(f"{path}.{key}", f"must be a day YYYY-MM-DD, not {brief(value)}")
            return None


def parse_registry(data: Any) -> tuple[RegistryDocument, list[str], list[str]]:
    """Read a registry file's data (as loaded from YAML or JSON).

    Returns the parsed document, every error (each prefixed by its path, such
    as `enterprises[3].points[0].device.mn`) and warnings (accepted, but not
    as the standards write them). Duplicates within the file are errors;
    conflicts with the stored registry are `check_against_registry`'s job.
    """
    reader = _Reader()
    top = reader.mapping(data, "registry file", _TOP_KEYS)
    if top is None:
        return RegistryDocument(DEFAULT_ZONE, (), ()), reader.errors, reader.warnings
    zone = reader.text(top, "zone", "", required=False, max_length=_LENGTHS["zone"]) or DEFAULT_ZONE

    districts: list[str] = []
    for i, raw in enumerate(reader.items(top, "districts", "")):
        path = f"districts[{i}]"
        name = reader.text_value(raw, path, required=True, max_length=_LENGTHS["district"])
        if name is None:
            continue
        if name in districts:
            reader.error(path, f"district {name} is listed twice")
        else:
            districts.append(name)

    enterprises: list[EnterpriseSpec] = []
    seen_codes: dict[str, str] = {}
    seen_mns: dict[str, str] = {}
    for i, raw in enumerate(reader.items(top, "enterprises", "")):
        enterprise = _parse_enterprise(reader, raw, f"enterprises[{i}]", seen_codes, seen_mns)
        if enterprise is not None:
            enterprises.append(enterprise)
    document = RegistryDocument(zone, tuple(districts), tuple(enterprises))
    return document, reader.errors, reader.warnings


def _parse_enterprise(
    reader: _Reader, raw: Any, path: str, seen_codes: dict[str, str], seen_mns: dict[str, str]
) -> EnterpriseSpec | None:
    node = reader.mapping(raw, path, _ENTERPRISE_KEYS)
    if node is None:
        return None
    verified = reader.flag(node, "credit_code_verified", path, True)
    code = reader.text(node, "credit_code", path, required=True)
    if code is not None:
        code = code.upper()
        problem = check_credit_code(code, verify_check_char=verified)
        if problem:
            if verified and check_credit_code(code, verify_check_char=False) is None:
                problem += " (if the code is genuine, set credit_code_verified: false)"
            reader.error(f"{path}.credit_code", problem)
        elif not verified and check_credit_code(code) is None:
            reader.warnings.append(
                f"{path}.credit_code: {code} passes the check; credit_code_verified: false"
                " is not needed"
            )
        if code in seen_codes:
            reader.error(f"{path}.credit_code", f"{code} is already listed at {seen_codes[code]}")
        else:
            seen_codes[code] = path
    name = reader.text(node, "name", path, required=True, max_length=_LENGTHS["enterprise name"])
    district = reader.text(node, "district", path, required=True, max_length=_LENGTHS["district"])
    industry = reader.text(node, "industry", path, required=False, max_length=_LENGTHS["industry"])
    address = reader.text(node, "address", path, required=False, max_length=_LENGTHS["address"])
    lon = reader.coordinate(node, "lon", path)
    lat = reader.coordinate(node, "lat", path)
    disclosed = reader.flag(node, "disclosed", path, False)

    points: list[PointSpec] = []
    point_codes: dict[str, str] = {}
    for j, raw_point in enumerate(reader.items(node, "points", path)):
        point = _parse_point(reader, raw_point, f"{path}.points[{j}]", seen_mns)
        if point is None:
            continue
        if point.code in point_codes:
            reader.error(
                f"{point.path}.code", f"point {point.code} is already listed at "
                f"{point_codes[point.code]}"
            )  # fmt: skip
            continue
        point_codes[point.code] = point.path
        points.append(point)
    if code is None or name is None or district is None:
        return None
    return EnterpriseSpec(
        path=path,
        credit_code=code,
        name=name,
        district=district,
        credit_code_verified=verified,
        industry=industry,
        address=address,
        lon=lon,
        lat=lat,
        disclosed=disclosed,
        points=tuple(points),
    )


def _parse_point(
    reader: _Reader, raw: Any, path: str, seen_mns: dict[str, str]
) -> PointSpec | None:
    node = reader.mapping(raw, path, _POINT_KEYS)
    if node is None:
        return None
    code = reader.text(node, "code", path, required=True)
    if code is not None and (problem := check_point_code(code)):
        reader.error(f"{path}.code", problem)
        code = None
    name = reader.text(node, "name", path, required=True, max_length=_LENGTHS["point name"])
    kind: PointKind | None = None
    raw_kind = node.get("kind")
    if raw_kind is None:
        reader.error(f"{path}.kind", "missing")
    elif raw_kind not in [member.value for member in PointKind]:
        reader.error(
            f"{path}.kind",
            f"unknown point kind {brief(raw_kind)}; expected one of {', '.join(PointKind)}",
        )
    else:
        kind = PointKind(raw_kind)
    if kind is not None and code is not None and not outlet_code_is_standard(code, kind):
        prefix = _OUTLET_PREFIX[kind]
        reader.warnings.append(
            f"{path}.code: {code} does not follow the permit outlet pattern {prefix}001"
            " (HJ 608-2017)"
        )
    reference_o2 = node.get("reference_o2")
    if reference_o2 is not None:
        if problem := check_reference_o2(reference_o2):
            reader.error(f"{path}.reference_o2", problem)
            reference_o2 = None
        elif kind is not None and kind is not PointKind.FLUE_GAS:
            reader.error(
                f"{path}.reference_o2", f"reference_o2 applies to flue_gas points, not {kind}"
            )
            reference_o2 = None
        else:
            reference_o2 = float(reference_o2)
    lon = reader.coordinate(node, "lon", path)
    lat = reader.coordinate(node, "lat", path)
    operating_from = reader.day(node, "operating_from", path)
    district = reader.text(node, "district", path, required=False, max_length=_LENGTHS["district"])
    device = None
    if node.get("device") is not None:
        device = _parse_device(reader, node["device"], f"{path}.device", kind, seen_mns, path)
    if code is None or name is None or kind is None:
        return None
    return PointSpec(
        path, code, name, kind, reference_o2, lon, lat, device, district, operating_from
    )


def _parse_device(
    reader: _Reader,
    raw: Any,
    path: str,
    kind: PointKind | None,
    seen_mns: dict[str, str],
    point_path: str,
) -> DeviceSpec | None:
    node = reader.mapping(raw, path, _DEVICE_KEYS)
    if node is None:
        return None
    mn = node.get("mn")
    if mn is None:
        reader.error(f"{path}.mn", "missing")
    elif isinstance(mn, int) and not isinstance(mn, bool):
        reader.error(f"{path}.mn", f'must be text; write it in quotes: mn: "{mn}"')
        mn = None
    elif problem := check_mn(mn):
        reader.error(f"{path}.mn", problem)
        mn = None
    else:
        if not mn_is_standard(mn):
            reader.warnings.append(
                f"{path}.mn: MN {mn} is not 24 characters 0-9 A-F as HJ 212-2017 §6.3.2"
                " specifies; accepted (the registry is the authority on who a device is)"
            )
        if mn in seen_mns:
            reader.error(f"{path}.mn", f"MN {mn} is already used by {seen_mns[mn]}")
        else:
            seen_mns[mn] = point_path
    password = None  # absent or masked: the stored one stays
    password_bad = False
    if node.get("password") not in (None, SECRET_MASK):
        password = reader.text(node, "password", path, required=True)
        if password is not None and (problem := check_device_password(password)):
            reader.error(f"{path}.password", problem)
            password = None
        password_bad = password is None
    st = node.get("st")
    if st is None and kind is not None:
        st = ST_BY_POINT_KIND[kind][0]
    elif st is None:
        reader.error(f"{path}.st", "missing")
    elif problem := check_st(st):
        reader.error(f"{path}.st", problem)
        st = None
    elif kind is not None and st not in ST_BY_POINT_KIND[kind]:
        usual = ", ".join(ST_BY_POINT_KIND[kind])
        reader.warnings.append(
            f"{path}.st: ST {st} is unusual for a {kind} point (HJ 212-2017 table 5: {usual})"
        )
    lenient = reader.flag(node, "lenient", path, False)
    sm4_key = node.get("sm4_key")
    # Left out or masked: the stored key stays; `sm4_key: null` removes it.
    keep_sm4_key = "sm4_key" not in node or sm4_key == SECRET_MASK
    if keep_sm4_key:
        sm4_key = None
    elif sm4_key is not None and (problem := check_sm4_key(sm4_key)):
        reader.error(f"{path}.sm4_key", problem)
    encryption_required = reader.flag(node, "encryption_required", path, False)
    if encryption_required and sm4_key is None and not keep_sm4_key:
        reader.error(f"{path}.encryption_required", "needs an sm4_key to decrypt with")
    if mn is None or st is None or password_bad:
        return None
    return DeviceSpec(
        mn=mn, password=password, st=st, lenient=lenient, sm4_key=sm4_key,
        encryption_required=encryption_required, keep_sm4_key=keep_sm4_key,
    )  # fmt: skip


def check_against_registry(document: RegistryDocument, stored: RegistrySnapshot) -> list[str]:
    """Errors the file would cause in the stored registry, each prefixed by its path.

    A district must be listed in the file or already stored (and then belong
    to the file's zone). An MN may belong to one point only, judged on the
    registry as it would be after the import: an MN that a stored point
    gives up in the same file is free to move.
    """
    errors: list[str] = []
    zone_id = stored.zones.get(document.zone)
    for i, name in enumerate(document.districts):
        row = stored.districts.get(name)
        if row is not None and row["zone_id"] != zone_id:
            other = next((z for z, zid in stored.zones.items() if zid == row["zone_id"]), "?")
            errors.append(f"districts[{i}]: district {name} belongs to zone {other}, not "
                          f"{document.zone}")  # fmt: skip
    known = set(document.districts) | set(stored.districts)
    for enterprise in document.enterprises:
        if enterprise.district not in known:
            listed = ", ".join(sorted(known)) or "none"
            errors.append(
                f"{enterprise.path}.district: unknown district {enterprise.district}; add it to"
                f" districts (known: {listed})"
            )
        for point in enterprise.points:
            if point.district is not None and point.district not in known:
                listed = ", ".join(sorted(known)) or "none"
                errors.append(
                    f"{point.path}.district: unknown district {point.district}; add it to"
                    f" districts (known: {listed})"
                )

    # Who holds each MN after the import: stored devices, overridden per point by the file.
    owner: dict[str, tuple[str, str]] = {}
    for (credit_code, point_code), point in stored.points.items():
        device = stored.devices.get(point["id"])
        if device is not None:
            owner[device["mn"]] = (credit_code, point_code)
    claimed: dict[tuple[str, str], str] = {}
    for enterprise in document.enterprises:
        for point in enterprise.points:
            if point.device is not None:
                claimed[(enterprise.credit_code, point.code)] = point.device.mn
    for mn, key in list(owner.items()):
        if key in claimed and claimed[key] != mn:
            del owner[mn]  # given up by its point in this file
    for enterprise in document.enterprises:
        for point in enterprise.points:
            if point.device is None:
                continue
            key = (enterprise.credit_code, point.code)
            holder = owner.get(point.device.mn)
            if holder is not None and holder != key and holder not in claimed:
                errors.append(
                    f"{point.path}.device.mn: MN {point.device.mn} is already used by point"
                    f" {holder[1]} of enterprise {holder[0]} in the registry"
                )
    errors += _kept_secrets_errors(document, stored)
    return errors


def _kept_secrets_errors(document: RegistryDocument, stored: RegistrySnapshot) -> list[str]:
    """A secret left out of the file is kept from the stored device: a new device has none."""
    errors = []
    for enterprise in document.enterprises:
        for point in enterprise.points:
            spec = point.device
            if spec is None:
                continue
            point_row = stored.points.get((enterprise.credit_code, point.code))
            row = stored.devices.get(point_row["id"]) if point_row is not None else None
            if spec.password is None and row is None:
                errors.append(
                    f"{point.path}.device.password: missing; a new device needs its password"
                    " (exports leave passwords out unless --with-secrets)"
                )
            stored_key = row is not None and row["sm4_key"] is not None
            if spec.keep_sm4_key and spec.encryption_required and not stored_key:
                errors.append(
                    f"{point.path}.device.encryption_required: needs an sm4_key to decrypt with"
                )
    return errors


def enterprise_matches(name: str, credit_code: str, query: str) -> bool:
    """Whether an enterprise answers a search box: the query, ignoring case and the spaces
    around it, is part of its name or of its credit code (an empty query finds every one)."""
    query = query.strip().casefold()
    return not query or query in name.casefold() or query in credit_code.casefold()
