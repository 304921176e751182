"""Wagtail admin page "API tokens": a counters reader makes, sees and revokes their own tokens.

Only the caller's own tokens are ever read (another person's token id is a 404). A new token
is shown in the response to the POST that made it, never stored (not even in the session,
which lives in the database) and never redirected to; that response is not cached.
Registered in lms/wagtail_hooks.py.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from courses.views.counters import is_counters_reader
from lms.api_tokens import api_token_create, api_token_revoke
from lms.models import ApiToken


def may_hold_api_tokens(user) -> bool:
    """Tokens are for reading the figures: central and province admins."""
    return is_counters_reader(user)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. the monthly report spreadsheet."),
    )
    days = forms.TypedChoiceField(
        label=gettext_lazy("Expires"),
        choices=[
            ("30", gettext_lazy("In 30 days")),
            ("90", gettext_lazy("In 90 days")),
            ("365", gettext_lazy("In one year")),
            ("", gettext_lazy("Never")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        return name


def _context(request: HttpRequest, **extra) -> dict:
    return {
        "tokens": ApiToken.objects.filter(user=request.user),
        "page_title": _("API tokens"),
        "header_title": _("API tokens"),
        "header_icon": "key",
        "api_url": f"{settings.SITE_URL}/api/counters/",
        **extra,
    }


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """GET: the caller's tokens and the form; POST: make a token and show it once."""
    if not may_hold_api_tokens(request.user):
        raise PermissionDenied
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        row, token = api_token_create(
            user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        response = render(
            request,
            "lms/api_tokens/index.html",
            _context(request, form=ApiTokenForm(), created=row, token=token),
        )
        add_never_cache_headers(response)
        return response
    return render(request, "lms/api_tokens/index.html", _context(request, form=form))


@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: ask; POST: revoke. Only the caller's own token."""
    if not may_hold_api_tokens(request.user):
        raise PermissionDenied
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if request.method == "POST":
        if api_token_revoke(token=token):
            messages.success(
                request, _("The token %(prefix)s was revoked.") % {"prefix": token.prefix}
            )
        return redirect("lms_api_tokens")
    context = {
        "token": token,
        "page_title": _("Revoke an API token"),
        "header_title": _("Revoke an API token"),
        "header_icon": "key",
    }
    return render(request, "lms/api_tokens/revoke.html", context)
