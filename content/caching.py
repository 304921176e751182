"""What serving a page reads of the page tree, and the rows of quizzes, kept in the shared
cache between changes.

Every page a learner opens was found by its URL path (which page, of which type), checked
for view restrictions and shown with the pages around it (breadcrumb, outline, the course's
lessons); all of it is read from the page tree, which changes only when an editor publishes,
saves, moves or deletes a page or sets its privacy. The answers are kept in the cache under one
generation that every such change moves on (receivers below): at the change and again after
its transaction commits, so a request that read the tree before the commit cannot leave its
stale copy in use. A quiz's questions and choices (what grades an answer) are kept the same
way under a generation of their own, moved on by every save or delete of a quiz, question or
choice (connected by content/apps.py). Entries expire after CONTENT_CACHE_SECONDS in any
case; with Redis down every request reads the database, as without the cache (lms/cache.py).
"""

from __future__ import annotations

import hashlib

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_unpublished, post_page_move

from lms.cache import generation_cached, generation_moved

PAGES_GENERATION = "content:pages:generation"
QUIZZES_GENERATION = "content:quizzes:generation"
CONTENT_CACHE_SECONDS = 300


def page_at(root: Page, url_path: str) -> tuple[int, int] | None:
    """(id, content type id) of the live page at `url_path` under `root`, or None."""
    digest = hashlib.sha1(f"{root.path}:{url_path}".encode(), usedforsecurity=False).hexdigest()
    return generation_cached(
        PAGES_GENERATION,
        f"content:route:{digest}",
        lambda: (
            Page.objects.live()
            .filter(url_path=url_path, path__startswith=root.path)
            .order_by("path")
            .values_list("pk", "content_type_id")
            .first()
        ),
        CONTENT_CACHE_SECONDS,
    )


def pages_cached(name: str, read):
    """`read()`: something read of the page tree only (pages, their fields and places),
    kept under `name` until the tree changes."""
    return generation_cached(PAGES_GENERATION, f"content:{name}", read, CONTENT_CACHE_SECONDS)


def tree_around(page: Page, part: str, read):
    """`read()`: what `page` shows of the tree around it (its `part`: a breadcrumb, an
    outline), as a list of pages, kept until the tree changes. A page not saved yet (a
    preview of a new page) is read each time."""
    if page.pk is None:
        return read()
    return pages_cached(f"tree:{part}:{page.pk}", read)


def _restricted_paths() -> frozenset[str]:
    restricted = dict(
        Page.objects.filter(pk__in=PageViewRestriction.objects.values("page_id")).values_list(
            "pk", "path"
        )
    )
    aliases = Page.objects.filter(alias_of_id__in=restricted).values_list("path", flat=True)
    return frozenset([*restricted.values(), *aliases])


def restricted_paths() -> frozenset[str]:
    """The tree paths of the pages that carry a view restriction, and of the aliases of such
    pages: a page none of whose ancestors is among them has no restriction to check."""
    return generation_cached(
        PAGES_GENERATION, "content:restricted-paths", _restricted_paths, CONTENT_CACHE_SECONDS
    )


def quiz_cached(quiz_id: int, name: str, read):
    """`read()`: something read of one quiz's rows, kept until a quiz changes."""
    return generation_cached(
        QUIZZES_GENERATION, f"content:quiz:{name}:{int(quiz_id)}", read, CONTENT_CACHE_SECONDS
    )


def _moved_on(key: str) -> None:
    generation_moved(key)


def pages_changed() -> None:
    _moved_on(PAGES_GENERATION)


def quizzes_changed(sender=None, **kwargs) -> None:
    _moved_on(QUIZZES_GENERATION)


@receiver(post_save, dispatch_uid="content_pages_changed_on_save")
def _saved(sender, instance, **kwargs):
    # A page's save is sent for its own class (LessonPage...), not for Page.
    if isinstance(instance, Page | PageViewRestriction):
        pages_changed()


# Deleting a page deletes its Page row too, which is sent for Page: a sender is named, so
# the deletes of other models keep Django's fast path (no signal to send for them).
@receiver(post_delete, sender=Page, dispatch_uid="content_pages_changed_on_page_delete")
@receiver(post_delete, sender=PageViewRestriction, dispatch_uid="content_pages_changed_on_pvr")
def _deleted(sender, **kwargs):
    pages_changed()


@receiver(post_page_move, dispatch_uid="content_pages_changed_on_move")
@receiver(page_unpublished, dispatch_uid="content_pages_changed_on_unpublish")
def _moved_or_unpublished(sender, **kwargs):
    pages_changed()
