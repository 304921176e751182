"""The programme dashboard (Wagtail admin), its exports, and the JSON API /api/counters/.

Thin callers of courses.counters.selectors. Who may read the figures: central admins (the
whole country) and province admins (their province only, whatever the query string asks);
everyone else gets 403. Authentication is the Django session, the same login as the site
and the admin; the JSON API also takes a personal token (`Authorization: Bearer`, see
lms/api_tokens.py), which then acts as its user with exactly the same scope. Without either
the API answers 401.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django import forms
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from courses.counters import reports as reports
from courses.counters.gain_selectors import (
    GAIN_BREAKDOWNS,
    GainFilters,
    gain_course_id,
    gain_session_for,
    knowledge_gain_public,
)
from courses.counters.periods import PeriodError, range_parse
from courses.counters.selectors import (
    BREAKDOWNS,
    CACHE_SECONDS,
    CounterFilters,
    counter_figures,
    counters_generation,
    counters_province_in_scope,
    drill_level,
    filter_choices,
    province_choices,
)
from courses.registry.models import UnitStructure
from lms.api_tokens import api_auth
from lms.roles import admin_province_code, is_admin, is_trainer_or_admin


def counters_scope(user) -> str | None:
    """The province the user is limited to (None: the whole country); 403 if not an admin."""
    if not is_admin(user):
        raise PermissionDenied
    return admin_province_code(user)


class CounterFilterForm(forms.Form):
    structure = forms.ChoiceField(
        label=gettext_lazy("Unit structure"), choices=UnitStructure.choices, required=False
    )
    province = forms.CharField(label=gettext_lazy("Province"), max_length=2, required=False)
    district = forms.CharField(label=gettext_lazy("District"), max_length=3, required=False)
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), required=False)
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False)
    ethnicity = forms.ChoiceField(label=gettext_lazy("Ethnicity"), required=False)
    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("To"), required=False)

    def __init__(self, *args, scope_province: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = filter_choices()
        everyone = [("", _("All"))]
        for name in ("sex", "level", "ethnicity"):
            self.fields[name].choices = everyone + choices[name]
        self.scope_province = scope_province

    def clean_province(self) -> str:
        value = (self.cleaned_data.get("province") or "").strip()
        if value and not value.isdigit():
            raise forms.ValidationError(_("Enter a province code (digits)."))
        return value

    def clean_district(self) -> str:
        value = (self.cleaned_data.get("district") or "").strip()
        if value and not value.isdigit():
            raise forms.ValidationError(_("Enter a district code (digits)."))
        return value

    def filters(self) -> CounterFilters:
        data = self.cleaned_data if self.is_valid() else {}
        structure = data.get("structure") or UnitStructure.S2025
        province = data.get("province", "")
        if self.scope_province and not counters_province_in_scope(
            structure=structure, province=province, scope_province=self.scope_province
        ):
            # A province admin always looks at their own province (in the 2023 list, at one
            # of the provinces that went into it, or at all of them).
            province = ""
        if self.scope_province and structure == UnitStructure.S2025:
            province = self.scope_province
        return CounterFilters(
            structure=structure,
            province=province,
            district=data.get("district", "") if structure == UnitStructure.S2023 else "",
            sex=data.get("sex", ""),
            level=data.get("level", ""),
            ethnicity=data.get("ethnicity", ""),
            start=data.get("start"),
            end=data.get("end"),
        )


def _panels(*, scope: str | None, filters: CounterFilters, drill: str, base_query: str) -> str:
    """The indicators' panels, rendered from their Jinja2 template and cached like the figures:
    under the counters generation, so a cached panel is never stale."""
    key = (
        "counters:panels:v2:"
        + hashlib.sha256(
            repr(
                (counters_generation(), scope, filters.cache_part(), base_query, get_language())
            ).encode()
        ).hexdigest()
    )
    panels = cache.get(key)
    if panels is None:
        figures = counter_figures(scope_province=scope, filters=filters, areas=True, months=True)
        context = {
            "figures": figures,
            "drill": drill,
            "base_query": base_query,
            "province": filters.province or scope or "",
        }
        panels = render_to_string("courses/counters/panels.html", context, using="jinja2")
        cache.set(key, panels, CACHE_SECONDS)
    return mark_safe(panels)  # noqa: S308 - a template's output, escaped where it was written


def dashboard(request: HttpRequest) -> HttpResponse:
    scope = counters_scope(request.user)
    form = CounterFilterForm(request.GET or None, scope_province=scope)
    filters = form.filters()
    query = request.GET.copy()
    for name in ("province", "district"):
        query.pop(name, None)
    base_query = query.urlencode()
    drill = drill_level(filters, scope)
    context = {
        "form": form,
        "filters": filters,
        "scope_province": scope,
        "panels": _panels(scope=scope, filters=filters, drill=drill, base_query=base_query),
        "selects": [
            (name, form.fields[name], getattr(filters, name))
            for name in ("sex", "level", "ethnicity")
        ],
        "drill": drill,
        "provinces": province_choices(structure=filters.structure, scope_province=scope),
        "base_query": base_query,  # the template escapes it
        "query": request.GET.urlencode(),
        "page_title": _("Programme dashboard"),
        "gain_panels": _gain_panels(scope=scope, filters=filters),
    }
    return render(request, "courses/counters/dashboard.html", context)


def _gain_filters(filters: CounterFilters, scope: str | None) -> GainFilters:
    """The knowledge gain is kept by 2025 province: the dashboard's province when it is one,
    else the admin's scope."""
    province = filters.province if filters.structure == UnitStructure.S2025 else ""
    return GainFilters(province=province or (scope or ""))


