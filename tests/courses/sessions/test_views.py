"""The trainer's session pages: who may see them, the attendance sheet, the registry search,
a new person on the spot and "mark held" (the sign-in sheet PDF: test_signin_sheet.py)."""

import unicodedata

import pytest
from django.test import Client
from django.urls import reverse

from courses.registry.models import Cadre
from courses.sessions.models import Attendance, SessionStatus
from courses.sessions.services import attendance_mark
from tests.builders import enrolment_of, logged_in, make_cadre, make_session, make_user

pytestmark = pytest.mark.django_db


def url(name, session):
    return reverse(f"training_sessions:{name}", args=[session.pk])


def test_list_shows_only_the_trainers_sessions_with_empty_state(world, trainer, session):
    other = make_user("khac", role="Trainer")
    make_session(course=world.in_person, unit=world.lao_cai.commune, trainers=[other],
                 title="Buổi của người khác")  # fmt: skip
    html = logged_in(trainer).get("/trainer/sessions/").content.decode()
    assert "Tập huấn lồng ghép giới xã Bản Lầu" in html
    assert "Buổi của người khác" not in html
    empty = logged_in(make_user("moi", role="Trainer")).get("/trainer/sessions/")
    assert empty.status_code == 200
    assert 'class="empty"' in empty.content.decode()


def test_list_is_paginated(world, trainer):
    for n in range(23):
        make_session(course=world.in_person, unit=world.lao_cai.commune, trainers=[trainer],
                     title=f"Buổi số {n}")  # fmt: skip
    client = logged_in(trainer)
    first = client.get("/trainer/sessions/").content.decode()
    second = client.get("/trainer/sessions/?page=2").content.decode()
    assert first.count('class="card"') == 20
    assert second.count('class="card"') == 3
    assert "?page=2" in first


def test_access_rules(world, trainer, session):
    detail = url("detail", session)
    assert Client().get(detail).status_code == 302  # to the login page
    assert logged_in(make_user("hoc_vien", role="Cadre")).get(detail).status_code == 403
    assert (
        logged_in(make_user("hoc_vien2", role="Cadre")).get("/trainer/sessions/").status_code == 403
    )
    assert logged_in(make_user("khac", role="Trainer")).get(detail).status_code == 404
    assert (
        logged_in(make_user("ha_giang", role="Admin", province_code="08")).get(detail).status_code
        == 404
    )
    assert logged_in(trainer).get(detail).status_code == 200
    assert (
        logged_in(make_user("lao_cai", role="Admin", province_code="15")).get(detail).status_code
        == 200
    )
    assert logged_in(make_user("trung_uong", role="Admin")).get(detail).status_code == 200
    # Other trainers can neither write nor download.
    other = logged_in(make_user("khac2", role="Trainer"))
    assert other.post(url("held", session)).status_code == 404
    assert other.get(url("signin_sheet", session)).status_code == 404
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def test_attendance_sheet_saves_present_passed_and_score(world, trainer, session):
    a = make_cadre(unit=world.lao_cai.commune, full_name="Lò Văn An")
    b = make_cadre(unit=world.lao_cai.commune, full_name="Giàng Thị Bình")
    row_a = attendance_mark(session=session, cadre=a, present=False)
    row_b = attendance_mark(session=session, cadre=b, present=True)
    client = logged_in(trainer)
    page = client.get(url("detail", session)).content.decode()
    assert "Lò Văn An" in page and "Giàng Thị Bình" in page
    assert "style=" not in page and "<script>" not in page
    response = client.post(url("detail", session), {
        f"present_{row_a.pk}": "on", f"passed_{row_a.pk}": "1", f"score_{row_a.pk}": "90",
        f"passed_{row_b.pk}": "0", f"score_{row_b.pk}": "30",
    })  # fmt: skip
    assert response.status_code == 302
    row_a.refresh_from_db()
    row_b.refresh_from_db()
    assert (row_a.present, row_a.passed, row_a.post_test_score) == (True, True, 90)
    assert (row_b.present, row_b.passed, row_b.post_test_score) == (False, False, 30)
    assert row_a.marked_by == trainer


def test_bad_score_saves_nothing_and_shows_the_error(world, trainer, session):
    cadre = make_cadre(unit=world.lao_cai.commune)
    row = attendance_mark(session=session, cadre=cadre, present=False)
    response = logged_in(trainer).post(
        url("detail", session), {f"present_{row.pk}": "on", f"score_{row.pk}": "150"}
    )
    assert response.status_code == 200
    assert "100" in response.content.decode()
    row.refresh_from_db()
    assert not row.present and row.post_test_score is None


def test_forms_need_the_csrf_token(world, trainer, session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainer)
    assert client.post(url("held", session)).status_code == 403
    page = client.get(url("detail", session)).content.decode()
    assert page.count("csrfmiddlewaretoken") >= 2  # mark held + language switch (+ logout)


def test_registry_search_is_scoped_to_the_sessions_province(world, trainer, session):
    make_cadre(unit=world.lao_cai.commune, full_name="Hoàng Thị Dung")
    far = make_cadre(unit=world.ha_giang.commune, full_name="Hoàng Thị Dương")
    client = logged_in(trainer)
    html = client.get(url("detail", session), {"q": "hoang thi"}).content.decode()
    assert "Hoàng Thị Dung" in html
    assert "Hoàng Thị Dương" not in html
    # Posting the id of someone outside the province does not add them.
    assert client.post(url("add", session), {"cadre": far.pk}).status_code == 404
    assert not Attendance.objects.exists()


