"""A small world of people with distinctive markers, for the authorisation matrix and the
personal-data checks.

Each person's name and phone carry a marker ("Zzqxy...") that appears nowhere else, so a
response that contains a marker shows that person's personal data. Who may see whom:

| caller        | may see                                  |
|---------------|------------------------------------------|
| anonymous     | nobody                                   |
| cadre (A)     | A                                        |
| cadre2 (B)    | B                                        |
| trainer       | A (a participant of the trainer's session)|
| admin_same    | everyone in province 10: A, B, OUT10     |
| admin_other   | everyone in province 20: P20             |
| central       | everyone                                 |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.test import Client

from tests.builders import (
    CourseTree,
    Units,
    course_index,
    make_cadre,
    make_course,
    make_quiz,
    make_session,
    make_unit,
    make_units,
    make_user,
    seed_indicators,
    study,
    wrong_answers,
)

ROLES = ("anonymous", "cadre", "cadre2", "trainer", "admin_same", "admin_other", "central")

# Names, places and titles carry these (world_mark): HTML that must never reach a page as
# markup (it would close an attribute and open a script), and text that a spreadsheet would
# run as a formula (cells starting with = + - @).
XSS = '"><script>zzxss()</script>'
XSS_RAW = "<script>zzxss()"
XSS_ESCAPED = ("&lt;script&gt;zzxss()", "\\u003Cscript\\u003Ezzxss()")
FORMULA_STARTS = ("=", "+", "-", "@")

# person key -> (name marker, phone marker)
PEOPLE = {
    "A": ("Zzqxy Alpha Cadre", "0901110001"),
    "B": ("Zzqxy Bravo Cadre", "0901110002"),
    "OUT10": ("Zzqxy Oscar Outsider", "0901110003"),
    "P20": ("Zzqxy Papa Province", "0901110004"),
}
VISIBLE = {
    "anonymous": set(),
    "cadre": {"A"},
    "cadre2": {"B"},
    "trainer": {"A"},
    "admin_same": {"A", "B", "OUT10"},
    "admin_other": {"P20"},
    "central": set(PEOPLE),
}


@dataclass
class World:
    tree: CourseTree
    p10: Units
    p20: Units
    users: dict = field(default_factory=dict)
    cadres: dict = field(default_factory=dict)
    enrolments: dict = field(default_factory=dict)
    attempts: dict = field(default_factory=dict)
    certificate: object = None
    session: object = None
    session20: object = None
    clients: dict = field(default_factory=dict)
    # Every object a URL kwarg can name: (label, instance), see world_extend.
    objects: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def add(self, label: str, instance) -> None:
        self.objects.append((label, instance))
        self.extra[label] = instance

    def of(self, model) -> list:
        """(label, instance) of every world object that is a `model`."""
        return [(label, obj) for label, obj in self.objects if isinstance(obj, model)]

    def client(self, role: str) -> Client:
        if role not in self.clients:
            # A view that crashes is reported as a 500 in the matrix, not raised.
            client = Client(raise_request_exception=False)
            if role != "anonymous":
                client.force_login(self.users[role])
            self.clients[role] = client
        return self.clients[role]

    def request(self, role: str, method: str, path: str, data=None):
        """One request as `role`. A response that drops the session cookie (Wagtail's logout
        view does so even when it refuses a GET) logs the role in again for the next one."""
        from django.conf import settings

        client = self.client(role)
        response = client.post(path, data or {}) if method == "post" else client.get(path)
        cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
        if cookie is not None and not cookie.value:
            self.clients.pop(role, None)
        return response


def world_build() -> World:
    """Objects for every URL kwarg; tasks must run inline (the certificate is issued)."""
    from courses.learning.completion import enrolment_complete
    from courses.learning.services import (
        enrolment_create,
        quiz_attempt_start,
        quiz_attempt_submit,
    )
    from courses.sessions.services import attendance_mark

    seed_indicators()
    p10 = make_units(province_code="10", province_name="Tỉnh Lào Cai")
    p20 = make_units(province_code="20", province_name="Tỉnh Lạng Sơn")
    world = World(tree=make_course(title="Khóa học ma trận", modules=1, lessons_per_module=2),
                  p10=p10, p20=p20)  # fmt: skip
    marker_user = {"cadre": "A", "cadre2": "B"}
    world.users["cadre"] = make_user("m_cadre_a", role="Cadre")
    world.users["cadre2"] = make_user("m_cadre_b", role="Cadre")
    world.users["trainer"] = make_user("m_trainer", role="Trainer")
    world.users["admin_same"] = make_user("m_admin10", role="Admin", province_code="15")
    world.users["admin_other"] = make_user("m_admin20", role="Admin", province_code="20")
    world.users["central"] = make_user("m_central", role="Admin")
    for role, key in marker_user.items():
        user = world.users[role]
        user.first_name, user.last_name = PEOPLE[key][0].split(" ", 1)
        user.email = f"{key.lower()}@zzqxy.example"
        user.save()
    units = {"A": p10.commune, "B": p10.commune, "OUT10": p10.commune, "P20": p20.commune}
    for key, (name, phone) in PEOPLE.items():
        user = world.users.get({"A": "cadre", "B": "cadre2"}.get(key, ""), None)
        world.cadres[key] = make_cadre(
            user=user, unit=units[key], full_name=name, phone=phone,
            email=f"{key.lower()}@zzqxy.example", ethnicity="02",
        )  # fmt: skip

    tree = world.tree
    for key in ("A", "B"):
        enrolment, _ = enrolment_create(cadre=world.cadres[key], course=tree.course)
        world.enrolments[key] = enrolment
        study(enrolment)  # the final quiz opens after the lessons
        attempt = quiz_attempt_start(enrolment=enrolment, quiz=tree.quiz)
        world.attempts[key] = quiz_attempt_submit(
            attempt=attempt, cadre=world.cadres[key], answers=wrong_answers(tree.quiz)
        )
    enrolment_complete(enrolment=world.enrolments["A"], via="online")
    from certificates.models import Certificate

    world.certificate = Certificate.objects.get(enrolment=world.enrolments["A"])

    world.session = make_session(
        course=tree.course, unit=p10.commune, title="Buổi tập huấn ma trận",
        start_date=dt.date(2026, 3, 10), trainers=[world.users["trainer"]],
    )  # fmt: skip
    attendance_mark(session=world.session, cadre=world.cadres["A"], present=True)
    world.session20 = make_session(
        course=tree.course, unit=p20.commune, title="Buổi tập huấn tỉnh 20",
        start_date=dt.date(2026, 3, 11),
    )  # fmt: skip
    attendance_mark(session=world.session20, cadre=world.cadres["P20"], present=True)
    world_extend(world)
    return world


def world_extend(world: World) -> None:
    """One object of every kind a URL names, so that the matrix probes real ids: pages of each
    type (one in the moderation workflow, with revisions), an image and a document (one in a
    private collection), an audio file, a page view restriction, a redirect, an editing
    session, uploads waiting in the multiple uploader, an import job, certificate exports of
    both provinces, a certificate of province 20, a village, indicator targets, and a
    superuser (who is no role of the matrix: it fills in the forms that the roles then
    post)."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from wagtail.admin.models import EditingSession
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import (
        Collection,
        CollectionViewRestriction,
        Page,
        PageViewRestriction,
        Site,
        Task,
        UploadedFile,
        Workflow,
    )

    from certificates.models import Certificate, ExportFormat
    from certificates.services import bulk_export_request
    from content.models import (
        HomePage,
        StandardPage,
        StoryPage,
        StorySeriesPage,
        StoryVolumePage,
    )
    from courses.counters.models import Indicator, IndicatorTarget
    from courses.learning.completion import enrolment_complete
    from courses.learning.services import enrolment_create
    from courses.registry.models import UnitLevel, UnitStructure
    from courses.registry.services import import_job_create, import_job_start

    users = world.users
    users["root"] = make_user("m_root_matrix", superuser=True)
    users["reset"] = make_user("m_reset_matrix")  # never logs in: its reset link stays valid
    trainer = users["trainer"]
    tree = world.tree

    # Pages of every type.
    home = HomePage.objects.first()
    standard = StandardPage(title="Giới thiệu ma trận", slug="gioi-thieu-ma-tran")
    home.add_child(instance=standard)
    series = StorySeriesPage(title="Câu chuyện ma trận", slug="cau-chuyen-ma-tran")
    home.add_child(instance=series)
    volume = StoryVolumePage(title="Tập 1", slug="tap-1", volume_number=1)
    series.add_child(instance=volume)
    story = StoryPage(title="Chuyện ở bản", slug="chuyen-o-ban", community="Bản Mường")
    volume.add_child(instance=story)
    for label, page in (
        ("page:root", Page.get_first_root_node()), ("page:home", home),
        ("page:course_index", course_index()), ("page:course", tree.course),
        ("page:module", tree.modules[0]), ("page:lesson", tree.lessons[0]),
        ("page:standard", standard), ("page:series", series), ("page:volume", volume),
        ("page:story", story),
    ):  # fmt: skip
        world.add(label, page)
    # The trainer drafts the second lesson and submits it: revisions, a workflow state and a
    # task state waiting for the Admin group.
    lesson = tree.lessons[1]
    lesson.title = "Bài 1.2 (bản nháp)"
    first = lesson.save_revision(user=trainer)
    lesson.title = "Bài 1.2 (gửi duyệt)"
    second = lesson.save_revision(user=trainer)
    world.add("page:in_review", lesson)
    world.add("revision:first", first)
    world.add("revision:latest", second)
    workflow = Workflow.objects.get(name="Duyệt nội dung")
    workflow_state = workflow.start(lesson, trainer)
    world.add("workflow", workflow)
    world.add("workflow_state", workflow_state)
    world.add("task_state", workflow_state.current_task_state)
    world.add("task", Task.objects.get(pk=workflow_state.current_task_state.task_id))
    # A quiz goes through the same review: a published quiz (used by no course) whose change
    # the trainer saved twice and submitted.
    quiz = make_quiz(title="Bài kiểm tra đang duyệt")
    quiz.pass_mark = 80
    quiz_first = quiz.save_revision(user=trainer)
    quiz.pass_mark = 90
    quiz_latest = quiz.save_revision(user=trainer)
    quiz_state = workflow.start(quiz, trainer)
    world.add("quiz:in_review", quiz)
    world.add("quiz_revision:first", quiz_first)
    world.add("quiz_revision:latest", quiz_latest)
    world.add("quiz_workflow_state", quiz_state)
    world.add("quiz_task_state", quiz_state.current_task_state)
    # Privacy: a password on the standard page; a private collection with a document.
    restriction = PageViewRestriction.objects.create(
        page=standard, restriction_type=PageViewRestriction.PASSWORD, password="mat-khau-trang"
    )
    world.add("page_restriction", restriction)
    root_collection = Collection.get_first_root_node()
    private = root_collection.add_child(name="Tài liệu riêng")
    world.add("collection:root", root_collection)
    world.add("collection:private", private)
    world.add(
        "collection_restriction",
        CollectionViewRestriction.objects.create(
            collection=private, restriction_type=CollectionViewRestriction.PASSWORD,
            password="mat-khau-tai-lieu",
        ),
    )  # fmt: skip
    # Media, uploaded by the trainer (ownership matters to Wagtail's media permissions); the
    # uploads waiting in the multiple uploader are the superuser's (no role here may use it).
    image = Image.objects.create(
        title="Ảnh ma trận", file=get_test_image_file("ma-tran.png"), uploaded_by_user=trainer
    )
    image.tags.add("ma-tran")
    world.add("image", image)
    world.add("tag", image.tags.get(name="ma-tran"))
    world.add(
        "document",
        Document.objects.create(
            title="Tài liệu ma trận", file=ContentFile(b"%PDF-1.4 ma tran", "ma-tran.pdf"),
            uploaded_by_user=trainer,
        ),
    )  # fmt: skip
    world.add(
        "document:private",
        Document.objects.create(
            title="Tài liệu riêng", file=ContentFile(b"%PDF-1.4 rieng", "rieng.pdf"),
            collection=private, uploaded_by_user=trainer,
        ),
    )  # fmt: skip
    # Audio (a lesson's narration, wagtailmedia), uploaded by the trainer too.
    from wagtailmedia.models import Media

    world.add(
        "media:audio",
        Media.objects.create(
            title="Bài đọc ma trận", file=ContentFile(b"ID3 ma tran", "ma-tran.mp3"),
            type="audio", uploaded_by_user=trainer,
        ),
    )  # fmt: skip
    for label, model, name in (
        ("upload:image", Image, "cho-anh.png"), ("upload:document", Document, "cho.pdf"),
    ):  # fmt: skip
        content = get_test_image_file(name).file.getvalue() if model is Image else b"%PDF-1.4"
        world.add(
            label,
            UploadedFile.objects.create(
                for_content_type=ContentType.objects.get_for_model(model),
                file=ContentFile(content, name), uploaded_by_user=users["root"],
            ),
        )  # fmt: skip
    world.add(
        "redirect",
        Redirect.objects.create(old_path="/cu-ma-tran", redirect_page=tree.course),
    )
    world.add(
        "editing_session",
        EditingSession.objects.create(
            user=trainer, content_type=ContentType.objects.get_for_model(Page),
            object_id=str(tree.lessons[0].pk), last_seen_at=timezone.now(),
        ),
    )  # fmt: skip
    world.add("site", Site.objects.get(is_default_site=True))
    for group in Group.objects.order_by("name"):
        world.add(f"group:{group.name}", group)
    for role, user in users.items():
        world.add(f"user:{role}", user)

    # The registry: a village of province 10 (the only units edited by hand), the units.
    village = make_unit(
        UnitStructure.S2023, UnitLevel.VILLAGE, f"{world.p10.commune.code}-1", "Thôn Ma Trận",
        world.p10.commune, province_code="10", district_code=world.p10.district.code,
        commune_code=world.p10.commune.code,
    )  # fmt: skip
    world.add("unit:village10", village)
    world.add("unit:commune10", world.p10.commune)
    world.add("unit:commune20", world.p20.commune)
    for key, cadre in world.cadres.items():
        world.add(f"cadre:{key}", cadre)
    world.add("session:10", world.session)
    world.add("session:20", world.session20)
    world.add("course", tree.course)
    world.add("quiz", tree.quiz)
    world.add("attempt:A", world.attempts["A"])
    world.add("attempt:B", world.attempts["B"])

    # A certificate in province 20 too, so each province admin has one they must not open.
    enrolment20, _ = enrolment_create(cadre=world.cadres["P20"], course=tree.course)
    enrolment_complete(enrolment=enrolment20, via="online")
    world.enrolments["P20"] = enrolment20
    world.add("certificate:A", world.certificate)
    world.add("certificate:P20", Certificate.objects.get(enrolment=enrolment20))
    # Exports of each province's session, by that province's admin (one merged PDF each, so
    # that the names in them are readable by the leak check).
    world.add(
        "export:10",
        bulk_export_request(format=ExportFormat.PDF, by=users["admin_same"],
                            session=world.session, province_code="15"),
    )  # fmt: skip
    world.add(
        "export:20",
        bulk_export_request(format=ExportFormat.PDF, by=users["admin_other"],
                            session=world.session20, province_code="20"),
    )  # fmt: skip
    # A checked cadre import of province 10, waiting for its admin to confirm it; with a
    # warning (an ethnicity without consent), so that its report can be downloaded.
    csv_text = (
        "ma_can_bo,ho_ten,gioi_tinh,nam_sinh,dan_toc,nhom_doi_tuong,cap,co_quan,"
        "ma_don_vi_hanh_chinh,so_dien_thoai,email\n"
        f",Nguyễn Thị Nhập Mới,Nữ,1990,Kinh,Khác,Xã,,{world.p10.commune.code},,\n"
    )
    job = import_job_create(
        user=users["admin_same"],
        uploaded=SimpleUploadedFile("can_bo.csv", csv_text.encode(), content_type="text/csv"),
    )
    import_job_start(job=job, step="validate")
    job.refresh_from_db()
    assert job.status == "validated", job.errors
    world.add("import_job:10", job)
    # The privacy notice of the version the world's learners accepted, with two revisions;
    # a request of A (province 10) and of P20; an entry of the access audit.
    from courses.registry.models import PersonalDataRequest, PrivacyNotice
    from lms.access_audit import access_record

    notice = PrivacyNotice.objects.create(version="2026-11", title="Thông báo ma trận",
                                          body="<p>Nội dung</p>", live=False)  # fmt: skip
    notice_first = notice.save_revision(user=users["central"])
    notice_first.publish()
    world.add("privacy_notice", notice)
    world.extra["notice_revision:first"] = notice_first
    world.extra["notice_revision:latest"] = notice.save_revision(user=users["central"])
    for key in ("A", "P20"):
        cadre = world.cadres[key]
        world.add(f"data_request:{key}", PersonalDataRequest.objects.create(
            cadre=cadre, kind="correction", details="Sai năm sinh",
            province_2025=cadre.province_2025, province_code=cadre.province_code,
        ))  # fmt: skip
    world.add(
        "access_log",
        access_record(
            user=users["admin_same"], action="list", target="courses.cadre", filters="level=commune"
        ),
    )
    indicator = Indicator.objects.order_by("pk").first()
    world.add("indicator", indicator)
    world.add(
        "indicator_target",
        IndicatorTarget.objects.create(indicator=indicator, province_code="10", target=100),
    )
    # The DHIS2 mapping (the data migration's rows, and a combo).
    from courses.counters.dhis2_models import (
        Dhis2Category,
        Dhis2DataElement,
        Dhis2DataSet,
        Dhis2OptionCombo,
        Dhis2OrgUnit,
    )

    world.add("dhis2_data_set", Dhis2DataSet.objects.first())
    world.add("dhis2_data_element", Dhis2DataElement.objects.order_by("pk").first())
    category = Dhis2Category.objects.get(code="SEX")
    world.add("dhis2_category", category)
    option = category.options.get(code="FEMALE")
    world.add("dhis2_category_option", option)
    combo = Dhis2OptionCombo.objects.create(code="FEMALE_ONLY")
    combo.options.set([option])
    world.add("dhis2_option_combo", combo)
    world.add("dhis2_org_unit", Dhis2OrgUnit.objects.get(structure="2025", province_code="15"))
    # API tokens of both province admins (Wagtail's token model).
    from wagtail.models import APIToken

    for role in ("admin_same", "admin_other"):
        world.add(
            f"token:{role}", APIToken.create_token(user=users[role], name=f"Ma trận {role}")[0]
        )
    world_mark(world)
    # What admins' edits leave behind (after the renames, as a later edit would): log entries,
    # labelled with the object's name.
    from wagtail.log_actions import log

    for instance in (*world.cadres.values(), world.session, world.session20):
        instance.refresh_from_db()
        log(instance=instance, action="wagtail.edit", user=users["central"])


