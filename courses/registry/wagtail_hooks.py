"""Wagtail admin for the courses app.

Each part keeps its own section and registers its own hooks; append new sections at the end
of the file rather than editing another section.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.log_actions import log
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import SnippetViewSet

from courses.registry.choosers import admin_unit_chooser_viewset, unit_chooser
from courses.registry.correction_views import CadreEraseView, CadreMergeView
from courses.registry.corrections import (
    ERASE_ACTION,
    MERGE_ACTION,
    CadreInUse,
    cadre_attachments,
    cadre_delete,
)
from courses.registry.imports import (
    LEVEL_LABELS,
    MIN_BIRTH_YEAR,
    SEX_LABELS,
    TARGET_GROUP_LABELS,
    max_birth_year,
)
from courses.registry.models import AdminUnit, Cadre, PersonalDataRequest, PrivacyNotice, UnitLevel
from courses.registry.models.cadres import ETHNIC_GROUPS, name_key
from courses.registry.requests import data_request_decide, data_requests_visible_to
from courses.registry.scope import (
    cadres_editable_by,
    cadres_visible_to,
    can_see_ethnicity,
    units_assignable_by,
    units_visible_to,
)
from courses.registry.services import cadre_save, village_prepare
from courses.registry.undecided import (
    INDEX_URL_NAME,
    SuccessorPickView,
    UndecidedIndexView,
    UndecidedMenuItem,
)
from courses.registry.views import (
    CadreImportView,
    ImportJobView,
    ImportReportView,
    ImportTemplateView,
    KindImportTemplateView,
    KindImportView,
)
from lms import admin_menu
from lms.access_audit import AccessAction, access_record, filters_describe
from lms.admin_policy import CentralAdminPolicy
from lms.display import PlainInspectMixin
from lms.roles import is_admin
from lms.spreadsheet import csv_lines, normalise_email, normalise_phone, xlsx_bytes
from lms.text import nfc
from lms.widgets import PhoneInput

# =============================================================================================
# Registry: cadres, administrative units and the cadre import (issue 4)
# =============================================================================================

ETHNIC_NAMES = dict(ETHNIC_GROUPS)
FILE_LABEL = {
    "sex": {value: labels[0] for value, labels in SEX_LABELS.items()},
    "target_group": {value: labels[0] for value, labels in TARGET_GROUP_LABELS.items()},
    "level": {value: labels[0] for value, labels in LEVEL_LABELS.items()},
}


class ScopedObjectMixin:
    """Single-object views (edit, delete, inspect, history, usage) find the object only
    among those the user may see (or edit): anything else is a 404."""

    scope = "view"

    def scoped_queryset(self):
        raise NotImplementedError

    def get_base_object_queryset(self):  # history / usage (BaseObjectMixin)
        return self.scoped_queryset()


class ScopedSingleObjectMixin(ScopedObjectMixin):
    """Edit and delete views find their object through get_queryset (SingleObjectMixin);
    listing views (history) must keep theirs."""

    def get_queryset(self):
        return self.scoped_queryset()


class CadreScopeMixin(ScopedObjectMixin):
    def scoped_queryset(self):
        user = self.request.user
        if self.scope == "edit":
            return cadres_editable_by(user)
        return cadres_visible_to(user)


# --- Cadres ---------------------------------------------------------------------------------


class CadreForm(WagtailAdminModelForm):
    """Province admins pick units of their province only; ethnicity appears only to users
    allowed to see it for this person."""

    class Meta:
        model = Cadre
        fields = [
            "full_name", "ma_can_bo", "sex", "birth_year", "ethnicity", "target_group",
            "level", "agency", "unit", "phone", "email", "consent_notice_version", "consent_at",
        ]  # fmt: skip
        widgets = {"phone": PhoneInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["unit"].queryset = units_assignable_by(user)
        self.fields["unit"].required = True
        unit_chooser(self.fields["unit"])
        target = self.instance if self.instance.pk else None
        if not can_see_ethnicity(user, target):
            del self.fields["ethnicity"]

    def clean_full_name(self):
        value = nfc(self.cleaned_data["full_name"])
        if not name_key(value):
            raise forms.ValidationError(_("A name must contain letters."))
        return value

    def clean_ma_can_bo(self):
        return (self.cleaned_data.get("ma_can_bo") or "").strip() or None

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and not MIN_BIRTH_YEAR <= year <= max_birth_year():
            raise forms.ValidationError(
                _("Birth year must be a year between %(min)s and %(max)s.")
                % {"min": MIN_BIRTH_YEAR, "max": max_birth_year()}
            )
        return year

    def clean_phone(self):
        value = self.cleaned_data.get("phone") or ""
        if not value:
            return ""
        phone = normalise_phone(value)
        if phone is None:
            raise forms.ValidationError(
                _("Not a Vietnamese phone number (for example 0912345678 or 02431234567).")
            )
        return phone

    def clean_email(self):
        value = self.cleaned_data.get("email") or ""
        return (normalise_email(value) or value) if value else ""


# The query parameters of the cadre list whose values are codes, kept in the access audit;
# any other value (a searched name, phone or e-mail) is written there as "*".
CADRE_FILTER_CODES = ("target_group", "level", "sex", "dan_toc")
# An export holds ethnicity only when asked for (?dan_toc=1) by someone allowed to see it.
ETHNICITY_PARAMETER = "dan_toc"


class CadreIndexView(generic.IndexView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # Ethnicity is exported only to admins, whose listing holds only people they cover,
        # and only when they ask for it.
        self.with_ethnicity = can_see_ethnicity(request.user) and (
            request.GET.get(ETHNICITY_PARAMETER) == "1"
        )
        if not self.with_ethnicity:
            self.list_export = [f for f in self.list_export if f != "dan_toc"]

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        exporting = bool(getattr(self, "is_export", False))
        if exporting:
            count = self.object_list.count()
        else:
            page = (getattr(response, "context_data", None) or {}).get("page_obj")
            count = len(page.object_list) if page is not None else None
        access_record(
            user=request.user,
            action=AccessAction.EXPORT if exporting else AccessAction.LIST,
            target="courses.cadre",
            filters=filters_describe(request.GET, codes=CADRE_FILTER_CODES),
            count=count,
            ethnicity_shown=exporting and self.with_ethnicity,
        )
        return response

    def get_base_queryset(self):
        return cadres_visible_to(self.request.user).select_related("unit")

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        from django.db.models import Q

        query = self.search_query.strip()
        condition = Q(name_key__contains=name_key(query)) | Q(ma_can_bo__iexact=query)
        phone = normalise_phone(query)
        if phone:
            condition |= Q(phone=phone)
        if "@" in query:
            condition |= Q(email__iexact=query)
        return queryset.filter(condition)

    def get_filename(self):
        return "can_bo"

    def to_row_dict(self, item):
        unit = item.unit
        values = {
            "ma_can_bo": item.ma_can_bo or "",
            "ho_ten": item.full_name,
            "gioi_tinh": FILE_LABEL["sex"].get(item.sex, item.sex),
            "nam_sinh": item.birth_year or "",
            "dan_toc": ETHNIC_NAMES.get(item.ethnicity, ""),
            "nhom_doi_tuong": FILE_LABEL["target_group"].get(item.target_group, ""),
            "cap": FILE_LABEL["level"].get(item.level, ""),
            "co_quan": item.agency,
            "ma_don_vi_hanh_chinh": unit.code if unit else "",
            "ten_don_vi": unit.name if unit else "",
            "so_dien_thoai": item.phone,
            "email": item.email,
        }
        return {field: values[field] for field in self.list_export}

    def export_rows(self, queryset, export_format: str):
        """The header, then a row per cadre, for the shared writers (which neutralise every
        cell a spreadsheet would run as a formula)."""
        yield [self.get_heading(queryset, field) for field in self.list_export]
        for item in queryset:
            row = self.to_row_dict(item)
            yield [
                self.preprocess_field_value(field, row.get(field), export_format)
                for field in self.list_export
            ]

    def stream_csv(self, queryset):
        return csv_lines(self.export_rows(queryset, self.FORMAT_CSV))

    def write_xlsx(self, queryset, output):
        output.write(xlsx_bytes([("Sheet1", self.export_rows(queryset, self.FORMAT_XLSX))]))

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        user = self.request.user
        if is_admin(user) and user.has_perm("courses.add_cadre"):
            buttons.append(
                HeaderButton(
                    _("Import"), url=reverse("courses_registry_import"), icon_name="upload"
                )
            )
        return buttons


class CadreEditView(ScopedSingleObjectMixin, CadreScopeMixin, generic.EditView):
    """Saving goes through the registry's service, so a cadre moved to another unit takes
    what they count for along (see cadre_save)."""

    scope = "edit"

    def dispatch(self, request, *args, **kwargs):
        # An erased record keeps only what it counts for: typing a name or a phone back into
        # it would undo the erasure.
        self.object = self.get_object()
        if self.object.erased_at is not None:
            messages.error(
                request,
                _("The personal data of this record were erased; it can no longer be edited."),
            )
            return redirect("courses_cadre:inspect", self.object.pk)
        return super().dispatch(request, *args, **kwargs)

    def save_instance(self):
        cadre = cadre_save(cadre=self.form.instance)
        log(instance=cadre, action="wagtail.edit", user=self.request.user)
        return cadre


class CadreDeleteView(ScopedSingleObjectMixin, CadreScopeMixin, generic.DeleteView):
    """A record anything refers to (enrolments, attendance, achievements, certificates) is
    not deleted: the page says why and offers to merge it or erase its personal data. Others
    are deleted through the registry's service, which checks again under the row lock."""

    scope = "edit"
    template_name = "courses/registry/cadre_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attachments"] = cadre_attachments(cadre=self.object)
        context["merge_url"] = reverse("courses_cadre:merge", args=[self.object.pk])
        context["erase_url"] = reverse("courses_cadre:erase", args=[self.object.pk])
        return context

    def form_valid(self, form):
        success_url = self.get_success_url()
        try:
            cadre_delete(cadre=self.object, by=self.request.user)
        except CadreInUse:
            return self.render_to_response(self.get_context_data())
        messages.success(self.request, self.get_success_message())
        return HttpResponseRedirect(success_url)


