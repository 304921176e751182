"""Builders shared by the suite; each app keeps its own section."""
# --- content: page tree and quizzes (owned by the content app) ------------------------------


def content_home_create():
    """A HomePage as the default site's root (replacing Wagtail's welcome page)."""
    from wagtail.models import Page, Site

    from content.models import HomePage

    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="Trang chủ", slug="trang-chu"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Test"},
    )
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()
    return home


def content_publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def quiz_create(*, title="Bài kiểm tra", questions=3, pass_mark=70):
    """A quiz with `questions` single-choice questions; the first choice is correct."""
    from content.models import QuestionKind, Quiz, QuizChoice, QuizQuestion

    quiz = Quiz(title=title, pass_mark=pass_mark)
    quiz.questions = [
        QuizQuestion(
            kind=QuestionKind.SINGLE,
            text=f"Câu hỏi số {n + 1}?",
            explanation=f"GIAI-THICH-BI-MAT-{n + 1}",
            sort_order=n,
            choices=[
                QuizChoice(text=f"DAP-AN-DUNG-{n + 1}", is_correct=True, sort_order=0),
                QuizChoice(text=f"Phương án sai {n + 1}", is_correct=False, sort_order=1),
            ],
        )
        for n in range(questions)
    ]
    quiz.save()
    return quiz


def course_index_create(*, home=None, title="Khoá học", slug="khoa-hoc"):
    from content.models import CourseIndexPage

    home = home or content_home_create()
    index = home.add_child(instance=CourseIndexPage(title=title, slug=slug))
    return content_publish(index)


def course_create(*, index, title="Khoá học mẫu", slug=None, **fields):
    from django.utils.text import slugify

    from content.models import CoursePage

    course = index.add_child(
        instance=CoursePage(title=title, slug=slug or slugify(title) or "khoa-hoc-mau", **fields)
    )
    return content_publish(course)


def module_create(*, course, title="Học phần 1", slug=None):
    from content.models import ModulePage

    module = course.add_child(
        instance=ModulePage(title=title, slug=slug or f"hoc-phan-{title[-1]}")
    )
    return content_publish(module)


def lesson_create(*, module, title="Bài học", slug, body=None, summary=""):
    from content.models import LessonPage

    lesson = module.add_child(
        instance=LessonPage(title=title, slug=slug, summary=summary, body=body or [])
    )
    return content_publish(lesson)


def story_tree_create(*, home=None, volumes=4, stories_per_volume=1):
    """The story series with `volumes` volumes (created in reverse order) and their stories."""
    from content.models import StoryPage, StorySeriesPage, StoryVolumePage

    home = home or content_home_create()
    series = content_publish(
        home.add_child(instance=StorySeriesPage(title="Các câu chuyện", slug="cau-chuyen"))
    )
    for number in range(volumes, 0, -1):
        volume = content_publish(
            series.add_child(
                instance=StoryVolumePage(
                    title=f"Tập {number}",
                    slug=f"tap-{number}",
                    volume_number=number,
                    print_run=10400,
                    year=2023,
                )
            )
        )
        for n in range(stories_per_volume):
            content_publish(
                volume.add_child(
                    instance=StoryPage(
                        title=f"Câu chuyện {number}.{n + 1}",
                        slug=f"cau-chuyen-{number}-{n + 1}",
                        community="Bản Mường, Sơn La",
                    )
                )
            )
    return series


# --- courses: registry (administrative units, users by role, cadres) ------------------------


