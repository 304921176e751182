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
