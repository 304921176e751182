"""Demo pages for the curriculum and the story series (sample content, original text)."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.search import index as search_index
from wagtail.search import signal_handlers as search_signals

from content import demo_data
from content.models import (
    CourseIndexPage,
    CoursePage,
    HomePage,
    LessonPage,
    ModulePage,
    Quiz,
    QuizChoice,
    QuizQuestion,
    StandardPage,
    StoryPage,
    StorySeriesPage,
    StoryVolumePage,
)

HOME_TITLE = "Bình đẳng giới – Đề án 8"
HOME_INTRO = (
    "<p>Chương trình bồi dưỡng kiến thức về bình đẳng giới, phân tích giới và lồng ghép giới "
    "cho cán bộ vùng đồng bào dân tộc thiểu số và miền núi. <em>(Nội dung mẫu.)</em></p>"
)


@transaction.atomic
def load_site() -> Iterable[str]:
    """Make a HomePage the root of the default site, replacing Wagtail's welcome page."""
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(title=HOME_TITLE, slug="trang-chu", intro=HOME_INTRO)
        root.add_child(instance=home)
        home.save_revision().publish()
        yield "Trang chủ: đã tạo."
    else:
        yield "Trang chủ: đã có."
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Đề án 8",
        )
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.site_name = "Đề án 8"
        site.save()
        if old_root.specific_class is Page and not old_root.get_children().exists():
            old_root.delete()
    yield "Trang web mặc định: trỏ tới trang chủ."


DEMO_PAGE_MODELS = (
    StandardPage,
    StorySeriesPage,
    StoryVolumePage,
    StoryPage,
    CourseIndexPage,
    CoursePage,
    ModulePage,
    LessonPage,
)


@contextmanager
def _search_index_once() -> Iterator[list[Page]]:
    """Index the pages created inside the block once at the end, not on every save.

    Yields the list to which new pages are appended. Keeps the demo load fast (it is part
    of `make run`).
    """
    created: list[Page] = []
    for model in DEMO_PAGE_MODELS:
        post_save.disconnect(search_signals.post_save_signal_handler, sender=model)
    try:
        yield created
    finally:
        for model in DEMO_PAGE_MODELS:
            post_save.connect(search_signals.post_save_signal_handler, sender=model)
    for page in created:
        search_index.insert_or_update_object(page)


def _child(
    parent: Page, model: type[Page], slug: str, created: list[Page] | None = None, **fields
) -> tuple[Page, bool]:
    """The child page `slug` of `parent`, created live if missing (existing pages are kept).

    Demo pages are created published without a first revision; the first edit in the admin
    makes one, and from then on they go through the moderation workflow like any page.
    """
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    page = parent.add_child(
        instance=model(
            slug=slug, live=True, first_published_at=now, last_published_at=now, **fields
        )
    )
    if created is not None:
        created.append(page)
    return page, True


def _home() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        list(load_site())
        home = HomePage.objects.get()
    return home


def _paragraphs(paragraphs: list[str]) -> list[tuple[str, str]]:
    return [("paragraph", "".join(f"<p>{text}</p>" for text in paragraphs))]


def load_pages() -> Iterable[str]:
    """About, help and contact pages under the home page."""
    home = _home()
    with _search_index_once() as new_pages:
        for slug, title, body in demo_data.STANDARD_PAGES:
            _child(
                home, StandardPage, slug, new_pages, title=title, body=body + demo_data.SAMPLE_NOTE
            )
    yield f"Trang giới thiệu, hướng dẫn, liên hệ: {len(new_pages)} trang mới."


def load_stories() -> Iterable[str]:
    """The story series with its four volumes (10.400 copies each, 2023) and their stories."""
    home = _home()
    with _search_index_once() as new_pages:
        series, _ = _child(
            home,
            StorySeriesPage,
            "cau-chuyen-truyen-thong",
            new_pages,
            title=demo_data.SERIES_TITLE,
            intro=demo_data.SERIES_INTRO,
        )
        for number, title, summary, stories in demo_data.VOLUMES:
            volume, _ = _child(
                series,
                StoryVolumePage,
                f"tap-{number}",
                new_pages,
                title=title,
                volume_number=number,
                summary=summary + " (Nội dung mẫu.)",
                print_run=10_400,
                year=2023,
            )
            for slug, story_title, community, paragraphs, questions in stories:
                _child(
                    volume,
                    StoryPage,
                    slug,
                    new_pages,
                    title=story_title,
                    community=community,
                    summary=paragraphs[0],
                    body=_paragraphs(paragraphs) + [("paragraph", demo_data.SAMPLE_NOTE)],
                    discussion_questions="\n".join(questions),
                )
    yield f"Bộ truyện «{demo_data.SERIES_TITLE}»: {len(new_pages)} trang mới."