def world_mark(world: World) -> None:
    """Put the HTML and formula markers into names, places and titles (after the PDFs were
    made, as a later rename would): every page must escape them, every export neutralise
    them. The people's name markers stay whole at the start of their names."""
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtail.models import Page

    from certificates.models import Certificate
    from content.models import Quiz
    from courses.counters.models import Indicator
    from courses.counters.selectors import unit_maps_clear
    from courses.registry.models import AdminUnit, Cadre, ImportJob
    from courses.sessions.models import TrainingSession

    for key, cadre in world.cadres.items():
        Cadre.objects.filter(pk=cadre.pk).update(full_name=f"{PEOPLE[key][0]} {XSS}")
    Certificate.objects.filter(enrolment__cadre=world.cadres["A"]).update(
        full_name=f"{PEOPLE['A'][0]} {XSS}"
    )
    Certificate.objects.filter(enrolment__cadre=world.cadres["P20"]).update(
        full_name=f"{PEOPLE['P20'][0]} {XSS}"
    )
    Cadre.objects.filter(pk=world.cadres["A"].pk).update(
        agency='=HYPERLINK("http://evil.example","bấm vào")', ma_can_bo="@SUM(A1:A9)"
    )
    Cadre.objects.filter(pk=world.cadres["B"].pk).update(agency="+SUM(1+1)*cmd|' /C calc'!A0")
    Cadre.objects.filter(pk=world.cadres["P20"].pk).update(agency="-2+3 " + XSS)
    for role in ("cadre", "cadre2"):
        user = world.users[role]
        user.last_name = f"{user.last_name} {XSS}"
        user.save(update_fields=["last_name"])
    units = {
        world.p10.province: f"=1+2 Tỉnh {XSS}", world.p10.district: f"@Huyện {XSS}",
        world.p10.commune: f"-Xã {XSS}", world.p20.province: f"{XSS} Tỉnh Lạng Sơn",
        world.p20.commune: f"Xã {XSS}", world.extra["unit:village10"]: f"=Thôn {XSS}",
    }  # fmt: skip
    for unit, name in units.items():
        AdminUnit.objects.filter(pk=unit.pk).update(name=name)
    TrainingSession.objects.filter(pk=world.session.pk).update(
        title=f"=Buổi tập huấn {XSS}", venue=f"+Hội trường {XSS}"
    )
    TrainingSession.objects.filter(pk=world.session20.pk).update(title=f"{XSS} Buổi tỉnh 20")
    Indicator.objects.filter(code="CADRES_TRAINED").update(name=f"-Cán bộ =1+1 {XSS}")
    ImportJob.objects.filter(pk=world.extra["import_job:10"].pk).update(
        original_name=f"can_bo {XSS}.csv"
    )
    Page.objects.filter(pk=world.tree.modules[0].pk).update(title=f"Học phần {XSS}")
    Quiz.objects.filter(pk=world.tree.quiz.pk).update(title=f"=Bài kiểm tra {XSS}")
    Image.objects.filter(pk=world.extra["image"].pk).update(title=f"Ảnh {XSS}")
    Document.objects.filter(pk=world.extra["document"].pk).update(title=f"Tài liệu {XSS}")
    from wagtailmedia.models import Media

    Media.objects.filter(pk=world.extra["media:audio"].pk).update(title=f"Bài đọc {XSS}")
    unit_maps_clear()


