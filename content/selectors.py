"""Reads over the content tree (no writes here)."""

from __future__ import annotations

from django.db.models import Q
from wagtail.models import Page, PageViewRestriction

from content.models import CoursePage, LessonPage, StoryPage
from lms.text import text_fold

SEARCHABLE_TYPES = (CoursePage, LessonPage, StoryPage)


def page_restricted_q(*, user) -> Q | None:
    """Pages this user may not see: under a view restriction they do not satisfy.

    Anonymous visitors are kept out of every restricted subtree; a logged-in user passes
    "login" restrictions and "groups" restrictions for their groups. Password-protected pages
    never appear in search (the password is asked on the page itself).
    """
    restrictions = PageViewRestriction.objects.select_related("page").prefetch_related("groups")
    blocked = Q()
    any_blocked = False
    group_ids = set()
    if user is not None and user.is_authenticated:
        group_ids = set(user.groups.values_list("id", flat=True))
    for restriction in restrictions:
        if user is not None and user.is_authenticated:
            if user.is_superuser and restriction.restriction_type != PageViewRestriction.PASSWORD:
                continue
            if restriction.restriction_type == PageViewRestriction.LOGIN:
                continue
            if restriction.restriction_type == PageViewRestriction.GROUPS and group_ids & {
                group.id for group in restriction.groups.all()
            }:
                continue
        blocked |= Q(path__startswith=restriction.page.path)
        any_blocked = True
    return blocked if any_blocked else None


def page_search(*, query: str, user):
    """Live courses, lessons and stories matching `query`, accent-insensitively.

    The query is folded like the indexed `search_folded` field, so "binh dang gioi",
    "Bình đẳng giới", "BINH DANG GIOI" and decomposed Unicode all give the same results.
    Returns Wagtail search results (sliceable, countable) of specific pages.
    """
    folded = text_fold(query)
    if not folded:
        return Page.objects.none()
    pages = Page.objects.live().type(*SEARCHABLE_TYPES)
    blocked = page_restricted_q(user=user)
    if blocked is not None:
        pages = pages.exclude(blocked)
    return pages.specific().search(folded, operator="and")
