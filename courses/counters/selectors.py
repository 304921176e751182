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

Scope: `scope_province` is the 2023 province code a province admin is limited to (None for
central admins). It is applied to every query here, whatever the filters say.

Unit structures: cells carry 2023 codes. For the 2025 structure, provinces and communes are
mapped through AdminUnitLineage (a precomputed dict, cached); 2025 has no districts, so the
drill-down goes province -> commune. A 2023 commune split between several 2025 communes is
counted in the one its lineage lists first as whole (not partial), else the first one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Q, Sum

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
    AdminUnitLineage,
    Cadre,
    Ethnicity,
    Level,
    Sex,
    TargetGroup,
    UnitLevel,
    UnitStructure,
)
from lms.cache import generation

BREAKDOWNS = ("province", "level", "sex", "ethnicity")
SMALL_CELL = 10  # public figures below this are shown as "< 10"
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
    structure: str = UnitStructure.S2023
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


# --- Administrative units: names and the 2023 -> 2025 mapping ------------------------------


@dataclass
class UnitMaps:
    names: dict[str, dict[str, str]]  # structure -> code -> name
    province_2025: dict[str, str]  # 2023 province code -> 2025 province code
    commune_2025: dict[str, str]  # 2023 commune code -> 2025 commune code

    def name(self, structure: str, code: str) -> str:
        return self.names.get(structure, {}).get(code, code)


UNIT_MAPS_KEY = "counters:unit-maps:v1"


def unit_maps() -> UnitMaps:
    maps = cache.get(UNIT_MAPS_KEY)
    if maps is None:
        maps = _unit_maps_build()
        cache.set(UNIT_MAPS_KEY, maps, 3600)
    return maps


def unit_maps_clear() -> None:
    cache.delete_many([UNIT_MAPS_KEY, PROVINCE_NAMES_KEY])


def _unit_maps_build() -> UnitMaps:
    names: dict[str, dict[str, str]] = defaultdict(dict)
    units = AdminUnit.objects.exclude(level=UnitLevel.VILLAGE)
    for structure, code, name in units.values_list("structure", "code", "name"):
        names[structure][code] = name
    province: dict[str, str] = {}
    commune: dict[str, str] = {}
    links = AdminUnitLineage.objects.order_by("partial", "pk").values_list(
        "old__level", "old__code", "new__code"
    )
    for level, old, new in links:
        if level == UnitLevel.PROVINCE:
            province.setdefault(old, new)
        elif level == UnitLevel.COMMUNE:
            commune.setdefault(old, new)
    return UnitMaps(names=dict(names), province_2025=province, commune_2025=commune)


# --- Targets ---------------------------------------------------------------------------


def _registry_count(*, target_group: str, province_codes: list[str] | None) -> int:
    """People of a target group in the registry (cached 10 minutes: it changes slowly).

    `province_codes` None is the whole country; an empty list is no province, so nobody."""
    if province_codes is not None and not province_codes:
        return 0
    part = "all" if province_codes is None else ",".join(sorted(province_codes))
    key = "counters:registry:" + hashlib.sha256(f"{target_group}|{part}".encode()).hexdigest()
    count = cache.get(key)
    if count is None:
        people = Cadre.objects.filter(target_group=target_group)
        if province_codes is not None:
            people = people.filter(province_code__in=province_codes)
        count = people.count()
        cache.set(key, count, 600)
    return count


def _target(indicator: Indicator, province_codes: list[str] | None) -> int | None:
    """The indicator's target for these provinces (None: the country's; an empty list: no
    province, so no target, never the country's)."""
    if indicator.target_percent is not None:
        if indicator.code == "VILLAGE_HEADS_TRAINED":
            heads = _registry_count(
                target_group=TargetGroup.VILLAGE_HEAD, province_codes=province_codes
            )
            return round(heads * indicator.target_percent / 100) or None
        return None
    if province_codes is not None:
        targets = [t for t in indicator.province_targets if t.province_code in province_codes]
        return sum(t.target for t in targets) if targets else None
    return indicator.target


# --- Figures -----------------------------------------------------------------------------


def counters_province_in_scope(
    *, structure: str, province: str, scope_province: str | None
) -> bool:
    """Whether an admin limited to `scope_province` (a 2023 code; None: the whole country)
    may ask for `province`, a code in `structure`. In the 2025 list a province admin's
    province is the one their 2023 province became."""
    if not scope_province or not province:
        return True
    if structure == UnitStructure.S2025:
        return province == unit_maps().province_2025.get(scope_province, scope_province)
    return province == scope_province


def _province_codes_2023(filters: CounterFilters, scope_province: str | None) -> list[str] | None:
    """The 2023 province codes the figures are limited to, or None for the whole country.

    An empty list means no province at all (a 2025 code no 2023 province became, or another
    province than the admin's own): every figure is then empty, never national."""
    codes: set[str] | None = None
    if filters.province:
        if filters.structure == UnitStructure.S2025:
            mapping = unit_maps().province_2025
            codes = {old for old, new in mapping.items() if new == filters.province}
        else:
            codes = {filters.province}
    if scope_province:
        codes = {scope_province} if codes is None else codes & {scope_province}
    return sorted(codes) if codes is not None else None


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


def _common(filters: CounterFilters, provinces: list[str] | None, *, people: bool = True) -> Q:
    """Province scope and, if `people`, the sex, level and ethnicity filters."""
    q = Q()
    if provinces is not None:
        q &= Q(province_code__in=provinces)
    if people:
        for name in ("sex", "level", "ethnicity"):
            value = getattr(filters, name)
            if value:
                q &= Q(**{name: "" if value == "-" else value})
    return q


def _sum_rows(queryset, columns: list[str]):
    return queryset.values(*columns).annotate(total=Sum("value")).values_list(*columns, "total")


