"""Plain data of the plan: its measures, units, districts, indicators and progress reports.

`parse_plan` turns the hand-written data file (data/plan.yaml) into frozen dataclasses
and checks it whole, naming every problem by its path, so a typo in the file stops the
load instead of surfacing as a missing unit in a matrix. Nothing here touches a database.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from ecozone.errors import Invalid, NotFound

#: The plan numbers its measures 1..23 (二、重点工作).
MEASURE_NUMBERS = range(1, 24)


class Status(StrEnum):
    """Progress status a coordinator reports for a measure (table plan_progress)."""

    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    DONE = "done"


#: How the statuses read in Chinese exports; `none` is a matrix cell without a report.
STATUS_LABELS = {
    "not_started": "未启动",
    "on_track": "按计划推进",
    "at_risk": "存在风险",
    "off_track": "滞后",
    "done": "已完成",
    "none": "未报告",
}


class Cadence(StrEnum):
    """How often each responsible unit and district reports on each measure."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class PeriodKind(StrEnum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"


class Comparison(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="
    ABOVE = ">"
    BELOW = "<"
    EQUAL = "=="


class Basis(StrEnum):
    """Where an indicator's target comes from in the plan's text."""

    FIGURE = "figure"  # the text gives the number or the comparison
    WORDING = "wording"  # the text says 全面/全覆盖/不减少; read as 100 % or the baseline


class PlanError(Invalid):
    """The one exception family of this package; `errors` lists every problem found."""

    def __init__(self, errors: list[str], *, heading: str) -> None:
        self.errors = list(errors)
        super().__init__("\n".join([heading + ":", *(f"  {error}" for error in self.errors)]))


class PlanDataError(PlanError):
    """The plan's data file is malformed; the message names each problem by its path."""

    def __init__(self, errors: list[str], *, source: str = "plan data") -> None:
        count = len(errors)
        super().__init__(
            errors, heading=f"{source}: {count} error{'s' if count != 1 else ''}; plan not loaded"
        )


class Problem(NamedTuple):
    """One thing wrong with a progress report: the input field, what is wrong in English
    (API, CLI) and the same in Chinese (the report form)."""

    field: str
    message: str
    zh: str


class ProgressError(PlanError):
    """A progress report was refused and nothing was stored; `fields` pairs each error
    with the input field it concerns, `problems` adds the Chinese wording."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        fields = [(p.field, p.message) for p in self.problems]
        self.fields = fields
        count = len(fields)
        super().__init__(
            [f"{name}: {message}" for name, message in fields],
            heading=(
                f"progress report not recorded, {count} error{'s' if count != 1 else ''}; "
                "nothing was stored"
            ),
        )


class NotFoundError(PlanError, NotFound):
    """A measure number or indicator code the plan does not have."""

    def __init__(self, message: str) -> None:
        super().__init__([message], heading="not found")
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Period:
    """A reporting period: a year (2026), a quarter (2026-Q3) or a month (2026-11)."""

    label: str
    kind: PeriodKind
    start: date
    end: date  # last day, inclusive


@dataclass(frozen=True)
class Unit:
    name: str  # as the plan's clauses write it, e.g. 市生态环境局
    en: str
    full_name: str | None = None  # only where the plan gives it (the issuers)


@dataclass(frozen=True)
class District:
    name: str
    en: str


@dataclass(frozen=True)
class Section:
    number: int
    title: str
    en: str


@dataclass(frozen=True)
class Goal:
    text: str
    en: str


@dataclass(frozen=True)
class Clause:
    """One task of a measure with the units the plan names for it, in the plan's order."""

    text: str
    units: tuple[str, ...]
    areas: tuple[str, ...] = ()  # pilot places the clause itself names, as written

    @property
    def lead_unit(self) -> str:
        """The first-named unit: the lead unit (牵头单位) by the usual reading of task lists."""
        return self.units[0]


@dataclass(frozen=True)
class Measure:
    number: int
    section: int
    title: str
    title_en: str
    summary: str
    summary_en: str
    clauses: tuple[Clause, ...]
    districts: tuple[str, ...]

    @property
    def lead_units(self) -> tuple[str, ...]:
        """Each clause's first-named unit, in order of first mention."""
        return tuple(dict.fromkeys(c.lead_unit for c in self.clauses if c.units))

    @property
    def co_units(self) -> tuple[str, ...]:
        """Every other unit the measure names, in order of first mention."""
        leads = set(self.lead_units)
        named = (unit for clause in self.clauses for unit in clause.units)
        return tuple(unit for unit in dict.fromkeys(named) if unit not in leads)

    @property
    def units(self) -> tuple[str, ...]:
        """Lead units, then co-operating units: every unit that reports on this measure."""
        return self.lead_units + self.co_units

    @property
    def areas(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(area for clause in self.clauses for area in clause.areas))


@dataclass(frozen=True)
class Indicator:
    """A quantified target of the plan, or (comparison None) a value tracked beside one."""

    code: str
    measure: int
    name: str
    en: str
    comparison: Comparison | None
    unit: str
    target_year: int
    basis: Basis
    quote: str  # the plan's words the target comes from
    target: float | None = None
    relative_to: str | None = None  # code of the reference indicator compared against
    minimum: float | None = None  # plausible range of a reported value
    maximum: float | None = None
    note: str | None = None

    @property
    def is_reference(self) -> bool:
        return self.comparison is None


@dataclass(frozen=True)
class PlanDocument:
    title: str
    title_en: str
    document_number: str
    issued: date
    issuers: tuple[str, ...]
    basis: str


@dataclass(frozen=True)
class Plan:
    document: PlanDocument
    goal_year: int
    goals: tuple[Goal, ...]
    sections: tuple[Section, ...]
    districts: tuple[District, ...]
    units: tuple[Unit, ...]
    measures: tuple[Measure, ...]
    indicators: tuple[Indicator, ...]
    _measures: dict[int, Measure] = field(init=False, repr=False, compare=False)
    _indicators: dict[str, Indicator] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_measures", {m.number: m for m in self.measures})
        object.__setattr__(self, "_indicators", {i.code: i for i in self.indicators})

    @property
    def district_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.districts)

    @property
    def unit_names(self) -> tuple[str, ...]:
        return tuple(u.name for u in self.units)

    def measure(self, number: int) -> Measure:
        try:
            return self._measures[number]
        except KeyError:
            raise NotFoundError(
                f"no measure {number} in the plan; "
                f"its measures are numbered 1..{len(self.measures)}"
            ) from None

    def indicator(self, code: str) -> Indicator:
        try:
            return self._indicators[code]
        except KeyError:
            raise NotFoundError(f"no indicator {code!r} in the plan") from None

    def indicators_of(self, number: int) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.measure == number)

    def section(self, number: int) -> Section:
        return next(s for s in self.sections if s.number == number)

    def unit(self, name: str) -> Unit:
        return next(u for u in self.units if u.name == name)


