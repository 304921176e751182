"""Offline learning in Debian's Chromium: a cadre stores a course, loses the connection, does
every lesson and the quiz, closes the page; back online, the work arrives once and the
certificate is issued. The site is an installable web app by Chromium's own check."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE
from tests.builders import make_course, make_learner, make_units, seed_indicators
from tests.conftest import wait_for

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


def _unless_locked(read):
    """`read()`, or False while the live server's thread holds a lock on SQLite's shared test
    database (the service worker's background sync and the page both send the queue when
    the connection returns: SQLite then answers "table is locked" to a reader instead of
    waiting)."""
    from django.db import OperationalError

    try:
        return read()
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return False


def _installability_errors(j, path: str) -> list:
    from tests.browser.conftest import CHROMIUM_ARGS, chromium_executable

    with tempfile.TemporaryDirectory() as profile:
        context = j.browser.browser_type.launch_persistent_context(
            profile, executable_path=chromium_executable(), args=CHROMIUM_ARGS
        )
        try:
            page = context.new_page()
            page.goto(j.base + path)
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            cdp = context.new_cdp_session(page)
            return cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        finally:
            context.close()


def test_a_cadre_learns_a_stored_course_offline_and_the_work_arrives_once(journey):
    from certificates.models import Certificate, CertificateStatus
    from courses.learning.models import LessonProgress, OfflineAction, QuizAnswer, QuizAttempt

    seed_indicators()
    tree = make_course(title="Bình đẳng giới ở thôn bản", modules=1, lessons_per_module=2)
    make_learner("hocvien", full_name="Giàng Thị Pà", unit=make_units().commune)
    j = journey("offline-cadre-learns-without-a-connection")
    cadre = j.person(viewport=PHONE)
    page = cadre.page

    cadre.login("hocvien", next_path=tree.course.url)
    with page.expect_navigation():
        page.locator("form[action$='/enrol/'] [type=submit]").click()
    cadre.goto(tree.course.url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    box = page.locator("[data-offline-course]")
    button = box.locator("button[data-action=download]")
    button.wait_for()
    assert "Tải về để học ngoại tuyến" in button.inner_text()
    page.locator("[data-offline-info]", has_text="Dung lượng").wait_for()
    cadre.shot("course with its size before storing")

    # Journeys run in incognito contexts, which Chromium never installs from: the check
    # runs in a browser profile of its own, as a phone's browser has.
    assert _installability_errors(j, tree.course.url) == []

    button.click()
    page.locator("[data-offline-course][data-stored=true]").wait_for()
    assert "Dung lượng đã dùng trên máy" in box.inner_text()
    cadre.shot("course stored on the device")

    cadre.context.set_offline(True)
    for lesson in tree.lessons:
        cadre.goto(lesson.url)
        assert lesson.title in page.content()
        with page.expect_navigation():
            page.locator("form[action$='/done/'] [type=submit]").click()
        cadre.shot(f"lesson {lesson.title} done offline")
    page.locator("#offline-status", has_text="bài học đã xong đang chờ gửi").wait_for()

    quiz = tree.quiz
    cadre.goto(f"/learn/courses/{tree.course.pk}/quiz/{quiz.pk}/")
    right = [["Phương án A"], ["Phương án A", "Phương án B"], ["Phương án Đúng"]]
    for fieldset, labels in zip(page.locator("form.quiz-form fieldset").all(), right, strict=True):
        for label in labels:
            fieldset.get_by_label(label, exact=True).check()
    page.locator("#autosave-status", has_text="").wait_for()
    cadre.shot("quiz answered offline")
    with page.expect_navigation():
        page.locator("form.quiz-form [type=submit]").click()
    status = page.locator("#offline-status")
    status.wait_for()
    assert "câu trả lời đang chờ gửi" in status.inner_text()
    assert "bài kiểm tra đang chờ nộp" in status.inner_text()
    cadre.shot("offline page with the work waiting")
    # Nothing has reached the server yet.
    assert LessonProgress.objects.count() == 0
    assert not QuizAttempt.objects.filter(submitted_at__isnull=False).exists()

    page.close()
    cadre.context.set_offline(False)
    cadre.page = page = cadre.context.new_page()
    page.on("request", j.watch_request)
    cadre.goto("/learn/")
    wait_for(
        lambda: _unless_locked(
            lambda: Certificate.objects.filter(status=CertificateStatus.ISSUED).exists()
        ),
        timeout=30,
        message="the certificate of the completion sent from the device",
    )
    page.locator("#offline-status", has_text="Đã gửi lúc").wait_for()
    cadre.shot("back online, the work was sent")

    assert LessonProgress.objects.count() == len(tree.lessons)
    attempts = QuizAttempt.objects.filter(submitted_at__isnull=False)
    assert attempts.count() == 1 and attempts.get().passed
    assert QuizAnswer.objects.filter(attempt=attempts.get()).count() == 3
    assert OfflineAction.objects.filter(kind="lesson").count() == len(tree.lessons)
    assert OfflineAction.objects.filter(kind="submit").count() == 1
    assert Certificate.objects.count() == 1
    # A second page load sends nothing again.
    cadre.goto("/learn/")
    page.wait_for_timeout(500)
    assert OfflineAction.objects.filter(kind="lesson").count() == len(tree.lessons)
    assert j.requests_elsewhere == []
    assert j.csp_violations() == []


def test_logging_out_on_a_shared_phone_sends_the_work_then_clears_the_device(journey):
    from courses.learning.models import LessonProgress, OfflineAction

    tree = make_course(title="Bình đẳng giới trong gia đình", modules=1, lessons_per_module=2)
    make_learner("hocvien2", full_name="Lò Văn Sáng", unit=make_units().commune)
    j = journey("offline-shared-phone-logout")
    cadre = j.person(viewport=PHONE)
    page = cadre.page
    cadre.login("hocvien2", next_path=tree.course.url)
    with page.expect_navigation():
        page.locator("form[action$='/enrol/'] [type=submit]").click()
    cadre.goto(tree.course.url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.locator("[data-offline-course] button[data-action=download]").click()
    page.locator("[data-offline-course][data-stored=true]").wait_for()

    cadre.context.set_offline(True)
    cadre.goto(tree.lessons[0].url)
    with page.expect_navigation():
        page.locator("form[action$='/done/'] [type=submit]").click()
    page.locator("#offline-status", has_text="đang chờ gửi").wait_for()
    assert LessonProgress.objects.count() == 0

    cadre.context.set_offline(False)
    with page.expect_navigation():
        page.locator("form[action$='/accounts/logout/'] [type=submit]").click()
    cadre.shot("logged out")
    assert LessonProgress.objects.count() == 1
    assert OfflineAction.objects.count() == 1
    left = page.evaluate(
        "Promise.all([caches.keys(), LmsOffline.queued(), LmsOffline.courses(),"
        " caches.open('pages').then(c => c.keys()).then(r => r.map(q => q.url))])"
        ".then(([names, queue, courses, pages]) =>"
        " ({names, queue: queue.length, courses: courses.length, pages}))"
    )
    # Only the shell and the signed-out page shown after logging out are left.
    assert not [name for name in left["names"] if name.startswith("course-")], left
    assert not [url for url in left["pages"] if tree.course.url in url], left
    assert left["queue"] == 0 and left["courses"] == 0
    assert j.requests_elsewhere == []


def _registration_id(cdp, page) -> str:
    """The id DevTools gives the site's service worker registration."""
    found: list[str] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: found.extend(
            r["registrationId"] for r in event["registrations"] if not r["isDeleted"]
        ),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if found:
            return found[-1]
        page.wait_for_timeout(100)
    raise AssertionError("no service worker registration")


