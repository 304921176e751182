"""Bad input is refused with a clear answer, never a server error.

- a NUL character (U+0000) in a path, a query string or a posted form field: 400, in JSON for
  the JSON endpoints and for clients that ask for JSON, a short Vietnamese page otherwise
  (PostgreSQL cannot hold the character at all);
- a JSON body nested too deeply (or too large) for the quiz autosave: 400 in JSON;
- a file named .xlsx that is no readable workbook, uploaded to the cadre import: the upload
  form again with a Vietnamese error, and nothing stored;
- names holding bidirectional-override or other control characters (which can print another
  name on a certificate than the one stored): refused in every form that takes a name and in
  the cadre import.
"""

from __future__ import annotations

import io
import json
import zipfile
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from courses.learning.models import QuizAnswer, QuizAttempt
from courses.registry.models import Cadre, ImportJob
from lms.roles import ADMIN, CADRE, TRAINER
from tests.builders import (
    make_course,
    make_learner,
    make_registry_world,
    make_session,
    make_units,
    make_user,
)

pytestmark = pytest.mark.django_db

NUL_REFUSED = "ký tự NUL"  # in the Vietnamese refusal, page or JSON
BIDI_REFUSED = "Tên chứa ký tự điều khiển hướng chữ, không được phép."
CONTROL_REFUSED = "Tên chứa ký tự điều khiển, không được phép."
XLSX_REFUSED = "Tệp không đọc được: không phải tệp Excel (.xlsx) hợp lệ."
# Shown as "Nguyễn Thị Hoa", stored and searched as "... aoH": a right-to-left override turns
# the letters after it around.
BIDI_NAME = "Nguyễn Thị \u202eaoH"


