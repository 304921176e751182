"""The Wagtail admin for training sessions: scoped by province, and saving through the
session services so the counters follow."""

import pytest

from courses.counters.services import SESSIONS_DISTRICT_COMMUNE
from courses.sessions.models import SessionStatus, TrainingSession
from tests.builders import cell_total, logged_in, make_session, make_sessions_world, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    world = make_sessions_world()
    # Sessions of 2026: in units of the 2025 structure.
    world.lc = make_session(course=world.in_person, unit=world.lao_cai.commune_2025,
                            title="Buổi Lào Cai", code="LC1")  # fmt: skip
    world.hg = make_session(course=world.in_person, unit=world.ha_giang.commune_2025,
                            title="Buổi Hà Giang", code="HG1")  # fmt: skip
    return world


def form_data(session, **changes):
    data = {
        "code": session.code, "kind": session.kind, "course": session.course_id,
        "title": session.title, "start_date": session.start_date.isoformat(),
        "end_date": session.end_date.isoformat(), "unit": session.unit_id,
        "venue": session.venue, "status": session.status,
    }  # fmt: skip
    data.update(changes)
    return data


def test_province_admin_sees_and_edits_only_their_province(world):
    client = logged_in(make_user("lao_cai", role="Admin", province_code="15"))
    html = client.get("/admin/sessions/").content.decode()
    assert "Buổi Lào Cai" in html and "Buổi Hà Giang" not in html
    assert client.get(f"/admin/sessions/edit/{world.hg.pk}/").status_code == 404
    assert client.post(f"/admin/sessions/delete/{world.hg.pk}/").status_code == 404
    assert client.get(f"/admin/sessions/edit/{world.lc.pk}/").status_code == 200


def test_central_admin_sees_everything(world):
    html = logged_in(make_user("trung_uong", role="Admin")).get("/admin/sessions/").content.decode()
    assert "Buổi Lào Cai" in html and "Buổi Hà Giang" in html


def test_trainers_do_not_manage_sessions_in_the_admin(world):
    response = logged_in(make_user("gv", role="Trainer")).get("/admin/sessions/")
    assert response.status_code in (302, 403)


def test_status_change_in_the_admin_moves_the_counters(world):
    client = logged_in(make_user("lao_cai", role="Admin", province_code="15"))
    response = client.post(
        f"/admin/sessions/edit/{world.lc.pk}/", form_data(world.lc, status="held")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    world.lc.refresh_from_db()
    assert world.lc.status == SessionStatus.HELD
    assert cell_total(SESSIONS_DISTRICT_COMMUNE) == 1
    # A province admin cannot move a session to another province's unit.
    response = client.post(
        f"/admin/sessions/edit/{world.lc.pk}/",
        form_data(world.lc, unit=world.ha_giang.commune_2025.pk),
    )
    assert response.status_code == 200
    world.lc.refresh_from_db()
    assert world.lc.province_2025 == "15"
    # Deleting the held session uncounts it.
    response = client.post(f"/admin/sessions/delete/{world.lc.pk}/")
    assert response.status_code == 302
    assert not TrainingSession.objects.filter(pk=world.lc.pk).exists()
    assert cell_total(SESSIONS_DISTRICT_COMMUNE) == 0


def test_a_session_after_the_reform_cannot_be_placed_in_a_2023_unit(world):
    client = logged_in(make_user("lao_cai", role="Admin", province_code="15"))
    data = form_data(world.lc, code="LC3", unit=world.lao_cai.commune.pk)
    response = client.post("/admin/sessions/new/", data)
    assert response.status_code == 200
    assert "cơ cấu 2025" in response.content.decode()
    assert not TrainingSession.objects.filter(code="LC3").exists()
    data = form_data(world.lc, code="LC4", unit=world.lao_cai.commune.pk,
                     start_date="2025-06-30", end_date="2025-06-30")  # fmt: skip
    assert client.post("/admin/sessions/new/", data).status_code == 302
    assert TrainingSession.objects.get(code="LC4").province_code == "10"


def test_creating_a_held_session_in_the_admin_counts_it(world):
    client = logged_in(make_user("lao_cai", role="Admin", province_code="15"))
    data = form_data(world.lc, code="LC2", title="Buổi mới", status="held")
    response = client.post("/admin/sessions/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert TrainingSession.objects.get(code="LC2").status == SessionStatus.HELD
    assert cell_total(SESSIONS_DISTRICT_COMMUNE) == 1
