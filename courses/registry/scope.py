"""Who may see which cadres and units.

- a central admin (or superuser) sees everyone;
- a province admin sees the cadres and units of their province (2023 structure), and the
  2025 units that succeeded them;
- a trainer sees the participants of their own sessions;
- a cadre sees only themself.

Ethnicity is sensitive: only admins whose scope covers the person see it, and it never appears
on a public page. Every list, detail and export in the admin goes through these functions.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from courses.registry.models import AdminUnit, AdminUnitLineage, Cadre, UnitStructure
from lms.roles import admin_province_code, is_central_admin


def cadres_visible_to(user) -> QuerySet[Cadre]:
    """The cadres `user` may see (list, detail, export)."""
    if user is None or not user.is_authenticated:
        return Cadre.objects.none()
    if is_central_admin(user):
        return Cadre.objects.all()
    condition = Q(user=user)
    province = admin_province_code(user)
    if province:
        condition |= Q(province_code=province)
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
        return Cadre.objects.filter(province_code=province)
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
    return cadre is None or cadre.province_code == province


def units_visible_to(user) -> QuerySet[AdminUnit]:
    """Central admins: every unit. Province admins: their province's 2023 units and the 2025
    units that took them over. Others: none."""
    if user is None or not user.is_authenticated:
        return AdminUnit.objects.none()
    if is_central_admin(user):
        return AdminUnit.objects.all()
    province = admin_province_code(user)
    if not province:
        return AdminUnit.objects.none()
    successors = AdminUnitLineage.objects.filter(
        old__structure=UnitStructure.S2023, old__province_code=province
    ).values("new_id")
    return AdminUnit.objects.filter(
        Q(structure=UnitStructure.S2023, province_code=province)
        | Q(structure=UnitStructure.S2025, pk__in=successors)
    )


def units_assignable_by(user) -> QuerySet[AdminUnit]:
    """Units a cadre record may be attached to by `user`: 2023 structure, within scope."""
    return units_visible_to(user).filter(structure=UnitStructure.S2023)
