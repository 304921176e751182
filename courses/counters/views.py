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
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from courses.counters import reports as reports
from courses.counters.selectors import (
    BREAKDOWNS,
    CACHE_SECONDS,
    CounterFilters,
    counter_figures,
    counters_generation,
    counters_province_in_scope,
    filter_choices,
    province_choices,
    unit_maps,
)
from courses.registry.models import UnitStructure
from lms.api_tokens import api_auth
from lms.roles import admin_province_code, is_admin

BAR_WIDTH = 100  # SVG user units of a full progress bar


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
        structure = data.get("structure") or UnitStructure.S2023
        province = data.get("province", "")
        if self.scope_province:
            # A province admin always looks at their own province.
            province = self.scope_province
            if structure == UnitStructure.S2025:
                province = unit_maps().province_2025.get(province, province)
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


def _number(value: int) -> str:
    """40.000 in Vietnamese, 40,000 in English (the active language's thousand separator)."""
    return f"{value:,}".replace(",", str(get_format("THOUSAND_SEPARATOR")))


def _area_link(code: str, name: str, drill: str, base_query: str, province: str) -> str:
    if drill == "province":
        return f'<a href="?{base_query}&amp;province={escape(code)}">{escape(name)}</a>'
    if drill == "district" and code:
        return (
            f'<a href="?{base_query}&amp;province={escape(province)}&amp;district={escape(code)}">'
            f"{escape(name)}</a>"
        )
    return str(escape(name))


def _panel_html(figure, *, drill: str, base_query: str, province: str, texts: dict) -> str:
    """One indicator's panel, built in Python (the template loops cost ~10x more).

    Geometry: the progress bar and the area bars are 100 units wide; month bars are one unit
    wide in a 50-unit tall SVG, scaled to the highest month."""
    code = escape(figure.code)
    unit = texts["sessions"] if figure.unit == "sessions" else texts["people"]
    out = [
        f'<section class="counters-panel" id="indicator-{code}" data-code="{code}">',
        f"<h2>{escape(figure.name)}</h2>",
        f'<p class="counters-value"><strong data-value>{_number(figure.value)}</strong>',
    ]
    if figure.target:
        out.append(f" / {_number(figure.target)}")
    out.append(f" {unit}")
    if figure.percent is not None:
        out.append(f' <span class="counters-percent" data-percent>({figure.percent} %)</span>')
    out.append("</p>")
    if figure.target:
        bar = min(figure.percent or 0, 100)
        out.append(
            f'<svg class="counters-progress" viewBox="0 0 100 6" preserveAspectRatio="none" '
            f'role="img" aria-label="{figure.percent} %"><rect class="counters-track" x="0" '
            f'y="0" width="100" height="6"></rect><rect class="counters-fill" x="0" y="0" '
            f'width="{bar}" height="6"></rect></svg>'
        )
    out.append(f'<div class="counters-charts"><div class="counters-chart"><h3>{texts[drill]}</h3>')
    if figure.areas:
        top = max(value for _c, _n, value in figure.areas) or 1
        out.append('<table class="counters-bars">')
        for area_code, name, value in figure.areas:
            width = round(value * BAR_WIDTH / top, 1)
            link = _area_link(area_code, name, drill, base_query, province)
            out.append(
                f'<tr><th scope="row">{link}</th><td><svg class="counters-bar" '
                f'viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true"><rect x="0" '
                f'y="0" width="{width}" height="4"></rect></svg></td>'
                f'<td class="counters-num">{_number(value)}</td></tr>'
            )
        out.append("</table>")
    else:
        out.append(f'<p class="help-block">{texts["empty"]}</p>')
    out.append(f'</div><div class="counters-chart"><h3>{texts["months"]}</h3>')
    if figure.months:
        top = max(value for _m, value in figure.months) or 1
        out.append(
            f'<svg class="counters-timeline" viewBox="0 0 {len(figure.months)} 50" '
            f'preserveAspectRatio="none" role="img" aria-label="{texts["months"]}">'
        )
        for index, (month, value) in enumerate(figure.months):
            height = round(value * 48 / top, 2)
            out.append(
                f'<rect x="{index}" y="{round(50 - height, 2)}" width="0.8" height="{height}">'
                f"<title>{month:%m/%Y}: {value}</title></rect>"
            )
        first, last = figure.months[0][0], figure.months[-1][0]
        out.append(f'</svg><p class="counters-axis">{first:%m/%Y} – {last:%m/%Y}</p>')
    else:
        out.append(f'<p class="help-block">{texts["empty"]}</p>')
    out.append("</div></div></section>")
    return "".join(out)


def _panels_html(figures, *, drill: str, base_query: str, province: str) -> str:
    texts = {
        key: escape(value)
        for key, value in {
            "province": _("By province"),
            "district": _("By district"),
            "commune": _("By commune"),
            "months": _("Over time (by month)"),
            "empty": _("No figures yet."),
            "sessions": _("sessions"),
            "people": _("people"),
        }.items()
    }
    return "".join(
        _panel_html(f, drill=drill, base_query=base_query, province=province, texts=texts)
        for f in figures
    )