def _gain_panels(*, scope: str | None, filters: CounterFilters) -> list[tuple[str, dict]]:
    gain = _gain_filters(filters, scope)
    return [
        (_("Knowledge gain by sex"), knowledge_gain_public(scope_province=scope, filters=gain,
                                                           by="sex")),
        (_("Knowledge gain by ethnicity"),
         knowledge_gain_public(scope_province=scope, filters=gain, by="ethnicity")),
        (_("Knowledge gain by course"),
         knowledge_gain_public(scope_province=scope, filters=gain, by="course")),
    ]  # fmt: skip


def _export_figures(request: HttpRequest):
    scope = counters_scope(request.user)
    form = CounterFilterForm(request.GET or None, scope_province=scope)
    filters = form.filters()
    figures = counter_figures(scope_province=scope, filters=filters, areas=True, months=True)
    return figures, filters, scope, _gain_panels(scope=scope, filters=filters)


def _filename(ext: str) -> str:
    return f"chi-so-de-an-8-{dt.date.today():%Y%m%d}.{ext}"


def _attachment(content: bytes, content_type: str, ext: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_filename(ext)}"'
    return response


def export_xlsx(request: HttpRequest) -> HttpResponse:
    figures, filters, scope, gain = _export_figures(request)
    content = reports.figures_xlsx(
        figures=figures, filters=filters, scope_province=scope, gain=gain
    )
    return _attachment(
        content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    )


def export_csv(request: HttpRequest) -> HttpResponse:
    figures, filters, scope, gain = _export_figures(request)
    content = reports.figures_csv(figures=figures, filters=filters, scope_province=scope, gain=gain)
    return _attachment(content, "text/csv; charset=utf-8", "csv")


def export_pdf(request: HttpRequest) -> HttpResponse:
    figures, filters, scope, gain = _export_figures(request)
    content = reports.figures_pdf(figures=figures, filters=filters, scope_province=scope, gain=gain)
    return _attachment(content, "application/pdf", "pdf")