def test_adding_a_participant_from_the_registry(world, trainer, session):
    cadre = make_cadre(unit=world.lao_cai.commune, full_name="Hoàng Thị Dung")
    response = logged_in(trainer).post(url("add", session), {"cadre": cadre.pk}, follow=True)
    assert "Hoàng Thị Dung" in response.content.decode()
    assert Attendance.objects.get().present


def test_new_person_on_the_spot(world, trainer, session):
    client = logged_in(trainer)
    assert client.get(url("new_cadre", session)).status_code == 200
    name = unicodedata.normalize("NFD", "Sùng Thị Mỷ")
    response = client.post(url("new_cadre", session), {
        "full_name": name, "sex": "female", "birth_year": "1985", "target_group": "village_head",
        "level": "village", "agency": "Thôn Nậm Sài", "phone": "0912 345 678", "present": "on",
    })  # fmt: skip
    assert response.status_code == 302
    cadre = Cadre.objects.get()
    assert cadre.full_name == "Sùng Thị Mỷ"
    assert cadre.phone == "0912345678"
    assert Attendance.objects.get(cadre=cadre, session=session).present
    again = client.post(url("new_cadre", session), {
        "full_name": "Sùng Thị Mỷ", "sex": "female", "target_group": "village_head",
        "level": "village", "phone": "0912345678",
    })  # fmt: skip
    assert again.status_code == 200
    assert Cadre.objects.count() == 1


def test_mark_held_completes_present_participants(world, trainer, session):
    cadre = make_cadre(unit=world.lao_cai.commune)
    attendance_mark(session=session, cadre=cadre, present=True)
    response = logged_in(trainer).post(url("held", session))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD
    assert enrolment_of(cadre, world.in_person).is_complete


def test_cancelled_session_sheet_is_read_only(world, trainer, session):
    from courses.sessions.services import session_status_set

    cadre = make_cadre(unit=world.lao_cai.commune)
    row = attendance_mark(session=session, cadre=cadre, present=False)
    session_status_set(session=session, status=SessionStatus.CANCELLED)
    client = logged_in(trainer)
    client.post(url("detail", session), {f"present_{row.pk}": "on"})
    row.refresh_from_db()
    assert not row.present


def test_the_search_finds_names_in_the_sessions_commune_and_others_only_by_phone_or_id(
    world, trainer, session
):
    from tests.builders import make_units

    elsewhere = make_units(province_code="10", commune_code="10099").commune
    near = make_cadre(unit=world.lao_cai.commune, full_name="Hoàng Thị Dung", birth_year=1988,
                      phone="0912345678")  # fmt: skip
    far = make_cadre(unit=elsewhere, full_name="Hoàng Thị Dung", birth_year=1990,
                     phone="0987654321", ma_can_bo="LC-77")  # fmt: skip
    client = logged_in(trainer)
    html = client.get(url("detail", session), {"q": "hoang thi dung"}).content.decode()
    assert html.count("Hoàng Thị Dung</strong>") == 1  # the namesake of the commune only
    assert "1988" in html and "SĐT …678" in html  # told apart by birth year and phone
    assert f'value="{near.pk}"' in html and f'value="{far.pk}"' not in html
    for query in ("0987 654 321", "LC-77"):
        html = client.get(url("detail", session), {"q": query}).content.decode()
        assert f'value="{far.pk}"' in html, query
    assert (
        f'value="{far.pk}"'
        not in client.get(url("detail", session), {"q": "654321"}).content.decode()
    )


def test_the_new_person_form_preselects_nothing_it_cannot_know(world, trainer, session):
    client = logged_in(trainer)
    html = client.get(url("new_cadre", session)).content.decode()
    for name in ("sex", "target_group", "level"):
        assert '<option value="" selected>—</option>' in html.split(f'name="{name}"')[1][:400], name
    response = client.post(url("new_cadre", session), {"full_name": "Sùng Thị Mỷ"})
    assert response.status_code == 200
    assert not Cadre.objects.exists()


def test_a_trainer_signs_off_and_then_cannot_change_the_sheet(world, trainer, session):
    from courses.sessions.services import session_status_set

    cadre = make_cadre(unit=world.lao_cai.commune)
    row = attendance_mark(session=session, cadre=cadre, present=True)
    session_status_set(session=session, status=SessionStatus.HELD)
    client = logged_in(trainer)
    assert "Ký xác nhận điểm danh" in client.get(url("detail", session)).content.decode()
    client.post(url("sign_off", session))
    session.refresh_from_db()
    assert session.signed_off_by == trainer
    html = client.get(url("detail", session)).content.decode()
    assert "chỉ quản trị viên mới thay đổi được điểm danh" in html
    client.post(url("detail", session), {})  # untick everyone
    row.refresh_from_db()
    assert row.present
    assert enrolment_of(cadre, world.in_person).is_complete


def test_a_person_added_on_the_spot_carries_the_trainers_attestation_of_consent(
    world, trainer, session
):
    client = logged_in(trainer)
    base = {"sex": "female", "target_group": "village_head", "level": "village"}
    client.post(url("new_cadre", session), {**base, "full_name": "Sùng Thị Mỷ", "consent": "on"})
    client.post(url("new_cadre", session), {**base, "full_name": "Lò Thị Xuân"})
    attested = Cadre.objects.get(full_name="Sùng Thị Mỷ")
    assert attested.consent_at is not None
    assert (attested.consent_method, attested.consent_attested_by) == ("trainer", trainer)
    assert attested.consent_notice_version
    unattested = Cadre.objects.get(full_name="Lò Thị Xuân")
    assert (unattested.consent_at, unattested.consent_method) == (None, "")