class CorrectionButtonsMixin:
    """Merge and erase next to edit and delete, for those who may use them."""

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        cadre = self.object
        if cadre is None or cadre.erased_at is not None:
            return buttons
        if not cadres_editable_by(self.request.user).filter(pk=cadre.pk).exists():
            return buttons
        policy = self.permission_policy
        user = self.request.user
        if policy.user_has_permission(user, "delete"):
            buttons.append(Button(_("Merge with another record"), icon_name="resubmit",
                                  url=reverse("courses_cadre:merge", args=[cadre.pk]),
                                  priority=30))  # fmt: skip
        if policy.user_has_permission(user, "change"):
            buttons.append(Button(_("Erase personal data"), icon_name="warning",
                                  url=reverse("courses_cadre:erase", args=[cadre.pk]),
                                  priority=40))  # fmt: skip
        return buttons


class CadreHistoryView(CadreScopeMixin, history.HistoryView):
    pass


class CadreUsageView(CadreScopeMixin, usage.UsageView):
    pass


class CadreInspectView(
    PlainInspectMixin, CorrectionButtonsMixin, CadreScopeMixin, generic.InspectView
):
    """The record, with its full phone for the admins whose scope covers the person (a
    trainer sees it masked) and ethnicity for those allowed; each view is audited."""

    def get_object(self, queryset=None):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(self.scoped_queryset(), pk=unquote(str(self.pk)))

    def get_fields(self):
        fields = super().get_fields()
        user = self.request.user
        obj = self.scoped_queryset().filter(pk=unquote(str(self.pk))).first()
        if not can_see_ethnicity(user, obj):
            fields = [f for f in fields if f != "ethnicity"]
        return fields

    def get_field_display_value(self, field_name, field):
        if field_name == "phone" and not self._full_phone:
            return self.object.phone_masked
        return super().get_field_display_value(field_name, field)

    @cached_property
    def _full_phone(self) -> bool:
        return cadres_editable_by(self.request.user).filter(pk=self.object.pk).exists()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        cadre = self.object
        access_record(
            user=request.user, action=AccessAction.VIEW, target="courses.cadre",
            record_id=cadre.pk,
            ethnicity_shown=bool(cadre.ethnicity) and can_see_ethnicity(request.user, cadre),
        )  # fmt: skip
        return response


