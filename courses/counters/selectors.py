"""Reading the programme figures from the counter cells (never from enrolments).

Every figure is one SUM ... GROUP BY statement (plus one for the month chart) over the rollups,
whose size is bounded by years (or months) x provinces x levels x sexes x ethnicities, not by the
number of people: whole years of an indicator's period come from CounterYearRollup, the months
of a cut year from CounterRollup, the month chart from CounterMonthTotal (filtered by sex, level
or ethnicity: CounterNationalMonth for the whole country, CounterRollup for provinces). Only
the drill-down below the province (already limited to one province or one district) reads the
fine CounterCell rows. Results are cached under the
counters generation (see courses.counters.services.counters_generation), which moves on after
every committed write: a cached figure is never stale, and repeated views cost a cache read.

Scope: `scope_province` is the 2025 province a province admin is limited to (None for
central admins). It is applied to every query here, whatever the filters say: in the 2023
view it covers the 2023 provinces that went into it.

Unit structures: every cell and rollup carries its place in both structures (see
courses.counters.models), so either view is a filter and a GROUP BY on its own columns and the
national totals are the same in both. In the 2025 view (no districts) the drill-down goes
province -> commune, and records of a split 2023 commune whose new commune is not decided yet
show on a line of their own under their province (UNDECIDED). In the 2023 view, records made
in 2025 units have no 2023 unit and show on a line of their own (NEW_UNITS), so the totals still
add up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from courses.counters.models import (
    CounterCell,
    CounterMonthTotal,
    CounterNationalMonth,
    CounterRollup,
    CounterYearRollup,
    Indicator,
)
from courses.registry.models import (
    AdminUnit,
    Cadre,
    Ethnicity,
    Level,
    Sex,
    TargetGroup,
    UnitLevel,
    UnitStructure,
)
from courses.registry.models.places import province_lineage
from lms.cache import generation
from lms.text import vi_sort_key

BREAKDOWNS = ("province", "level", "sex", "ethnicity")
# Keys of the lines that are not a unit (never digits, so never taken for a code).
NEW_UNITS = "new-units"  # 2023 view: recorded in a unit of the 2025 structure
UNDECIDED = "undecided"  # 2025 view: a split 2023 commune, its new commune not decided yet
AREA_LABELS = {
    NEW_UNITS: _("recorded in the new (2025) units"),
    UNDECIDED: _("new commune not yet decided"),
    "": "—",
}
SMALL_CELL = 10  # published cells below the province under this are shown as "< 10"
CACHE_SECONDS = 600
# The dashboard's charts, in SVG user units (templates/courses/counters/includes/): the progress
# bar and the area bars are BAR_WIDTH wide; the month chart is CHART_HEIGHT tall, one unit per
# month, and its highest bar is MONTH_BAR_HEIGHT tall.
BAR_WIDTH = 100
CHART_HEIGHT = 50
MONTH_BAR_HEIGHT = 48

COUNTERS_GENERATION = "counters:generation"


def counters_generation() -> int:
    """A number that changes after every committed counter write (cache key for the figures)."""
    return generation(COUNTERS_GENERATION)


@dataclass(frozen=True)
class CounterFilters:
    structure: str = UnitStructure.S2025
    province: str = ""  # a province code in `structure`
    district: str = ""  # 2023 structure only
    sex: str = ""
    level: str = ""
    ethnicity: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    def cache_part(self) -> str:
        return repr(sorted(asdict(self).items()))


@dataclass
class Figure:
    code: str
    name: str
    unit: str
    target: int | None
    value: int
    percent: int | None
    by: dict[str, int] = field(default_factory=dict)
    areas: list[tuple[str, str, int]] = field(default_factory=list)  # code, name, value
    months: list[tuple[dt.date, int]] = field(default_factory=list)
    # Beside a target that is a share of an entered figure: how many are in the registry.
    registered: int | None = None

    def progress_width(self) -> int:
        """The filled part of the progress bar (BAR_WIDTH for the whole target), at most full."""
        return min(self.percent or 0, 100) * BAR_WIDTH // 100

    def area_bars(self) -> list[tuple[str, str, int, float]]:
        """The area chart: code, name, value and bar width, the largest area full width."""
        top = max((value for _code, _name, value in self.areas), default=0) or 1
        return [
            (code, name, value, round(value * BAR_WIDTH / top, 1))
            for code, name, value in self.areas
        ]

    def month_bars(self) -> list[tuple[int, float, float, str, int]]:
        """The month chart: x, y and height of each month's bar (the highest month the tallest),
        the month (mm/yyyy) and its value."""
        top = max((value for _month, value in self.months), default=0) or 1
        bars = []
        for index, (month, value) in enumerate(self.months):
            height = round(value * MONTH_BAR_HEIGHT / top, 2)
            bars.append((index, round(CHART_HEIGHT - height, 2), height, f"{month:%m/%Y}", value))
        return bars

    def as_api(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "target": self.target,
            "value": self.value,
            "percent": self.percent,
            "by": self.by,
        }


def percent_of(value: int, target: int | None) -> int | None:
    """Whole percent, rounded half up: 239 of 480 is 50."""
    if not target:
        return None
    return int((Decimal(value) * 100 / Decimal(target)).quantize(Decimal(1), ROUND_HALF_UP))


# --- Administrative units -------------------------------------------------------------------


def unit_maps_clear() -> None:
    cache.delete(PROVINCE_NAMES_KEY)


# --- Targets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """Where the figures are taken: the whole country, or the rows whose place column equals
    one code (`column` is "province_code" for a 2023 province, "province_2025" for a 2025
    one; Cadre and every counter table have both). `targets_2023` are the 2023 provinces whose
    targets add up to the area's (None: the country's); `empty` is nowhere (a province outside
    the admin's scope): every figure is zero and no target applies, never the national ones."""

    column: str = ""
    code: str = ""
    targets_2023: tuple[str, ...] | None = None
    empty: bool = False

    @property
    def national(self) -> bool:
        return not self.empty and not self.column

    def q(self) -> Q:
        if self.empty:
            return Q(pk__in=[])
        return Q(**{self.column: self.code}) if self.column else Q()


NOWHERE = Area(targets_2023=(), empty=True)


def _area(filters: CounterFilters, scope_province: str | None) -> Area:
    """The area of the filters within the scope (a 2025 province, or None)."""
    maps = province_lineage()
    if filters.province and filters.structure == UnitStructure.S2023:
        if scope_province and maps.province_2025(filters.province) != scope_province:
            return NOWHERE
        return Area("province_code", filters.province, (filters.province,))
    province = filters.province if filters.structure == UnitStructure.S2025 else ""
    if scope_province:
        if province and province != scope_province:
            return NOWHERE
        province = scope_province
    if not province:
        return Area()
    return Area("province_2025", province, tuple(maps.provinces_2023(province)))


def _registry_count(*, target_group: str, area: Area) -> int:
    """People of a target group in the registry (cached 10 minutes: it changes slowly)."""
    if area.empty:
        return 0
    part = f"{area.column}={area.code}"
    key = "counters:registry:" + hashlib.sha256(f"{target_group}|{part}".encode()).hexdigest()
    count = cache.get(key)
    if count is None:
        count = Cadre.objects.filter(area.q(), target_group=target_group).count()
        cache.set(key, count, 600)
    return count


def _target(indicator: Indicator, area: Area) -> int | None:
    """The indicator's target for the area (the country's for the whole country; none for
    nowhere, never the country's)."""
    province_codes = None if area.national else list(area.targets_2023 or ())
    if area.empty:
        return None
    rows = [
        t
        for t in indicator.province_targets
        if province_codes is None or t.province_code in province_codes
    ]
    if indicator.target_percent is not None:
        # A share of a figure the admins enter per province (village heads: the villages in
        # the programme area), never of the people who happen to be registered.
        villages = [t.villages for t in rows if t.villages is not None]
        if not villages:
            return None
        return round(sum(villages) * indicator.target_percent / 100) or None
    if province_codes is not None:
        targets = [t.target for t in rows if t.target is not None]
        return sum(targets) if targets else None
    return indicator.target


def _registered(indicator: Indicator, area: Area) -> int | None:
    """The people of the indicator's target group in the registry, shown beside a target
    that is a share of an entered figure (village heads); None for the other indicators."""
    if indicator.code != "VILLAGE_HEADS_TRAINED":
        return None
    return _registry_count(target_group=TargetGroup.VILLAGE_HEAD, area=area)


# --- Figures -----------------------------------------------------------------------------


def counters_province_in_scope(
    *, structure: str, province: str, scope_province: str | None
) -> bool:
    """Whether an admin limited to `scope_province` (a 2025 code; None: the whole country)
    may ask for `province`, a code in `structure`: their province, or in the 2023 list one of
    the provinces that went into it."""
    if not scope_province or not province:
        return True
    if structure == UnitStructure.S2025:
        return province == scope_province
    return province_lineage().province_2025(province) == scope_province


def _month_range(indicator: Indicator, filters: CounterFilters) -> tuple[dt.date | None, ...]:
    """The first and last month counted for an indicator (None: unbounded)."""
    start = max(filter(None, [indicator.period_start, filters.start]), default=None)
    end = min(filter(None, [indicator.period_end, filters.end]), default=None)
    return (start.replace(day=1) if start else None, end.replace(day=1) if end else None)


def _months_q(first: dt.date | None, last: dt.date | None) -> Q:
    q = Q()
    if first:
        q &= Q(month__gte=first)
    if last:
        q &= Q(month__lte=last)
    return q


def _period_split(indicators: list[Indicator], filters: CounterFilters) -> tuple[Q, Q]:
    """Conditions on the year rollup (whole years inside each indicator's period) and on the
    month rollup (the months of the cut years at either end). Q(pk__in=[]) when empty."""
    none = Q(pk__in=[])
    years, months = none, none
    for indicator in indicators:
        first, last = _month_range(indicator, filters)
        if first and last and first > last:
            continue
        full_from = None if first is None else first.year + (first.month != 1)
        full_to = None if last is None else last.year - (last.month != 12)
        if full_from is not None and full_to is not None and full_from > full_to:
            months |= Q(indicator_id=indicator.pk) & _months_q(first, last)
            continue
        q = Q(indicator_id=indicator.pk)
        if full_from is not None:
            q &= Q(year__gte=full_from)
            if first.month != 1:
                months |= Q(indicator_id=indicator.pk) & _months_q(
                    first, dt.date(first.year, 12, 1)
                )
        if full_to is not None:
            q &= Q(year__lte=full_to)
            if last.month != 12:
                months |= Q(indicator_id=indicator.pk) & _months_q(dt.date(last.year, 1, 1), last)
        years |= q
    return years, months


def _months_all(indicators: list[Indicator], filters: CounterFilters) -> Q:
    q = Q(pk__in=[])
    for indicator in indicators:
        first, last = _month_range(indicator, filters)
        if not (first and last and first > last):
            q |= Q(indicator_id=indicator.pk) & _months_q(first, last)
    return q


def _common(filters: CounterFilters, area: Area, *, people: bool = True) -> Q:
    """The area and, if `people`, the sex, level and ethnicity filters."""
    q = area.q()
    if people:
        for name in ("sex", "level", "ethnicity"):
            value = getattr(filters, name)
            if value:
                q &= Q(**{name: "" if value == "-" else value})
    return q


def _sum_rows(queryset, columns: list[str]):
    return queryset.values(*columns).annotate(total=Sum("value")).values_list(*columns, "total")


def _scan(indicators, filters, area: Area, columns: list[str], *, fine: bool) -> list[tuple]:
    """One statement: SUM(value) grouped by indicator and `columns`. The rollups (whole years
    from the year rollup UNION ALL the cut years' months from the month rollup), or with `fine`
    the fine cells (a drill-down, already limited to one province or one district)."""
    group = ["indicator_id", *columns]
    common = _common(filters, area)
    if fine:
        cells = CounterCell.objects.filter(_months_all(indicators, filters), common)
        if filters.district and filters.structure == UnitStructure.S2023:
            cells = cells.filter(district_code=filters.district)
        return list(_sum_rows(cells, group).order_by())
    years, months = _period_split(indicators, filters)
    parts = []
    if years != Q(pk__in=[]):
        parts.append(_sum_rows(CounterYearRollup.objects.filter(years, common), group).order_by())
    if months != Q(pk__in=[]):
        parts.append(_sum_rows(CounterRollup.objects.filter(months, common), group).order_by())
    if not parts:
        return []
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return list(query)


def _month_scan(indicators, filters, area: Area) -> list[tuple]:
    """(indicator, month, total): the month totals when no sex/level/ethnicity filter, else
    the national month rollup (whole country) or the month rollup (some provinces); the fine
    cells for one district."""
    group = ["indicator_id", "month"]
    months = _months_all(indicators, filters)
    if filters.district and filters.structure == UnitStructure.S2023:
        cells = CounterCell.objects.filter(
            months, _common(filters, area), district_code=filters.district
        )
    elif (filters.sex or filters.level or filters.ethnicity) and area.national:
        cells = CounterNationalMonth.objects.filter(months, _common(filters, area))
    elif filters.sex or filters.level or filters.ethnicity:
        cells = CounterRollup.objects.filter(months, _common(filters, area))
    else:
        cells = CounterMonthTotal.objects.filter(months, _common(filters, area, people=False))
    return list(_sum_rows(cells, group).order_by())


def _place_key(column: str, values: dict) -> str:
    """The key a row is shown under: its code in `column`, or one of the lines that are not a
    unit: NEW_UNITS (2023 view, no 2023 place but a 2025 one), UNDECIDED (2025 communes, a 2023
    commune without its new commune), "" (no place at that level)."""
    code = values[column]
    if code:
        return code
    if column in PLACE_COLUMNS[UnitStructure.S2023].values():
        return NEW_UNITS if not values["province_code"] and values["province_2025"] else ""
    if column == "commune_2025" and values["commune_code"]:
        return UNDECIDED
    return ""


# The place columns of each structure, and the columns grouped with them to tell the lines that
# are not a unit (see _place_key).
PLACE_COLUMNS = {
    UnitStructure.S2023: {
        "province": "province_code", "district": "district_code", "commune": "commune_code",
    },
    UnitStructure.S2025: {"province": "province_2025", "commune": "commune_2025"},
}  # fmt: skip
PLACE_KEY_COLUMNS = {
    "province_code": ("province_code", "province_2025"),
    "district_code": ("province_code", "province_2025"),
    "commune_code": ("province_code", "province_2025"),
    "province_2025": (),
    "commune_2025": ("commune_code",),
}


def counter_figures(
    *,
    scope_province: str | None,
    filters: CounterFilters | None = None,
    by: str | None = None,
    areas: bool = False,
    months: bool = False,
) -> list[Figure]:
    """The figures per indicator; `by` one of BREAKDOWNS; `areas` the drill-down bars,
    `months` the time series. Cached under the counters generation."""
    filters = filters or CounterFilters()
    key = "counters:figures:" + hashlib.sha256(
        repr((counters_generation(), scope_province, filters.cache_part(), by, areas, months))
        .encode()
    ).hexdigest()  # fmt: skip
    figures = cache.get(key)
    if figures is None:
        figures = _figures_build(
            scope_province=scope_province, filters=filters, by=by, areas=areas, months=months
        )
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def drill_level(filters: CounterFilters, scope_province: str | None) -> str:
    """The level the area chart shows, one below the selection: "province", "district" or
    "commune".

    The whole country shows its provinces; a province its districts, or its communes in the
    2025 structure, which has no districts; a district its communes. A province admin's scope
    is a 2025 province: its communes, or in the 2023 list the provinces that went into it.
    """
    if filters.structure == UnitStructure.S2025:
        return "commune" if (filters.province or scope_province) else "province"
    if filters.district:
        return "commune"
    if filters.province:
        return "district"
    return "province"


def _figures_build(*, scope_province, filters, by, areas, months) -> list[Figure]:
    indicators = list(Indicator.objects.prefetch_related("targets"))
    for indicator in indicators:
        indicator.province_targets = list(indicator.targets.all())
    area = _area(filters, scope_province)
    structure = filters.structure
    places = PLACE_COLUMNS[structure]
    by_column = (places["province"] if by == "province" else by) if by in BREAKDOWNS else None
    drill = drill_level(filters, scope_province)
    area_column = places[drill] if areas else None
    # The fine cells only for a district filter or a drill-down below the province.
    fine = bool(filters.district and structure == UnitStructure.S2023) or (
        areas and drill != "province"
    )
    place_columns = {c for c in (area_column, by_column) if c in PLACE_KEY_COLUMNS}
    extra = [c for column in place_columns for c in PLACE_KEY_COLUMNS[column]]
    columns = list(dict.fromkeys(c for c in (area_column, by_column, *extra) if c))
    rows = _scan(indicators, filters, area, columns, fine=fine)
    per_indicator: dict[int, int] = defaultdict(int)
    breakdown: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    area_values: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        pk, total = row[0], row[-1] or 0
        if not total:
            continue
        per_indicator[pk] += total
        values = dict(zip(columns, row[1:-1], strict=True))
        if by_column:
            key = values[by_column]
            if by_column in place_columns:
                key = _place_key(by_column, values)
            breakdown[pk][key] += total
        if area_column:
            area_values[pk][_place_key(area_column, values)] += total
    names: dict[str, str] = {}
    if areas:
        codes = {code for v in area_values.values() for code in v if code.isdigit()}
        names = unit_names(structure=structure, codes=codes)
    month_values: dict[int, dict[dt.date, int]] = defaultdict(dict)
    if months:
        for pk, month, total in _month_scan(indicators, filters, area):
            if total:
                month_values[pk][month] = total
    figures = []
    for indicator in indicators:
        value = per_indicator.get(indicator.pk, 0)
        target = _target(indicator, area)
        figure = Figure(
            code=indicator.code,
            name=indicator.name,
            unit=indicator.unit,
            target=target,
            value=value,
            percent=percent_of(value, target),
            registered=_registered(indicator, area),
            by=dict(sorted((k, v) for k, v in breakdown.get(indicator.pk, {}).items() if v)),
        )
        if areas:
            figure.areas = sorted(
                (
                    (code, names.get(code, code) if code.isdigit() else str(AREA_LABELS[code]),
                     total)
                    for code, total in area_values.get(indicator.pk, {}).items()
                    if total
                ),
                key=lambda area: (not area[0].isdigit(), vi_sort_key(area[1]), area[0]),
            )  # fmt: skip
        if months:
            figure.months = sorted(month_values.get(indicator.pk, {}).items())
        figures.append(figure)
    return figures


def unit_name(structure: str, code: str) -> str:
    """One unit's name (its code when unknown)."""
    return unit_names(structure=structure, codes={code}).get(code, code) if code else ""


def unit_names(*, structure: str, codes: set[str]) -> dict[str, str]:
    """Names of the given units (one query over those codes only)."""
    if not codes:
        return {}
    units = AdminUnit.objects.filter(structure=structure, code__in=codes)
    return dict(units.exclude(level=UnitLevel.VILLAGE).values_list("code", "name"))


# Levels whose figures are small enough to single someone out: shown as "< 10" below SMALL_CELL.
SUPPRESSED_LEVELS = ("district", "commune", "village")


def counters_public_value(value: int, *, level: str) -> int | None:
    """A figure as it may be published: exact for the country and a province (totals of
    thousands of people, which point at no one), None ("< 10") for a cell below the province
    under SMALL_CELL."""
    if level in SUPPRESSED_LEVELS and value < SMALL_CELL:
        return None
    return value


def counters_public_summary() -> list[dict]:
    """National totals only, for the home page: no breakdowns, exact figures (suppression
    applies below the province only, see counters_public_value)."""
    rows = []
    for figure in counter_figures(scope_province=None):
        value = counters_public_value(figure.value, level="national")
        suppressed = value is None
        rows.append(
            {
                "code": figure.code,
                "name": figure.name,
                "unit": figure.unit,
                "value": value,
                "suppressed": suppressed,
                "target": figure.target,
                "percent": None if suppressed else figure.percent,
            }
        )
    return rows


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "sex": list(Sex.choices),
        "level": [c for c in Level.choices if c[0] != Level.VILLAGE],
        "ethnicity": [c for c in Ethnicity.choices if c[0]],
        "structure": list(UnitStructure.choices),
    }


