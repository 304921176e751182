"""Every learner page, the trainer's session pages and the public pages fit a 360 px phone:
no horizontal scroll and no control outside the screen, in Debian's Chromium. Screenshots at
360 px and 1366 px go to tests/browser/screenshots/phone-layouts/."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.builders import (
    attend,
    make_cadre,
    make_course,
    make_learner,
    make_session,
    make_units,
    make_user,
    seed_indicators,
    study,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SMALL_PHONE = {"width": 360, "height": 740}
WIDE = {"width": 1366, "height": 900}
FOLDER = SCREENSHOTS / "phone-layouts"

# What overflows the screen: the page's own width, or a control whose box leaves the viewport.
OVERFLOW_SCRIPT = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width + 1) {
    problems.push(`page is ${document.documentElement.scrollWidth}px wide on a ${width}px screen`);
  }
  const controls = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]');
  for (const el of controls) {
    if (el.closest('[hidden], details:not([open]) > :not(summary), .visually-hidden, '
                   + '.skip-link, wagtail-userbar')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left < -1 || box.right > width + 1) {
      const label = (el.innerText || el.value || el.name || '').trim().slice(0, 40);
      const where = `${Math.round(box.left)}-${Math.round(box.right)}px`;
      problems.push(`${el.tagName.toLowerCase()} "${label}" at ${where}`);
    }
  }
  return problems;
}"""


@pytest.fixture(autouse=True)
def _tasks_inline(settings, tmp_path):
    from lms.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def _world():
    from certificates.models import Certificate
    from courses.learning.completion import enrolment_complete
    from courses.learning.services import enrolment_create
    from tests.builders import home_page

    seed_indicators()
    home_page()
    units = make_units()
    tree = make_course(
        title="Lồng ghép giới trong xây dựng chính sách, chương trình và kế hoạch phát triển",
        modules=1, lessons_per_module=2, delivery="blended",
    )  # fmt: skip
    _user, cadre = make_learner("hocvien", full_name="Lò Thị Mai", unit=units.commune)
    done = make_course(
        title="Kiến thức cơ bản về bình đẳng giới và phòng, chống bạo lực trên cơ sở giới",
        slug="co-ban", modules=1, lessons_per_module=1,
    )  # fmt: skip
    enrolment, _ = enrolment_create(cadre=cadre, course=done.course)
    enrolment_complete(enrolment=enrolment, via="online")
    assert Certificate.objects.filter(enrolment=enrolment).exists()
    # Both lessons studied: the final quiz opens only after them.
    study(enrolment_create(cadre=cadre, course=tree.course)[0])
    trainer = make_user("giangvien", role="Trainer", first_name="Giảng", last_name="Viên")
    session = make_session(course=tree.course, unit=units.commune, trainers=[trainer],
                           venue="Nhà văn hóa xã")  # fmt: skip
    for n in range(3):
        attend(session, make_cadre(unit=units.commune, full_name=f"Hà Văn Người Học {n}",
                                   birth_year=1980 + n, agency="UBND xã"))  # fmt: skip
    make_user("quantri", role="Admin", superuser=True)
    return tree, session


def _check(person, path: str, problems: dict, shot: str | None = None):
    response = person.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    found = person.page.evaluate(OVERFLOW_SCRIPT)
    if found:
        problems[path] = found
    if shot:
        width = person.page.viewport_size["width"]
        person.page.screenshot(path=str(FOLDER / f"{shot}-{width}.png"), full_page=True)


def _sheet_png(person, session, width: int):
    """The sign-in sheet PDF as a PNG page (poppler's pdftoppm), beside the screenshots."""
    pdf = person.get(f"/trainer/sessions/{session.pk}/sign-in-sheet.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    if not shutil.which("pdftoppm"):
        return
    path = FOLDER / "sign-in-sheet.pdf"
    path.write_bytes(pdf.body())
    subprocess.run(["pdftoppm", "-png", "-r", "60" if width < 1000 else "110", "-f", "1",
                    "-l", "1", "-singlefile", str(path), str(FOLDER / f"sign-in-sheet-{width}")],
                   check=True)  # fmt: skip
    path.unlink()


def test_learner_trainer_and_public_pages_fit_a_360_px_phone(journey):
    tree, session = _world()
    if FOLDER.exists():
        shutil.rmtree(FOLDER)
    FOLDER.mkdir(parents=True)
    quiz_path = f"/learn/courses/{tree.course.pk}/quiz/{tree.quiz.pk}/"
    j = journey("phone-layouts-run")
    for viewport in (SMALL_PHONE, WIDE):
        problems: dict[str, list[str]] = {}
        visitor = j.person(viewport=viewport)
        _check(visitor, "/", problems, "home")
        _check(visitor, "/so-lieu/", problems, "public-figures")
        _check(visitor, tree.course.url, problems, "course-page")
        _check(visitor, tree.modules[0].url, problems)
        _check(visitor, "/search/?q=bình+đẳng+giới", problems)
        _check(visitor, "/accounts/login/", problems)

        learner = j.person(viewport=viewport)
        learner.login("hocvien")
        _check(learner, "/learn/", problems)
        _check(learner, "/learn/profile/", problems)
        _check(learner, "/certificates/mine/", problems, "my-certificates")
        _check(learner, tree.lessons[0].url, problems)
        _check(learner, quiz_path, problems, "quiz")

        trainer = j.person(viewport=viewport)
        trainer.login("giangvien", next_path="/trainer/sessions/")
        _check(trainer, "/trainer/sessions/", problems)
        _check(trainer, f"/trainer/sessions/{session.pk}/", problems, "session")
        _check(trainer, f"/trainer/sessions/{session.pk}/new-person/", problems)
        _sheet_png(trainer, session, viewport["width"])

        admin = j.person(viewport=viewport)
        admin.login("quantri", next_path="/admin/")
        admin.goto("/admin/counters/")
        admin.page.screenshot(
            path=str(FOLDER / f"dashboard-{viewport['width']}.png"), full_page=True
        )
        assert problems == {}, f"at {viewport['width']} px: {problems}"
    assert j.requests_elsewhere == []
    for name in ("home", "public-figures", "course-page", "my-certificates", "quiz", "dashboard"):
        for width in (360, 1366):
            assert (FOLDER / f"{name}-{width}.png").exists(), name