def client_for(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def assert_refused_as_json(response):
    assert response.status_code == 400, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    assert NUL_REFUSED in response.json()["error"]


def assert_refused_as_page(response):
    assert response.status_code == 400, response.content[:500]
    assert response["Content-Type"].startswith("text/html")
    assert NUL_REFUSED in response.content.decode()


def profile_data(units, full_name: str) -> dict:
    return {
        "full_name": full_name, "sex": "female", "birth_year": "1985",
        "target_group": "key_cadre", "level": "commune", "province": units.scope,
        "commune_name": units.commune_2025.name, "consent": "on",
    }  # fmt: skip


# --- Deep or large JSON ----------------------------------------------------------------------


@pytest.fixture
def attempt():
    """A learner's open attempt at a course's final quiz, and their logged-in client."""
    user, _cadre = make_learner("hocvien")
    tree = make_course()
    client = client_for(user)
    client.post(f"/learn/courses/{tree.course.pk}/enrol/")
    for lesson in tree.lessons:  # the final quiz opens after the lessons
        client.post(f"/learn/lessons/{lesson.pk}/done/")
    client.get(f"/learn/courses/{tree.course.pk}/quiz/{tree.quiz.pk}/")
    return client, QuizAttempt.objects.get()


def post_json(client, attempt, body: bytes | str):
    return client.post(
        f"/learn/attempts/{attempt.pk}/answer/", body, content_type="application/json"
    )


@pytest.mark.parametrize("levels", [5_000, 100_000])
def test_a_deeply_nested_answer_is_refused_in_json(attempt, levels):
    """Deeper than Python's recursion limit; the deepest is also larger than any answer."""
    client, attempt = attempt
    response = post_json(client, attempt, "[" * levels + "]" * levels)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert ("lồng" if levels == 5_000 else "quá lớn") in response.json()["error"]
    assert not QuizAnswer.objects.exists()


def test_a_large_answer_body_is_refused_in_json(attempt):
    client, attempt = attempt
    question = attempt.quiz.questions.first()
    body = json.dumps({"question": question.pk, "choices": [0] * 100_000})
    response = post_json(client, attempt, body)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "quá lớn" in response.json()["error"]
    assert not QuizAnswer.objects.exists()


def test_malformed_json_is_refused_in_json_and_a_good_answer_is_still_saved(attempt):
    client, attempt = attempt
    response = post_json(client, attempt, b"{not json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]
    question = attempt.quiz.questions.first()
    choice = question.choices.first()
    body = json.dumps({"question": question.pk, "choices": [choice.pk]})
    assert post_json(client, attempt, body).status_code == 200
    assert QuizAnswer.objects.get().choice_ids == [choice.pk]


# --- NUL characters --------------------------------------------------------------------------


def test_a_nul_in_the_public_search_is_refused_with_a_vietnamese_page():
    assert_refused_as_page(client_for().get("/search/?q=a%00b"))


def test_a_nul_in_a_verification_code_is_refused_with_a_vietnamese_page():
    assert_refused_as_page(client_for().get("/verify/a%00b/"))


def test_a_nul_in_a_verification_code_asked_as_json_is_refused_in_json():
    assert_refused_as_json(client_for().get("/verify/a%00b.json"))


def test_a_nul_in_the_trainers_participant_search_is_refused():
    trainer = make_user("giang_vien", role=TRAINER)
    units = make_units()
    course = make_course(delivery="in_person", modules=0, quiz=False).course
    session = make_session(course=course, unit=units.commune, trainers=[trainer])
    assert_refused_as_page(client_for(trainer).get(f"/trainer/sessions/{session.pk}/?q=a%00b"))


def test_a_nul_in_the_admins_cadre_search_is_refused():
    world = make_registry_world()
    assert_refused_as_page(client_for(world.central).get("/admin/registry/cadres/?q=a%00b"))


def test_a_nul_in_the_counters_api_query_is_refused_in_json():
    central = make_user("trung_uong", role=ADMIN)
    assert_refused_as_json(client_for(central).get("/api/counters/?province=a%00b"))


def test_a_client_asking_for_json_gets_the_nul_refusal_in_json():
    response = client_for().get("/search/?q=a%00b", HTTP_ACCEPT="application/json")
    assert_refused_as_json(response)


def test_a_nul_in_a_posted_form_is_refused_and_nothing_is_written():
    """Posted URL-encoded, as a browser sends a form without files."""
    user = make_user("moi", role=CADRE)
    units = make_units()
    response = client_for(user).post(
        "/learn/profile/",
        urlencode(profile_data(units, "Nguyễn Thị\x00 Hoa")),
        content_type="application/x-www-form-urlencoded",
    )
    assert_refused_as_page(response)
    assert not Cadre.objects.exists()


# --- Files that are no workbook --------------------------------------------------------------


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _malformed_sheet_xlsx() -> bytes:
    """A real workbook whose first sheet's XML is cut off in the middle of its rows."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["ma_can_bo", "ho_ten"])
    for n in range(50):
        workbook.active.append(["", f"Người {n}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source:
        files = {name: source.read(name) for name in source.namelist()}
    sheet = files["xl/worksheets/sheet1.xml"]
    files["xl/worksheets/sheet1.xml"] = sheet[: len(sheet) // 2] + b"<row r=<<"
    return _zip(files)


HOSTILE_XLSX = {
    "random bytes": bytes(range(256)) * 40,
    "a zip without a workbook": _zip({"hello.txt": b"xin chao"}),
    "a zip with malformed XML": _zip(
        {
            "[Content_Types].xml": b"<Types><<not xml",
            "xl/workbook.xml": b"<workbook",
            "_rels/.rels": b"<Relationships",
        }
    ),
    "a workbook whose sheet is cut off": _malformed_sheet_xlsx(),
}


@pytest.mark.parametrize("content", HOSTILE_XLSX.values(), ids=HOSTILE_XLSX.keys())
def test_an_unreadable_xlsx_gets_a_vietnamese_form_error_and_nothing_is_written(content):
    world = make_registry_world()
    cadres = Cadre.objects.count()
    upload = SimpleUploadedFile("can_bo.xlsx", content)
    response = client_for(world.central).post(
        "/admin/registry/import/", {"file": upload, "structure": "2023"}
    )
    assert response.status_code == 200
    assert XLSX_REFUSED in response.content.decode()
    assert not ImportJob.objects.exists()
    assert Cadre.objects.count() == cadres


def test_the_session_import_command_refuses_an_unreadable_xlsx_with_a_clear_error(tmp_path):
    path = tmp_path / "buoi.xlsx"
    path.write_bytes(_malformed_sheet_xlsx())
    with pytest.raises(CommandError, match="không phải tệp Excel"):
        call_command("import_sessions", str(path))


# --- Names with direction overrides and control characters -----------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (BIDI_NAME, BIDI_REFUSED),
        ("Nguyễn Thị \u2067Hoa\u2069", BIDI_REFUSED),
        ("Nguyễn Thị\x07 Hoa", CONTROL_REFUSED),
    ],
    ids=["override", "isolate", "bell"],
)
def test_the_profile_refuses_a_name_with_direction_or_control_characters(name, message):
    user = make_user("moi", role=CADRE)
    units = make_units()
    response = client_for(user).post("/learn/profile/", profile_data(units, name))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Cadre.objects.exists()


def test_the_profile_still_takes_an_ordinary_name():
    user = make_user("moi", role=CADRE)
    units = make_units()
    response = client_for(user).post("/learn/profile/", profile_data(units, "Lò Thị Mai"))
    assert response.status_code == 302
    assert Cadre.objects.get().full_name == "Lò Thị Mai"


def cadre_form_data(unit, full_name: str) -> dict:
    return {
        "full_name": full_name, "ma_can_bo": "", "sex": "female", "birth_year": "1988",
        "target_group": "key_cadre", "level": "commune", "agency": "", "unit": unit.pk,
        "phone": "", "email": "", "consent_notice_version": "", "consent_at": "",
        "ethnicity": "",
    }  # fmt: skip


def test_the_admins_cadre_form_refuses_a_name_with_a_direction_override():
    world = make_registry_world()
    client = client_for(world.central)
    response = client.post(
        reverse("courses_cadre:add"), cadre_form_data(world.units["00001"], BIDI_NAME)
    )
    assert response.status_code == 200
    assert BIDI_REFUSED in response.content.decode()
    assert not Cadre.objects.filter(full_name=BIDI_NAME).exists()
    response = client.post(
        reverse("courses_cadre:edit", args=[world.hoa.pk]),
        cadre_form_data(world.units["00001"], BIDI_NAME),
    )
    assert response.status_code == 200
    assert BIDI_REFUSED in response.content.decode()
    world.hoa.refresh_from_db()
    assert world.hoa.full_name == "Nguyễn Thị Hoa"


def test_the_trainers_new_person_form_refuses_a_name_with_a_direction_override():
    trainer = make_user("giang_vien", role=TRAINER)
    units = make_units()
    course = make_course(delivery="in_person", modules=0, quiz=False).course
    session = make_session(course=course, unit=units.commune, trainers=[trainer])
    response = client_for(trainer).post(
        f"/trainer/sessions/{session.pk}/new-person/",
        {"full_name": BIDI_NAME, "sex": "female", "birth_year": "", "target_group": "key_cadre",
         "level": "commune", "agency": "", "phone": "", "present": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert BIDI_REFUSED in response.content.decode()
    assert not Cadre.objects.exists()


IMPORT_HEADER = (
    "ma_can_bo,ho_ten,gioi_tinh,nam_sinh,dan_toc,nhom_doi_tuong,cap,co_quan,"
    "ma_don_vi_hanh_chinh,so_dien_thoai,email\n"
)


def test_the_cadre_import_refuses_a_row_whose_name_has_a_direction_override():
    world = make_registry_world()
    client = client_for(world.central)
    rows = f",{BIDI_NAME},Nữ,1980,,Khác,Xã,,00001,,\n,Người Tốt,Nữ,1980,,Khác,Xã,,00001,,\n"
    upload = SimpleUploadedFile("can_bo.csv", (IMPORT_HEADER + rows).encode())
    response = client.post("/admin/registry/import/", {"file": upload, "structure": "2023"})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert BIDI_REFUSED in html
    assert "Xác nhận nhập dữ liệu" not in html  # the file cannot be confirmed
    assert not Cadre.objects.filter(full_name__in=[BIDI_NAME, "Người Tốt"]).exists()


def test_a_user_cannot_give_themselves_a_name_with_a_direction_override():
    trainer = make_user("giang_vien", role=TRAINER, first_name="Hà", last_name="Lê")
    client = client_for(trainer)
    response = client.post(
        "/admin/account/",
        {"name_email-first_name": "\u202eaH", "name_email-last_name": "Lê",
         "name_email-email": "gv@example.org", "locale-preferred_language": "vi",
         "locale-current_time_zone": "Asia/Ho_Chi_Minh", "theme-theme": "system",
         "theme-density": "default", "theme-contrast": "system"},
    )  # fmt: skip
    assert response.status_code == 200
    assert BIDI_REFUSED in response.content.decode()
    trainer.refresh_from_db()
    assert trainer.first_name == "Hà"


def test_a_certificate_cannot_be_reissued_with_a_name_holding_a_direction_override():
    from tests.builders import complete, make_certificate, seed_indicators

    seed_indicators()
    _user, cadre = make_learner("hocvien", full_name="Nguyễn Thị Hoa")
    enrolment = complete(cadre, make_course(modules=0, quiz=False).course)
    certificate = make_certificate(enrolment=enrolment, issue=True)
    client = client_for(make_user("trung_uong", role=ADMIN))
    response = client.post(
        reverse("certificate_reissue", args=[certificate.pk]), {"full_name": BIDI_NAME},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    assert BIDI_REFUSED in response.content.decode()
    cadre.refresh_from_db()
    assert cadre.full_name == "Nguyễn Thị Hoa"
    certificate.refresh_from_db()
    assert certificate.status == "issued"