def province_choices(*, structure: str, scope_province: str | None) -> list[tuple[str, str]]:
    """Provinces to pick from, in Vietnamese order: those of the structure in the registry (or
    seen in the figures); for a province admin, their province, or in the 2023 list the
    provinces that went into it."""
    names = _province_names()
    own = names.get(structure, {})
    column = PLACE_COLUMNS[structure]["province"]
    codes = set(own)
    if not codes:
        codes = set(CounterYearRollup.objects.values_list(column, flat=True).distinct())
    if scope_province:
        if structure == UnitStructure.S2025:
            codes = {scope_province}
        else:
            codes = set(province_lineage().provinces_2023(scope_province))
    codes.discard("")
    return sorted(((code, own.get(code, code)) for code in codes), key=lambda c: vi_sort_key(c[1]))


PROVINCE_NAMES_KEY = "counters:province-names:v1"


def _province_names() -> dict[str, dict[str, str]]:
    """structure -> province code -> name (the province level only: a few dozen rows)."""
    names = cache.get(PROVINCE_NAMES_KEY)
    if names is None:
        names = defaultdict(dict)
        units = AdminUnit.objects.filter(level=UnitLevel.PROVINCE)
        for structure, code, name in units.values_list("structure", "code", "name"):
            names[structure][code] = name
        names = dict(names)
        cache.set(PROVINCE_NAMES_KEY, names, 3600)
    return names


def counters_public_map(*, code: str) -> dict:
    """The provinces' figures of one indicator in the 2025 structure, for the public map:
    exact per province (a province's totals single no one out, counters_public_value), with
    each province's circle on the drawing and the provinces with a figure, by name."""
    from courses.counters import province_map

    figures = counter_figures(
        scope_province=None, filters=CounterFilters(structure=UnitStructure.S2025), areas=True
    )
    figure = next((f for f in figures if f.code == code), None)
    values: dict[str, int] = {}
    for area_code, _name, value in figure.areas if figure else []:
        if area_code.isdigit():
            shown = counters_public_value(value, level="province")
            if shown:
                values[area_code] = shown
    circles = province_map.province_circles(values)
    return {
        "figure": figure,
        "circles": circles,
        "listed": sorted((c for c in circles if c["value"]), key=lambda c: -c["value"]),
        "outline": province_map.outline_path(),
        "width": province_map.WIDTH,
        "height": province_map.HEIGHT,
    }
