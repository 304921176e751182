"""Trainers and admins enrol people one by one or by filter, within their scope."""

import pytest

from courses.learning.models import Enrolment
from lms.roles import ADMIN, CADRE
from tests.builders import make_cadre, make_course, make_units, make_user

pytestmark = pytest.mark.django_db

URL = "/admin/learning/enrol/"


@pytest.fixture
def people():
    lao_cai = make_units(province_code="10", district_code="080", commune_code="02650")
    ha_giang = make_units(province_code="02", province_name="Tỉnh Hà Giang",
                          district_code="024", commune_code="00688")  # fmt: skip
    return {
        "commune_lc": [make_cadre(unit=lao_cai.commune, level="commune") for _ in range(3)],
        "district_lc": make_cadre(unit=lao_cai.district, level="district"),
        "commune_hg": make_cadre(unit=ha_giang.commune, level="commune"),
        "lao_cai": lao_cai,
        "ha_giang": ha_giang,
    }


def test_province_admin_enrols_all_commune_cadres_of_a_district(client, people):
    tree = make_course()
    admin = make_user(role=ADMIN, province_code="15")
    client.force_login(admin)
    # The district is picked by name in the unit chooser, which posts the unit's id.
    form = {"course": tree.course.pk, "unit": people["lao_cai"].district.pk, "level": "commune"}
    preview = client.post(URL, {**form, "confirm": "0"})
    assert preview.status_code == 200
    assert "3 người" in preview.content.decode() or "3 people" in preview.content.decode()
    assert not Enrolment.objects.exists()
    client.post(URL, {**form, "confirm": "1"})
    enrolled = set(Enrolment.objects.values_list("cadre_id", flat=True))
    assert enrolled == {c.pk for c in people["commune_lc"]}
    client.post(URL, {**form, "confirm": "1"})  # again: nothing new
    assert Enrolment.objects.count() == 3


def test_a_province_admin_cannot_enrol_people_of_another_province(client, people):
    tree = make_course()
    client.force_login(make_user(role=ADMIN, province_code="15"))
    # Hà Giang (2023) is not among the Lào Cai admin's units: not one of the choices.
    response = client.post(
        URL, {"course": tree.course.pk, "unit": people["ha_giang"].province.pk, "confirm": "1"}
    )
    assert response.status_code == 200 and "Hà Giang" not in response.content.decode()
    assert not Enrolment.objects.exists()


def test_enrol_one_person_by_phone(client, people):
    tree = make_course()
    person = people["district_lc"]
    person.phone = "0912000111"
    person.save()
    client.force_login(make_user(role=ADMIN))
    client.post(URL, {"course": tree.course.pk, "person": "0912000111", "confirm": "1"})
    assert list(Enrolment.objects.values_list("cadre_id", flat=True)) == [person.pk]


def test_no_filter_enrols_nobody(client, people):
    tree = make_course()
    client.force_login(make_user(role=ADMIN))
    response = client.post(URL, {"course": tree.course.pk, "confirm": "1"})
    assert response.status_code == 200
    assert not Enrolment.objects.exists()


def test_cadres_cannot_open_it(client):
    client.force_login(make_user(role=CADRE))
    response = client.get(URL)
    assert response.status_code in (302, 403)
