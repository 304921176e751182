"""The four journeys of issue 8, in Debian's Chromium, one screenshot per step under
tests/browser/screenshots/<journey>/.

1. A trainer writes a lesson with a quiz in the Wagtail admin and publishes both through the
   moderation workflow (the trainer submits, an Admin-group reviewer approves).
2. A cadre on a phone (390x844) logs in, enrols, studies, fails the quiz then passes it, and
   downloads the certificate.
3. Anyone opens the certificate's verification URL.
4. A province admin sees the counter rise by one, and only in their own province.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE
from tests.builders import make_course, make_learner, make_units, make_user, seed_indicators

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _tasks_inline_and_private_media(settings, tmp_path):
    """Certificates are issued in the live server's thread (no worker in these journeys)."""
    from lms.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def _issued_certificate(full_name: str = "Lò Thị Hoà"):
    """A cadre who completed a course and holds an issued certificate (tasks inline)."""
    from certificates.models import Certificate, CertificateStatus
    from courses.learning.completion import enrolment_complete
    from courses.learning.services import enrolment_create

    seed_indicators()
    tree = make_course(title="Lồng ghép giới trong chính sách", modules=1, lessons_per_module=1)
    _user, cadre = make_learner(full_name=full_name, phone="0912000111", email="hoa@example.org")
    enrolment, _ = enrolment_create(cadre=cadre, course=tree.course)
    enrolment_complete(enrolment=enrolment, via="online")
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.status == CertificateStatus.ISSUED, certificate.status_reason
    return certificate


# --- 3. Anyone opens the verification URL ---------------------------------------------------


def test_journey_3_anyone_verifies_a_certificate(journey):
    certificate = _issued_certificate()
    j = journey("3-verify-certificate")
    visitor = j.person(viewport=PHONE)

    response = visitor.goto(f"/verify/{certificate.code}/")
    assert response.status == 200
    body = visitor.page.locator("main, body").first.inner_text()
    assert "Lò Thị Hoà" in body
    assert certificate.serial in body
    assert "Lồng ghép giới trong chính sách" in body
    assert visitor.page.locator("[data-status=valid]").count() == 1
    # No contact details on a public page.
    assert "0912000111" not in visitor.page.content()
    assert "hoa@example.org" not in visitor.page.content()
    visitor.shot("valid certificate")

    data = visitor.get(f"/verify/{certificate.code}.json").json()
    assert data["status"] == "valid" and data["full_name"] == "Lò Thị Hoà"

    response = visitor.goto("/verify/khong-co-ma-nay-0000000000000000/")
    assert response.status == 404
    assert "Lò Thị Hoà" not in visitor.page.content()
    visitor.shot("unknown code")

    from certificates.services import certificate_revoke

    certificate_revoke(certificate=certificate, reason="Cấp nhầm")
    visitor.goto(f"/verify/{certificate.code}/")
    assert visitor.page.locator("[data-status=revoked]").count() == 1
    visitor.shot("revoked certificate")
    assert j.requests_elsewhere == []
    assert j.csp_violations() == []


# --- 2. A cadre on a phone: enrol, study, fail, pass, download --------------------------------