@dataclass(frozen=True)
class EvidenceFile:
    """A file attached to a progress report (table plan_evidence, content in stored_file)."""

    sha256: str
    name: str
    media_type: str
    size: int


@dataclass(frozen=True)
class ProgressReport:
    """One row of plan_progress: what a unit (in a district, or city-wide) reported."""

    id: int | None
    measure: int
    unit: str
    district: str | None
    period: str
    status: Status
    narrative: str | None
    evidence: str | None
    indicators: Mapping[str, float]
    due_date: date | None
    reported_by: str
    reported_at: datetime
    evidence_files: tuple[EvidenceFile, ...] = ()


# --- parsing the data file -------------------------------------------------------------

_CODE = re.compile(r"^[a-z][a-z0-9_]{2,63}$")


class _Reader:
    """Reads typed fields out of nested dicts, collecting errors by path instead of raising."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {type(value).__name__}")
            return {}
        return value

    def items(self, data: dict[str, Any], key: str, path: str) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.error(f"{path}{key}", "expected a non-empty list")
            return []
        return value

    def text(self, data: dict[str, Any], key: str, path: str, *, optional: bool = False) -> str:
        value = data.get(key)
        if value is None and optional:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.error(f"{path}{key}", "expected non-empty text")
            return ""
        return value.strip()

    def integer(self, data: dict[str, Any], key: str, path: str) -> int:
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(f"{path}{key}", f"expected a whole number, got {value!r}")
            return 0
        return value

    def number(self, data: dict[str, Any], key: str, path: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.error(f"{path}{key}", f"expected a number, got {value!r}")
            return None
        return float(value)

    def texts(self, data: dict[str, Any], key: str, path: str, *, optional: bool = False):
        value = data.get(key)
        if value is None and optional:
            return ()
        if not isinstance(value, list) or (not value and not optional):
            self.error(f"{path}{key}", "expected a non-empty list of names")
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.error(f"{path}{key}[{i}]", f"expected a name, got {item!r}")
            else:
                out.append(item.strip())
        return tuple(out)


def parse_plan(data: Any, *, source: str = "plan data") -> Plan:
    """The plan from its data file's contents; PlanDataError lists every problem found."""
    r = _Reader()
    top = r.mapping(data, "(top level)")
    doc = r.mapping(top.get("document"), "document")
    issued = doc.get("issued")
    if isinstance(issued, str):
        with contextlib.suppress(ValueError):
            issued = date.fromisoformat(issued)
    if not isinstance(issued, date):
        r.error("document.issued", f"expected a date YYYY-MM-DD, got {issued!r}")
        issued = date.min
    document = PlanDocument(
        title=r.text(doc, "title", "document."),
        title_en=r.text(doc, "title_en", "document."),
        document_number=r.text(doc, "document_number", "document."),
        issued=issued,
        issuers=r.texts(doc, "issuers", "document."),
        basis=r.text(doc, "basis", "document."),
    )
    goal_year = r.integer(top, "goal_year", "")
    goals = tuple(
        Goal(text=r.text(g, "text", path), en=r.text(g, "en", path))
        for path, g in _entries(r, top, "goals")
    )
    sections = tuple(
        Section(
            number=r.integer(s, "number", path),
            title=r.text(s, "title", path),
            en=r.text(s, "en", path),
        )
        for path, s in _entries(r, top, "sections")
    )
    districts = tuple(
        District(name=r.text(d, "name", path), en=r.text(d, "en", path))
        for path, d in _entries(r, top, "districts")
    )
    units = tuple(
        Unit(
            name=r.text(u, "name", path),
            en=r.text(u, "en", path),
            full_name=r.text(u, "full_name", path, optional=True) or None,
        )
        for path, u in _entries(r, top, "units")
    )
    _unique(r, "sections", [s.number for s in sections])
    _unique(r, "districts", [d.name for d in districts])
    _unique(r, "units", [u.name for u in units])
    unit_names = {u.name for u in units}
    district_names = tuple(d.name for d in districts)
    section_numbers = {s.number for s in sections}

    measures = []
    for i, raw in enumerate(r.items(top, "measures", "")):
        path = f"measures[{i}]"
        m = r.mapping(raw, path)
        number = r.integer(m, "number", f"{path}.")
        path = f"measures[{i}] (number {number})"
        section = r.integer(m, "section", f"{path}.")
        if section and section not in section_numbers:
            r.error(f"{path}.section", f"no section {section} in sections")
        clauses = []
        for j, raw_clause in enumerate(r.items(m, "clauses", f"{path}.")):
            cpath = f"{path}.clauses[{j}]"
            c = r.mapping(raw_clause, cpath)
            clause_units = r.texts(c, "units", f"{cpath}.")
            for k, unit in enumerate(clause_units):
                if unit not in unit_names:
                    r.error(f"{cpath}.units[{k}]", f"unit {unit!r} is not declared under units")
            _unique(r, f"{cpath}.units", list(clause_units))
            clauses.append(
                Clause(
                    text=r.text(c, "text", f"{cpath}."),
                    units=clause_units,
                    areas=r.texts(c, "areas", f"{cpath}.", optional=True),
                )
            )
        measure_districts = r.texts(m, "districts", f"{path}.", optional=True) or district_names
        for k, name in enumerate(measure_districts):
            if name not in district_names:
                r.error(f"{path}.districts[{k}]", f"district {name!r} is not one of the plan's")
        measures.append(
            Measure(
                number=number,
                section=section,
                title=r.text(m, "title", f"{path}."),
                title_en=r.text(m, "title_en", f"{path}."),
                summary=r.text(m, "summary", f"{path}."),
                summary_en=r.text(m, "summary_en", f"{path}."),
                clauses=tuple(clauses),
                districts=measure_districts,
            )
        )
    numbers = [m.number for m in measures]
    if numbers != list(MEASURE_NUMBERS):
        r.error(
            "measures",
            f"expected measures numbered 1..23 in order, got {numbers}",
        )
    for m in measures:
        if not m.lead_units:
            r.error(f"measures (number {m.number})", "names no lead unit")

    indicators = _parse_indicators(r, top, set(numbers))
    if r.errors:
        raise PlanDataError(r.errors, source=source)
    return Plan(
        document=document,
        goal_year=goal_year,
        goals=goals,
        sections=sections,
        districts=districts,
        units=units,
        measures=tuple(measures),
        indicators=indicators,
    )