def test_background_sync_sends_the_queue_and_is_kept_for_a_retry_when_it_fails(journey):
    """The browser's background sync sends the queue with no page loaded again: the page open
    (a signed-out offline page, which never sends) only says when the work was sent. A sync
    whose sending fails (the phone has a signal but the server cannot be reached) stays
    registered, so that the browser tries again; fired again (here by DevTools, as Chromium
    does on its retry), it sends the work, and the server applies it once."""
    from courses.learning.models import LessonProgress, OfflineAction

    tree = make_course(title="Bình đẳng giới và việc nhà", modules=1, lessons_per_module=2)
    make_learner("hocvien3", full_name="Hà Thị Mai", unit=make_units().commune)
    j = journey("offline-background-sync")
    cadre = j.person(viewport=PHONE)
    page = cadre.page
    cadre.login("hocvien3", next_path=tree.course.url)
    with page.expect_navigation():
        page.locator("form[action$='/enrol/'] [type=submit]").click()
    cadre.goto(tree.lessons[0].url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cadre.goto(tree.lessons[0].url)

    cadre.context.set_offline(True)
    with page.expect_navigation():
        page.locator("form[action$='/done/'] [type=submit]").click()
    page.locator("#offline-status", has_text="bài học đã xong đang chờ gửi").wait_for()
    cadre.goto("/khong-co-trang-nay/")
    page.locator("h1", has_text="Không có kết nối").wait_for()
    page.locator("#offline-status", has_text="đang chờ gửi").wait_for()
    cadre.shot("offline page with a lesson waiting")

    # The signal returns but the server cannot be reached: the sync Chromium fires fails.
    tried: list[str] = []
    cadre.context.route("**/learn/offline/sync/", lambda route: (tried.append(route.request.url),
                                                                  route.abort()))  # fmt: skip
    loads: list[str] = []
    page.on("load", lambda _page: loads.append(page.url))
    cadre.context.set_offline(False)
    # The route's handler runs while Playwright waits (not in a plain sleep).
    for _ in range(200):
        if tried:
            break
        page.wait_for_timeout(100)
    assert tried, "the service worker's sync when the signal returns"
    page.wait_for_timeout(500)
    assert LessonProgress.objects.count() == 0
    assert page.evaluate("LmsOffline.queued().then(q => q.length)") == 1
    tags = "navigator.serviceWorker.ready.then(r => r.sync.getTags())"
    assert page.evaluate(tags) == ["lms-queue"], "a failed sync must stay for the retry"

    cadre.context.unroute("**/learn/offline/sync/")
    cdp = cadre.context.new_cdp_session(page)
    registration = _registration_id(cdp, page)
    retry = {"origin": j.base, "registrationId": registration, "tag": "lms-queue"}
    cdp.send("ServiceWorker.dispatchSyncEvent", {**retry, "lastChance": False})
    wait_for(lambda: _unless_locked(lambda: LessonProgress.objects.count() == 1), timeout=20,
             message="the lesson sent by the service worker's sync")  # fmt: skip
    page.locator("#offline-status", has_text="Đã gửi lúc").wait_for()
    cadre.shot("the service worker sent the work, the page says so")
    assert page.evaluate("LmsOffline.queued().then(q => q.length)") == 0
    # Fired once more: nothing is applied twice.
    cdp.send("ServiceWorker.dispatchSyncEvent", {**retry, "lastChance": True})
    page.wait_for_timeout(1000)
    assert LessonProgress.objects.count() == 1
    assert OfflineAction.objects.count() == 1
    assert loads == [], "no page was loaded again"
    assert j.requests_elsewhere == []


def test_an_offline_submission_with_unanswered_questions_is_confirmed_first(journey):
    """Offline, the quiz asks, as the server's page does online, before a submission with
    unanswered questions is kept on the device; the confirmed submission is graded once."""
    from courses.learning.models import QuizAnswer, QuizAttempt

    tree = make_course(title="Giới trong kế hoạch xã", modules=1, lessons_per_module=1)
    make_learner("hocvien4", full_name="Vàng Thị Dua", unit=make_units().commune)
    j = journey("offline-quiz-unanswered-confirmed")
    cadre = j.person(viewport=PHONE)
    page = cadre.page
    cadre.login("hocvien4", next_path=tree.course.url)
    with page.expect_navigation():
        page.locator("form[action$='/enrol/'] [type=submit]").click()
    cadre.goto(tree.lessons[0].url)
    with page.expect_navigation():
        page.locator("form[action$='/done/'] [type=submit]").click()
    cadre.goto(tree.course.url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.locator("[data-offline-course] button[data-action=download]").click()
    page.locator("[data-offline-course][data-stored=true]").wait_for()

    cadre.context.set_offline(True)
    cadre.goto(f"/learn/courses/{tree.course.pk}/quiz/{tree.quiz.pk}/")
    fieldsets = page.locator("form.quiz-form fieldset").all()
    fieldsets[0].get_by_label("Phương án A", exact=True).check()
    fieldsets[1].get_by_label("Phương án A", exact=True).check()
    fieldsets[1].get_by_label("Phương án B", exact=True).check()
    page.locator("form.quiz-form [type=submit]").click()
    box = page.locator("[data-confirm-unanswered]")
    box.wait_for()
    assert "Nộp bài khi còn câu chưa trả lời?" in box.inner_text()
    assert "Còn 1/3 câu hỏi chưa trả lời" in box.inner_text()
    assert "Câu 3:" in box.inner_text()
    assert "Câu 1:" not in box.inner_text()
    cadre.shot("offline, asked before submitting with a question unanswered")
    queued = "LmsOffline.queued().then(q => q.map(i => i.kind))"
    assert "submit" not in page.evaluate(queued)

    box.get_by_role("button", name="Quay lại trả lời tiếp").click()
    assert box.count() == 0
    # Back to the first question without an answer.
    assert page.evaluate("document.activeElement.name") == (
        fieldsets[2].locator("input").first.get_attribute("name")
    )
    page.locator("form.quiz-form [type=submit]").click()
    with page.expect_navigation():
        box.get_by_role("button", name="Vẫn nộp bài").click()
    page.locator("#offline-status", has_text="bài kiểm tra đang chờ nộp").wait_for()
    assert page.evaluate("LmsOffline.queued().then(q => q.filter(i => i.kind === 'submit')"
                         ".map(i => i.confirm_unanswered))") == [True]  # fmt: skip
    assert not QuizAttempt.objects.filter(submitted_at__isnull=False).exists()

    cadre.context.set_offline(False)
    cadre.goto("/learn/")
    page.locator("#offline-status", has_text="Đã gửi lúc").wait_for()
    attempt = QuizAttempt.objects.get()
    assert attempt.submitted_at is not None and attempt.score == 67 and not attempt.passed
    assert QuizAnswer.objects.filter(attempt=attempt).count() == 2
    assert "Máy chủ không nhận" not in page.locator("#offline-status").inner_text()
    assert j.requests_elsewhere == []


def _sessions_of(username: str) -> int:
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    pk = str(get_user_model().objects.get(username=username).pk)
    return sum(1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == pk)


def test_logging_out_without_a_connection_asks_clears_the_device_and_ends_the_session_later(
    journey,
):
    """Offline, logging out asks before discarding the work that cannot be sent, clears the
    device and says so on a page of the site (not the browser's error); the server's session
    ends as soon as the connection returns, before the next page is shown."""
    from courses.learning.models import LessonProgress

    tree = make_course(title="Bình đẳng giới trong cộng đồng", modules=1, lessons_per_module=2)
    make_learner("hocvien5", full_name="Sùng Văn Chứ", unit=make_units().commune)
    j = journey("offline-logout-without-a-connection")
    cadre = j.person(viewport=PHONE)
    page = cadre.page
    cadre.login("hocvien5", next_path=tree.course.url)
    with page.expect_navigation():
        page.locator("form[action$='/enrol/'] [type=submit]").click()
    cadre.goto(tree.course.url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.locator("[data-offline-course] button[data-action=download]").click()
    page.locator("[data-offline-course][data-stored=true]").wait_for()

    cadre.context.set_offline(True)
    cadre.goto(tree.lessons[0].url)
    with page.expect_navigation():
        page.locator("form[action$='/done/'] [type=submit]").click()
    page.locator("#offline-status", has_text="đang chờ gửi").wait_for()

    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    # Asked, and kept: nothing is removed.
    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.locator("form[action$='/accounts/logout/'] [type=submit]").click()
    for _ in range(100):
        if asked:
            break
        page.wait_for_timeout(100)
    assert asked and "chưa gửi được" in asked[0], asked
    page.wait_for_timeout(300)
    assert page.evaluate("LmsOffline.queued().then(q => q.length)") == 1
    assert tree.lessons[0].title in page.content()

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    with page.expect_navigation():
        page.locator("form[action$='/accounts/logout/'] [type=submit]").click()
    notice = page.locator("[data-offline-signed-out]")
    notice.wait_for()
    assert "Bạn đã đăng xuất trên máy này" in notice.inner_text()
    assert "khi máy có mạng trở lại" in notice.inner_text()
    assert not page.locator("[data-offline-lead]").is_visible()
    cadre.shot("logged out without a connection")
    left = page.evaluate(
        "Promise.all([caches.keys(), LmsOffline.queued(), LmsOffline.courses()])"
        ".then(([names, queue, courses]) =>"
        " ({names, queue: queue.length, courses: courses.length}))"
    )
    assert not [n for n in left["names"] if not n.startswith("shell-")], left
    assert left["queue"] == 0 and left["courses"] == 0
    # A stored page of the course is gone from the device.
    cadre.goto(tree.lessons[1].url)
    page.locator("h1", has_text="không có kết nối").wait_for()
    assert tree.lessons[1].title not in page.content()
    assert _sessions_of("hocvien5") == 1
    assert LessonProgress.objects.count() == 0

    cadre.context.set_offline(False)
    cadre.goto("/learn/")
    assert "/accounts/login/" in page.url, "the next page is shown to nobody signed in"
    assert _sessions_of("hocvien5") == 0
    cadre.shot("back online, the session on the server ended")
    assert LessonProgress.objects.count() == 0
    assert j.requests_elsewhere == []


def test_a_stored_course_keeps_its_audio_and_documents_for_offline_use(journey, settings, tmp_path):
    """Storing a course stores its lessons' recordings and documents: offline, the recording
    loads in the audio element (which asks for parts of it: the service worker answers each
    part from the stored copy, 206 with the bytes asked for) and the document downloads."""
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document
    from wagtailmedia.models import Media

    from content.models import LessonPage
    from tests.browser.test_media_journey import _recording

    settings.ROOT_URLCONF = "tests.browser.media_urls"
    recording = tmp_path / "doc-bai-hoc.wav"
    _recording(recording)
    sound = recording.read_bytes()
    handout_bytes = b"%PDF-1.4\n% Tai lieu bai hoc\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    tree = make_course(title="Lắng nghe bài học", modules=1, lessons_per_module=1, quiz=False)
    lesson = tree.lessons[0]
    audio = Media.objects.create(
        title="Đọc bài", type="audio", duration=2, file=ContentFile(sound, name="doc-bai-hoc.wav")
    )
    handout = Document.objects.create(
        title="Tài liệu bài 1", file=ContentFile(handout_bytes, name="tai-lieu.pdf")
    )
    LessonPage.objects.filter(pk=lesson.pk).update(audio_narration=audio, handout=handout)
    make_learner("hocvien6", full_name="Lầu Thị Mỷ", unit=make_units().commune)
    j = journey("offline-audio-and-documents")
    cadre = j.person(viewport=PHONE)
    page = cadre.page
    cadre.login("hocvien6", next_path=tree.course.url)
    with page.expect_navigation():
        page.locator("form[action$='/enrol/'] [type=submit]").click()
    cadre.goto(tree.course.url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    package = cadre.get(f"/learn/offline/courses/{tree.course.pk}/").json()
    sizes = {item["url"]: item["bytes"] for item in package["items"]}
    assert sizes[audio.url] == len(sound)
    assert sizes[handout.url] == len(handout_bytes)
    page.locator("[data-offline-course] button[data-action=download]").click()
    page.locator("[data-offline-course][data-stored=true]").wait_for()

    cadre.context.set_offline(True)
    cadre.goto(lesson.url)
    assert lesson.title in page.content()
    asked = page.evaluate(
        """async ([url, range]) => {
          const r = await fetch(url, { headers: { Range: range } });
          return { status: r.status, range: r.headers.get("Content-Range"),
                   bytes: Array.from(new Uint8Array(await r.arrayBuffer())) };
        }""",
        [audio.url, "bytes=1000-1999"],
    )
    assert asked["status"] == 206
    assert asked["range"] == f"bytes 1000-1999/{len(sound)}"
    assert bytes(asked["bytes"]) == sound[1000:2000]
    tail = page.evaluate(
        "async (url) => { const r = await fetch(url, { headers: { Range: 'bytes=-100' } });"
        " return [r.status, r.headers.get('Content-Range'), (await r.arrayBuffer()).byteLength]; }",
        audio.url,
    )
    assert tail == [206, f"bytes {len(sound) - 100}-{len(sound) - 1}/{len(sound)}", 100]
    duration = page.evaluate(
        """() => new Promise((resolve, reject) => {
          const a = document.querySelector(".lesson-audio audio");
          a.addEventListener("loadedmetadata", () => resolve(a.duration));
          a.addEventListener("error", () => reject(new Error("audio: " + a.error.code)));
          a.preload = "auto";
          a.load();
        })"""
    )
    assert abs(duration - 2.0) < 0.1
    cadre.shot("offline, the lesson's recording loads from the device")

    with page.expect_download() as download:
        page.locator(".lesson-handout a[download]").click()
    assert Path(download.value.path()).read_bytes() == handout_bytes
    assert j.requests_elsewhere == []