def _quiz(title: str, questions: list) -> Quiz:
    quiz = Quiz.objects.filter(title=title).first()
    if quiz is not None:
        return quiz
    quiz = Quiz(title=title, pass_mark=70, attempts_allowed=3, shuffle=True)
    quiz.questions = [
        QuizQuestion(
            kind=kind,
            text=text,
            explanation=explanation,
            sort_order=n,
            choices=[
                QuizChoice(text=choice, is_correct=correct, sort_order=i)
                for i, (choice, correct) in enumerate(choices)
            ],
        )
        for n, (kind, text, explanation, choices) in enumerate(questions)
    ]
    quiz.save()
    # Published through a revision, as a reviewer's approval would: learners take only a
    # published quiz, and each attempt records the revision it answered.
    quiz.save_revision().publish()
    quiz.refresh_from_db()
    return quiz


def _lesson_body(lesson: tuple, *, stories: dict, quiz: Quiz | None) -> list:
    _slug, _title, _summary, paragraphs, points, discussion, story_slug = lesson
    body = _paragraphs(paragraphs)
    body.append(("key_points", {"title": "Ghi nhớ", "points": points}))
    if story_slug and story_slug in stories:
        body.append(
            ("story", {"page": stories[story_slug], "note": "Đọc câu chuyện minh họa cho bài."})
        )
    if discussion:
        body.append(("discussion", {"title": "Câu hỏi thảo luận", "questions": discussion}))
    if quiz is not None:
        body.append(("quiz", {"quiz": quiz, "intro": "Làm bài kiểm tra để hoàn thành khóa học."}))
    body.append(("paragraph", demo_data.SAMPLE_NOTE))
    return body


def load_courses() -> Iterable[str]:
    """The public catalogue and one course per competency, each with a final quiz."""
    home = _home()
    stories = {story.slug: story for story in StoryPage.objects.all()}
    with _search_index_once() as new_pages:
        index, _ = _child(
            home,
            CourseIndexPage,
            "khoa-hoc",
            new_pages,
            title="Danh mục khóa học",
            intro="<p>Các khóa bồi dưỡng theo bốn nhóm năng lực của Đề án 8.</p>",
        )
        for data in demo_data.COURSES:
            quiz = _quiz(f"Bài kiểm tra cuối khóa: {data['title']}", data["quiz"])
            course, _ = _child(
                index,
                CoursePage,
                data["slug"],
                new_pages,
                title=data["title"],
                summary=data["summary"] + " (Nội dung mẫu.)",
                outcomes="\n".join(data.get("outcomes", [])),
                target_groups=data["target_groups"],
                competency=data["competency"],
                delivery=data["delivery"],
                estimated_hours=data["hours"],
                final_quiz=quiz,
                requires_post_test=data["requires_post_test"],
                # The demo's courses are studied lesson by lesson, then the final quiz.
                require_lessons_in_order=True,
                certificate_title=data["title"],
            )
            modules = data["modules"]
            for m, (module_slug, module_title, module_summary, lessons) in enumerate(modules):
                module, _ = _child(
                    course,
                    ModulePage,
                    module_slug,
                    new_pages,
                    title=module_title,
                    summary=module_summary,
                )
                for x, lesson in enumerate(lessons):
                    is_last = m == len(modules) - 1 and x == len(lessons) - 1
                    _child(
                        module,
                        LessonPage,
                        lesson[0],
                        new_pages,
                        title=lesson[1],
                        summary=lesson[2],
                        body=_lesson_body(lesson, stories=stories, quiz=quiz if is_last else None),
                    )
    yield f"Khóa học: {len(demo_data.COURSES)} khóa, {len(new_pages)} trang mới."
