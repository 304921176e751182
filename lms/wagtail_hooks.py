"""Wagtail admin wiring for the project app: the "API tokens" page (lms/api_token_views.py).

Each part keeps its own section; append new sections at the end of the file.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lms import api_token_views

# =============================================================================================
# Personal API tokens for the JSON API (issue 7)
# =============================================================================================


# Not admin/api-tokens/: Wagtail's own token viewset takes that path when wagtail.api.v3 is
# installed.
@hooks.register("register_admin_urls")
def register_api_token_urls():
    return [
        path("my-api-tokens/", api_token_views.index, name="lms_api_tokens"),
        path("my-api-tokens/<int:pk>/revoke/", api_token_views.revoke, name="lms_api_token_revoke"),
    ]


class _ApiTokensMenuItem(MenuItem):
    def is_shown(self, request):
        return api_token_views.may_hold_api_tokens(request.user)


@hooks.register("register_admin_menu_item")
def register_api_tokens_menu_item():
    return _ApiTokensMenuItem(
        _("API tokens"), reverse("lms_api_tokens"), icon_name="key", order=255, name="api-tokens"
    )