def registry_units_create():
    """A small unit tree in both structures, enough for the registry tests:

    2023: province 01 (Hà Nội) > district 001 (Ba Đình) > communes 00001, 00004;
          province 02 (Hà Giang) > district 024 > commune 00688.
    2025: province 01 > commune 00004, with lineage 00001 -> 00004 (partly) and 00004 -> 00004.
    Returns a dict code -> unit (2023) plus "2025:<code>" keys.
    """
    import datetime

    from courses.registry.models import AdminUnit, AdminUnitLineage, UnitLevel, UnitStructure

    s23, s25 = UnitStructure.S2023, UnitStructure.S2025
    end, start = datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)
    units = {}

    def unit(structure, level, code, name, parent=None):
        province = parent.province_code if parent else code
        district = code if level == UnitLevel.DISTRICT else (parent.district_code if parent else "")
        commune = code if level == UnitLevel.COMMUNE else ""
        obj, _ = AdminUnit.objects.get_or_create(
            structure=structure,
            code=code,
            defaults={
                "level": level, "name": name, "parent": parent, "province_code": province,
                "district_code": district, "commune_code": commune,
                "valid_to": end if structure == s23 else None,
                "valid_from": start if structure == s25 else None,
            },
        )  # fmt: skip
        units[code if structure == s23 else f"2025:{code}"] = obj
        return obj

    hn = unit(s23, UnitLevel.PROVINCE, "01", "Thành phố Hà Nội")
    bd = unit(s23, UnitLevel.DISTRICT, "001", "Quận Ba Đình", hn)
    unit(s23, UnitLevel.COMMUNE, "00001", "Phường Phúc Xá", bd)
    unit(s23, UnitLevel.COMMUNE, "00004", "Phường Trúc Bạch", bd)
    hg = unit(s23, UnitLevel.PROVINCE, "02", "Tỉnh Hà Giang")
    dv = unit(s23, UnitLevel.DISTRICT, "024", "Thành phố Hà Giang", hg)
    unit(s23, UnitLevel.COMMUNE, "00688", "Phường Quang Trung", dv)
    hn25 = unit(s25, UnitLevel.PROVINCE, "01", "Thành phố Hà Nội")
    ba_dinh = unit(s25, UnitLevel.COMMUNE, "00004", "Phường Ba Đình", hn25)
    tq25 = unit(s25, UnitLevel.PROVINCE, "08", "Tỉnh Tuyên Quang")
    AdminUnitLineage.objects.get_or_create(old=hn, new=hn25)
    AdminUnitLineage.objects.get_or_create(old=hg, new=tq25)
    AdminUnitLineage.objects.get_or_create(
        old=units["00001"], new=ba_dinh, defaults={"partial": True}
    )
    AdminUnitLineage.objects.get_or_create(old=units["00004"], new=ba_dinh)
    return units


def registry_user_create(username, *, role=None, province_code="", **fields):
    """A user with one role group ("Cadre", "Trainer", "Admin") and an optional province."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username=username, password="pw-" + username + "-123", province_code=province_code,
        **fields,
    )  # fmt: skip
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def registry_cadre_create(*, unit, full_name="Nguyễn Thị Hoa", **fields):
    from courses.registry.models import Cadre, Level, Sex, TargetGroup

    defaults = {
        "sex": Sex.FEMALE,
        "birth_year": 1980,
        "target_group": TargetGroup.KEY_CADRE,
        "level": Level.COMMUNE,
    }
    defaults.update(fields)
    return Cadre.objects.create(full_name=full_name, unit=unit, **defaults)


# --- certificates (owned by the certificates app) -------------------------------------------


def certificate_create(*, enrolment, issue: bool = False):
    """The certificate of a completed enrolment; rendered and issued inline if `issue`."""
    from certificates.services import certificate_create_pending, certificate_issue

    certificate = certificate_create_pending(enrolment=enrolment)
    if issue:
        certificate_issue(certificate_id=certificate.pk)
        certificate.refresh_from_db()
    return certificate


def registry_world_create():
    """Units, users of every role and three cadres: Hoa and Lan in Hà Nội (01), Mai in Hà
    Giang (02), who attends a session of `trainer`."""
    import datetime

    from courses.sessions.models import Attendance, TrainingSession
    from lms.roles import ADMIN, CADRE, TRAINER

    units = registry_units_create()
    w = type("World", (), {})()
    w.units = units
    w.central = registry_user_create("central", role=ADMIN)
    w.hn_admin = registry_user_create("hn_admin", role=ADMIN, province_code="01")
    w.hg_admin = registry_user_create("hg_admin", role=ADMIN, province_code="02")
    w.trainer = registry_user_create("trainer", role=TRAINER)
    w.other_trainer = registry_user_create("trainer2", role=TRAINER)
    w.hoa_user = registry_user_create("hoa", role=CADRE)
    w.mai_user = registry_user_create("mai", role=CADRE)
    w.hoa = registry_cadre_create(unit=units["00001"], full_name="Nguyễn Thị Hoa",
                                  user=w.hoa_user, ethnicity="02")  # fmt: skip
    w.mai = registry_cadre_create(unit=units["00688"], full_name="Lò Thị Mai",
                                  user=w.mai_user, ethnicity="08")  # fmt: skip
    w.lan = registry_cadre_create(unit=units["00004"], full_name="Trần Thị Lan")
    course = course_create(index=course_index_create(), title="Bình đẳng giới")
    session = TrainingSession.objects.create(
        kind="can_bo_huyen_xa", course=course, title="Lớp 1", unit=units["00688"],
        start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2025, 3, 2),
    )  # fmt: skip
    session.trainers.add(w.trainer)
    Attendance.objects.create(session=session, cadre=w.mai)
    return w