@require_GET
@api_auth
def api(request: HttpRequest) -> JsonResponse:
    """GET /api/counters/?province=<code>&by=province|level|sex|ethnicity&structure=2023|2025
    &period=2023|2023Q3|202307 or &start=YYYY-MM-DD&end=YYYY-MM-DD (a value that does not parse
    is a 400 with the reason)

    Session or token (api_auth answers 401 without either); the role decides the rest."""
    if not is_admin(request.user):
        return JsonResponse({"detail": _("Only admins may read the figures.")}, status=403)
    scope = admin_province_code(request.user)
    by = request.GET.get("by") or None
    if by is not None and by not in BREAKDOWNS:
        return JsonResponse(
            {"detail": _("by must be one of: province, level, sex, ethnicity.")}, status=400
        )
    structure = request.GET.get("structure") or UnitStructure.S2025
    if structure not in UnitStructure.values:
        return JsonResponse({"detail": _("structure must be 2023 or 2025.")}, status=400)
    province = (request.GET.get("province") or "").strip()
    if not counters_province_in_scope(structure=structure, province=province, scope_province=scope):
        return JsonResponse({"detail": _("This province is outside your scope.")}, status=403)
    try:
        start, end = range_parse(
            period=request.GET.get("period", "").strip(),
            start=request.GET.get("start", ""),
            end=request.GET.get("end", ""),
        )
    except PeriodError as error:
        return JsonResponse({"detail": str(error)}, status=400)
    filters = CounterFilters(structure=structure, province=province, start=start, end=end)
    figures = counter_figures(scope_province=scope, filters=filters, by=by)
    return JsonResponse([figure.as_api() for figure in figures], safe=False)


@require_GET
@api_auth
def gain_api(request: HttpRequest) -> JsonResponse:
    """GET /api/knowledge-gain/?by=sex|ethnicity|level|province|course|target_group
    &course=<slug>&province=<2025 code>&session=<code>

    Session or token, as /api/counters/. Admins see the whole country or their province; a
    trainer sees the sessions they run (session=<code> required). Groups of fewer than
    SMALL_CELL learners are published without their means."""
    user = request.user
    if not is_trainer_or_admin(user):
        return JsonResponse({"detail": _("Only admins and trainers may read the figures.")},
                            status=403)  # fmt: skip
    by = request.GET.get("by") or None
    if by is not None and by not in GAIN_BREAKDOWNS:
        return JsonResponse(
            {"detail": _("by must be one of: %(names)s.") % {"names": ", ".join(GAIN_BREAKDOWNS)}},
            status=400,
        )
    scope = admin_province_code(user) if is_admin(user) else None
    province = (request.GET.get("province") or "").strip()
    if province and not province.isdigit():
        return JsonResponse({"detail": _("Enter a province code (digits).")}, status=400)
    if scope and province and province != scope:
        return JsonResponse({"detail": _("This province is outside your scope.")}, status=403)
    course_id = None
    if slug := (request.GET.get("course") or "").strip():
        course_id = gain_course_id(slug=slug)
        if course_id is None:
            return JsonResponse({"detail": _("No course has this slug.")}, status=404)
    session_id = None
    if code := (request.GET.get("session") or "").strip():
        session_id = gain_session_for(user=user, code=code, scope_province=scope)
        if session_id is None:
            return JsonResponse({"detail": _("No session of yours has this code.")}, status=404)
    elif not is_admin(user):
        return JsonResponse(
            {"detail": _("Trainers see the figures of their own sessions: give session=<code>.")},
            status=403,
        )
    filters = GainFilters(course_id=course_id, province=province, session_id=session_id)
    data = knowledge_gain_public(scope_province=scope, filters=filters, by=by)
    return JsonResponse(data)


@require_GET
def public_figures(request: HttpRequest) -> HttpResponse:
    """The programme's figures for everyone: national totals against their targets (never
    suppressed), and a map of the provinces where people were trained."""
    from courses.counters.selectors import SMALL_CELL, counters_public_map, counters_public_summary
    from courses.counters.services import CADRES_TRAINED

    rows = counters_public_summary()
    for row in rows:
        row["bar"] = min(row["percent"] or 0, 100) * 3  # of 300 units, the whole target
    return render(
        request,
        "courses/counters/public_figures.html",
        {"rows": rows, "small": SMALL_CELL, "map": counters_public_map(code=CADRES_TRAINED)},
    )
