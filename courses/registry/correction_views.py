"""The registry admin's corrections of one cadre record (Wagtail admin, on the cadre viewset):
merge it with the other record of the same person, erase the person's personal data, and the
delete page that refuses a record the counters count. Thin: the work is in
courses/registry/corrections.py.

Every page finds its records only among those the admin may edit (courses/registry/scope.py):
a record outside the scope, or one that does not exist, is the same 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from courses.registry.corrections import (
    cadre_attachments,
    cadre_erase,
    cadre_merge,
    cadres_for_merge,
)
from courses.registry.models import Cadre
from courses.registry.scope import cadres_editable_by, can_see_ethnicity
from courses.registry.selectors import unit_path

SEARCH_LIMIT = 20


def phone_tail(phone: str) -> str:
    """The last three digits, enough to tell namesakes apart without showing the number."""
    return f"…{phone[-3:]}" if phone else ""


def cadre_card(cadre: Cadre, *, user) -> list[tuple[str, str]]:
    """The lines of a record shown on the merge and erase pages (label, value)."""
    opts = Cadre._meta
    lines = [
        (opts.get_field("full_name").verbose_name, cadre.full_name),
        (opts.get_field("ma_can_bo").verbose_name, cadre.ma_can_bo or "–"),
        (opts.get_field("birth_year").verbose_name, str(cadre.birth_year or "–")),
        (opts.get_field("sex").verbose_name, cadre.get_sex_display()),
        (opts.get_field("target_group").verbose_name, cadre.get_target_group_display()),
        (opts.get_field("level").verbose_name, cadre.get_level_display()),
        (opts.get_field("unit").verbose_name, unit_path(cadre.unit) or "–"),
        (opts.get_field("agency").verbose_name, cadre.agency or "–"),
        (opts.get_field("phone").verbose_name, cadre.phone or "–"),
        (opts.get_field("email").verbose_name, cadre.email or "–"),
        (opts.get_field("user").verbose_name, _("yes") if cadre.user_id else _("no")),
    ]
    if can_see_ethnicity(user, cadre):
        lines.insert(4, (opts.get_field("ethnicity").verbose_name,
                         cadre.get_ethnicity_display() or "–"))  # fmt: skip
    attached = cadre_attachments(cadre=cadre)
    lines.append((_("Recorded for them"),
                  ", ".join(str(a) for a in attached) or _("nothing")))  # fmt: skip
    return [(str(label).capitalize(), value) for label, value in lines]


class CadreCorrectionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """One record of the admin's scope, found after the permission check."""

    model = Cadre
    header_icon = "group"
    index_url_name = "courses_cadre:index"
    inspect_url_name = "courses_cadre:inspect"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise PermissionDenied
        if not self.user_has_permission(self.permission_required):
            raise PermissionDenied
        self.object = self.scoped(kwargs["pk"])
        return TemplateView.dispatch(self, request, *args, **kwargs)

    def scoped(self, pk) -> Cadre:
        queryset = cadres_editable_by(self.request.user).select_related("unit__parent__parent")
        return get_object_or_404(queryset.filter(erased_at__isnull=True), pk=pk)

    def get_page_subtitle(self):
        return self.object.full_name

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse(self.index_url_name), "label": _("Cadres")},
            {"url": reverse(self.inspect_url_name, args=[self.object.pk]),
             "label": self.object.full_name},
            {"url": "", "label": self.get_page_title()},
        ]  # fmt: skip

    def inspect_url(self, cadre: Cadre) -> str:
        return reverse(self.inspect_url_name, args=[cadre.pk])


class CadreMergeView(CadreCorrectionView):
    """From one record: search the other record of the same person by name (or phone, cadre
    id, e-mail), each hit with birth year, commune and the last digits of the phone; pick
    it; confirm on a page that shows both side by side (and can swap which one stays); the
    POST merges the other into this one."""

    permission_required = "delete"
    page_title = gettext_lazy("Merge duplicate records")

    def get_template_names(self):
        if self.duplicate is not None:
            return ["courses/registry/cadre_merge_confirm.html"]
        return ["courses/registry/cadre_merge_search.html"]

    def get(self, request, *args, **kwargs):
        self.duplicate = self.picked(request.GET)
        return super().get(request, *args, **kwargs)

    def picked(self, data) -> Cadre | None:
        value = data.get("duplicate")
        if value is None:
            return None
        if not str(value).isdigit() or int(value) == self.object.pk:
            raise Http404
        # Out of scope, erased or missing: the same answer.
        return self.scoped(int(value))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["kept"] = self.object
        if self.duplicate is not None:
            context["duplicate"] = self.duplicate
            context["rows"] = [
                (label, mine, theirs)
                for (label, mine), (_label, theirs) in zip(
                    cadre_card(self.object, user=user),
                    cadre_card(self.duplicate, user=user),
                    strict=True,
                )
            ]
            context["swap_url"] = (
                reverse("courses_cadre:merge", args=[self.duplicate.pk])
                + f"?duplicate={self.object.pk}"
            )
            context["cancel_url"] = self.inspect_url(self.object)
            return context
        query = self.request.GET.get("q")
        query = self.object.full_name if query is None else query
        hits = cadres_for_merge(user=user, cadre=self.object, query=query,
                                limit=SEARCH_LIMIT + 1)  # fmt: skip
        context.update(
            query=query,
            searched=bool(query.strip()),
            more=len(hits) > SEARCH_LIMIT,
            hits=[
                {
                    "cadre": hit,
                    "unit": unit_path(hit.unit) or "–",
                    "phone": phone_tail(hit.phone),
                    "url": f"{reverse('courses_cadre:merge', args=[self.object.pk])}"
                    f"?duplicate={hit.pk}",
                }
                for hit in hits[:SEARCH_LIMIT]
            ],
            cancel_url=self.inspect_url(self.object),
        )
        return context

    def post(self, request, *args, **kwargs):
        duplicate = self.picked(request.POST)
        if duplicate is None:
            raise Http404
        try:
            kept = cadre_merge(kept=self.object, duplicate=duplicate, by=request.user)
        except Cadre.DoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(self.inspect_url(self.object))
        messages.success(
            request,
            _("The duplicate record was merged into %(name)s: its enrolments, attendance, "
              "achievements and certificates now belong to this record.")
            % {"name": kept.full_name},
        )  # fmt: skip
        return redirect(self.inspect_url(kept))


class CadreEraseView(CadreCorrectionView):
    """A confirm page showing the record and what stays; the POST erases the personal data."""

    permission_required = "change"
    page_title = gettext_lazy("Erase personal data")
    template_name = "courses/registry/cadre_erase.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["card"] = cadre_card(self.object, user=self.request.user)
        context["cancel_url"] = self.inspect_url(self.object)
        return context

    def post(self, request, *args, **kwargs):
        cadre = cadre_erase(cadre=self.object, by=request.user)
        messages.success(
            request,
            _(
                "The person's personal data was erased. What they were counted for stays in "
                "the counters."
            ),
        )
        return redirect(self.inspect_url(cadre))