def test_journey_2_cadre_learns_on_a_phone_and_downloads_the_certificate(journey):
    seed_indicators()
    tree = make_course(title="Kiến thức cơ bản về bình đẳng giới", modules=1, lessons_per_module=2)
    make_learner("hocvien", full_name="Hà Thị Mai", unit=make_units().commune)
    j = journey("2-cadre-on-a-phone")
    cadre = j.person(viewport=PHONE)

    cadre.login("hocvien", next_path="/learn/")
    assert cadre.page.url.endswith("/learn/")
    cadre.shot("my courses before enrolling")

    cadre.goto(tree.course.url)
    cadre.shot("course page")
    with cadre.page.expect_navigation():
        cadre.page.locator("form[action$='/enrol/'] [type=submit]").click()
    assert tree.lessons[0].title in cadre.page.content()
    cadre.shot("first lesson after enrolling")

    for lesson in tree.lessons:
        assert lesson.title in cadre.page.content()
        with cadre.page.expect_navigation():
            cadre.page.locator("form[action$='/done/'] [type=submit]").click()
        cadre.shot(f"lesson {lesson.title} done")

    quiz = tree.quiz
    assert f"/learn/courses/{tree.course.pk}/quiz/{quiz.pk}/" in cadre.page.url
    # The builders' quiz: single choice (A right), multiple choice (A and B right), true/false
    # ("Đúng" right). The cadre answers by the labels on the screen, as a person does.
    wrong = [["Phương án D"], ["Phương án C"], ["Phương án Sai"]]
    right = [["Phương án A"], ["Phương án A", "Phương án B"], ["Phương án Đúng"]]
    assert quiz.questions.count() == 3

    def answer(choices_per_question):
        for fieldset, labels in zip(
            cadre.page.locator("form.quiz-form fieldset").all(), choices_per_question, strict=True
        ):
            for box in fieldset.locator("input[type=checkbox]").all():
                box.set_checked(False)
            for label in labels:
                fieldset.get_by_label(label, exact=True).check()

    answer(wrong)
    cadre.shot("quiz with wrong answers")
    with cadre.page.expect_navigation():
        cadre.page.locator("form.quiz-form [type=submit]").click()
    assert re.search(r"/learn/attempts/\d+/$", cadre.page.url)
    assert cadre.page.locator(".notice-error").count() >= 1
    cadre.shot("failed attempt")

    with cadre.page.expect_navigation():
        cadre.page.get_by_role("link", name=re.compile("Làm lại|Try again", re.I)).click()
    answer(right)
    cadre.shot("quiz with right answers")
    with cadre.page.expect_navigation():
        cadre.page.locator("form.quiz-form [type=submit]").click()
    assert cadre.page.locator(".notice-success").count() >= 1
    cadre.shot("passed and completed")

    cadre.goto("/certificates/mine/")
    cadre.shot("my certificates")
    with cadre.page.expect_download() as download_info:
        cadre.page.locator("a[href*='/download/']").first.click()
    download = download_info.value
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert download.suggested_filename.startswith("DA8-")

    from certificates.models import Certificate

    certificate = Certificate.objects.get(enrolment__cadre__full_name="Hà Thị Mai")
    assert certificate.pdf.storage.exists(certificate.pdf.name)
    cadre.goto(f"/verify/{certificate.code}/")
    assert "Hà Thị Mai" in cadre.page.content()
    cadre.shot("verification of my certificate")
    assert j.requests_elsewhere == []
    assert j.csp_violations() == []


# --- 4. A province admin sees the counter rise by one, in their own province only ---------------


def _cadres_trained(person) -> int:
    person.goto("/admin/counters/")
    text = person.page.locator("#indicator-CADRES_TRAINED [data-value]").inner_text()
    return int(re.sub(r"\D", "", text) or 0)


def test_journey_4_province_admin_sees_the_counter_rise_in_their_province_only(journey):
    from courses.learning.completion import enrolment_complete
    from courses.learning.services import enrolment_create

    seed_indicators()
    tree = make_course(title="Giám sát, đánh giá", modules=1, lessons_per_module=1)
    home = make_units(province_code="10", province_name="Tỉnh Lào Cai")
    other = make_units(province_code="20", province_name="Tỉnh Lạng Sơn")
    make_user("qt_laocai", role="Admin", province_code="15")
    make_user("qt_langson", role="Admin", province_code="20")

    j = journey("4-province-counter")
    admin = j.person()
    admin.login("qt_laocai", next_path="/admin/counters/")
    before = _cadres_trained(admin)
    admin.shot("dashboard before")

    _user, ours = make_learner(full_name="Vàng Thị Dung", unit=home.commune, level="commune")
    enrolment, _ = enrolment_create(cadre=ours, course=tree.course)
    enrolment_complete(enrolment=enrolment, via="online")
    assert _cadres_trained(admin) == before + 1
    admin.shot("dashboard after a completion in Lao Cai")

    _user, theirs = make_learner(full_name="Hoàng Văn Ngọc", unit=other.commune, level="commune")
    enrolment, _ = enrolment_create(cadre=theirs, course=tree.course)
    enrolment_complete(enrolment=enrolment, via="online")
    assert _cadres_trained(admin) == before + 1
    assert "Lạng Sơn" not in admin.page.content()
    admin.shot("dashboard unchanged by a completion in Lang Son")

    # Asking for the other province by query string changes nothing.
    admin.goto("/admin/counters/?province=20")
    assert "Hoàng Văn Ngọc" not in admin.page.content()
    response = admin.get("/api/counters/?province=20")
    assert response.status == 403

    neighbour = j.person()
    neighbour.login("qt_langson", next_path="/admin/counters/")
    assert _cadres_trained(neighbour) == 1
    neighbour.shot("the other province sees its own one")
    assert j.requests_elsewhere == []
    assert j.csp_violations() == []


# --- 1. A trainer writes a lesson with a quiz; an Admin-group reviewer approves it ------------


def _save(person, name: str):
    """Click a footer action of the Wagtail editor (opening the actions menu if needed)."""
    page = person.page
    button = page.locator(f"footer button[name='{name}'], form button[name='{name}']").first
    if not button.is_visible():
        toggle = "footer [data-w-dropdown-target=toggle], footer button[aria-haspopup]"
        page.locator(toggle).first.click()
    with page.expect_navigation():
        button.click()