def _select_html(form: CounterFilterForm, name: str, selected: str) -> str:
    """A filter's label and select, built in Python (Django's widget templates cost ~1 ms for
    each of the 54 ethnicities)."""
    field = form.fields[name]
    options = "".join(
        f'<option value="{escape(value)}"{" selected" if str(value) == selected else ""}>'
        f"{escape(label)}</option>"
        for value, label in field.choices
    )
    return (
        f'<label for="id_{name}">{escape(field.label)}:</label> '
        f'<select name="{name}" id="id_{name}">{options}</select>'
    )


def dashboard(request: HttpRequest) -> HttpResponse:
    scope = counters_scope(request.user)
    form = CounterFilterForm(request.GET or None, scope_province=scope)
    filters = form.filters()
    query = request.GET.copy()
    for name in ("province", "district"):
        query.pop(name, None)
    base_query = escape(query.urlencode())  # for the panels built in Python
    drill = _drill_level(filters, scope)
    # The rendered panels are cached like the figures: under the counters generation.
    key = (
        "counters:panels:"
        + hashlib.sha256(
            repr(
                (counters_generation(), scope, filters.cache_part(), base_query, get_language())
            ).encode()
        ).hexdigest()
    )
    panels = cache.get(key)
    if panels is None:
        figures = counter_figures(scope_province=scope, filters=filters, areas=True, months=True)
        province = filters.province or scope or ""
        panels = _panels_html(figures, drill=drill, base_query=base_query, province=province)
        cache.set(key, panels, CACHE_SECONDS)
    context = {
        "form": form,
        "filters": filters,
        "scope_province": scope,
        "panels": mark_safe(panels),  # noqa: S308  (built from escaped parts above)
        "selects": {
            name: mark_safe(_select_html(form, name, getattr(filters, name)))  # noqa: S308
            for name in ("sex", "level", "ethnicity")
        },
        "drill": drill,
        "provinces": province_choices(structure=filters.structure, scope_province=scope),
        "base_query": query.urlencode(),  # the template escapes it
        "query": request.GET.urlencode(),
        "page_title": _("Programme dashboard"),
    }
    return render(request, "courses/counters/dashboard.html", context)


def _drill_level(filters: CounterFilters, scope: str | None) -> str:
    """What the area chart shows: provinces, districts or communes."""
    if filters.structure == UnitStructure.S2025:
        return "commune" if (filters.province or scope) else "province"
    if filters.district:
        return "commune"
    if filters.province or scope:
        return "district"
    return "province"


def _export_figures(request: HttpRequest):
    scope = counters_scope(request.user)
    form = CounterFilterForm(request.GET or None, scope_province=scope)
    filters = form.filters()
    figures = counter_figures(scope_province=scope, filters=filters, areas=True, months=True)
    return figures, filters, scope


def _filename(ext: str) -> str:
    return f"chi-so-de-an-8-{dt.date.today():%Y%m%d}.{ext}"


def _attachment(content: bytes, content_type: str, ext: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_filename(ext)}"'
    return response


def export_xlsx(request: HttpRequest) -> HttpResponse:
    figures, filters, scope = _export_figures(request)
    content = reports.figures_xlsx(figures=figures, filters=filters, scope_province=scope)
    return _attachment(
        content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    )


def export_csv(request: HttpRequest) -> HttpResponse:
    figures, filters, scope = _export_figures(request)
    content = reports.figures_csv(figures=figures, filters=filters, scope_province=scope)
    return _attachment(content, "text/csv; charset=utf-8", "csv")


def export_pdf(request: HttpRequest) -> HttpResponse:
    figures, filters, scope = _export_figures(request)
    content = reports.figures_pdf(figures=figures, filters=filters, scope_province=scope)
    return _attachment(content, "application/pdf", "pdf")


@require_GET
@api_auth
def api(request: HttpRequest) -> JsonResponse:
    """GET /api/counters/?province=<code>&by=province|level|sex|ethnicity&structure=2023|2025

    Session or token (api_auth answers 401 without either); the role decides the rest."""
    if not is_admin(request.user):
        return JsonResponse({"detail": _("Only admins may read the figures.")}, status=403)
    scope = admin_province_code(request.user)
    by = request.GET.get("by") or None
    if by is not None and by not in BREAKDOWNS:
        return JsonResponse(
            {"detail": _("by must be one of: province, level, sex, ethnicity.")}, status=400
        )
    structure = request.GET.get("structure") or UnitStructure.S2023
    if structure not in UnitStructure.values:
        return JsonResponse({"detail": _("structure must be 2023 or 2025.")}, status=400)
    province = (request.GET.get("province") or "").strip()
    if not counters_province_in_scope(structure=structure, province=province, scope_province=scope):
        return JsonResponse({"detail": _("This province is outside your scope.")}, status=403)
    filters = CounterFilters(structure=structure, province=province)
    figures = counter_figures(scope_province=scope, filters=filters, by=by)
    return JsonResponse([figure.as_api() for figure in figures], safe=False)
