"""The admins' to-do list "new commune not decided" (Wagtail admin): records whose unit is a
2023 commune, or a village of one, that was split between several 2025 communes, and whose new
commune nobody has picked yet. Until then such a record counts under its 2025 province only
(the commune drill-down shows it on the "not decided" line).

One paginated list for every kind of record within the admin's scope: the cadres, then what the
features above the registry add through the UNDECIDED_PLACE_RECORDS hook (sessions). Each row
shows the person or session, its 2023 unit and the 2025 communes of the lineage to pick from by
name; the pick page of one record saves the choice through that kind's service, which moves the
record and what it counts for. Thin: the work is in the services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem
from wagtail.admin.ui.tables import BaseColumn, Column, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin
from wagtail.log_actions import log

from courses.registry.hooks import UNDECIDED_PLACE_RECORDS
from courses.registry.models import AdminUnit, Cadre
from courses.registry.models.places import UNDECIDED_GENERATION
from courses.registry.selectors import (
    SuccessorCandidate,
    cadres_undecided,
    successor_candidates,
    unit_path,
)
from courses.registry.services import cadre_successor_pick
from lms.cache import generation
from lms.roles import is_admin

INDEX_URL_NAME = "courses_registry_undecided"


@dataclass(frozen=True)
class UndecidedRecords:
    """One kind of record on the list: the undecided records of that kind within a user's
    scope (none for anyone but admins), what a row calls one of them, the page that shows it,
    the service that saves the new commune picked for it (ValidationError if refused), and
    the URL name of its pick page (by the record's pk)."""

    label: str
    records: Callable[[Any], QuerySet]
    describe: Callable[[Any], str]
    detail_url_name: str
    pick: Callable[[Any, AdminUnit], Any]
    pick_url_name: str


def _cadre_describe(cadre) -> str:
    return f"{cadre.full_name} ({cadre.birth_year})" if cadre.birth_year else cadre.full_name


CADRES = UndecidedRecords(
    label=capfirst(Cadre._meta.verbose_name),
    records=lambda user: cadres_undecided(user=user),
    describe=_cadre_describe,
    detail_url_name="courses_cadre:inspect",
    pick=lambda cadre, successor: cadre_successor_pick(cadre=cadre, successor=successor),
    pick_url_name="courses_registry_undecided_cadre",
)


def undecided_kinds() -> list[UndecidedRecords]:
    """The cadres, then the kinds the features above register (see courses.registry.hooks)."""
    return [CADRES, *(fn() for fn in hooks.get_hooks(UNDECIDED_PLACE_RECORDS))]


# How long the menu's count is kept. A save, a delete or a pick moves the generation at once;
# a bulk import, which writes by SQL, shows in the count within this many seconds.
UNDECIDED_COUNT_SECONDS = 30


def undecided_count(user) -> int:
    """How many records the user has to pick a new commune for (one COUNT per kind), kept
    briefly per user: the admin menu shows it on every page."""
    key = f"registry:undecided:{generation(UNDECIDED_GENERATION)}:{user.pk}"
    count = cache.get(key)
    if count is None:
        count = sum(kind.records(user).count() for kind in undecided_kinds())
        cache.set(key, count, UNDECIDED_COUNT_SECONDS)
    return count


def _require_admin(request) -> None:
    if not is_admin(request.user):
        raise PermissionDenied


# --- The list ----------------------------------------------------------------------------------


class _Concatenated:
    """Several querysets read as one sequence by the paginator: the counts add up, and a page
    takes its rows from each queryset in turn (a query only for those it reaches)."""

    def __init__(self, parts: list[tuple[UndecidedRecords, QuerySet]]):
        self.parts = parts

    @cached_property
    def counts(self) -> list[int]:
        return [queryset.count() for _kind, queryset in self.parts]

    def count(self) -> int:
        return sum(self.counts)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[tuple[UndecidedRecords, Any]]:
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        rows, offset = [], 0
        for (kind, queryset), count in zip(self.parts, self.counts, strict=True):
            low, high = max(start - offset, 0), min(stop - offset, count)
            if low < high:
                rows += [(kind, record) for record in queryset[low:high]]
            offset += count
        return rows


@dataclass
class UndecidedRow:
    kind: str
    title: str
    detail_url: str
    unit_path: str
    candidates: list[SuccessorCandidate]
    pick_url: str
    page_number: str  # where the pick comes back to


class PickColumn(BaseColumn):
    """The candidates as radio buttons and the button that saves the choice, one small form
    per row (posted to the record's pick page)."""

    cell_template_name = "courses/registry/undecided_pick_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["csrf_token"] = get_token(parent_context["request"])
        # Text, not numbers: the template would print 28481 as "28.481" (Vietnamese format).
        context["choices"] = [
            (str(candidate.unit.pk), candidate_label(candidate))
            for candidate in instance.candidates
        ]
        return context


class UndecidedIndexView(BaseListingView):
    template_name = "courses/registry/undecided_index.html"
    page_title = gettext_lazy("New commune not decided")
    header_icon = "site"
    index_url_name = INDEX_URL_NAME
    paginate_by = 50
    columns = [
        TitleColumn("title", label=gettext_lazy("Person or session"),
                    get_url=lambda row: row.detail_url),
        Column("kind", label=gettext_lazy("Kind")),
        Column("unit_path", label=gettext_lazy("Unit (2023 structure)")),
        PickColumn("candidates", label=gettext_lazy("New commune (2025 structure)")),
    ]  # fmt: skip

    def dispatch(self, request, *args, **kwargs):
        _require_admin(request)
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        user = self.request.user
        return _Concatenated([(kind, kind.records(user)) for kind in undecided_kinds()])

    def paginate_queryset(self, queryset, page_size):
        paginator, page, records, is_paginated = super().paginate_queryset(queryset, page_size)
        candidates = successor_candidates(codes={record.commune_code for _k, record in records})
        page.object_list = [
            UndecidedRow(
                kind=str(kind.label),
                title=kind.describe(record),
                detail_url=reverse(kind.detail_url_name, args=[record.pk]),
                unit_path=unit_path(record.unit),
                candidates=candidates.get(record.commune_code, []),
                pick_url=reverse(kind.pick_url_name, args=[record.pk]),
                page_number=str(page.number),
            )
            for kind, record in records
        ]
        return paginator, page, page.object_list, is_paginated

    def get_page_subtitle(self):
        count = self.object_list.count()
        return ngettext("%(count)s record", "%(count)s records", count) % {"count": count}

    @cached_property
    def no_results_message(self):
        return _("No record needs a new commune to be picked.")


# --- Picking the new commune of one record -------------------------------------------------------


class SuccessorForm(forms.Form):
    """The candidates by name (never a typed code); anything else is refused."""

    successor = forms.ChoiceField(
        label=gettext_lazy("New commune (2025 structure)"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Pick one of the new communes listed."),
            "invalid_choice": gettext_lazy("Pick one of the new communes listed."),
        },
    )

    def __init__(self, *args, candidates: list[SuccessorCandidate], **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(candidate.unit.pk): candidate.unit for candidate in candidates}
        self.fields["successor"].choices = [
            (str(candidate.unit.pk), candidate_label(candidate)) for candidate in candidates
        ]

    def clean_successor(self) -> AdminUnit:
        return self.units[self.cleaned_data["successor"]]


def candidate_label(candidate: SuccessorCandidate) -> str:
    """A candidate's name, and "partly" when the lineage says the old commune went only partly
    into it."""
    if candidate.partial:
        return _("%(name)s (partly)") % {"name": candidate.name}
    return candidate.name


class SuccessorPickView(WagtailAdminTemplateMixin, FormView):
    """The record, its 2023 unit and its candidates; saving goes through the kind's service,
    then back to the list. A record outside the admin's scope, or no longer undecided, is a
    404."""

    template_name = "courses/registry/undecided_pick.html"
    form_class = SuccessorForm
    header_icon = "site"
    kind: UndecidedRecords = CADRES

    def dispatch(self, request, *args, **kwargs):
        _require_admin(request)
        self.record = get_object_or_404(self.kind.records(request.user), pk=kwargs["pk"])
        code = self.record.commune_code
        self.candidates = successor_candidates(codes=[code]).get(code, [])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Pick the new commune")

    def get_page_subtitle(self):
        return self.kind.describe(self.record)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse(INDEX_URL_NAME), "label": _("New commune not decided")},
            {"url": "", "label": self.kind.describe(self.record)},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "candidates": self.candidates}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.request.POST.get("p") or self.request.GET.get("p") or ""
        context.update(
            kind=self.kind.label,
            title=self.kind.describe(self.record),
            unit_path=unit_path(self.record.unit),
            index_url=reverse(INDEX_URL_NAME),
            page_number=page if page.isdigit() else "",
        )
        return context

    def form_valid(self, form):
        successor = form.cleaned_data["successor"]
        try:
            record = self.kind.pick(self.record, successor)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        log(instance=record, action="wagtail.edit", user=self.request.user)
        messages.success(
            self.request,
            _("%(record)s: new commune %(commune)s.")
            % {"record": self.kind.describe(record), "commune": successor.name},
        )
        url = reverse(INDEX_URL_NAME)
        page = self.request.POST.get("p", "")
        return redirect(f"{url}?p={page}" if page.isdigit() else url)


# --- The menu entry, with the number of records waiting -----------------------------------------


class UndecidedMenuItem(MenuItem):
    def is_shown(self, request):
        return is_admin(request.user)

    def render_component(self, request):
        count = undecided_count(request.user)
        label = f"{self.label} ({count})" if count else self.label
        return LinkMenuItem(
            self.name, label, self.url, icon_name=self.icon_name, classname=self.classname,
            attrs=self.attrs,
        )  # fmt: skip
