"""A user's roles are read once per user object (one request's), and a change of the user's
groups made through that object is seen at once."""

import pytest
from django.contrib.auth.models import Group

from lms.roles import ADMIN, TRAINER, has_role, is_admin, is_central_admin, is_trainer_or_admin
from tests.builders import make_user

pytestmark = pytest.mark.django_db


def test_the_roles_are_read_once_for_every_question(django_assert_num_queries):
    user = make_user(role=TRAINER, province_code="15")
    with django_assert_num_queries(1):
        assert is_trainer_or_admin(user)
        assert has_role(user, TRAINER)
        assert not is_admin(user)
        assert not is_central_admin(user)


def test_a_group_added_through_the_user_is_seen_at_once():
    user = make_user(role=TRAINER)
    assert not is_admin(user)
    user.groups.add(Group.objects.get_or_create(name=ADMIN)[0])
    assert is_admin(user)
    assert is_central_admin(user)  # an admin without a province
    user.groups.clear()
    assert not is_trainer_or_admin(user)
