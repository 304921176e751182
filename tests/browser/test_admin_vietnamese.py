"""The Wagtail admin in Vietnamese, as its three kinds of users see it, in Debian's Chromium.

A trainer, the central reviewer and a province admin each walk the admin: dashboard, page
explorer, a page's editor (with the footer's actions opened), snippets, images, documents and
their account. On every screen the visible text (and the inputs' placeholders) must hold no
English UI word: a list of the words Wagtail and Django show (Save, Publish, Draft, Pages...),
matched as whole words. Proper names (Wagtail, Draftail, URL...) are allowed. A failure names
each word, the line it stood in, and the upstream catalogue whose English that line is, so that
the catalogue to complete is known (locale/upstream/<app>/vi).
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from collections import defaultdict

import pytest

from lms.upstream_locale import messages_read, upstream_catalogues
from tests.builders import make_course, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# English words of the admin's interface; none of them is a Vietnamese word.
ENGLISH_UI_WORDS = [
    "Save", "Saved", "Saving", "Publish", "Published", "Publishing", "Unpublish", "Draft",
    "Drafts", "Delete", "Edit", "Edited", "Editing", "Page", "Pages", "Subpages", "Search",
    "Image", "Images", "Document", "Documents", "Settings", "Account", "Add", "Choose", "Cancel",
    "Status", "Live", "Action", "Actions", "More", "Sort", "Filter", "Filters", "Help", "Reports",
    "Report", "Workflow", "Workflows", "Task", "Tasks", "Snippet", "Snippets", "Dashboard",
    "Preview", "History", "Submit", "Submitted", "Moderation", "Review", "Approve", "Approved",
    "Collection", "Collections", "Upload", "Title", "Lock", "Locked", "Unlock", "Unlocked",
    "Profile", "Password", "Users", "Groups", "Sites", "Redirects", "Explorer", "Created",
    "Updated", "Comments", "Comment", "Privacy", "Content", "Promote", "Type", "Usage", "Owner",
    "Editor", "Next", "Previous", "Yes", "Select", "Selected", "Show", "Hide", "Close", "Back",
    "Clear", "Apply", "View", "Copy", "Move", "Create", "New", "Error", "Loading", "Tags", "Items",
    "Bulk", "Log", "Notifications", "Language", "Theme", "Dismiss", "ago", "minutes", "hours",
    "days", "Just", "Awaiting", "Changes", "Recent", "Latest", "Expired", "Scheduled", "Private",
    "Public", "Home", "Toggle", "Sidebar", "Breadcrumb", "Welcome", "Summary", "Aging", "Locale",
    "Go",
]  # fmt: skip
# Proper names and words the Vietnamese interface keeps as they are.
ALLOWED = {"Wagtail", "Draftail", "Django", "Gravatar", "YouTube", "URL", "ID", "CSV", "XLSX",
           "JSON", "PDF", "HTML", "API", "Email"}  # fmt: skip
WORD = re.compile(
    r"\b(" + "|".join(sorted(set(ENGLISH_UI_WORDS) - ALLOWED, key=len, reverse=True)) + r")\b",
    re.I,
)


# Place names in the time zones' labels (the browser's own Vietnamese for them).
ALLOWED_PHRASES = ("Papua New Guinea", "New Zealand", "New Caledonia")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")


def english_words(text: str) -> list[tuple[str, str]]:
    """(word, line) for every English UI word on the screen."""
    found = []
    for line in text.splitlines():
        line = line.strip()
        checked = line
        for phrase in ALLOWED_PHRASES:
            checked = checked.replace(phrase, "")
        found += [(match.group(1), line) for match in WORD.finditer(checked)]
    return found


def _literal(msgid: str) -> str:
    return re.sub(PLACEHOLDER, "", re.sub(r"<[^>]+>", "", msgid)).strip()


def _pattern(msgid: str) -> re.Pattern:
    """The message as a pattern for the screen's text: placeholders match anything."""
    text = re.sub(r"<[^>]+>", "", msgid).strip()
    parts = [re.escape(part).replace("\\ ", r"\s+") for part in PLACEHOLDER.split(text)]
    return re.compile(".+?".join(parts), re.I)


@functools.cache
def _untranslated_messages() -> list[tuple[str, list[tuple[str, re.Pattern]]]]:
    """Each upstream catalogue's label and the English messages our catalogue of it does not
    translate yet, as (literal text, pattern)."""
    catalogues = []
    for catalogue in upstream_catalogues():
        ours = messages_read(catalogue.po) if catalogue.po.exists() else []
        done = {(m.msgctxt, m.msgid) for m in ours if m.msgstr and not m.fuzzy}
        patterns = []
        for message in messages_read(catalogue.template):
            if (message.msgctxt, message.msgid) in done:
                continue
            for msgid in filter(None, (message.msgid, message.msgid_plural)):
                if len(_literal(msgid)) >= 3:
                    patterns.append((_literal(msgid), _pattern(msgid)))
        catalogues.append((catalogue.label, patterns))
    return catalogues


