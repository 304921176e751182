"""The Wagtail site of a page request, without Wagtail's query on every page.

Wagtail finds the site that serves each page request with a query (the sites matching the
request's host name or marked default, ranked, joined to their root pages), the most
expensive statement of a lesson page, then reads the root page again as its own type to
route the request. Sites change when an administrator edits them, almost never. Each process
keeps the sites' own columns (and their root pages' types), matches the request's host and
port against them as Wagtail's query does, and gives every request new instances: the Site
built from those values, and its root page read from the database as its own type, the one
read the router needs anyway. Nothing is shared between requests and no page content is kept.

A save or deletion of a site puts a new random stamp in the shared cache, which each process
compares once per page request with the stamp it read the sites under: a change made through
any process is seen by all at the next page, and so is an emptied cache (a new stamp).
Should the cache be unreachable, nothing is kept longer than SITES_KEPT_SECONDS. Anything
unexpected (a root page gone) leaves the request to Wagtail's own lookup.
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
_ROOT_TYPE = "root_page__content_type_id"
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
    rows = tuple(Site.objects.order_by("pk").values_list(*_FIELDS, _ROOT_TYPE))
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


def site_for_request(request) -> Site | None:
    """The site serving the request, chosen as Site.find_for_request chooses it: the exact
    host and port, else the host that is also the default, else the default site unless a
    single other site has the host name. Its root page is read as its own type. None when no
    site matches or its root page is gone: Wagtail's own lookup then decides."""
    hostname = split_domain_port(request._get_raw_host())[0]
    try:
        port = int(request.get_port())
    except (TypeError, ValueError):
        port = None
    sites = []
    for row in _rows():
        site = Site.from_db("default", _FIELDS, row[:-1])
        if site.hostname == hostname or site.is_default_site:
            sites.append((site, row[-1]))
    sites.sort(key=lambda pair: _rank(pair[0], hostname, port))
    if not sites:
        return None
    site, root_type = sites[0]
    rank = _rank(site, hostname, port)
    if len(sites) > 1 and rank not in (0, 1):
        if rank != 2:
            return None  # several sites share the host name, none the port nor the default
        # The default site, unless exactly one other site has the host name.
        site, root_type = sites[len(sites) == 2]
    model = ContentType.objects.get_for_id(root_type).model_class()
    root = model._default_manager.filter(pk=site.root_page_id).first() if model else None
    if root is None:
        return None
    site.root_page = root
    return site


def serve_page(request, path):
    """Wagtail's page serving, given the request's site from this process's list."""
    if not hasattr(request, "_wagtail_site"):
        site = site_for_request(request)
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