def test_journey_1_trainer_writes_a_lesson_with_a_quiz_and_a_reviewer_publishes_it(journey):
    from content.models import LessonPage, Quiz

    tree = make_course(title="Phân tích giới", modules=1, lessons_per_module=0, quiz=False)
    module = tree.modules[0]
    make_user("giangvien", role="Trainer")
    make_user("nguoiduyet", role="Admin")
    make_learner("hocvien1", unit=make_units().commune)

    j = journey("1-trainer-publishes-a-lesson")
    trainer = j.person()
    trainer.login("giangvien", next_path="/admin/")
    trainer.shot("admin home")

    # The quiz, as a snippet: one single-choice question with two choices.
    trainer.goto("/admin/snippets/content/quiz/add/")
    page = trainer.page
    page.fill("#id_title", "Kiểm tra: định kiến giới")
    page.fill("#id_questions-0-text", "Định kiến giới là gì?")
    page.fill("#id_questions-0-explanation", "Định kiến giới là nhận thức thiên lệch.")
    page.fill("#id_questions-0-choices-0-text", "Nhận thức thiên lệch về vai trò giới")
    page.check("#id_questions-0-choices-0-is_correct")
    page.fill("#id_questions-0-choices-1-text", "Một quy định pháp luật")
    trainer.shot("quiz form")
    # Quizzes are reviewed like pages: the trainer submits it ("Gửi duyệt"); it stays a draft,
    # unseen by learners, until the reviewer approves it (below).
    _save(trainer, "action-submit")
    quiz = Quiz.objects.get(title="Kiểm tra: định kiến giới")
    assert quiz.questions.get().choices.filter(is_correct=True).count() == 1
    assert not quiz.live and quiz.current_workflow_state is not None
    trainer.shot("quiz submitted for review")

    # The lesson, under the module: a paragraph and the quiz block.
    trainer.goto(f"/admin/pages/add/content/lessonpage/{module.pk}/")
    page.fill("#id_title", "Định kiến giới trong gia đình")
    page.locator("[data-streamfield-stream-container] button, .c-sf-add-button").first.click()
    page.get_by_role("option", name=re.compile("Văn bản|Rich text", re.I)).first.click()
    page.locator("[contenteditable=true]").first.fill(
        "Định kiến giới là nhận thức thiên lệch về vai trò của phụ nữ và nam giới."
    )
    page.locator(".c-sf-add-button").last.click()
    page.get_by_role("option", name=re.compile("Bài kiểm tra|Quiz", re.I)).first.click()
    # The quiz block's own chooser, by its name: the block's widget is drawn after the option
    # is picked, and the lesson's audio and handout choosers are buttons too.
    page.get_by_role("button", name=re.compile("Chọn bài kiểm tra|Choose (a )?quiz", re.I)).click()
    page.get_by_role("link", name="Kiểm tra: định kiến giới").click()
    page.locator(".modal-dialog").first.wait_for(state="hidden")
    trainer.shot("lesson with a quiz block")
    _save(trainer, "action-submit")
    lesson = LessonPage.objects.get(title="Định kiến giới trong gia đình")
    assert not lesson.live
    assert lesson.current_workflow_state is not None
    trainer.shot("submitted for review")

    reviewer = j.person()
    reviewer.login("nguoiduyet", next_path="/admin/")
    reviewer.shot("reviewer dashboard awaiting review")
    for path in (
        f"/admin/snippets/content/quiz/edit/{quiz.pk}/",
        f"/admin/pages/{lesson.pk}/edit/",
    ):
        reviewer.goto(path)
        approve = reviewer.page.locator("[data-workflow-action-name=approve]").first
        if not approve.is_visible():
            toggle = "footer [data-w-dropdown-target=toggle], footer button[aria-haspopup]"
            reviewer.page.locator(toggle).first.click()
        with reviewer.page.expect_navigation():
            approve.click()
    quiz.refresh_from_db()
    lesson.refresh_from_db()
    assert quiz.is_published and lesson.live
    reviewer.shot("approved and live")

    learner = j.person(viewport=PHONE)
    learner.login("hocvien1", next_path=lesson.url)
    assert "Định kiến giới trong gia đình" in learner.page.content()
    assert "Kiểm tra: định kiến giới" in learner.page.content()
    # The correct answer never reaches the browser before the attempt is submitted.
    assert "Nhận thức thiên lệch về vai trò giới" not in learner.page.content()
    learner.shot("the live lesson on a phone")
    assert j.requests_elsewhere == []
    assert j.csp_violations() == []
