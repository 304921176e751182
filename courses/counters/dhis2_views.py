"""DHIS2 exports: a download page in the admin (the dashboard's readers, scoped like it) and
the API /api/dhis2/dataValueSets and /api/dhis2/adx (session or personal token, scoped like
/api/counters/). Thin callers of courses.counters.dhis2.

A bad parameter is refused with its reason (400), never ignored; a province outside the
reader's scope is 403 with a message that says nothing about that province.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from courses.counters.dhis2 import (
    ID_SCHEMES,
    Dhis2Error,
    OutOfScope,
    dhis2_export,
)
from courses.counters.periods import PeriodError, period_parse
from courses.counters.selectors import province_choices
from courses.counters.views import counters_scope
from courses.registry.models import UnitStructure
from lms.api_tokens import api_auth
from lms.roles import admin_province_code, is_admin


def _filename(period: str, structure: str, format: str) -> str:
    ext = "adx.xml" if format == "adx" else "json"
    return f"dhis2-de-an-8-{period}-{structure}.{ext}"


def _download(content: bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class Dhis2ExportForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=7,
        help_text=gettext_lazy("A year (2026), a quarter (2026Q1) or a month (202601)."),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("adx", "ADX (XML)"), ("json", "dataValueSets (JSON)")],
    )
    structure = forms.ChoiceField(
        label=gettext_lazy("Unit structure"), choices=UnitStructure.choices,
        initial=UnitStructure.S2025,
    )  # fmt: skip
    province = forms.ChoiceField(label=gettext_lazy("Province"), required=False)
    id_scheme = forms.ChoiceField(
        label=gettext_lazy("Identifiers"),
        choices=[("code", gettext_lazy("codes")), ("uid", gettext_lazy("uids (JSON only)"))],
        initial="code",
    )

    def __init__(self, *args, scope_province: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        structure = self.data.get("structure") or UnitStructure.S2025
        if structure not in UnitStructure.values:
            structure = UnitStructure.S2025
        provinces = province_choices(structure=structure, scope_province=scope_province)
        everyone = [] if scope_province and structure == UnitStructure.S2025 else [
            ("", _("Whole country") if not scope_province else _("All in your scope"))
        ]  # fmt: skip
        self.fields["province"].choices = everyone + provinces

    def clean_period(self):
        try:
            return period_parse(self.cleaned_data["period"])
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None


def export_page(request: HttpRequest) -> HttpResponse:
    """The form (periods, structure and provinces by name) and, once valid, the download."""
    scope = counters_scope(request.user)
    form = Dhis2ExportForm(request.GET or None, scope_province=scope)
    error = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            content, media_type = dhis2_export(
                user=request.user, via="admin", format=data["format"], period=data["period"],
                structure=data["structure"], province=data["province"], scope_province=scope,
                id_scheme=data["id_scheme"],
            )  # fmt: skip
        except Dhis2Error as exc:
            error = str(exc)
        else:
            name = _filename(data["period"].dhis2_id, data["structure"], data["format"])
            return _download(content, media_type, name)
    context = {"form": form, "error": error, "page_title": _("Export to DHIS2")}
    return render(
        request, "courses/counters/dhis2_export.html", context, status=400 if error else 200
    )


def _api(request: HttpRequest, format: str) -> HttpResponse:
    if not is_admin(request.user):
        return JsonResponse({"detail": _("Only admins may read the figures.")}, status=403)
    scope = admin_province_code(request.user)
    try:
        period = period_parse(request.GET.get("period", ""))
    except PeriodError as error:
        return JsonResponse({"detail": str(error)}, status=400)
    structure = request.GET.get("structure") or UnitStructure.S2025
    if structure not in UnitStructure.values:
        return JsonResponse({"detail": _("structure must be 2023 or 2025.")}, status=400)
    province = (request.GET.get("province") or request.GET.get("orgUnit") or "").strip()
    if province and not (len(province) == 2 and province.isdigit()):
        return JsonResponse({"detail": _("Enter a province code (digits).")}, status=400)
    id_scheme = request.GET.get("idScheme") or "code"
    if id_scheme not in ID_SCHEMES:
        return JsonResponse({"detail": _("idScheme must be code or uid.")}, status=400)
    if format == "adx" and id_scheme != "code":
        return JsonResponse({"detail": _("ADX is exported by code only.")}, status=400)
    try:
        content, media_type = dhis2_export(
            user=request.user, via="api", format=format, period=period, structure=structure,
            province=province, scope_province=scope, id_scheme=id_scheme,
        )  # fmt: skip
    except OutOfScope as error:
        return JsonResponse({"detail": str(error)}, status=403)
    except Dhis2Error as error:
        return JsonResponse({"detail": str(error)}, status=400)
    return HttpResponse(content, content_type=media_type)


@require_GET
@api_auth
def api_data_value_sets(request: HttpRequest) -> HttpResponse:
    """GET /api/dhis2/dataValueSets?period=2026Q1&structure=2025&province=15&idScheme=code"""
    return _api(request, "json")


@require_GET
@api_auth
def api_adx(request: HttpRequest) -> HttpResponse:
    """GET /api/dhis2/adx?period=202307&structure=2023&province=10"""
    return _api(request, "adx")
