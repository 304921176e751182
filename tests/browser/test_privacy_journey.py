"""A cadre's personal data, in Debian's Chromium (screenshots under
tests/browser/screenshots/5-personal-data/): at their first login the cadre reads the privacy
notice and accepts it, gives their details' consent, downloads their data, and withdraws
their consent to sensitive data; the central admin's figures by ethnicity move by one from
Hmông to "not stated", the recount agrees, and the access audit shows what was done."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE
from tests.builders import make_course, make_learner, make_user, seed_indicators

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _by_ethnicity(person) -> dict[str, int]:
    """The trained cadres by ethnicity code ("" not stated), as the API gives them."""
    response = person.get("/api/counters/?by=ethnicity")
    assert response.status == 200
    figure = next(f for f in response.json() if f["code"] == "CADRES_TRAINED")
    return dict(figure["by"] or {})


def test_journey_5_cadre_reads_the_notice_downloads_their_data_and_withdraws(journey):
    from courses.counters.recount import counters_drift
    from courses.learning.completion import enrolment_complete
    from courses.learning.services import enrolment_create
    from courses.registry.models import ConsentMethod
    from courses.registry.privacy import consent_record
    from lms.models import AccessLogEntry

    seed_indicators()
    tree = make_course(title="Bình đẳng giới cơ bản", modules=1, lessons_per_module=1)
    user, cadre = make_learner(full_name="Giàng Thị Súa", ethnicity="08", phone="0912000123")
    user.username = "giangsua"
    user.save()
    from courses.registry.models import ConsentRecord

    ConsentRecord.objects.filter(user=user).delete()  # never logged in: the notice is new
    consent_record(cadre=cadre, method=ConsentMethod.PAPER)
    enrolment, _ = enrolment_create(cadre=cadre, course=tree.course)
    enrolment_complete(enrolment=enrolment, via="online")
    make_user("trunguong", role="Admin")

    j = journey("5-personal-data")
    admin = j.person()
    admin.login("trunguong", next_path="/admin/")
    before = _by_ethnicity(admin)
    assert before.get("08", 0) >= 1

    learner = j.person(viewport=PHONE)
    learner.login("giangsua", next_path="/learn/")
    assert "/privacy/accept/" in learner.page.url
    assert "Thông báo về dữ liệu cá nhân" in learner.page.content()
    assert "dữ liệu cá nhân nhạy cảm" in learner.page.content()
    learner.shot("the notice at first login")
    learner.page.get_by_label(re.compile("Tôi đã đọc thông báo")).check()
    with learner.page.expect_navigation():
        learner.page.locator("form:has(input[name=accept]) [type=submit]").click()
    assert learner.page.url.endswith("/learn/")
    learner.shot("my courses after accepting")

    learner.goto("/learn/profile/")
    assert "Rút lại sự đồng ý" in learner.page.content()
    learner.shot("my details and my data")
    with learner.page.expect_download() as download_info:
        learner.page.locator("a[href$='/learn/profile/data.json']").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert data["profile"][0]["full_name"] == "Giàng Thị Súa"
    assert data["profile"][0]["ethnicity_name"] == "Hmông"
    assert [e["course"] for e in data["enrolments"]] == ["Bình đẳng giới cơ bản"]
    assert [c["action"] for c in data["consent_history"]] == ["given", "accepted"]
    with learner.page.expect_download() as download_info:
        learner.page.locator("a[href$='/learn/profile/data.xlsx']").click()
    assert Path(download_info.value.path()).read_bytes().startswith(b"PK")

    with learner.page.expect_navigation():
        learner.page.locator("form[action$='/consent/withdraw/'] [type=submit]").click()
    assert learner.page.locator(".notice-success").count() == 1
    assert "Đồng ý lại" in learner.page.content()
    learner.shot("consent withdrawn")

    after = _by_ethnicity(admin)
    assert after.get("08", 0) == before.get("08", 0) - 1
    assert after.get("", 0) == before.get("", 0) + 1
    assert counters_drift() == []
    cadre.refresh_from_db()
    assert cadre.ethnicity == "" and cadre.consent_at is None

    admin.goto("/admin/access-log/")
    text = admin.page.content()
    assert "Giàng" not in text and "0912000123" not in text
    admin.shot("the access audit")
    downloads = AccessLogEntry.objects.filter(user=user, action="download")
    assert downloads.count() == 2
    assert j.requests_elsewhere == []
    assert j.csp_violations() == []
