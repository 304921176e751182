"""Reading the programme figures from the counter cells (never from enrolments).

Every figure is a SUM over CounterCell rows, grouped by indicator and one more column, so the
cost follows the number of cells. Results are cached under the counters generation (see
courses.services.counters.counters_generation), which moves on after every committed write:
a cached figure is never stale, and repeated views of the dashboard cost a cache read.

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

from courses.models import (
    AdminUnit,
    AdminUnitLineage,
    Cadre,
    CounterCell,
    Ethnicity,
    Indicator,
    Level,
    Sex,
    TargetGroup,
    UnitLevel,
    UnitStructure,
)
from courses.services.counters import counters_generation

BREAKDOWNS = ("province", "level", "sex", "ethnicity")
SMALL_CELL = 10  # public figures below this are shown as "< 10"
CACHE_SECONDS = 600


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
    cache.delete(UNIT_MAPS_KEY)


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
    """People of a target group in the registry (cached 10 minutes: it changes slowly)."""
    part = ",".join(sorted(province_codes)) if province_codes else "all"
    key = "counters:registry:" + hashlib.sha256(f"{target_group}|{part}".encode()).hexdigest()
    count = cache.get(key)
    if count is None:
        people = Cadre.objects.filter(target_group=target_group)
        if province_codes:
            people = people.filter(province_code__in=province_codes)
        count = people.count()
        cache.set(key, count, 600)
    return count


def _target(indicator: Indicator, province_codes: list[str] | None) -> int | None:
    if indicator.target_percent is not None:
        if indicator.code == "VILLAGE_HEADS_TRAINED":
            heads = _registry_count(
                target_group=TargetGroup.VILLAGE_HEAD, province_codes=province_codes
            )
            return round(heads * indicator.target_percent / 100) or None
        return None
    if province_codes:
        targets = [t for t in indicator.province_targets if t.province_code in province_codes]
        return sum(t.target for t in targets) if targets else None
    return indicator.target


# --- Figures -----------------------------------------------------------------------------


def _province_codes_2023(filters: CounterFilters, scope_province: str | None) -> list[str] | None:
    """The 2023 province codes the figures are limited to, or None for the whole country."""
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


def _cells(indicators: list[Indicator], filters: CounterFilters, provinces: list[str] | None):
    periods = Q()
    for indicator in indicators:
        start = max(filter(None, [indicator.period_start, filters.start]), default=None)
        end = min(filter(None, [indicator.period_end, filters.end]), default=None)
        q = Q(indicator_id=indicator.pk)
        if start:
            q &= Q(month__gte=start.replace(day=1))
        if end:
            q &= Q(month__lte=end)
        periods |= q
    cells = CounterCell.objects.filter(periods)
    if provinces is not None:
        cells = cells.filter(province_code__in=provinces)
    if filters.district and filters.structure == UnitStructure.S2023:
        cells = cells.filter(district_code=filters.district)
    for name in ("sex", "level", "ethnicity"):
        value = getattr(filters, name)
        if value:
            cells = cells.filter(**{name: "" if value == "-" else value})
    return cells


def _grouped(cells, column: str) -> dict[int, dict[str, int]]:
    out: dict[int, dict] = defaultdict(dict)
    rows = cells.values("indicator_id", column).annotate(total=Sum("value"))
    for row in rows.values_list("indicator_id", column, "total").order_by():
        if row[2]:
            out[row[0]][row[1]] = row[2]
    return out


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


def _figures_build(*, scope_province, filters, by, areas, months) -> list[Figure]:
    indicators = list(Indicator.objects.prefetch_related("targets"))
    for indicator in indicators:
        indicator.province_targets = list(indicator.targets.all())
    provinces = _province_codes_2023(filters, scope_province)
    cells = _cells(indicators, filters, provinces)
    per_indicator: dict[int, int] = defaultdict(int)
    breakdown: dict[int, dict[str, int]] = {}
    if by in BREAKDOWNS:
        breakdown = _grouped(cells, "province_code" if by == "province" else by)
        for pk, values in breakdown.items():
            per_indicator[pk] = sum(values.values())
    else:
        for row in cells.values("indicator_id").annotate(total=Sum("value")).order_by():
            per_indicator[row["indicator_id"]] = row["total"]
    maps = unit_maps() if (filters.structure == UnitStructure.S2025 or areas) else None
    if by == "province" and filters.structure == UnitStructure.S2025:
        breakdown = {pk: _map_keys(v, maps.province_2025) for pk, v in breakdown.items()}
    area_values: dict[int, dict[str, int]] = {}
    area_structure = filters.structure
    if areas:
        if filters.structure == UnitStructure.S2025:
            if filters.province or scope_province:
                grouped = _grouped(cells, "commune_code")
                area_values = {pk: _map_keys(v, maps.commune_2025) for pk, v in grouped.items()}
            else:
                grouped = _grouped(cells, "province_code")
                area_values = {pk: _map_keys(v, maps.province_2025) for pk, v in grouped.items()}
        elif filters.district:
            area_values = _grouped(cells, "commune_code")
        elif filters.province or scope_province:
            area_values = _grouped(cells, "district_code")
        else:
            area_values = _grouped(cells, "province_code")
    month_values = _grouped(cells, "month") if months else {}
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
            by=dict(sorted(breakdown.get(indicator.pk, {}).items())),
        )
        if areas:
            figure.areas = [
                (code, maps.name(area_structure, code) if code else "—", total)
                for code, total in sorted(area_values.get(indicator.pk, {}).items())
                if total
            ]
        if months:
            figure.months = sorted(
                (m, v) for m, v in month_values.get(indicator.pk, {}).items() if v
            )
        figures.append(figure)
    return figures


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
    """Provinces to pick from: those of the structure in the registry, or seen in the cells."""
    maps = unit_maps()
    codes = {code for code in maps.names.get(UnitStructure.S2023, {}) if len(code) == 2}
    if not codes:
        codes = set(CounterCell.objects.values_list("province_code", flat=True).distinct())
    if scope_province:
        codes = {scope_province}
    if structure == UnitStructure.S2025:
        codes = {maps.province_2025.get(code, code) for code in codes}
    codes.discard("")
    return sorted(((code, maps.name(structure, code)) for code in codes), key=lambda c: c[1])