def _parse_indicators(r: _Reader, top: dict[str, Any], measures: set[int]) -> tuple:
    indicators = []
    for i, raw in enumerate(r.items(top, "indicators", "")):
        ind = r.mapping(raw, f"indicators[{i}]")
        code = r.text(ind, "code", f"indicators[{i}].")
        path = f"indicators[{i}] ({code})"
        if code and not _CODE.match(code):
            r.error(f"{path}.code", "expected lower-case letters, digits and _ (3-64 characters)")
        measure = r.integer(ind, "measure", f"{path}.")
        if measure and measure not in measures:
            r.error(f"{path}.measure", f"no measure {measure} in the plan")
        raw_comparison = ind.get("comparison")
        comparison = None
        if raw_comparison is not None:
            try:
                comparison = Comparison(raw_comparison)
            except ValueError:
                r.error(f"{path}.comparison", f"expected one of {[c.value for c in Comparison]} "
                        f"or null, got {raw_comparison!r}")  # fmt: skip
        raw_basis = ind.get("basis")
        try:
            basis = Basis(raw_basis)
        except ValueError:
            r.error(f"{path}.basis", f"expected figure or wording, got {raw_basis!r}")
            basis = Basis.FIGURE
        target = r.number(ind, "target", f"{path}.")
        relative_to = ind.get("relative_to")
        if comparison is not None and (target is None) == (relative_to is None):
            r.error(path, "a target needs one of target (a number) or relative_to (a code)")
        if comparison is None and (target is not None or relative_to is not None):
            r.error(path, "a tracked value (comparison null) takes neither target nor relative_to")
        target_year = r.integer(ind, "target_year", f"{path}.")
        if target_year and not 2021 <= target_year <= 2035:
            r.error(f"{path}.target_year", f"{target_year} is outside the plan's years")
        indicators.append(
            Indicator(
                code=code,
                measure=measure,
                name=r.text(ind, "name", f"{path}."),
                en=r.text(ind, "en", f"{path}."),
                comparison=comparison,
                unit=r.text(ind, "unit", f"{path}."),
                target_year=target_year,
                basis=basis,
                quote=r.text(ind, "quote", f"{path}."),
                target=target,
                relative_to=relative_to if isinstance(relative_to, str) else None,
                minimum=r.number(ind, "minimum", f"{path}."),
                maximum=r.number(ind, "maximum", f"{path}."),
                note=r.text(ind, "note", f"{path}.", optional=True) or None,
            )
        )
    _unique(r, "indicators", [ind.code for ind in indicators])
    by_code = {ind.code: ind for ind in indicators}
    for ind in indicators:
        if ind.relative_to is None:
            continue
        reference = by_code.get(ind.relative_to)
        if reference is None:
            r.error(f"indicators ({ind.code}).relative_to", f"no indicator {ind.relative_to!r}")
        elif reference.measure != ind.measure or reference.unit != ind.unit:
            r.error(f"indicators ({ind.code}).relative_to",
                    f"{ind.relative_to} must belong to the same measure and unit")  # fmt: skip
    return tuple(indicators)


def _entries(r: _Reader, top: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    """(path prefix, mapping) of each entry of the list `key`."""
    return [
        (f"{key}[{i}].", r.mapping(item, f"{key}[{i}]"))
        for i, item in enumerate(r.items(top, key, ""))
    ]


def _unique(r: _Reader, path: str, values: list[Any]) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            r.error(path, f"{value!r} appears more than once")
        seen.add(value)
