"""The installable web app: its manifest, its service worker and the page that says what works
without a connection.

The service worker is small and hand-written (lms/templates/lms/sw.js) rather than built with
Workbox: it needs a few behaviours (pages from the network, else from the device; static files
and media from the device first, a part of a stored recording as a server sends one; a course
stored on request; lesson, answer and quiz posts queued when the network fails, and a logout
finished when it returns), a Workbox build would add a Node toolchain to the image and CI and
a few tens of kilobytes to every phone for routing it does not use, and a page of plain code
can be read whole by whoever maintains the site. It is rendered as a template so that it
names the hashed static files it keeps and the queue's endpoint, minified (its comments stay
in the template), and served from the site's root so that its scope covers every page.
"""

from __future__ import annotations

import hashlib
import json

import rjsmin
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# What every page uses, kept on the device when the service worker is installed. A script
# only some pages use (the quiz's) is stored with the course whose pages use it, or when such
# a page is visited.
SHELL_FILES = [
    "lms/css/site.css",
    "lms/fonts/be-vietnam-pro-vi-400-normal.woff2",
    "lms/fonts/be-vietnam-pro-vi-700-normal.woff2",
    "lms/js/offline-store.js",
    "lms/js/offline.js",
    "lms/favicon.svg",
]


@require_GET
@cache_control(max_age=86400, public=True)
def manifest(request):
    data = {
        "id": "/",
        "name": settings.WAGTAIL_SITE_NAME,
        "short_name": _("Project 8"),
        "description": _(
            "Gender-equality training for cadres in ethnic-minority and mountainous areas."
        ),
        "lang": "vi",
        "start_url": "/learn/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#8a1c5c",
        "icons": [
            {"src": static("lms/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("lms/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("lms/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    shell = [static(name) for name in SHELL_FILES]
    version = hashlib.sha256(json.dumps(shell).encode()).hexdigest()[:12]
    # Its comments are for whoever maintains it, not for the phones that download it.
    body = rjsmin.jsmin(
        render_to_string(
            "lms/sw.js",
            {
                "shell": json.dumps(shell),
                "shell_store": json.dumps(static("lms/js/offline-store.js")),
                "version": json.dumps(version),
                "static_url": settings.STATIC_URL,
                "media_url": settings.MEDIA_URL,
                # Wagtail's document view, without the id and name of a document.
                "documents_url": reverse("wagtaildocs_serve", args=[0, "x"]).rsplit("0/x", 1)[0],
            },
        )
    )
    # The browser checks for a new worker on navigations: an unchanged one costs a 304.
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:20] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Served at the root, its scope is the whole site without a Service-Worker-Allowed header.
    response["ETag"] = etag
    return response


@require_GET
def offline_page(request):
    """What works without a connection; the service worker keeps a copy made signed out."""
    return render(request, "lms/offline.html")
