"""The two endpoints a device uses to learn offline: what to store for a course, and the
queue of work done offline to apply.

The list of what to store is made by rendering each page the learner would open (through the
site's own views, as this learner) and reading the images, audio, documents and story links
the HTML actually uses: the renditions a lesson shows are the ones stored, and the sizes are
those of the bytes the device will keep. Rendering uses a copy of the request without its flash
messages, so none is used up by a page nobody sees.

The queue is sent with the session's cookie and a CSRF token taken from a page of the site
(or stored with the queue, when the browser sends it in the background); the batch names the
account it was made under, and one made under another account (a shared phone) is refused
and kept on the device for its owner.
"""

from __future__ import annotations

import copy
import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage
from django.http import JsonResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from wagtail.documents import get_document_model

from content.models import CoursePage, ModulePage, StoryPage
from courses.learning.replay import MAX_ITEMS, offline_actions_apply
from courses.learning.selectors import cadre_for_user, enrolment_for
from lms.json_body import JsonBodyError, json_error_response, load_json_body
from lms.offline import SHELL_FILES

Document = get_document_model()
_SRC = re.compile(r'(?:src|poster)="([^"]+)"')
_SRCSET = re.compile(r'srcset="([^"]+)"')
_HREF = re.compile(r'href="(/[^"#?]*)"')
_LINKED = re.compile(r'(?:src|href)="(/[^"#?]*)"')
_SCRIPT = re.compile(r'<script src="([^"]+)"')


def _render(request, path: str):
    """The response this learner gets for GET `path`, or None if the path is not a page."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    sub = copy.copy(request)
    sub.__dict__.pop("_messages", None)
    sub.__dict__.pop("_learning_state", None)
    sub.__dict__.pop("headers", None)
    # As the device will ask for it when storing the course: the quiz page's copy for the
    # device, which starts no attempt.
    sub.META = {**request.META, "HTTP_X_OFFLINE_STORE": "1"}
    sub.path = sub.path_info = path
    sub.method = "GET"
    sub.GET, sub.POST = QueryDict(), QueryDict()
    sub.resolver_match = match
    response = match.func(sub, *match.args, **match.kwargs)
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response if response.status_code == 200 else None


def _media_size(url: str) -> int | None:
    path = unquote(urlsplit(url).path)
    if not path.startswith(settings.MEDIA_URL):
        return None
    return _stored_size(path[len(settings.MEDIA_URL) :])


def _media_in(html: str) -> set[str]:
    found = set(_SRC.findall(html))
    for srcset in _SRCSET.findall(html):
        found.update(part.strip().split(" ")[0] for part in srcset.split(","))
    return {url for url in found if urlsplit(url).path.startswith(settings.MEDIA_URL)}


def _documents_in(html: str) -> dict[str, int | None]:
    """The documents a page links or plays (handouts, downloads, a story's recording), with
    their sizes; not video files, too large for a shared phone (they play online)."""
    videos = {ext.lower() for ext in settings.WAGTAILMEDIA.get("VIDEO_EXTENSIONS", [])}
    found: dict[str, int | None] = {}
    for url in set(_LINKED.findall(html)):
        try:
            match = resolve(unquote(url))
        except Resolver404:
            continue
        if match.url_name != "wagtaildocs_serve":
            continue
        document = Document.objects.filter(pk=match.args[0]).first()
        if document is None or document.file_extension.lower() in videos:
            continue
        found[url] = document.file_size or _stored_size(document.file.name)
    return found


def _scripts_in(html: str) -> set[str]:
    """The scripts a page uses that the service worker does not keep for every page (the
    quiz's): stored with the course, so that its pages work offline as online."""
    shell = {static(name) for name in SHELL_FILES}
    return {
        url
        for url in _SCRIPT.findall(html)
        if url.startswith(settings.STATIC_URL) and url not in shell
    }


def _static_size(url: str) -> int | None:
    try:
        return staticfiles_storage.size(unquote(url)[len(settings.STATIC_URL) :])
    except (OSError, NotImplementedError, ValueError):
        return None


def _stored_size(name: str) -> int | None:
    try:
        return default_storage.size(name)
    except (OSError, NotImplementedError):
        return None


@never_cache
@require_GET
def course_package(request, course_id: int):
    """JSON: every address to store for learning this course offline, with its size."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Log in first.")}, status=401)
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    enrolment = enrolment_for(cadre=cadre_for_user(request.user), course_id=course.pk)
    if enrolment is None:
        return JsonResponse({"error": _("Enrol in the course first.")}, status=403)
    pages = [course.url]
    pages += [m.url for m in ModulePage.objects.live().child_of(course).order_by("path")]
    pages += [lesson.url for lesson in course.lesson_pages()]
    if course.final_quiz_id and course.final_quiz.is_published:
        pages.append(reverse("learning:quiz", args=[course.pk, course.final_quiz_id]))
    stories = {p.url: p for p in StoryPage.objects.live()}
    entries: dict[str, int | None] = {}
    media: set[str] = set()
    documents: dict[str, int | None] = {}
    scripts: set[str] = set()
    queue = list(pages)
    while queue:
        url = queue.pop(0)
        if url in entries:
            continue
        response = _render(request, url)
        if response is None:
            continue
        html = response.content.decode("utf-8", "replace")
        entries[url] = len(response.content)
        media |= _media_in(html)
        documents.update(_documents_in(html))
        scripts |= _scripts_in(html)
        if url not in stories:
            queue += [href for href in _HREF.findall(html) if href in stories]
    for url in sorted(media):
        entries[url] = _media_size(url)
    for url in sorted(documents):
        entries.setdefault(url, documents[url])
    for url in sorted(scripts):
        entries[url] = _static_size(url)
    items = [{"url": url, "bytes": size} for url, size in entries.items()]
    return JsonResponse(
        {
            "course": course.pk,
            "title": course.title,
            "url": course.url,
            "items": items,
            "bytes": sum(size or 0 for size in entries.values()),
        }
    )


@never_cache
@require_POST
def sync(request):
    """Applies a device's queue: {"user": id, "items": [...]} -> one result per item."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Log in first.")}, status=401)
    try:
        payload = load_json_body(request, max_bytes=512 * 1024)
    except JsonBodyError as exc:
        return json_error_response(exc)
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        return JsonResponse({"error": _("Malformed answer.")}, status=400)
    if str(payload.get("user")) != str(request.user.pk):
        return JsonResponse(
            {"error": _("This work was done under another account: it is kept on the device.")},
            status=409,
        )
    cadre = cadre_for_user(request.user)
    if cadre is None:
        return JsonResponse({"error": _("Enrol in the course first.")}, status=403)
    items = payload["items"][:MAX_ITEMS]
    return JsonResponse({"results": offline_actions_apply(user=request.user, cadre=cadre,
                                                          items=items)})  # fmt: skip
