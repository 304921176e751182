"""The project's model backend grants exactly what Django's own backend grants: the user's
own permissions and their groups', all of them for a superuser, none when inactive."""

import pytest
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Group, Permission

from lms.auth import ModelBackend
from lms.roles import ADMIN, CADRE, TRAINER
from tests.builders import make_user

pytestmark = pytest.mark.django_db


def permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def same_as_django(user) -> set[str]:
    expected = DjangoModelBackend().get_all_permissions(user)
    fresh = type(user).objects.get(pk=user.pk)
    assert ModelBackend().get_all_permissions(fresh) == expected
    return expected


def test_own_and_group_permissions_are_django_s():
    user = make_user(role=TRAINER, province_code="15")
    user.user_permissions.add(permission("courses", "view_cadre"))
    other = Group.objects.create(name="Đọc chứng nhận")
    other.permissions.add(permission("certificates", "view_certificate"),
                          permission("courses", "view_cadre"))  # fmt: skip
    user.groups.add(other)
    granted = same_as_django(user)
    assert {"wagtailadmin.access_admin", "courses.view_cadre",
            "certificates.view_certificate"} <= granted  # fmt: skip


@pytest.mark.parametrize("role", [CADRE, TRAINER, ADMIN])
def test_each_role_gets_django_s_answer(role):
    user = make_user(role=role, province_code="15")
    granted = same_as_django(user)
    assert ("wagtailadmin.access_admin" in granted) == (role != CADRE)
    assert ModelBackend().has_perm(user, "wagtailadmin.access_admin") == (role != CADRE)


def test_superusers_hold_every_permission_and_inactive_users_none():
    boss = make_user(superuser=True)
    assert same_as_django(boss) == {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    gone = make_user(role=ADMIN, is_active=False)
    assert same_as_django(gone) == set()
