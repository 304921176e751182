"""Reads of the registry (cadres, administrative units, imports), scoped to the user."""

from __future__ import annotations

from django.db.models import QuerySet

from courses.registry.models import AdminUnit, Cadre, ImportJob, UnitLevel, UnitStructure
from courses.registry.models.cadres import name_key
from courses.registry.scope import (
    cadres_editable_by,
    cadres_visible_to,
    can_see_ethnicity,
    units_assignable_by,
    units_visible_to,
)

__all__ = [
    "cadre_get",
    "cadre_list",
    "can_see_ethnicity",
    "cadres_editable_by",
    "cadres_visible_to",
    "import_job_get",
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
