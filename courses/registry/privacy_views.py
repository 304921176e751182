"""The privacy notice on the site: the page every footer links to, the page a learner
accepts it on, and the middleware that sends a learner there at their first login and
again when central admins publish a new version."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from courses.registry.privacy import (
    notice_accept,
    notice_accepted,
    notice_current,
    notice_version_current,
)

NOTICE_URL = "/privacy/"
ACCEPT_URL = "/privacy/accept/"
# The session remembers the version its user accepted: one look-up per login, not per page.
SESSION_KEY = "privacy_notice_accepted"
# Where a learner goes without having accepted the notice: the notice itself, signing in and
# out, the language switch, the search box of the profile, files, the admin (its own rules)
# and the machine-readable endpoints.
EXEMPT_PREFIXES = (
    "/privacy/", "/login/", "/logout/", "/password/", "/accounts/", "/i18n/", "/jsi18n/",
    "/healthz", "/admin/", "/static/", "/media/", "/documents/", "/api/", "/places/",
    "/favicon", "/sw.js", "/manifest",
)  # fmt: skip


class PrivacyNoticeMiddleware:
    """A signed-in learner (no admin access) who has not accepted the current notice is
    sent to it before any page (GET); what they send (POST) is not lost, and the admin,
    files and JSON endpoints are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_accept(request):
            return redirect(f"{ACCEPT_URL}?next={request.get_full_path()}")
        return self.get_response(request)

    def _must_accept(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.method not in ("GET", "HEAD"):
            return False
        path = request.path_info
        if path.startswith(EXEMPT_PREFIXES) or path.endswith(".json"):
            return False
        if user.has_perm("wagtailadmin.access_admin"):
            return False
        version = notice_version_current()
        if request.session.get(SESSION_KEY) == version:
            return False
        if notice_accepted(user=user, version=version):
            request.session[SESSION_KEY] = version
            return False
        return True


def _safe_next(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return "/learn/"


def notice(request):
    """The current notice, public (the footer of every page links here)."""
    return render(
        request,
        "courses/registry/privacy_notice.html",
        {"notice": notice_current(), "version": notice_version_current()},
    )


class AcceptForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput)
    accept = forms.BooleanField(
        label=_("I have read the privacy notice and I agree to it."), required=True
    )


@login_required
def accept(request):
    """The learner reads the current notice and accepts it (the time, the version and the
    way it was given are recorded). A version published while the page was open is shown
    again rather than accepted unread."""
    version = notice_version_current()
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = AcceptForm(request.POST or None, initial={"version": version})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["version"] == version:
            if not notice_accepted(user=request.user, version=version):
                notice_accept(user=request.user, version=version)
            request.session[SESSION_KEY] = version
            return redirect(next_url)
        form = AcceptForm(initial={"version": version})
    return render(
        request,
        "courses/registry/privacy_accept.html",
        {"notice": notice_current(), "version": version, "form": form, "next": next_url},
    )
