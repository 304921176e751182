"""Wagtail wiring for the programme figures: the dashboard (menu item + URLs, its exports),
the indicators with their province targets (central admins only), and the public summary on
the home page (registered for content.hooks.HOME_PAGE_PANELS).

Imported from courses/wagtail_hooks.py with one line.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from content.hooks import HOME_PAGE_PANELS
from courses.counters import dhis2_views, views
from courses.counters.dhis2_models import (
    Dhis2Category,
    Dhis2CategoryOption,
    Dhis2DataElement,
    Dhis2DataSet,
    Dhis2Export,
    Dhis2OptionCombo,
    Dhis2OrgUnit,
)
from courses.counters.models import Indicator, IndicatorTarget
from courses.counters.selectors import SMALL_CELL, counters_public_summary
from courses.registry.models import UnitStructure
from courses.registry.selectors import province_choices as unit_province_choices
from lms import admin_menu
from lms.display import PlainInspectMixin
from lms.roles import ADMIN, is_admin, is_central_admin


class CentralAdminPolicy(BasePermissionPolicy):
    """Targets are national decisions: only central admins (and superusers) edit them."""

    def user_has_permission(self, user, action):
        return is_central_admin(user)

    def user_has_any_permission(self, user, actions):
        return is_central_admin(user)

    def users_with_any_permission(self, actions):
        central = Q(groups__name=ADMIN, province_code="") | Q(is_superuser=True)
        return get_user_model().objects.filter(central, is_active=True).distinct()

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


register_permission_policy(Indicator, CentralAdminPolicy(Indicator))
register_permission_policy(IndicatorTarget, CentralAdminPolicy(IndicatorTarget))
for _dhis2_model in (
    Dhis2DataSet, Dhis2DataElement, Dhis2Category, Dhis2CategoryOption, Dhis2OptionCombo,
    Dhis2OrgUnit, Dhis2Export,
):  # fmt: skip
    register_permission_policy(_dhis2_model, CentralAdminPolicy(_dhis2_model))


class IndicatorInspectView(PlainInspectMixin, generic.InspectView):
    pass


class IndicatorViewSet(ModelViewSet):
    model = Indicator
    inspect_view_class = IndicatorInspectView
    icon = "tasks"
    menu_label = _("Indicators")
    form_fields = [
        "name", "unit", "target", "target_percent", "period_start", "period_end", "sort_order",
    ]  # fmt: skip
    list_display = ["code", "name", "unit", "target", "target_percent", "period_start"]
    inspect_view_enabled = True


class IndicatorTargetForm(WagtailAdminModelForm):
    """The province of a target is picked by name: the provinces of the 2023 structure, in
    which the programme set its targets (courses/counters/selectors.py reads them so)."""

    province_code = forms.ChoiceField(label=_("province"))

    class Meta:
        model = IndicatorTarget
        fields = ["indicator", "province_code", "target", "villages"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = unit_province_choices(structure=UnitStructure.S2023)
        current = self.instance.province_code if self.instance.pk else ""
        if current and current not in dict(choices):
            choices.append((current, current))
        self.fields["province_code"].choices = [("", "—"), *choices]


def _target_province(target: IndicatorTarget) -> str:
    names = dict(unit_province_choices(structure=UnitStructure.S2023))
    return names.get(target.province_code, target.province_code)


class IndicatorTargetViewSet(ModelViewSet):
    model = IndicatorTarget
    icon = "site"
    menu_label = _("Province targets")
    form_fields = ["indicator", "province_code", "target", "villages"]
    list_display = [
        "indicator", Column("province", label=_("province"), accessor=_target_province), "target",
        "villages",
    ]  # fmt: skip
    list_filter = ["indicator"]

    def get_form_class(self, for_update=False):
        return IndicatorTargetForm


class IndicatorViewSetGroup(ModelViewSetGroup):
    menu_label = _("Targets")
    menu_icon = "tasks"
    menu_order = admin_menu.TARGETS
    items = (IndicatorViewSet("indicators"), IndicatorTargetViewSet("indicator_targets"))


@hooks.register("register_admin_viewset")
def register_indicator_viewsets():
    return IndicatorViewSetGroup()


class Dhis2OrgUnitForm(WagtailAdminModelForm):
    """The province is picked by name, in either structure: the choice carries the structure
    with the code ("2023:15" is Yên Bái, "2025:15" Lào Cai), so the two never mix."""

    place = forms.ChoiceField(label=_("province"))

    class Meta:
        model = Dhis2OrgUnit
        fields = ["code", "uid"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for structure, label in UnitStructure.choices:
            provinces = unit_province_choices(structure=structure)
            choices.append((label, [(f"{structure}:{code}", name) for code, name in provinces]))
        current = ""
        if self.instance.pk:
            current = f"{self.instance.structure}:{self.instance.province_code}"
            known = {value for _label, group in choices for value, _name in group}
            if current not in known:
                choices.append((current, current))
        self.fields["place"].choices = [("", "—"), *choices]
        self.fields["place"].initial = current
        self.order_fields(["place", "code", "uid"])

    def clean(self):
        data = super().clean()
        structure, _sep, code = (data.get("place") or "").partition(":")
        self.instance.structure, self.instance.province_code = structure, code
        duplicate = Dhis2OrgUnit.objects.filter(structure=structure, province_code=code)
        if duplicate.exclude(pk=self.instance.pk).exists():
            self.add_error("place", _("This province already has an org unit."))
        return data


def _org_unit_province(unit: Dhis2OrgUnit) -> str:
    names = dict(unit_province_choices(structure=unit.structure))
    return f"{names.get(unit.province_code, unit.province_code)} ({unit.structure})"


class Dhis2DataSetViewSet(ModelViewSet):
    model = Dhis2DataSet
    icon = "table"
    menu_label = _("Data set")
    form_fields = ["name", "code", "uid"]
    list_display = ["name", "code", "uid"]


class Dhis2DataElementViewSet(ModelViewSet):
    model = Dhis2DataElement
    icon = "tasks"
    menu_label = _("Data elements")
    form_fields = ["indicator", "code", "uid", "categories"]
    list_display = ["indicator", "code", "uid"]


class Dhis2CategoryViewSet(ModelViewSet):
    model = Dhis2Category
    icon = "list-ul"
    menu_label = _("Categories")
    form_fields = ["breakdown", "name", "code", "uid"]
    list_display = ["name", "breakdown", "code", "uid"]


class Dhis2CategoryOptionViewSet(ModelViewSet):
    model = Dhis2CategoryOption
    icon = "list-ul"
    menu_label = _("Category options")
    form_fields = ["category", "value", "name", "code", "uid"]
    list_display = ["category", "name", "value", "code", "uid"]
    list_filter = ["category"]


class Dhis2OptionComboViewSet(ModelViewSet):
    model = Dhis2OptionCombo
    icon = "list-ul"
    menu_label = _("Category option combos")
    form_fields = ["options", "code", "uid"]
    list_display = ["code", "uid"]


class Dhis2OrgUnitViewSet(ModelViewSet):
    model = Dhis2OrgUnit
    icon = "site"
    menu_label = _("Org units")
    form_fields = ["code", "uid"]
    list_display = [
        Column("province", label=_("province"), accessor=_org_unit_province), "code", "uid",
    ]  # fmt: skip
    list_filter = ["structure"]

    def get_form_class(self, for_update=False):
        return Dhis2OrgUnitForm


class Dhis2ViewSetGroup(ModelViewSetGroup):
    menu_label = _("DHIS2 mapping")
    menu_icon = "resubmit"
    menu_order = admin_menu.TARGETS + 1
    items = (
        Dhis2DataSetViewSet("dhis2_data_set"),
        Dhis2DataElementViewSet("dhis2_data_elements"),
        Dhis2CategoryViewSet("dhis2_categories"),
        Dhis2CategoryOptionViewSet("dhis2_category_options"),
        Dhis2OptionComboViewSet("dhis2_option_combos"),
        Dhis2OrgUnitViewSet("dhis2_org_units"),
    )


@hooks.register("register_admin_viewset")
def register_dhis2_viewsets():
    return Dhis2ViewSetGroup()


@hooks.register("register_admin_urls")
def register_counters_urls():
    return [
        path("counters/", views.dashboard, name="counters_dashboard"),
        path("counters/export.xlsx", views.export_xlsx, name="counters_export_xlsx"),
        path("counters/export.csv", views.export_csv, name="counters_export_csv"),
        path("counters/export.pdf", views.export_pdf, name="counters_export_pdf"),
        path("counters/dhis2/", dhis2_views.export_page, name="counters_dhis2_export"),
    ]


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return is_admin(request.user)


@hooks.register("register_admin_menu_item")
def register_counters_menu_item():
    return DashboardMenuItem(
        _("Programme dashboard"),
        reverse("counters_dashboard"),
        icon_name="table",
        order=admin_menu.DASHBOARD,
        name="counters-dashboard",
    )


@hooks.register(HOME_PAGE_PANELS)
def public_summary(context, page) -> str:
    """The programme's national totals for the home page.

    National totals only (no province, sex, level or ethnicity breakdown), exact: small-cell
    suppression ("< 10") is for cells below the province, where a figure could single out
    someone (counters_public_value).
    """
    return render_to_string(
        "courses/counters/public_summary.html",
        {"rows": counters_public_summary(), "small": SMALL_CELL},
    )
