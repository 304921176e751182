from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response.

    The public site allows only its own origin, with no inline script or style. The Wagtail
    admin's editors need inline script and style, so /admin/ gets a looser policy that still
    allows no other host.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = (
                settings.CONTENT_SECURITY_POLICY_ADMIN
                if request.path.startswith("/admin/")
                else settings.CONTENT_SECURITY_POLICY
            )
            response["Content-Security-Policy"] = policy
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class LocaleMiddleware:
    """Vietnamese unless the person chose English on the site.

    Django's LocaleMiddleware also follows the browser's Accept-Language header, and many
    phones in the communes are set to English; the programme's site speaks Vietnamese first.
    The choice made with the language switch (a cookie) is kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        codes = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in codes else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
