"""Choosing an administrative unit by name in the Wagtail admin.

A Wagtail chooser (wagtail.admin.viewsets.chooser) whose modal searches the units by name with
or without diacritics ("nghia do", "Nghĩa Đô", "NGHIA DO"), shows each with its path ("Xã …,
Huyện …, Tỉnh …") and structure (2023/2025), and lists them in Vietnamese order. Nobody types
a numeric code.

Every view of the chooser, and the widget that shows the chosen unit, reads the units through
courses.registry.scope.units_choosable_by: a province admin is offered the units of their
2025 province and the 2023 units that went into it, and a unit outside it is a 404 to the
chooser and "not one of the available choices" to the form, naming nothing.

A form narrows the chooser to some levels or one structure with `unit_chooser(...)`, which
passes them to the modal as the query parameters `levels` and `structure`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.paginator import InvalidPage
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from courses.registry.models import AdminUnit, UnitLevel, UnitStructure
from courses.registry.selectors import (
    UNIT_ANCESTORS,
    unit_label,
    units_choosable_by,
    units_ordered,
    units_search,
)

PER_PAGE = 20


def _levels(request) -> list[str]:
    wanted = [v for v in request.GET.get("levels", "").split(",") if v]
    return [v for v in wanted if v in UnitLevel.values]


def _structure(request) -> str:
    value = request.GET.get("structure", "")
    return value if value in UnitStructure.values else ""


class UnitFilterForm(BaseFilterForm):
    """The modal's search box, and the structure and level to narrow it (the levels and the
    structure a form asked for are fixed by the query string and not offered here)."""

    q = forms.CharField(
        label=_("Name (with or without diacritics)"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. nghia do")}),
        required=False,
    )
    only_structure = forms.ChoiceField(
        label=_("Structure"),
        choices=[("", _("Both structures")), *UnitStructure.choices],
        required=False,
        widget=forms.Select(attrs={"data-chooser-modal-search-filter": True}),
    )
    only_level = forms.ChoiceField(
        label=_("Level"),
        choices=[("", _("Every level")), *UnitLevel.choices],
        required=False,
        widget=forms.Select(attrs={"data-chooser-modal-search-filter": True}),
    )

    def __init__(self, *args, levels=(), structure="", **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = list(levels)
        self.structure = structure
        if structure:
            del self.fields["only_structure"]
        if len(self.levels) == 1:
            del self.fields["only_level"]
        elif self.levels:
            self.fields["only_level"].choices = [("", _("Every level"))] + [
                (value, label) for value, label in UnitLevel.choices if value in self.levels
            ]

    def filter(self, objects):
        data = self.cleaned_data
        query = (data.get("q") or "").strip()
        levels = self.levels
        if data.get("only_level"):
            levels = [data["only_level"]]
        objects = units_search(
            units=objects,
            query=query,
            structure=self.structure or data.get("only_structure", ""),
            levels=levels,
        )
        if query:
            self.is_searching = True
            self.search_query = query
        return objects


class UnitChooseMixin:
    per_page = PER_PAGE
    filter_form_class = UnitFilterForm

    def get_object_list(self):
        return units_choosable_by(self.request.user).select_related(UNIT_ANCESTORS)

    def get_filter_form(self):
        return UnitFilterForm(
            self.request.GET, levels=_levels(self.request), structure=_structure(self.request)
        )

    def get_results_page(self, request):
        objects = self.filter_object_list(self.get_object_list())
        self.paginator = self.paginator_class(units_ordered(objects), per_page=self.per_page)
        try:
            return self.paginator.page(request.GET.get("p", 1))
        except InvalidPage as e:
            raise Http404 from e

    @property
    def columns(self):
        return [
            TitleColumn(
                "title",
                label=_("Administrative unit"),
                accessor=unit_label,
                get_url=lambda unit: self.append_preserved_url_parameters(self._chosen_url(unit)),
                link_attrs={"data-chooser-modal-choice": True},
            ),
            Column("level", label=_("Level"), accessor=lambda unit: unit.get_level_display()),
            Column("structure", label=_("Structure"), accessor="structure"),
        ]

    def _chosen_url(self, unit):
        from django.urls import reverse

        return reverse(self.chosen_url_name, args=(unit.pk,))


class UnitChooseView(UnitChooseMixin, chooser_views.ChooseView):
    pass


class UnitChooseResultsView(UnitChooseMixin, chooser_views.ChooseResultsView):
    pass


class UnitChosenResponseMixin:
    def get_display_title(self, instance):
        return unit_label(instance)

    def get_edit_item_url(self, instance):
        return None


class UnitChosenView(UnitChosenResponseMixin, chooser_views.ChosenView):
    def get_object(self, pk):
        # Outside the user's scope: DoesNotExist, which the view answers with a 404.
        return units_choosable_by(self.request.user).select_related(UNIT_ANCESTORS).get(pk=pk)


class UnitChosenMultipleView(UnitChosenResponseMixin, chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return (
            units_choosable_by(self.request.user)
            .select_related(UNIT_ANCESTORS)
            .filter(pk__in=[pk for pk in pks if str(pk).isdigit()])
        )


class AdminUnitChooserViewSet(ChooserViewSet):
    model = AdminUnit
    icon = "site"
    choose_one_text = _("Choose an administrative unit")
    choose_another_text = _("Choose another unit")
    page_title = _("Choose an administrative unit")
    per_page = PER_PAGE
    preserve_url_parameters = ["multiple", "levels", "structure"]
    choose_view_class = UnitChooseView
    choose_results_view_class = UnitChooseResultsView
    chosen_view_class = UnitChosenView
    chosen_multiple_view_class = UnitChosenMultipleView
    # The forms set the widget themselves (unit_chooser), with the queryset of their field.
    register_widget = False

    def get_urlpatterns(self):
        # Units of the official lists are never created from a chooser (villages are added in
        # Registry > Administrative units): no "create" view.
        return [p for p in super().get_urlpatterns() if p.name != "create"]


admin_unit_chooser_viewset = AdminUnitChooserViewSet(
    "courses_adminunit_chooser", url_prefix="registry/unit-chooser"
)


class AdminUnitChooser(admin_unit_chooser_viewset.widget_class):
    """The chooser's form widget. Shows the chosen unit with its path and structure, reading
    it only among `queryset` (the field's), so a unit posted from outside the user's scope is
    never named on the re-shown form."""

    show_edit_link = False

    def __init__(self, *, queryset=None, levels=(), structure="", **kwargs):
        self.queryset = queryset
        self.levels = tuple(levels)
        self.structure = structure
        super().__init__(**kwargs)

    def get_chooser_modal_url(self):
        url = super().get_chooser_modal_url()
        params = {}
        if self.levels:
            params["levels"] = ",".join(self.levels)
        if self.structure:
            params["structure"] = self.structure
        return f"{url}?{urlencode(params)}" if params else url

    def get_instance(self, value):
        if value is None or value == "":
            return None
        units = (self.queryset if self.queryset is not None else AdminUnit.objects.none()).all()
        if isinstance(value, AdminUnit):
            value = value.pk
        if not str(value).isdigit():
            return None
        return units.select_related(UNIT_ANCESTORS).filter(pk=value).first()

    def get_display_title(self, instance):
        return unit_label(instance)

    def get_value_data_from_instance(self, instance):
        return {"id": instance.pk, "edit_url": "", "title": self.get_display_title(instance)}


def unit_chooser(field: forms.ModelChoiceField, *, levels=(), structure: str = "") -> None:
    """Give a form's unit field the chooser widget, over the field's own queryset (set the
    queryset first)."""
    field.widget = AdminUnitChooser(queryset=field.queryset, levels=levels, structure=structure)
