"""Where a record is, in both administrative structures.

A record (a cadre, a session, an achievement, a counter cell) names one unit of a stated
structure. From it follow two sets of codes, stored on the record so that scoping and counting
filter on a column:

- the 2023 codes (province, district, commune) when the unit is of the 2023 structure, blank
  when it is of the 2025 one (a unit created after the reform has no 2023 unit);
- the 2025 codes (province, commune): the unit's own when it is of the 2025 structure, its
  successor's through the lineage when it is of the 2023 one. Every 2023 province went wholly
  into one 2025 province, so the 2025 province is always known; a 2023 commune split between
  several 2025 communes has no 2025 commune until an admin picks one of the candidates
  (`successor`), and until then the record counts under its 2025 province only.

The lineage is read once into a small map (a few thousand pairs) kept in the cache under a
generation that moves whenever the lineage changes; a bulk writer (an import) reads it once
and passes it on, so it asks no query per row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.cache import cache

from courses.registry.models.units import AdminUnit, AdminUnitLineage, UnitLevel, UnitStructure
from lms.cache import generation, generation_bump

# The day the 2025 structure came into force: a record of something that happened on or after
# it (a session, say) names a unit of the 2025 structure.
REFORM_DATE = dt.date(2025, 7, 1)
LINEAGE_GENERATION = "registry:lineage:generation"
# Moves whenever a record that names a place is saved or deleted, or its place changes: the
# admin menu's count of records whose new commune is undecided is cached under it.
UNDECIDED_GENERATION = "registry:undecided:generation"


@dataclass(frozen=True)
class Place:
    """The codes of a recorded place in both structures (blank where there is none)."""

    province_code: str = ""
    district_code: str = ""
    commune_code: str = ""
    province_2025: str = ""
    commune_2025: str = ""

    def as_fields(self) -> dict[str, str]:
        """The record's place columns (Cadre, TrainingSession, Achievement, CounterCell)."""
        return {
            "province_code": self.province_code,
            "district_code": self.district_code,
            "commune_code": self.commune_code,
            "province_2025": self.province_2025,
            "commune_2025": self.commune_2025,
        }

    @property
    def undecided(self) -> bool:
        """A 2023 commune split between several 2025 communes, none picked yet."""
        return bool(self.commune_code and not self.commune_2025)


NOWHERE = Place()


@dataclass(frozen=True)
class ProvinceLineage:
    """Which 2025 province each 2023 province went into (every one went wholly into one)."""

    province: dict[str, str]  # 2023 province code -> 2025 province code

    def province_2025(self, code_2023: str) -> str:
        return self.province.get(code_2023, "")

    def provinces_2023(self, code_2025: str) -> list[str]:
        """The 2023 provinces that went into a 2025 province."""
        return sorted(old for old, new in self.province.items() if new == code_2025)


@dataclass(frozen=True)
class LineageMaps(ProvinceLineage):
    commune: dict[str, tuple[str, ...]]  # 2023 commune code -> 2025 commune codes

    def commune_candidates(self, code_2023: str) -> tuple[str, ...]:
        return self.commune.get(code_2023, ())


_maps_memo: dict[str, tuple[str, LineageMaps]] = {}


def lineage_maps() -> LineageMaps:
    """The 2023 -> 2025 map, from the cache, rebuilt after the lineage changed. The process
    keeps the last one it read, with the stamp stored beside it in the cache (a short string,
    gone when the entry is rebuilt or the cache is cleared), so saving a record does not
    unpickle the country's communes every time."""
    key = f"registry:lineage:{generation(LINEAGE_GENERATION)}"
    stamp = cache.get(f"{key}:stamp")
    memo = _maps_memo.get(key)
    if memo is not None and stamp is not None and memo[0] == stamp:
        return memo[1]
    maps = cache.get(key)
    if maps is None or stamp is None:
        maps = maps or _lineage_build()
        stamp = uuid.uuid4().hex
        cache.set_many({key: maps, f"{key}:stamp": stamp}, 24 * 3600)
    _maps_memo.clear()
    _maps_memo[key] = (stamp, maps)
    return maps


def province_lineage() -> ProvinceLineage:
    """The province part of the lineage alone, from the cache: what scoping and the counters
    read on every request, a few dozen pairs instead of the communes' thousands."""
    key = f"registry:lineage-provinces:{generation(LINEAGE_GENERATION)}"
    lineage = cache.get(key)
    if lineage is None:
        links = AdminUnitLineage.objects.filter(
            old__structure=UnitStructure.S2023, old__level=UnitLevel.PROVINCE,
            new__structure=UnitStructure.S2025, new__level=UnitLevel.PROVINCE,
        ).values_list("old__code", "new__code")  # fmt: skip
        lineage = ProvinceLineage(province=dict(links))
        cache.set(key, lineage, 24 * 3600)
    return lineage


def lineage_changed(**_kwargs) -> None:
    """The lineage changed (a load, an edit): the next reader rebuilds the map."""
    generation_bump(LINEAGE_GENERATION)
    generation_bump(UNDECIDED_GENERATION)


def undecided_changed(**_kwargs) -> None:
    """A record that names a place was written: the undecided counts are counted again."""
    generation_bump(UNDECIDED_GENERATION)


def _lineage_build() -> LineageMaps:
    province: dict[str, str] = {}
    commune: dict[str, list[str]] = {}
    links = AdminUnitLineage.objects.filter(
        old__structure=UnitStructure.S2023, new__structure=UnitStructure.S2025
    ).order_by("new__code")
    for level, old, new in links.values_list("old__level", "old__code", "new__code"):
        if level == UnitLevel.PROVINCE:
            province[old] = new
        elif level == UnitLevel.COMMUNE:
            commune.setdefault(old, []).append(new)
    return LineageMaps(province=province, commune={k: tuple(v) for k, v in commune.items()})


def place_from_codes(
    *,
    structure: str,
    province_code: str,
    district_code: str = "",
    commune_code: str = "",
    successor: str = "",
    maps: LineageMaps | None = None,
) -> Place:
    """The place of a unit given by its structure and enclosing codes; `successor` is the
    2025 commune an admin picked for a split 2023 commune (ignored otherwise)."""
    if not province_code:
        return NOWHERE
    if structure == UnitStructure.S2025:
        return Place(province_2025=province_code, commune_2025=commune_code)
    maps = maps or lineage_maps()
    commune_2025 = ""
    if commune_code:
        candidates = maps.commune_candidates(commune_code)
        if len(candidates) == 1:
            commune_2025 = candidates[0]
        elif successor in candidates:
            commune_2025 = successor
    return Place(
        province_code=province_code,
        district_code=district_code,
        commune_code=commune_code,
        province_2025=maps.province_2025(province_code),
        commune_2025=commune_2025,
    )


def place_of(
    unit: AdminUnit | None, *, successor: str = "", maps: LineageMaps | None = None
) -> Place:
    """The place of a record attached to `unit` (None: no place)."""
    if unit is None:
        return NOWHERE
    return place_from_codes(
        structure=unit.structure,
        province_code=unit.province_code,
        district_code=unit.district_code,
        commune_code=unit.commune_code,
        successor=successor,
        maps=maps,
    )


def place_sync(record) -> None:
    """Copy the place of `record.unit` (and of the successor an admin picked, if any) into
    the record's five place columns: what Cadre and TrainingSession do on save."""
    successor = record.successor.code if record.successor_id else ""
    for name, value in place_of(record.unit, successor=successor).as_fields().items():
        setattr(record, name, value)
