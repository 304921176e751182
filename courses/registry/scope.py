"""Who may see which cadres and units.

- a central admin (or superuser) sees everyone;
- a province admin is scoped to a province of the 2025 structure: they see the cadres placed
  in it (recorded in its own units, or in a 2023 unit whose successor lies in it) and its units
  in both structures (its 2025 units and the 2023 units that went into it);
- a trainer sees the participants of their own sessions;
- a cadre sees only themself.

Ethnicity is sensitive: only admins whose scope covers the person see it, and it never appears
on a public page. Every list, detail and export in the admin goes through these functions.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from courses.registry.models import AdminUnit, Cadre, UnitStructure
from courses.registry.models.places import province_lineage
from lms.roles import admin_province_code, is_admin, is_central_admin, is_trainer_or_admin


def cadres_visible_to(user) -> QuerySet[Cadre]:
    """The cadres `user` may see (list, detail, export)."""
    if user is None or not user.is_authenticated:
        return Cadre.objects.none()
    if is_central_admin(user):
        return Cadre.objects.all()
    condition = Q(user=user)
    province = admin_province_code(user)
    if province:
        condition |= Q(province_2025=province)
    # The participants of the trainer's sessions, through the relation the sessions feature
    # declares on Cadre (registry sits below sessions and does not import it).
    participants = Cadre.objects.filter(attendance__session__trainers=user).values("pk")
    condition |= Q(pk__in=participants)
    return Cadre.objects.filter(condition)


def cadres_editable_by(user) -> QuerySet[Cadre]:
    """The cadres `user` may change or delete: admins, within their scope."""
    if user is None or not user.is_authenticated:
        return Cadre.objects.none()
    if is_central_admin(user):
        return Cadre.objects.all()
    province = admin_province_code(user)
    if province:
        return Cadre.objects.filter(province_2025=province)
    return Cadre.objects.none()


def can_see_ethnicity(user, cadre: Cadre | None = None) -> bool:
    """Only admins whose scope covers the person; with no cadre: whether the user could see
    it for anyone (an admin)."""
    if user is None or not user.is_authenticated:
        return False
    if is_central_admin(user):
        return True
    province = admin_province_code(user)
    if not province:
        return False
    return cadre is None or cadre.province_2025 == province


def units_in_province(province_2025: str) -> QuerySet[AdminUnit]:
    """The units of a 2025 province in both structures: its own, and those of the 2023
    provinces that went into it."""
    return AdminUnit.objects.filter(units_in_province_q(province_2025))


def units_in_province_q(province_2025: str) -> Q:
    old = province_lineage().provinces_2023(province_2025)
    return Q(structure=UnitStructure.S2025, province_code=province_2025) | Q(
        structure=UnitStructure.S2023, province_code__in=old
    )


def units_visible_to(user) -> QuerySet[AdminUnit]:
    """Central admins: every unit. Province admins: the units of their 2025 province in both
    structures. Others: none."""
    if user is None or not user.is_authenticated:
        return AdminUnit.objects.none()
    if is_central_admin(user):
        return AdminUnit.objects.all()
    province = admin_province_code(user)
    if not province:
        return AdminUnit.objects.none()
    return units_in_province(province)


def units_assignable_by(user) -> QuerySet[AdminUnit]:
    """Units a record may be attached to by `user`: either structure, within scope."""
    return units_visible_to(user)


def units_choosable_by(user) -> QuerySet[AdminUnit]:
    """The units `user` may pick in a chooser (a record's unit, a filter, an export).

    Admins: their scope (units_visible_to; a province admin: the units of their 2025 province
    and the 2023 units that went into it). Trainers who are not admins: every unit, since the
    official lists are public and trainers only filter the participants of their own
    sessions with them. Others: none."""
    if user is None or not user.is_authenticated:
        return AdminUnit.objects.none()
    if is_admin(user):
        return units_visible_to(user)
    if is_trainer_or_admin(user):
        return AdminUnit.objects.all()
    return AdminUnit.objects.none()
