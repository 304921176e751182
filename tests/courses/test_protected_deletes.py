"""Deleting what records still name is refused with a reason, never a 500 and never a
silent loss: a village where people are registered, a course with learners or sessions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.learning.models import Enrolment
from courses.registry.models import AdminUnit, UnitLevel
from tests.builders import complete, make_cadre, make_course, make_registry_world, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_registry_world()


def test_a_village_where_people_are_registered_is_not_deleted(client, world):
    client.force_login(world.hn_admin)
    client.post(
        reverse("courses_adminunit:add"), {"parent": world.units["00001"].pk, "name": "Tổ 5"}
    )
    village = AdminUnit.objects.get(level=UnitLevel.VILLAGE)
    make_cadre(unit=village, full_name="Đỗ Thị Thôn")
    response = client.post(reverse("courses_adminunit:delete", args=[village.pk]), follow=True)
    assert response.status_code == 200
    assert AdminUnit.objects.filter(pk=village.pk).exists()
    html = response.content.decode()
    assert "không thể xóa" in html.lower() or "không xóa được" in html.lower(), html[:3000]


def test_an_empty_village_is_deleted(client, world):
    client.force_login(world.hn_admin)
    client.post(
        reverse("courses_adminunit:add"), {"parent": world.units["00001"].pk, "name": "Tổ 6"}
    )
    village = AdminUnit.objects.get(level=UnitLevel.VILLAGE)
    response = client.post(reverse("courses_adminunit:delete", args=[village.pk]))
    assert response.status_code == 302
    assert not AdminUnit.objects.filter(pk=village.pk).exists()


def test_a_course_with_learners_is_not_deleted_and_says_to_unpublish_it(client, world):
    course = make_course(title="Khóa có học viên", slug="khoa-co-hoc-vien", modules=1,
                         lessons_per_module=1, quiz=False).course  # fmt: skip
    complete(cadre=world.hoa, course=course)
    admin = make_user("sieu_quan_tri", superuser=True)
    client.force_login(admin)
    url = reverse("wagtailadmin_pages:delete", args=[course.pk])
    assert client.get(url).status_code in (200, 302)
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert Enrolment.objects.filter(course_id=course.pk).count() == 1
    assert type(course).objects.filter(pk=course.pk).exists()
    html = response.content.decode()
    assert "ngừng xuất bản" in html.lower() or "hủy xuất bản" in html.lower(), html[:3000]


def test_a_course_without_learners_or_sessions_is_deleted(client, world):
    course = make_course(title="Khóa trống", slug="khoa-trong", modules=1,
                         lessons_per_module=1, quiz=False).course  # fmt: skip
    client.force_login(make_user("sieu_quan_tri", superuser=True))
    response = client.post(reverse("wagtailadmin_pages:delete", args=[course.pk]))
    assert response.status_code == 302
    assert not type(course).objects.filter(pk=course.pk).exists()