def _scan(indicators, filters, provinces, columns: list[str], *, fine: bool) -> list[tuple]:
    """One statement: SUM(value) grouped by indicator and `columns`. The rollups (whole years
    from the year rollup UNION ALL the cut years' months from the month rollup), or with `fine`
    the fine cells (a drill-down, already limited to one province or one district)."""
    group = ["indicator_id", *columns]
    common = _common(filters, provinces)
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


def _month_scan(indicators, filters, provinces) -> list[tuple]:
    """(indicator, month, total): the month totals when no sex/level/ethnicity filter, else
    the national month rollup (whole country) or the month rollup (some provinces); the fine
    cells for one district."""
    group = ["indicator_id", "month"]
    months = _months_all(indicators, filters)
    if filters.district and filters.structure == UnitStructure.S2023:
        cells = CounterCell.objects.filter(
            months, _common(filters, provinces), district_code=filters.district
        )
    elif (filters.sex or filters.level or filters.ethnicity) and provinces is None:
        cells = CounterNationalMonth.objects.filter(months, _common(filters, None))
    elif filters.sex or filters.level or filters.ethnicity:
        cells = CounterRollup.objects.filter(months, _common(filters, provinces))
    else:
        cells = CounterMonthTotal.objects.filter(months, _common(filters, provinces, people=False))
    return list(_sum_rows(cells, group).order_by())


def _map_keys(values: dict[str, int], mapping: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for key, value in values.items():
        out[mapping.get(key, key)] += value
    return dict(out)


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

    The whole country shows its provinces; a province (chosen, or the province admin's scope)
    its districts, or its communes in the 2025 structure, which has no districts; a district
    its communes.
    """
    if filters.structure == UnitStructure.S2025:
        return "commune" if (filters.province or scope_province) else "province"
    if filters.district:
        return "commune"
    if filters.province or scope_province:
        return "district"
    return "province"


def _figures_build(*, scope_province, filters, by, areas, months) -> list[Figure]:
    indicators = list(Indicator.objects.prefetch_related("targets"))
    for indicator in indicators:
        indicator.province_targets = list(indicator.targets.all())
    provinces = _province_codes_2023(filters, scope_province)
    by_column = ("province_code" if by == "province" else by) if by in BREAKDOWNS else None
    area_column = f"{drill_level(filters, scope_province)}_code" if areas else None
    # The fine cells only for a district filter or a drill-down below the province.
    fine = bool(filters.district and filters.structure == UnitStructure.S2023) or area_column in (
        "district_code",
        "commune_code",
    )
    if not fine and area_column is None and by_column is None:
        columns = []
    else:
        columns = list(dict.fromkeys(c for c in (area_column, by_column) if c))
    rows = _scan(indicators, filters, provinces, columns, fine=fine)
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
            breakdown[pk][values[by_column]] += total
        if area_column:
            area_values[pk][values[area_column]] += total
    structure_2025 = filters.structure == UnitStructure.S2025
    maps = unit_maps() if structure_2025 else None
    if by == "province" and structure_2025:
        breakdown = {pk: _map_keys(v, maps.province_2025) for pk, v in breakdown.items()}
    if areas and structure_2025:
        mapping = maps.province_2025 if area_column == "province_code" else maps.commune_2025
        area_values = {pk: _map_keys(v, mapping) for pk, v in area_values.items()}
    names: dict[str, str] = {}
    if areas:
        codes = {code for v in area_values.values() for code in v if code}
        names = unit_names(structure=filters.structure, codes=codes)
    month_values: dict[int, dict[dt.date, int]] = defaultdict(dict)
    if months:
        for pk, month, total in _month_scan(indicators, filters, provinces):
            if total:
                month_values[pk][month] = total
    figures = []
    for indicator in indicators:
        value = per_indicator.get(indicator.pk, 0)
        target = _target(indicator, provinces)
        figure = Figure(
            code=indicator.code,
            name=indicator.name,
            unit=indicator.unit,
            target=target,
            value=value,
            percent=percent_of(value, target),
            by=dict(sorted((k, v) for k, v in breakdown.get(indicator.pk, {}).items() if v)),
        )
        if areas:
            figure.areas = [
                (code, names.get(code, code) if code else "—", total)
                for code, total in sorted(area_values.get(indicator.pk, {}).items())
                if total
            ]
        if months:
            figure.months = sorted(month_values.get(indicator.pk, {}).items())
        figures.append(figure)
    return figures


def unit_names(*, structure: str, codes: set[str]) -> dict[str, str]:
    """Names of the given units (one query over those codes only)."""
    if not codes:
        return {}
    units = AdminUnit.objects.filter(structure=structure, code__in=codes)
    return dict(units.exclude(level=UnitLevel.VILLAGE).values_list("code", "name"))


def counters_public_summary() -> list[dict]:
    """National totals only, for the home page: no breakdowns, small values suppressed."""
    rows = []
    for figure in counter_figures(scope_province=None):
        suppressed = figure.value < SMALL_CELL
        rows.append(
            {
                "code": figure.code,
                "name": figure.name,
                "unit": figure.unit,
                "value": None if suppressed else figure.value,
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
    """Provinces to pick from: those of the structure in the registry, or seen in the figures."""
    names = _province_names()
    codes = set(names.get(UnitStructure.S2023, {}))
    if not codes:
        codes = set(CounterYearRollup.objects.values_list("province_code", flat=True).distinct())
    if scope_province:
        codes = {scope_province}
    if structure == UnitStructure.S2025:
        mapping = unit_maps().province_2025
        codes = {mapping.get(code, code) for code in codes}
    codes.discard("")
    own = names.get(structure, {})
    return sorted(((code, own.get(code, code)) for code in codes), key=lambda c: c[1])


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
