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


def fresh_permissions(user) -> set[str]:
    """The permissions of the user as a new request sees them (a new user object)."""
    return ModelBackend().get_all_permissions(type(user).objects.get(pk=user.pk))


def test_a_second_request_reads_the_permissions_from_the_cache(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the user's creation committed
        user = make_user(role=TRAINER, province_code="15")
    first = fresh_permissions(user)
    again = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(0):
        assert ModelBackend().get_all_permissions(again) == first


def test_every_change_of_what_a_user_holds_is_seen_at_the_next_request(
    django_capture_on_commit_callbacks,
):
    user = make_user(role=CADRE, province_code="15")
    view_cadre = permission("courses", "view_cadre")
    readers = Group.objects.create(name="Đọc hồ sơ")
    assert "courses.view_cadre" not in fresh_permissions(user)
    with django_capture_on_commit_callbacks(execute=True):
        readers.permissions.add(view_cadre)
        user.groups.add(readers)
    assert "courses.view_cadre" in fresh_permissions(user)
    readers.permissions.remove(view_cadre)
    assert "courses.view_cadre" not in fresh_permissions(user)
    user.user_permissions.add(view_cadre)
    assert "courses.view_cadre" in fresh_permissions(user)
    user.user_permissions.clear()
    readers.permissions.add(view_cadre)
    assert "courses.view_cadre" in fresh_permissions(user)
    user.groups.remove(readers)
    assert "courses.view_cadre" not in fresh_permissions(user)
    readers.user_set.add(user)  # from the group's side, as Wagtail's "assign role" does
    assert "courses.view_cadre" in fresh_permissions(user)
    readers.delete()
    assert same_as_django(user) == fresh_permissions(user)
    assert "courses.view_cadre" not in fresh_permissions(user)
    user.is_superuser = True
    user.save()
    assert "courses.delete_cadre" in fresh_permissions(user)
    user.is_active = False
    user.save()
    assert fresh_permissions(user) == set()


def test_with_redis_down_permissions_are_read_from_the_database():
    from django.test import override_settings

    from tests.lms.test_cache import DEAD_REDIS

    user = make_user(role=TRAINER, province_code="15")
    with override_settings(CACHES=DEAD_REDIS):
        assert fresh_permissions(user) == same_as_django(user)
        assert "wagtailadmin.access_admin" in fresh_permissions(user)