def catalogues_of(word: str, line: str) -> list[str]:
    """The upstream catalogues with an untranslated message that is this line (or a cell of
    it); else one that is part of it (a sentence made of two messages, a time span inside a
    translated sentence); else one that is the word itself (a model's name in a sentence)."""
    cells = [cell.strip().rstrip("*:").strip() for cell in line.split("\t") if cell.strip()]
    steps = [
        lambda literal, pattern: any(
            pattern.fullmatch(cell) and 2 * len(literal) >= len(cell) for cell in cells
        ),
        lambda literal, pattern: len(literal) >= 6 and any(pattern.search(c) for c in cells),
        lambda literal, pattern: pattern.fullmatch(word),
    ]
    for found in steps:
        labels = [
            label
            for label, patterns in _untranslated_messages()
            if any(found(literal, pattern) for literal, pattern in patterns)
        ]
        if labels:
            return labels
    return []


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 120)).save(buffer, format="PNG")
    return buffer.getvalue()


def _world():
    """A course with a lesson waiting in the review workflow, an image, a document, and the
    three people of the walk (as in the demo: giangvien, duyet, tinh_laocai)."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    tree = make_course(title="Lồng ghép giới", modules=1, lessons_per_module=1, published=True)
    trainer = make_user("giangvien", role="Trainer", first_name="Hà", last_name="Giảng viên")
    make_user("duyet", role="Admin", first_name="Người", last_name="duyệt")
    make_user("tinh_laocai", role="Admin", province_code="15", first_name="Quản trị",
              last_name="Lào Cai")  # fmt: skip
    lesson = tree.lessons[0].specific
    lesson.summary = "Bản sửa đang chờ duyệt"
    revision = lesson.save_revision(user=trainer)
    workflow = lesson.get_workflow()
    if workflow is not None:
        workflow.start(lesson, trainer)
    get_image_model().objects.create(
        title="Ảnh tập huấn", file=ContentFile(_png(), name="tap-huan.png")
    )
    get_document_model().objects.create(
        title="Tài liệu hướng dẫn", file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="huong-dan.pdf")
    )
    return tree, revision


def _settle(page) -> None:
    """The page loaded and the sidebar (drawn by script) is on it; then, at best, no request
    left in flight (a slow machine may keep one going: the text is read all the same)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_load_state("load")
    page.locator(".sidebar-menu-item").first.wait_for()
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle", timeout=5_000)


def _open_footer_actions(page) -> str:
    """The editor's footer menu (publish, submit, approve...), left open for the screenshot."""
    toggle = page.locator("footer [data-w-dropdown-target=toggle], footer button[aria-haspopup]")
    if toggle.count() and toggle.first.is_visible():
        toggle.first.click()
    return ""


def _open_each_submenu(page) -> str:
    """The sidebar's submenus (reports, settings, help) and the account menu, one at a time:
    their items are only on the screen while they are open."""
    _settle(page)
    texts = []
    triggers = page.locator(
        ".sidebar-sub-menu-item > button, .sidebar-footer button[aria-expanded]"
    )
    for index in range(triggers.count()):
        trigger = triggers.nth(index)
        if not trigger.is_visible():
            continue
        trigger.click()
        page.wait_for_timeout(300)
        texts.append(page.locator("body").inner_text())
        trigger.click()
    return "\n".join(texts)


def _screen_text(page) -> str:
    _settle(page)
    placeholders = page.eval_on_selector_all(
        "input[placeholder]:visible, textarea[placeholder]:visible",
        "els => els.map(e => e.placeholder)",
    )
    return page.locator("body").inner_text() + "\n" + "\n".join(placeholders)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_admin_shows_no_english_to_a_trainer_a_reviewer_and_a_province_admin(journey):
    tree, _revision = _world()
    lesson, course = tree.lessons[0], tree.course
    screens = [
        ("dashboard", "/admin/", _open_each_submenu),
        ("page explorer", "/admin/pages/", None),
        ("course in the explorer", f"/admin/pages/{course.pk}/", None),
        ("page editor", f"/admin/pages/{lesson.pk}/edit/", _open_footer_actions),
        ("page history", f"/admin/pages/{lesson.pk}/history/", None),
        ("snippets", "/admin/snippets/", None),
        ("quizzes", "/admin/snippets/content/quiz/", None),
        ("images", "/admin/images/", None),
        ("documents", "/admin/documents/", None),
        ("account", "/admin/account/", None),
    ]
    j = journey("admin-in-vietnamese")
    english: dict[str, set[str]] = defaultdict(set)  # "word: line" -> where it was seen
    for username, role in (("giangvien", "trainer"), ("duyet", "reviewer"),
                           ("tinh_laocai", "province admin")):  # fmt: skip
        person = j.person()
        person.login(username, next_path="/admin/")
        for name, path, prepare in screens:
            person.goto(path)
            extra = prepare(person.page) if prepare else ""
            if prepare is _open_each_submenu:
                assert "Có gì mới trong Wagtail" in extra, "the help submenu did not open"
            person.shot(f"{role} {name}")
            for word, line in english_words(_screen_text(person.page) + "\n" + extra):
                english[f"{word}: {line[:120]}"].add(f"{role} {name} ({person.page.url})")
    report = []
    for entry, where in sorted(english.items()):
        word, line = entry.split(": ", 1)
        found_in = ", ".join(catalogues_of(word, line)) or "in no upstream catalogue"
        report.append(f"{entry}  [{found_in}]  on {sorted(where)[0]}")
    print("\n".join(report) or "no English words on the admin's screens")
    assert report == [], f"{len(report)} English words on the admin's screens:\n" + "\n".join(
        report
    )