class CadreViewSet(ModelViewSet):
    model = Cadre
    name = "courses_cadre"
    url_prefix = "registry/cadres"
    icon = "group"
    menu_label = _("Cadres")
    index_view_class = CadreIndexView
    edit_view_class = CadreEditView
    delete_view_class = CadreDeleteView
    history_view_class = CadreHistoryView
    usage_view_class = CadreUsageView
    inspect_view_class = CadreInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_display = [
        TitleColumn("full_name", label=_("full name"), sort_key="name_key",
                    url_name="courses_cadre:inspect"),
        "ma_can_bo", "birth_year", "target_group", "level", "unit",
        Column("phone_masked", label=_("phone"), sort_key="phone"),
    ]  # fmt: skip
    list_filter = ["target_group", "level", "sex"]
    search_fields = ["name_key"]
    ordering = ["name_key", "pk"]
    list_per_page = 50
    # The import columns, so that an export can be corrected and imported again. dan_toc is
    # dropped for users who may not see ethnicity (see CadreIndexView.setup).
    list_export = [
        "ma_can_bo", "ho_ten", "gioi_tinh", "nam_sinh", "dan_toc", "nhom_doi_tuong", "cap",
        "co_quan", "ma_don_vi_hanh_chinh", "ten_don_vi", "so_dien_thoai", "email",
    ]  # fmt: skip
    export_headings = {field: field for field in list_export}
    export_filename = "can_bo"
    inspect_view_fields = [
        "full_name", "ma_can_bo", "sex", "birth_year", "ethnicity", "target_group", "level",
        "agency", "unit", "phone", "email", "consent_notice_version", "consent_at",
        "consent_method", "consent_attested_by", "erased_at", "created_at", "updated_at",
    ]  # fmt: skip

    def get_form_class(self, for_update=False):
        return CadreForm

    def get_urlpatterns(self):
        """Wagtail's views, and the two corrections of one record (correction_views)."""
        return [
            *super().get_urlpatterns(),
            path("merge/<int:pk>/", self.construct_view(CadreMergeView), name="merge"),
            path("erase/<int:pk>/", self.construct_view(CadreEraseView), name="erase"),
        ]


