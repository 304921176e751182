"""A cadre on a phone takes the course's pre-test, studies the course in order, fails the final
quiz once without seeing the answers, is asked before a blank question is submitted, passes,
and then sees the answers; the knowledge gain records both scores. In Debian's Chromium, one
screenshot per step under tests/browser/screenshots/<journey>/."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PHONE
from tests.builders import make_course, make_learner, make_quiz, make_units, seed_indicators

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _tasks_inline_and_private_media(settings, tmp_path):
    """Certificates are issued in the live server's thread (no worker in this journey)."""
    from lms.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def test_journey_cadre_studies_in_order_fails_without_the_answers_then_passes(journey):
    seed_indicators()
    # Two single-choice questions whose right answers read DAP-AN-DUNG-1 and -2.
    quiz = make_quiz(title="Kiểm tra cuối khóa", questions=2, marked=True, attempts_allowed=3)
    pre = make_quiz(title="Kiểm tra đầu vào", questions=2, marked=True)
    tree = make_course(title="Bình đẳng giới trong gia đình", modules=1, lessons_per_module=2,
                       quiz=quiz, pre_test=pre)  # fmt: skip
    _user, learner = make_learner("hocvien", full_name="Lò Thị Mai", unit=make_units().commune)
    j = journey("5-cadre-studies-in-order-and-fails-once")
    cadre = j.person(viewport=PHONE)
    page = cadre.page

    cadre.login("hocvien", next_path=tree.course.url)
    with page.expect_navigation():
        page.locator("form[action$='/enrol/'] [type=submit]").click()
    cadre.shot("after enrolling")

    # The pre-test comes before the first lesson: one right answer of two.
    cadre.goto(tree.course.url)
    with page.expect_navigation():
        page.get_by_role("link", name="Làm bài kiểm tra đầu vào").click()
    assert f"/quiz/{pre.pk}/" in page.url
    pre_fields = page.locator("form.quiz-form fieldset")
    pre_fields.nth(0).get_by_label(re.compile("DAP-AN-DUNG")).check()
    pre_fields.nth(1).get_by_label(re.compile("Phương án sai")).check()
    cadre.shot("pre-test")
    with page.expect_navigation():
        page.locator("form.quiz-form [type=submit]").click()
    assert "Điểm của bạn: 50%" in page.content()
    cadre.shot("pre-test result")

    # The second lesson first: it waits for the first one.
    cadre.goto(tree.lessons[1].url)
    assert "Khóa học này học theo thứ tự" in page.content()
    assert page.locator("form[action$='/done/']").count() == 0
    cadre.shot("second lesson waits for the first")
    # The final quiz too.
    cadre.goto(f"/learn/courses/{tree.course.pk}/quiz/{quiz.pk}/")
    assert "Hãy học xong tất cả các bài của khóa học trước bài kiểm tra cuối khóa" in page.content()
    cadre.shot("final quiz waits for the lessons")

    # In order.
    cadre.goto(tree.lessons[0].url)
    with page.expect_navigation():
        page.locator("form[action$='/done/'] [type=submit]").click()
    assert tree.lessons[1].title in page.content()
    with page.expect_navigation():
        page.locator("form[action$='/done/'] [type=submit]").click()
    assert f"/learn/courses/{tree.course.pk}/quiz/{quiz.pk}/" in page.url
    cadre.shot("quiz after both lessons")

    fieldsets = page.locator("form.quiz-form fieldset")

    # One question answered (wrongly), one left blank: asked first.
    fieldsets.nth(0).get_by_label(re.compile("Phương án sai")).check()
    with page.expect_navigation():
        page.locator("form.quiz-form [type=submit]").click()
    assert "Nộp bài khi còn câu chưa trả lời?" in page.content()
    cadre.shot("asked before submitting a blank question")
    with page.expect_navigation():
        page.get_by_role("button", name="Vẫn nộp bài").click()
    assert re.search(r"/learn/attempts/\d+/$", page.url)
    html = page.content()
    assert "Điểm của bạn: 0%" in html
    assert "DAP-AN-DUNG" not in html and "GIAI-THICH-BI-MAT" not in html
    cadre.shot("failed without seeing the answers")

    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Làm lại|Try again", re.I)).click()
    for n in range(2):
        fieldsets.nth(n).get_by_label(re.compile("DAP-AN-DUNG")).check()
    cadre.shot("quiz with the right answers")
    with page.expect_navigation():
        page.locator("form.quiz-form [type=submit]").click()
    html = page.content()
    assert "Điểm của bạn: 100%" in html
    assert "(đáp án đúng)" in html and "GIAI-THICH-BI-MAT-1" in html
    cadre.shot("passed and sees the answers")

    cadre.goto(tree.course.url)
    assert page.content().count("✓ đã học xong") == 2
    cadre.shot("course outline with both lessons ticked")
    # The knowledge gain: 50 before, 100 after.
    from courses.counters.models import KnowledgeScore

    score = KnowledgeScore.objects.get(cadre=learner, course=tree.course)
    assert (score.pre, score.post) == (50, 100)
    assert j.requests_elsewhere == []
    assert j.csp_violations() == []
