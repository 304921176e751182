from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from lms.json_body import json_error_response

NUL = "\x00"
# Paths whose views answer JSON (the counters API, the verification's .json twin): a refusal
# there is JSON too, whatever the client says it accepts.
JSON_PATH_PREFIXES = ("/api/",)
JSON_PATH_SUFFIXES = (".json",)


# Static files a browser never shows as a page (styles, scripts, fonts, pictures other than
# SVG): a policy and permissions apply only to documents and workers, and none of these is one.
_NOT_DOCUMENTS = (
    "text/css",
    "text/javascript",
    "application/javascript",
    "font/",
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/x-icon",
    "image/vnd.microsoft.icon",
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response.

    The public site allows only its own origin, with no inline script or style. The Wagtail
    admin's editors need inline script and style, so /admin/ gets a looser policy that still
    allows no other host. A static file that is not a document (a style, a script, a font)
    gets the shortest policy there is, which allows nothing, and no Permissions-Policy: the
    page's policy there would be a third of a kilobyte on each file a phone downloads, for
    no effect (the service worker, a worker, is not a static file and gets the page's).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        static = request.path.startswith(settings.STATIC_URL)
        if "Content-Security-Policy" in response:
            pass
        elif static and response.get("Content-Type", "").startswith(_NOT_DOCUMENTS):
            response["Content-Security-Policy"] = "default-src 'none'"
            return response
        else:
            policy = (
                settings.CONTENT_SECURITY_POLICY_ADMIN
                if request.path.startswith("/admin/")
                else settings.CONTENT_SECURITY_POLICY
            )
            response["Content-Security-Policy"] = policy
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


def request_language(request) -> str:
    """The language chosen with the site's language switch (its cookie), else Vietnamese."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    codes = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in codes else settings.LANGUAGE_CODE


class LocaleMiddleware:
    """Vietnamese unless the person chose English on the site.

    Django's LocaleMiddleware also follows the browser's Accept-Language header, and many
    phones in the communes are set to English; the programme's site speaks Vietnamese first.
    The choice made with the language switch (a cookie) is kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


def wants_json(request) -> bool:
    """Whether an answer to this request should be JSON: a JSON endpoint's path, a JSON
    body, or a client that asks for JSON."""
    path = request.path_info
    if path.startswith(JSON_PATH_PREFIXES) or path.endswith(JSON_PATH_SUFFIXES):
        return True
    if request.content_type == "application/json":
        return True
    return "application/json" in request.headers.get("Accept", "")


def _holds_nul(request) -> bool:
    if NUL in request.path_info or NUL in request.path:
        return True
    if any(NUL in key or any(NUL in value for value in values)
           for key, values in request.GET.lists()):  # fmt: skip
        return True
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        return any(NUL in key or any(NUL in value for value in values)
                   for key, values in request.POST.lists())  # fmt: skip
    return False


class NulCharacterMiddleware:
    """Refuse with 400 a request whose path, query string or posted form holds U+0000.

    No text the site stores or looks up can hold the character: PostgreSQL refuses it in any
    query (psycopg raises before the query is sent) and SQLite's full-text search fails on
    it, so a search, a certificate check or a filter given one ended in a server error.
    Refused here, before any view runs, the client gets a 400 it can understand: JSON for
    JSON endpoints and clients that ask for it, a short page otherwise (the site's templates
    need what later middleware sets up), in the language the site would speak. Only
    URL-encoded form bodies are read here; multipart bodies (uploads) are left to the forms
    that read them, whose text fields refuse the character already.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request):
            return self.refusal(request)
        return self.get_response(request)

    def refusal(self, request) -> HttpResponse:
        with translation.override(request_language(request)):
            message = _(
                "The address or the form holds a NUL character, which is not allowed. "
                "Remove it and try again."
            )
            if wants_json(request):
                return json_error_response(message)
            page = render_to_string(
                "lms/bad_request.html",
                {"message": message, "language": translation.get_language()},
            )
        return HttpResponse(page, status=400)


# Wagtail admin addresses anyone may open: its password reset, the icon sprite and the
# translation catalogue; its login (sent to the site's).
ADMIN_PREFIX = "/admin/"
ADMIN_OPEN_PATHS = (
    "/admin/login/",
    "/admin/password_reset/",
    "/admin/sprite/",
    "/admin/jsi18n/",
)


class AdminAccessMiddleware:
    """A signed-in person without admin access who opens /admin/ gets the 403 page.

    Wagtail sends such a person to the login page, which sends a signed-in person back to
    where they came from: /admin/ and the login page redirected to each other until the
    browser gave up. The 403 page (lms.errors.permission_denied, JSON for clients asking for
    JSON) says why and links back to the site. People who are not signed in are still sent
    to log in by Wagtail; staff go on as before.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (
            path.startswith(ADMIN_PREFIX)
            and not path.startswith(ADMIN_OPEN_PATHS)
            and request.user.is_authenticated
            and not request.user.has_perm("wagtailadmin.access_admin")
        ):
            raise PermissionDenied
        return self.get_response(request)
