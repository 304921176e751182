"""The Wagtail site of a page request, without Wagtail's query on every page.

Wagtail finds the site that serves each page request with a query (the sites matching the
request's host name or marked default, ranked, joined to their root pages), the most
expensive statement of a lesson page, then reads the root page again as its own type to
route the request. Sites change when an administrator edits them, almost never. Each process
keeps the sites' own columns, and of their root pages the type and the place in the tree
(path, depth, URL path, live), matches the request's host and port against them as Wagtail's
query does, and gives every request new instances: the Site built from those values and its
root page as its own type, holding only those columns (a page below the root is routed from
them; any other column is read from the database if asked for). The root page itself, when it
is the page asked for, is read whole. Nothing is shared between requests and no page content
is kept.

A save or deletion of a site, a save of a page that is a site's root and a move of any page
put a new random stamp in the shared cache (lms/receivers.py), which each process compares
once per page request with the stamp it read the sites under: a change made through any
process is seen by all at the next page, and so is an emptied cache (a new stamp). Should the
cache be unreachable, nothing is kept longer than SITES_KEPT_SECONDS. Anything unexpected (a
root page gone) leaves the request to Wagtail's own lookup.
"""

from __future__ import annotations

import threading
import time
import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.http.request import split_domain_port
from wagtail import views as wagtail_views
from wagtail.models import Site

SITES_STAMP = "sites:stamp"
SITES_KEPT_SECONDS = 60.0
_FIELDS = [field.attname for field in Site._meta.concrete_fields]
# Of each site's root page: its type, and what routing below it reads.
_ROOT = ("content_type_id", "path", "depth", "url_path", "live")
_lock = threading.Lock()
_kept: dict = {"stamp": None, "at": 0.0, "rows": None}


def _stamp() -> str | None:
    """The current stamp, a new one if the cache holds none; None if it is unreachable."""
    stamp = cache.get(SITES_STAMP)
    if stamp is None:
        cache.add(SITES_STAMP, uuid.uuid4().hex, timeout=None)
        stamp = cache.get(SITES_STAMP)
    return stamp


def _rows() -> tuple[tuple, ...]:
    stamp = _stamp()
    now = time.monotonic()
    with _lock:
        fresh = now - _kept["at"] < SITES_KEPT_SECONDS
        if _kept["rows"] is not None and _kept["stamp"] == stamp and fresh:
            return _kept["rows"]
    rows = tuple(
        Site.objects.order_by("pk").values_list(*_FIELDS, *(f"root_page__{f}" for f in _ROOT))
    )
    with _lock:
        _kept.update(stamp=stamp, at=now, rows=rows)
    return rows


def _rank(site: Site, hostname: str, port: int) -> int:
    """Wagtail's order of preference (wagtail.models.sites.get_site_for_hostname)."""
    if site.hostname == hostname and site.port == port:
        return 0
    if site.hostname == hostname and site.is_default_site:
        return 1
    if site.is_default_site:
        return 2
    return 3


def is_site_root(page) -> bool:
    """Whether the page is (or may be) a site's root: a child of the tree's root, where
    Wagtail puts sites' roots, or a root in the sites this process keeps. Reads nothing."""
    if page.depth == 2:
        return True
    rows = _kept["rows"] or ()
    root = _FIELDS.index("root_page_id")
    return any(row[root] == page.pk for row in rows)


def site_for_request(request, *, below_root: bool = False) -> Site | None:
    """The site serving the request, chosen as Site.find_for_request chooses it: the exact
    host and port, else the host that is also the default, else the default site unless a
    single other site has the host name. `below_root`: the page asked for is below the root
    page, which is then built from the kept columns; otherwise it is read as its own type.
    None when no site matches or its root page is gone: Wagtail's own lookup then decides."""
    hostname = split_domain_port(request._get_raw_host())[0]
    try:
        port = int(request.get_port())
    except (TypeError, ValueError):
        port = None
    sites = []
    for row in _rows():
        site = Site.from_db("default", _FIELDS, row[: len(_FIELDS)])
        if site.hostname == hostname or site.is_default_site:
            sites.append((site, row[len(_FIELDS) :]))
    sites.sort(key=lambda pair: _rank(pair[0], hostname, port))
    if not sites:
        return None
    site, root = sites[0]
    rank = _rank(site, hostname, port)
    if len(sites) > 1 and rank not in (0, 1):
        if rank != 2:
            return None  # several sites share the host name, none the port nor the default
        # The default site, unless exactly one other site has the host name.
        site, root = sites[len(sites) == 2]
    if root[0] is None:
        return None
    model = ContentType.objects.get_for_id(root[0]).model_class()
    if model is None:
        return None
    if below_root:
        known = dict(zip(_ROOT, root, strict=True))
        known["id"] = known[model._meta.pk.attname] = site.root_page_id
        fields = [f.attname for f in model._meta.concrete_fields if f.attname in known]
        site.root_page = model.from_db("default", fields, [known[name] for name in fields])
        return site
    page = model._default_manager.filter(pk=site.root_page_id).first()
    if page is None:
        return None
    site.root_page = page
    return site


def serve_page(request, path):
    """Wagtail's page serving, given the request's site from this process's list."""
    if not hasattr(request, "_wagtail_site"):
        site = site_for_request(request, below_root=bool(path.strip("/")))
        if site is not None:
            request._wagtail_site = site
    return wagtail_views.serve(request, path)


def sites_changed() -> None:
    """A site was saved or deleted (lms/receivers.py): every process reads the sites again."""
    _new_stamp()
    # Again once the change is visible to other connections: a process that read the sites
    # between the first new stamp and the commit kept the old rows under it.
    transaction.on_commit(_new_stamp)


def _new_stamp() -> None:
    cache.set(SITES_STAMP, uuid.uuid4().hex, timeout=None)