def leaked_people(
    role: str, text: str, *, also_allowed: set[str] = frozenset(), request: str = ""
) -> list[str]:
    """Markers of people outside the role's scope that appear in the text.

    A marker the caller typed into the request itself (e.g. a phone number searched for, which
    the form shows back) is not a leak of that marker; the other markers still count.
    """
    allowed = VISIBLE[role] | set(also_allowed)
    leaks = []
    for key, (name, phone) in PEOPLE.items():
        if key in allowed:
            continue
        markers = [m for m in (name, phone, f"{key.lower()}@zzqxy.example") if m not in request]
        if any(m in text for m in markers):
            leaks.append(key)
    return leaks


def response_body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def body_text(body: bytes) -> str:
    """The text a person could read: HTML/JSON/CSV, or the text of an XLSX, a PDF, or a ZIP of
    them."""
    import io
    import zipfile

    if body.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                return "\n".join(body_text(archive.read(name)) for name in archive.namelist())
        except zipfile.BadZipFile:
            pass
    if body.startswith(b"%PDF"):
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(io.BytesIO(body))
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        except PdfReadError:
            return body.decode("latin-1")
    return body.decode("utf-8", "replace")


def response_text(response) -> str:
    return body_text(response_body(response))


# --- Cells of an export -------------------------------------------------------------------------

CSV_TYPES = ("text/csv",)
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)


def export_cells(content_type: str, body: bytes) -> list | None:
    """The cells of a CSV or XLSX response (a formula cell as ("FORMULA", text)); None for
    anything else."""
    import csv
    import io

    kind = content_type.split(";")[0].strip().lower()
    if kind in CSV_TYPES:
        text = body.decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    if kind in XLSX_TYPES:
        from openpyxl import load_workbook

        cells = []
        for sheet in load_workbook(io.BytesIO(body)).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cells.append(("FORMULA", cell.value))
                    elif isinstance(cell.value, str):
                        cells.append(cell.value)
        return cells
    return None


def dangerous_cells(cells) -> list:
    """Cells a spreadsheet would run: formulas, and text starting with = + - @ (a number
    such as -12 or +84 is not a formula)."""
    bad = []
    for cell in cells:
        if isinstance(cell, tuple):
            bad.append(cell)
        elif cell.startswith(FORMULA_STARTS):
            try:
                float(cell.replace(",", "."))
            except ValueError:
                bad.append(cell)
    return bad
