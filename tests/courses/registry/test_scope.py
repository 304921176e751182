"""Who sees which cadre: central admin, province admin, trainer (own sessions), cadre
(themself), anonymous; and who sees ethnicity."""

from django.contrib.auth.models import AnonymousUser

from courses.registry.scope import (
    cadres_editable_by,
    cadres_visible_to,
    can_see_ethnicity,
    units_assignable_by,
    units_visible_to,
)


def names(queryset):
    return sorted(c.full_name for c in queryset)


def test_central_admin_sees_everyone(world):
    assert names(cadres_visible_to(world.central)) == ["Lò Thị Mai", "Nguyễn Thị Hoa",
                                                       "Trần Thị Lan"]  # fmt: skip


def test_province_admin_sees_only_their_province(world):
    assert names(cadres_visible_to(world.hn_admin)) == ["Nguyễn Thị Hoa", "Trần Thị Lan"]
    assert names(cadres_visible_to(world.hg_admin)) == ["Lò Thị Mai"]
    assert names(cadres_editable_by(world.hg_admin)) == ["Lò Thị Mai"]


def test_trainer_sees_the_participants_of_their_own_sessions_only(world):
    assert names(cadres_visible_to(world.trainer)) == ["Lò Thị Mai"]
    assert names(cadres_visible_to(world.other_trainer)) == []
    assert names(cadres_editable_by(world.trainer)) == []


def test_cadre_sees_only_themself(world):
    assert names(cadres_visible_to(world.hoa_user)) == ["Nguyễn Thị Hoa"]
    assert names(cadres_editable_by(world.hoa_user)) == []


def test_anonymous_sees_nobody(world):
    assert names(cadres_visible_to(AnonymousUser())) == []


def test_ethnicity_only_for_admins_whose_scope_covers_the_person(world):
    assert can_see_ethnicity(world.central, world.mai)
    assert can_see_ethnicity(world.hg_admin, world.mai)
    assert not can_see_ethnicity(world.hn_admin, world.mai)
    assert not can_see_ethnicity(world.trainer, world.mai)
    assert not can_see_ethnicity(world.mai_user, world.mai)  # not even their own, in the admin
    assert not can_see_ethnicity(AnonymousUser(), world.mai)


def test_units_of_a_province_admin_are_those_of_their_2025_province_in_both_structures(world):
    codes = {(u.structure, u.code) for u in units_visible_to(world.hn_admin)}
    assert ("2023", "00001") in codes and ("2025", "00004") in codes and ("2025", "01") in codes
    assert ("2023", "02") not in codes and ("2025", "08") not in codes
    # The Tuyên Quang 2025 admin: Tuyên Quang's own units and old Hà Giang's (2023).
    assignable = units_assignable_by(world.hg_admin)
    assert {(u.structure, u.code) for u in assignable} == {
        ("2023", "02"), ("2023", "024"), ("2023", "00688"), ("2025", "08"),
    }  # fmt: skip
    assert not units_visible_to(world.trainer).exists()
