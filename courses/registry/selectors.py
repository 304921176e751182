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
    units_visible_to,
)
from lms.text import vi_sort_key

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
    "unit_path",
    "unit_get_by_code",
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