# --- Administrative units -------------------------------------------------------------------


class UnitScopeMixin(ScopedObjectMixin):
    def scoped_queryset(self):
        units = units_visible_to(self.request.user)
        if self.scope == "edit":  # only villages are edited by hand
            return units.filter(level=UnitLevel.VILLAGE)
        return units


class VillageForm(WagtailAdminModelForm):
    """Admins add villages (thôn, bản) under a commune of their scope; the code is
    '<commune code>-<n>'."""

    class Meta:
        model = AdminUnit
        fields = ["parent", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = units_assignable_by(self.for_user).filter(
            level=UnitLevel.COMMUNE
        )
        self.fields["parent"].required = True
        self.fields["parent"].label = _("commune")
        unit_chooser(self.fields["parent"], levels=[UnitLevel.COMMUNE])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("parent") is not None and not self.errors:
            self.instance.parent = cleaned["parent"]
            if not self.instance.pk or self.instance.commune_code != cleaned["parent"].code:
                self.instance.code = ""
            village_prepare(unit=self.instance)
        return cleaned


class UnitIndexView(generic.IndexView):
    def get_base_queryset(self):
        return units_visible_to(self.request.user).select_related("parent")


class UnitEditView(ScopedSingleObjectMixin, UnitScopeMixin, generic.EditView):
    scope = "edit"


class UnitDeleteView(ScopedSingleObjectMixin, UnitScopeMixin, generic.DeleteView):
    """A village that people or sessions are recorded in stays: the admin is told how many,
    and moves them first."""

    scope = "edit"

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ProtectedError:
            unit = self.get_object()
            messages.error(
                request,
                _(
                    "“%(name)s” cannot be deleted: %(cadres)s people and %(sessions)s training "
                    "sessions are recorded in it. Move them to another unit first."
                )
                % {
                    "name": unit.name,
                    "cadres": unit.cadres.count(),
                    "sessions": unit.sessions.count(),
                },
            )
            return redirect("courses_adminunit:inspect", unit.pk)


class UnitHistoryView(UnitScopeMixin, history.HistoryView):
    pass


class UnitUsageView(UnitScopeMixin, usage.UsageView):
    pass


class UnitInspectView(PlainInspectMixin, UnitScopeMixin, generic.InspectView):
    def get_object(self, queryset=None):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(self.scoped_queryset(), pk=unquote(str(self.pk)))


class AdminUnitViewSet(ModelViewSet):
    model = AdminUnit
    name = "courses_adminunit"
    url_prefix = "registry/units"
    icon = "site"
    menu_label = _("Administrative units")
    add_item_label = _("Add a village")
    index_view_class = UnitIndexView
    edit_view_class = UnitEditView
    delete_view_class = UnitDeleteView
    history_view_class = UnitHistoryView
    usage_view_class = UnitUsageView
    inspect_view_class = UnitInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_display = [
        TitleColumn("name", label=_("name"), url_name="courses_adminunit:inspect"),
        "code", "level", "structure", Column("parent", label=_("parent unit")),
    ]  # fmt: skip
    list_filter = ["structure", "level"]
    search_fields = ["name", "code"]
    ordering = ["structure", "code"]
    list_per_page = 50
    inspect_view_fields = [
        "structure", "level", "code", "name", "parent", "province_code", "district_code",
        "commune_code", "valid_from", "valid_to",
    ]  # fmt: skip

    def get_form_class(self, for_update=False):
        return VillageForm


class RegistryViewSetGroup(ModelViewSetGroup):
    menu_label = _("Registry")
    menu_icon = "group"
    menu_order = admin_menu.REGISTRY
    items = (CadreViewSet, AdminUnitViewSet)


@hooks.register("register_admin_viewset")
def register_registry_viewsets():
    return RegistryViewSetGroup()


@hooks.register("register_admin_viewset")
def register_admin_unit_chooser():
    """The administrative-unit chooser of every admin form (courses/registry/choosers.py)."""
    return admin_unit_chooser_viewset


@hooks.register("register_admin_urls")
def register_registry_import_urls():
    return [
        path("registry/import/", CadreImportView.as_view(), name="courses_registry_import"),
        path(
            "registry/import/<int:pk>/",
            ImportJobView.as_view(),
            name="courses_registry_import_job",
        ),
        path(
            "registry/import/<int:pk>/report.xlsx",
            ImportReportView.as_view(),
            name="courses_registry_import_report",
        ),
        path(
            "registry/import/template.<str:fmt>",
            ImportTemplateView.as_view(),
            name="courses_registry_import_template",
        ),
        path(
            "registry/import/<slug:kind>/",
            KindImportView.as_view(),
            name="courses_registry_import_kind",
        ),
        path(
            "registry/import/<slug:kind>/template.<str:fmt>",
            KindImportTemplateView.as_view(),
            name="courses_registry_import_kind_template",
        ),
    ]


class _ImportMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return is_admin(user) and user.has_perm("courses.add_cadre")


@hooks.register("register_admin_menu_item")
def register_registry_import_menu_item():
    return _ImportMenuItem(
        _("Import cadres"),
        reverse("courses_registry_import"),
        icon_name="upload",
        order=admin_menu.IMPORT_CADRES,
    )


# --- New communes not decided: the admins' to-do list (courses/registry/undecided.py) ---------


@hooks.register("register_admin_urls")
def register_undecided_urls():
    return [
        path("registry/undecided/", UndecidedIndexView.as_view(), name=INDEX_URL_NAME),
        path(
            "registry/undecided/cadres/<int:pk>/",
            SuccessorPickView.as_view(),
            name="courses_registry_undecided_cadre",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_undecided_menu_item():
    return UndecidedMenuItem(
        _("New commune not decided"),
        reverse(INDEX_URL_NAME),
        name="undecided-places",
        icon_name="site",
        order=admin_menu.UNDECIDED_PLACES,
    )


# --- Corrections of a cadre record: merge, erase (courses/registry/corrections.py) ----------


@hooks.register("register_log_actions")
def register_correction_log_actions(actions):
    actions.register_action(
        MERGE_ACTION, _("Merge duplicate records"), _("Merged with a duplicate record")
    )
    actions.register_action(ERASE_ACTION, _("Erase personal data"), _("Personal data erased"))


# --- The privacy notice and the learners' requests about their data (privacy.py) ------------


class PrivacyNoticeViewSet(SnippetViewSet):
    """Central admins write each version of the notice, with drafts and revisions; the live
    version published last is the one learners are asked to accept."""

    model = PrivacyNotice
    icon = "doc-full"
    menu_label = _("Privacy notice")
    menu_order = admin_menu.PRIVACY_NOTICES
    add_to_admin_menu = True
    list_display = ["title", "version", "live", "first_published_at"]
    copy_view_enabled = False


register_permission_policy(
    PrivacyNotice,
    CentralAdminPolicy(PrivacyNotice, actions={"add", "change", "delete", "publish", "view"}),
)


class _ProvinceAdminPolicy(BasePermissionPolicy):
    """Admins (central, or of a province) answer the requests; what each sees is scoped by
    the views (data_requests_visible_to)."""

    def user_has_permission(self, user, action):
        return action in ("view", "change") and is_admin(user)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.none()


register_permission_policy(PersonalDataRequest, _ProvinceAdminPolicy(PersonalDataRequest))


class DataRequestScopeMixin(ScopedObjectMixin):
    def scoped_queryset(self):
        return data_requests_visible_to(self.request.user)


class DataRequestForm(WagtailAdminModelForm):
    class Meta:
        model = PersonalDataRequest
        fields = ["status", "outcome"]


class DataRequestIndexView(generic.IndexView):
    def get_base_queryset(self):
        return data_requests_visible_to(self.request.user).select_related("cadre")


class DataRequestEditView(ScopedSingleObjectMixin, DataRequestScopeMixin, generic.EditView):
    """The admin answers: done (an erasure request done is the registry's erasure, with
    counts kept and the person removed) or refused, with an answer the learner reads."""

    def save_instance(self):
        return data_request_decide(
            request=self.form.instance, status=self.form.cleaned_data["status"],
            outcome=self.form.cleaned_data["outcome"], by=self.request.user,
        )  # fmt: skip


class DataRequestInspectView(DataRequestScopeMixin, generic.InspectView):
    def get_object(self, queryset=None):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(self.scoped_queryset(), pk=unquote(str(self.pk)))


class DataRequestHistoryView(DataRequestScopeMixin, history.HistoryView):
    pass


class DataRequestUsageView(DataRequestScopeMixin, usage.UsageView):
    pass


class DataRequestViewSet(ModelViewSet):
    model = PersonalDataRequest
    name = "courses_data_request"
    url_prefix = "registry/data-requests"
    icon = "mail"
    menu_label = _("Personal data requests")
    menu_order = admin_menu.PERSONAL_DATA_REQUESTS
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = DataRequestIndexView
    edit_view_class = DataRequestEditView
    inspect_view_class = DataRequestInspectView
    history_view_class = DataRequestHistoryView
    usage_view_class = DataRequestUsageView
    list_display = [
        TitleColumn("kind", label=_("request"), url_name="courses_data_request:edit"),
        "cadre", "status", "created_at", "decided_at",
    ]  # fmt: skip
    list_filter = ["kind", "status"]
    ordering = ["-created_at", "-pk"]
    list_per_page = 50
    inspect_view_fields = ["kind", "cadre", "details", "status", "outcome", "created_at",
                           "decided_at", "decided_by"]  # fmt: skip

    def get_form_class(self, for_update=False):
        return DataRequestForm

    def get_urlpatterns(self):
        """Learners make requests, admins answer them: no add, copy or delete view."""
        kept = {"index", "index_results", "edit", "inspect", "history", "history_results", "usage"}
        return [p for p in super().get_urlpatterns() if p.name in kept]


@hooks.register("register_admin_viewset")
def register_privacy_viewsets():
    return [PrivacyNoticeViewSet(), DataRequestViewSet()]
