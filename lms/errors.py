"""Error pages: Vietnamese pages with the site's navigation (templates 403.html, 404.html,
500.html, which extend base.html), and {"error": "..."} for JSON endpoints and clients that
ask for JSON (lms.middleware.wants_json). Wired as Django's handler403/404/500 in
lms/urls.py; raising PermissionDenied or Http404 anywhere ends here."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from lms.json_body import json_error_response
from lms.middleware import wants_json


def _error(request, status: int, template: str, message: str, *, with_request: bool = True):
    if wants_json(request):
        return json_error_response(message, status=status)
    context = {"message": message, "status": status}
    if with_request:
        page = render_to_string(template, context, request=request)
        return HttpResponse(page, status=status)
    # The 500 page: no request context (no user, session or database query, any of which
    # may be what failed), only what the base template shows without them.
    context |= {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "ISSUING_ORGANISATION": settings.ISSUING_ORGANISATION,
        "LANGUAGE_CODE": translation.get_language() or settings.LANGUAGE_CODE,
    }
    try:
        page = render_to_string(template, context)
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        page = f"<!doctype html><meta charset=utf-8><h1>{message}</h1><p><a href='/'>/</a></p>"
    return HttpResponseServerError(page)


def permission_denied(request, exception=None):
    return _error(request, 403, "403.html", _("You do not have permission to open this page."))


def page_not_found(request, exception=None):
    return _error(request, 404, "404.html", _("This page does not exist or has been moved."))


def server_error(request):
    return _error(
        request,
        500,
        "500.html",
        _("Something went wrong on our side. Please try again in a few minutes."),
        with_request=False,
    )
