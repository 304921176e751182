"""The privacy notice, consent history, withdrawal, a person's own data and requests, the
access audit and the masked phone, as learners and admins meet them."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from courses.counters.models import CounterCell, CounterRollup
from courses.counters.recount import counters_drift
from courses.registry.models import (
    ConsentAction,
    ConsentMethod,
    ConsentRecord,
    PersonalDataRequest,
    PrivacyNotice,
    RequestKind,
    RequestStatus,
)
from courses.registry.privacy import consent_record, notice_version_current
from lms.models import AccessAction, AccessLogEntry
from tests.builders import (
    complete,
    course_index,
    logged_in,
    make_cadre,
    make_course,
    make_user,
    seed_indicators,
)

INDEX = "/admin/registry/cadres/"


def publish_notice(version: str) -> PrivacyNotice:
    notice = PrivacyNotice.objects.create(
        version=version, title="Thông báo xử lý dữ liệu cá nhân", body="<p>Nội dung</p>",
        live=False,
    )  # fmt: skip
    notice.save_revision().publish()
    return notice


# --- The notice and the consent history -------------------------------------------------------


def test_first_login_shows_the_notice_and_accepting_it_is_recorded(db):
    user = make_user("learner", role="Cadre", notice_accepted=False)
    client = logged_in(user)
    response = client.get("/learn/")
    assert response.status_code == 302
    assert response["Location"] == "/privacy/accept/?next=/learn/"
    page = client.get(response["Location"])
    assert "Thông báo về dữ liệu cá nhân" in page.content.decode()
    version = notice_version_current()
    response = client.post(
        "/privacy/accept/", {"version": version, "accept": "on", "next": "/learn/"}
    )
    assert response["Location"] == "/learn/"
    record = ConsentRecord.objects.get(user=user)
    assert (record.action, record.notice_version, record.method) == (
        ConsentAction.ACCEPTED, version, ConsentMethod.ONLINE,
    )  # fmt: skip
    assert client.get("/learn/").status_code == 200


def test_a_new_version_asks_again_and_moves_a_consent_in_force_to_it(db):
    user = make_user("learner", role="Cadre")
    cadre = make_cadre(user=user)
    consent_record(cadre=cadre, method=ConsentMethod.ONLINE, user=user)
    client = logged_in(user)
    assert client.get("/learn/").status_code == 200
    publish_notice("2027-01")
    response = client.get("/learn/")
    assert response["Location"].startswith("/privacy/accept/")
    assert "Thông báo xử lý dữ liệu cá nhân" in client.get(response["Location"]).content.decode()
    client.post("/privacy/accept/", {"version": "2027-01", "accept": "on"})
    cadre.refresh_from_db()
    assert cadre.consent_notice_version == "2027-01"
    assert list(cadre.consent_records.values_list("action", "notice_version")) == [
        (ConsentAction.GIVEN, "2026-11"),
        (ConsentAction.ACCEPTED, "2027-01"),
        (ConsentAction.GIVEN, "2027-01"),
    ]
    assert client.get("/learn/").status_code == 200


def test_accepting_a_version_replaced_meanwhile_shows_the_new_one(db):
    user = make_user("learner", role="Cadre", notice_accepted=False)
    client = logged_in(user)
    publish_notice("2027-01")
    response = client.post("/privacy/accept/", {"version": "2026-11", "accept": "on"})
    assert response.status_code == 200
    assert not ConsentRecord.objects.filter(user=user).exists()


def test_admins_are_not_stopped_and_the_footer_links_the_notice(db):
    admin = make_user("admin", role="Admin", notice_accepted=False)
    assert logged_in(admin).get("/learn/").status_code == 200
    response = logged_in(admin).get("/privacy/")
    assert response.status_code == 200
    assert 'href="/privacy/"' in response.content.decode()


def test_the_profile_records_online_consent_in_the_history(db, client):
    from tests.builders import make_reform_units

    make_reform_units()
    user = make_user("learner", role="Cadre")
    client.force_login(user)
    response = client.post("/learn/profile/", {
        "full_name": "Lò Thị Hoa", "sex": "female", "target_group": "key_cadre",
        "level": "commune", "province": "01", "consent": "on",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    cadre = user.cadre
    assert cadre.consent_method == ConsentMethod.ONLINE
    actions = list(cadre.consent_records.values_list("action", flat=True))
    assert actions == [ConsentAction.ACCEPTED, ConsentAction.GIVEN]


def test_a_trainer_attested_consent_names_the_trainer(db):
    trainer = make_user("trainer", role="Trainer")
    cadre = make_cadre()
    record = consent_record(cadre=cadre, method=ConsentMethod.TRAINER, attested_by=trainer)
    cadre.refresh_from_db()
    assert cadre.consent_attested_by == trainer
    assert (record.attested_by, record.method, record.cadre) == (trainer, "trainer", cadre)


# --- Withdrawal: ethnicity removed, counters exact ---------------------------------------------


def _ethnicity_cells(ethnicity: str) -> int:
    return sum(CounterCell.objects.filter(ethnicity=ethnicity).values_list("value", flat=True))


def _rollup(ethnicity: str) -> int:
    return sum(CounterRollup.objects.filter(ethnicity=ethnicity).values_list("value", flat=True))


def test_withdrawal_moves_the_counts_to_not_stated_and_the_recount_agrees(db):
    seed_indicators()
    course = make_course(index=course_index(published=True), modules=0, quiz=False,
                         published=True).course  # fmt: skip
    user = make_user("learner", role="Cadre")
    cadre = make_cadre(user=user, ethnicity="08")
    consent_record(cadre=cadre, method=ConsentMethod.PAPER, attested_by=None)
    complete(cadre, course)
    counted = _ethnicity_cells("08")
    assert counted >= 1 and _ethnicity_cells("") == 0
    client = logged_in(user)
    page = client.get("/learn/profile/").content.decode()
    assert "Rút lại sự đồng ý" in page
    response = client.post("/learn/profile/consent/withdraw/")
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.ethnicity == "" and cadre.consent_at is None
    assert _ethnicity_cells("08") == 0 and _ethnicity_cells("") == counted
    assert _rollup("08") == 0 and _rollup("") == counted
    assert counters_drift() == []
    client.post("/learn/profile/consent/withdraw/")  # again: nothing more
    assert cadre.consent_records.filter(action=ConsentAction.WITHDRAWN).count() == 1
    assert "Đồng ý lại" in client.get("/learn/profile/").content.decode()
    client.post("/learn/profile/consent/give/")
    cadre.refresh_from_db()
    assert cadre.consent_at is not None and cadre.ethnicity == ""


# --- A person's own data ---------------------------------------------------------------------


def test_the_learner_downloads_everything_held_about_them(db):
    seed_indicators()
    course = make_course(index=course_index(published=True), modules=0, quiz=False,
                         published=True, title="Bình đẳng giới").course  # fmt: skip
    user = make_user("learner", role="Cadre")
    cadre = make_cadre(user=user, full_name="Lò Thị Mai", phone="0912345123", ethnicity="08")
    consent_record(cadre=cadre, method=ConsentMethod.ONLINE, user=user)
    enrolment = complete(cadre, course)
    from tests.builders import make_certificate

    make_certificate(enrolment=enrolment)
    other = make_cadre(full_name="Người Khác")
    client = logged_in(user)
    data = json.loads(client.get("/learn/profile/data.json").content)
    assert data["profile"][0]["full_name"] == "Lò Thị Mai"
    assert data["profile"][0]["phone"] == "0912345123"
    assert data["profile"][0]["ethnicity_name"] == "Hmông"
    assert [e["course"] for e in data["enrolments"]] == ["Bình đẳng giới"]
    assert data["enrolments"][0]["completed_at"]
    assert len(data["certificates"]) == 1
    assert [c["action"] for c in data["consent_history"]] == ["given"]
    assert {"progress", "attempts", "attendance", "requests"} <= set(data)
    assert other.full_name not in json.dumps(data, ensure_ascii=False)
    response = client.get("/learn/profile/data.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert {"profile", "enrolments", "certificates", "consent_history"} <= set(book.sheetnames)
    header, row = list(book["profile"].iter_rows(values_only=True))[:2]
    assert row[header.index("full_name")] == "Lò Thị Mai"
    entries = AccessLogEntry.objects.filter(action=AccessAction.DOWNLOAD, user=user)
    assert entries.count() == 2 and entries.first().record_id == str(cadre.pk)


def test_a_person_without_a_record_has_no_data_to_download(db):
    user = make_user("learner", role="Cadre")
    assert logged_in(user).get("/learn/profile/data.json").status_code == 404


# --- Correction and erasure requests ---------------------------------------------------------


def test_a_request_goes_to_the_admins_of_the_province_only(world):
    client = logged_in(world.hoa_user)
    client.post("/learn/profile/requests/", {"kind": "correction", "details": "Sai năm sinh"})
    request = PersonalDataRequest.objects.get()
    assert (request.cadre, request.province_2025) == (world.hoa, "01")
    index = "/admin/registry/data-requests/"
    assert "Sai năm sinh" not in logged_in(world.hg_admin).get(index).content.decode()
    assert logged_in(world.hg_admin).get(f"{index}edit/{request.pk}/").status_code == 404
    assert logged_in(world.hoa_user).get(index).status_code in (302, 403)
    admin = logged_in(world.hn_admin)
    assert str(world.hoa) in admin.get(index).content.decode()
    response = admin.post(f"{index}edit/{request.pk}/",
                          {"status": "done", "outcome": "Đã sửa năm sinh"})  # fmt: skip
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (RequestStatus.DONE, world.hn_admin)
    page = logged_in(world.hoa_user).get("/learn/profile/").content.decode()
    assert "Đã sửa năm sinh" in page


def test_an_erasure_request_done_erases_the_person_and_keeps_the_counts(world):
    seed_indicators()
    course = make_course(index=course_index(published=True), modules=0, quiz=False,
                         published=True, slug="khac").course  # fmt: skip
    complete(world.hoa, course)
    cells = sum(CounterCell.objects.values_list("value", flat=True))
    logged_in(world.hoa_user).post("/learn/profile/requests/", {"kind": "erasure"})
    request = PersonalDataRequest.objects.get(kind=RequestKind.ERASURE)
    logged_in(world.central).post(
        f"/admin/registry/data-requests/edit/{request.pk}/", {"status": "done", "outcome": ""}
    )
    world.hoa.refresh_from_db()
    assert world.hoa.erased_at is not None and world.hoa.full_name != "Nguyễn Thị Hoa"
    assert sum(CounterCell.objects.values_list("value", flat=True)) == cells
    assert counters_drift() == []


# --- The access audit and the masked phone ---------------------------------------------------


def test_a_province_admins_export_and_search_are_audited_without_personal_data(world):
    world.hoa.phone = "0912345678"
    world.hoa.save()
    client = logged_in(world.hn_admin)
    client.get(INDEX + "?q=Nguyễn Thị Hoa&level=commune")
    b"".join(client.get(INDEX + "?export=csv&q=0912345678").streaming_content)
    listed, exported = AccessLogEntry.objects.order_by("pk")
    assert (listed.action, listed.scope, listed.user) == ("list", "province:01", world.hn_admin)
    assert listed.filters == "level=commune&q=*"
    assert (exported.action, exported.count, exported.ethnicity_shown) == ("export", 1, False)
    assert exported.filters == "export=csv&q=*"
    b"".join(client.get(INDEX + "?export=xlsx&dan_toc=1").streaming_content)
    with_ethnicity = AccessLogEntry.objects.order_by("pk").last()
    assert with_ethnicity.ethnicity_shown and with_ethnicity.count == 2
    for entry in AccessLogEntry.objects.all():
        text = " ".join(str(v) for v in entry.__dict__.values())
        assert "Hoa" not in text and "0912345678" not in text and "Nguyễn" not in text


def test_viewing_a_record_is_audited_with_whether_ethnicity_was_shown(world):
    logged_in(world.hn_admin).get(f"{INDEX}inspect/{world.hoa.pk}/")
    logged_in(world.trainer).get(f"{INDEX}inspect/{world.mai.pk}/")
    admin_view, trainer_view = AccessLogEntry.objects.filter(action="view").order_by("pk")
    assert (admin_view.record_id, admin_view.ethnicity_shown) == (str(world.hoa.pk), True)
    assert (trainer_view.record_id, trainer_view.ethnicity_shown) == (str(world.mai.pk), False)


def test_only_central_admins_read_and_export_the_audit(world):
    logged_in(world.hn_admin).get(INDEX)
    central = logged_in(world.central)
    page = central.get("/admin/access-log/")
    assert page.status_code == 200 and "province:01" in page.content.decode()
    assert central.get("/admin/access-log/?action=export").status_code == 200
    exported = central.get("/admin/access-log/?export=csv")
    assert "province:01" in b"".join(exported.streaming_content).decode()
    assert logged_in(world.hn_admin).get("/admin/access-log/").status_code in (302, 403)
    assert logged_in(world.hn_admin).get("/admin/snippets/courses/privacynotice/").status_code in (
        302, 403,
    )  # fmt: skip
    assert central.get("/admin/snippets/courses/privacynotice/").status_code == 200


def test_lists_mask_the_phone_and_the_record_shows_it_to_admins_in_scope(world):
    world.mai.phone = "0912345123"
    world.mai.save()
    listing = logged_in(world.central).get(INDEX).content.decode()
    assert "•••••••123" in listing and "0912345123" not in listing
    record = f"{INDEX}inspect/{world.mai.pk}/"
    assert "0912345123" in logged_in(world.hg_admin).get(record).content.decode()
    trainer_view = logged_in(world.trainer).get(record).content.decode()
    assert "0912345123" not in trainer_view and "•••••••123" in trainer_view


def test_phone_mask_keeps_the_last_three_digits():
    from lms.text import phone_mask

    assert phone_mask("0912345123") == "•••••••123"
    assert phone_mask("") == "" and phone_mask("12") == "12"
