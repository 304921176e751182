"""Reads of the registry (cadres, administrative units, imports), scoped to the user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from courses.registry.models import (
    AdminUnit,
    AdminUnitLineage,
    Cadre,
    ImportJob,
    UnitLevel,
    UnitStructure,
)
from courses.registry.models.cadres import name_key
from courses.registry.models.places import lineage_maps
from courses.registry.scope import (
    cadres_editable_by,
    cadres_visible_to,
    can_see_ethnicity,
    units_assignable_by,
    units_choosable_by,
    units_visible_to,
)
from lms.text import text_fold, vi_sort_key

__all__ = [
    "UNDECIDED",
    "UNIT_PATH",
    "SuccessorCandidate",
    "cadre_get",
    "cadre_list",
    "cadres_undecided",
    "can_see_ethnicity",
    "cadres_editable_by",
    "cadres_visible_to",
    "import_job_get",
    "successor_candidates",
    "UNIT_ANCESTORS",
    "cadres_in_unit",
    "province_choices",
    "unit_label",
    "unit_path",
    "unit_get_by_code",
    "units_choosable_by",
    "units_search",
    "units_sorted",
    "unit_list",
    "units_assignable_by",
    "units_visible_to",
]


def cadre_list(*, user, search: str = "") -> QuerySet[Cadre]:
    """Cadres visible to `user`, optionally filtered by a name typed with or without
    diacritics."""
    queryset = cadres_visible_to(user).select_related("unit")
    if search:
        queryset = queryset.filter(name_key__contains=name_key(search))
    return queryset


def cadre_get(*, user, pk: int) -> Cadre | None:
    return cadres_visible_to(user).filter(pk=pk).select_related("unit").first()


# --- New communes not yet decided --------------------------------------------------------------

# A record (cadre, session) in a 2023 commune, or a village of one, that was split between
# several 2025 communes, whose new commune no admin has picked yet: it counts under its 2025
# province only, until then.
UNDECIDED = ~Q(commune_code="") & Q(commune_2025="")
# The unit and the units above it (village, commune, district, province), read in one join.
UNIT_PATH = "unit__parent__parent__parent"


def cadres_undecided(*, user) -> QuerySet[Cadre]:
    """The cadres within the admin's scope whose new commune is not decided (none for anyone
    but admins), grouped by place, then in name order."""
    return (
        cadres_editable_by(user)
        .filter(UNDECIDED)
        .select_related(UNIT_PATH)
        .order_by("province_2025", "commune_code", "name_key", "pk")
    )


def unit_path(unit: AdminUnit | None) -> str:
    """The unit and the units above it, smallest first, as an address is written ("Xã A,
    Huyện B, Tỉnh C"). Reads the parents already joined (UNIT_PATH)."""
    names = []
    while unit is not None:
        names.append(unit.name)
        unit = unit.parent
    return ", ".join(names)


@dataclass(frozen=True)
class SuccessorCandidate:
    """A 2025 commune that a split 2023 commune went partly (or wholly) into."""

    unit: AdminUnit
    partial: bool

    @property
    def name(self) -> str:
        return self.unit.name


def successor_candidates(*, codes: Iterable[str]) -> dict[str, list[SuccessorCandidate]]:
    """For each 2023 commune code, the 2025 communes it went into (the lineage), in Vietnamese
    name order, with whether the lineage says "partly". Two queries for all the codes."""
    maps = lineage_maps()
    wanted = {code: maps.commune_candidates(code) for code in set(codes) if code}
    new_codes = {new for news in wanted.values() for new in news}
    units = {
        unit.code: unit
        for unit in AdminUnit.objects.filter(
            structure=UnitStructure.S2025, level=UnitLevel.COMMUNE, code__in=new_codes
        )
    }
    partial = set(
        AdminUnitLineage.objects.filter(
            old__structure=UnitStructure.S2023, old__level=UnitLevel.COMMUNE,
            old__code__in=list(wanted), new__structure=UnitStructure.S2025, partial=True,
        ).values_list("old__code", "new__code")
    )  # fmt: skip
    return {
        code: sorted(
            (
                SuccessorCandidate(unit=units[new], partial=(code, new) in partial)
                for new in news
                if new in units
            ),
            key=lambda candidate: vi_sort_key(candidate.name),
        )
        for code, news in wanted.items()
    }


def unit_list(*, user, structure: str | None = None, level: str | None = None):
    queryset = units_visible_to(user)
    if structure:
        queryset = queryset.filter(structure=structure)
    if level:
        queryset = queryset.filter(level=level)
    return queryset


def unit_get_by_code(*, code: str, structure: str = UnitStructure.S2023) -> AdminUnit | None:
    return AdminUnit.objects.filter(structure=structure, code=code).first()


def commune_villages(*, commune: AdminUnit) -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(parent=commune, level=UnitLevel.VILLAGE)


def import_job_get(*, user, pk: int) -> ImportJob | None:
    """A user sees the imports they uploaded; central admins see every import."""
    from lms.roles import is_central_admin

    queryset = ImportJob.objects.all()
    if not is_central_admin(user):
        queryset = queryset.filter(created_by=user)
    return queryset.filter(pk=pk).first()


# --- Choosing a unit by name ---------------------------------------------------------------------

# The units above a unit (commune, district, province), read with it in one join.
UNIT_ANCESTORS = "parent__parent__parent"
# A search result longer than this is left in the database's order of the folded names (which
# puts D and Đ together) rather than read whole to be sorted in Vietnamese order.
SORT_IN_PYTHON_UP_TO = 2000
LEVEL_ORDER = {UnitLevel.PROVINCE: 0, UnitLevel.DISTRICT: 1, UnitLevel.COMMUNE: 2,
               UnitLevel.VILLAGE: 3}  # fmt: skip


def unit_label(unit: AdminUnit) -> str:
    """What a person reads to tell a unit from its namesakes: the path as an address is
    written and the structure, e.g. "Xã Nghĩa Đô, Huyện Bảo Yên, Tỉnh Lào Cai (2023)" or
    "Xã Nghĩa Đô, Tỉnh Lào Cai (2025)". Reads the parents joined with UNIT_ANCESTORS."""
    return f"{unit_path(unit)} ({unit.structure})"


def units_search(
    *,
    units: QuerySet[AdminUnit],
    query: str = "",
    structure: str = "",
    levels: Iterable[str] = (),
    province: str = "",
) -> QuerySet[AdminUnit]:
    """The units among `units` whose name holds every word of `query`, with or without
    diacritics and in any case ("nghia do", "Nghĩa Đô" and "NGHIA DO" find Xã Nghĩa Đô), of
    a structure and levels if given, and within a province of that structure. One query on
    the folded names (AdminUnit.name_key), with the parents joined for unit_label."""
    for word in text_fold(query).split():
        units = units.filter(name_key__contains=word)
    if structure:
        units = units.filter(structure=structure)
    levels = [level for level in levels if level]
    if levels:
        units = units.filter(level__in=levels)
    if province:
        units = units.filter(province_code=province)
    return units.select_related(UNIT_ANCESTORS)


def units_sorted(units: Iterable[AdminUnit]) -> list[AdminUnit]:
    """Units in the order a person looks for them: the 2025 structure first, then by level
    (provinces, districts, communes, villages), each in Vietnamese name order (Đ after D,
    "Tỉnh"/"Xã" prefixes ignored), then by path so that namesakes follow their province."""
    return sorted(
        units,
        key=lambda u: (
            u.structure != UnitStructure.S2025,
            LEVEL_ORDER.get(u.level, 9),
            vi_sort_key(u.name),
            vi_sort_key(unit_path(u.parent) if u.parent_id else ""),
            u.code,
        ),
    )


def units_ordered(units: QuerySet[AdminUnit]) -> list[AdminUnit] | QuerySet[AdminUnit]:
    """A search result in Vietnamese order (units_sorted) when it is short enough to read
    whole, else ordered by the folded name in the database."""
    if units.count() <= SORT_IN_PYTHON_UP_TO:
        return units_sorted(units)
    return units.order_by("-structure", "level", "name_key", "pk")


def province_choices(*, structure: str = UnitStructure.S2025, user=None) -> list[tuple[str, str]]:
    """(code, name) of the provinces of a structure, in Vietnamese name order: a short list
    (34 provinces in 2025, 63 in 2023) picked from a plain select. With `user`, only those
    within the units they may choose."""
    units = AdminUnit.objects if user is None else units_choosable_by(user)
    provinces = units.filter(structure=structure, level=UnitLevel.PROVINCE)
    return [
        (unit.code, unit.name)
        for unit in sorted(provinces.only("code", "name"), key=lambda u: vi_sort_key(u.name))
    ]


def cadres_in_unit(cadres: QuerySet[Cadre], unit: AdminUnit) -> QuerySet[Cadre]:
    """The cadres placed in `unit` or below it, whichever its structure: a 2023 unit through
    the 2023 codes, a 2025 one through the 2025 codes (which a 2023 record gets from its
    successor), so a 2025 commune finds the records of the old communes that went into it."""
    if unit.level == UnitLevel.VILLAGE:
        return cadres.filter(unit=unit)
    if unit.structure == UnitStructure.S2025:
        if unit.level == UnitLevel.PROVINCE:
            return cadres.filter(province_2025=unit.code)
        return cadres.filter(commune_2025=unit.code)
    column = {UnitLevel.PROVINCE: "province_code", UnitLevel.DISTRICT: "district_code",
              UnitLevel.COMMUNE: "commune_code"}[unit.level]  # fmt: skip
    return cadres.filter(**{column: unit.code})
