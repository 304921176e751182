"""Wagtail admin wiring for the project app.

Each part keeps its own section; append new sections at the end of the file.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy
from wagtail.users.utils import get_manageable_token_owners
from wagtail.users.views.api_tokens import APITokenViewSet

from lms import admin_menu
from lms.admin_policy import CentralAdminPolicy
from lms.models import AccessLogEntry

# =============================================================================================
# Personal API tokens for the JSON API (issue 7): Wagtail's own token admin
# =============================================================================================
# Wagtail 8 ships the views (create shows the token once, list, rename, revoke, audit log) but
# registers them only with its v3 API (wagtail/users/wagtail_hooks.py), which we do not
# install. Same name and prefix as Wagtail's, so its templates' `wagtailusers_api_tokens:...`
# URLs resolve. The menu item is the viewset's own, under Settings, shown to holders of an
# apitoken permission (the Admin group, lms/migrations/0005_admin_api_token_permissions.py).
# Without auth.change_user (no role here has it) a person manages their own tokens only:
# wagtail.users.utils.get_manageable_token_owners.


class _OwnTokenObjectMixin:
    """Wagtail scopes the index, edit and revoke views to the tokens one may manage, but the
    history and usage views load any token by id; scope them the same way (404 otherwise)."""

    def get_base_object_queryset(self):
        return (
            super()
            .get_base_object_queryset()
            .filter(user__in=get_manageable_token_owners(self.request.user))
        )


class _TokenHistoryView(_OwnTokenObjectMixin, HistoryView):
    pass


class _TokenUsageView(_OwnTokenObjectMixin, UsageView):
    pass


class ProjectAPITokenViewSet(APITokenViewSet):
    history_view_class = _TokenHistoryView
    usage_view_class = _TokenUsageView


@hooks.register("register_admin_viewset")
def register_api_token_viewset():
    if apps.is_installed("wagtail.api.v3"):  # Wagtail registers its own then
        return []
    return [ProjectAPITokenViewSet("wagtailusers_api_tokens", url_prefix="api-tokens")]


# =============================================================================================
# The audit of access to personal data (lms/access_audit.py): central admins read it
# =============================================================================================


class AccessLogViewSet(ModelViewSet):
    """Paginated, filtered by action, target, scope, user, time and ethnicity shown, and
    exported (CSV, XLSX) by central admins only. Read-only: nobody adds or edits an entry."""

    model = AccessLogEntry
    name = "lms_access_log"
    url_prefix = "access-log"
    icon = "list-ul"
    menu_label = _("Access to personal data")
    menu_order = admin_menu.ACCESS_LOG
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["at", "user", "action", "target", "record_id", "scope", "filters", "count",
                    "ethnicity_shown"]  # fmt: skip
    list_filter = {
        "action": ["exact"],
        "target": ["exact"],
        "scope": ["exact"],
        "ethnicity_shown": ["exact"],
        "user": ["exact"],
        "at": ["gte", "lte"],
    }
    list_export = ["at", "user", "action", "target", "record_id", "scope", "filters", "count",
                   "ethnicity_shown"]  # fmt: skip
    export_filename = "truy_cap_du_lieu_ca_nhan"
    form_fields = ["action"]  # required by the viewset; no add or edit view is served
    ordering = ["-at", "-pk"]
    list_per_page = 50

    def get_urlpatterns(self):
        """The list (with its export) and one entry: nobody adds, edits or deletes one."""
        kept = {"index", "index_results", "inspect"}
        return [p for p in super().get_urlpatterns() if p.name in kept]


register_permission_policy(AccessLogEntry, CentralAdminPolicy(AccessLogEntry, actions={"view"}))


@hooks.register("register_admin_viewset")
def register_access_log_viewset():
    return AccessLogViewSet()
