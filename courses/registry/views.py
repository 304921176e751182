"""Wagtail admin views for the imports: upload, preview with per-row errors, confirm,
progress, the report and the template download. The cadre list has its own upload page
(consent); the other kinds (courses/registry/import_kinds.py) share one. Thin: the work is
in courses.registry.services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from courses.registry.import_kinds import (
    CADRES,
    ImportKindSpec,
    import_kind,
    structure_or_default,
)
from courses.registry.imports import COLUMNS, OPTIONAL_COLUMNS, template_rows
from courses.registry.models import (
    AdminUnit,
    ImportJob,
    ImportStatus,
    UnitLevel,
    UnitStructure,
)
from courses.registry.privacy import notice_version_current
from courses.registry.selectors import import_job_get, unit_label, units_ordered, units_search
from courses.registry.services import import_job_create, import_job_start
from lms.access_audit import AccessAction, access_record
from lms.import_report import import_report_xlsx, report_file_name
from lms.roles import is_admin
from lms.spreadsheet import template_csv, xlsx_bytes
from lms.text import nfc

PREVIEW_ERRORS = 500


def _require_import_permission(request, spec: ImportKindSpec = CADRES) -> None:
    if not spec.allowed(request.user):
        raise PermissionDenied


def _kind_or_404(kind: str) -> ImportKindSpec:
    spec = import_kind(kind)
    if spec is None or spec.kind == CADRES.kind:  # the cadre list has its own page
        raise Http404
    return spec


def _upload_url(spec: ImportKindSpec) -> str:
    if spec.kind == CADRES.kind:
        return reverse("courses_registry_import")
    return reverse("courses_registry_import_kind", args=[spec.kind])


def _template_links(spec: ImportKindSpec) -> list[tuple[str, str, str]]:
    """(structure label, XLSX URL, CSV URL) of each template, the structure in force first;
    one template, without a structure, for a file that names no unit."""
    if spec.kind == CADRES.kind:
        name = "courses_registry_import_template"
        urls = [reverse(name, args=[fmt]) for fmt in ("xlsx", "csv")]
    else:
        name = "courses_registry_import_kind_template"
        urls = [reverse(name, args=[spec.kind, fmt]) for fmt in ("xlsx", "csv")]
    if not spec.placed:
        return [("", *urls)]
    return [
        (label, *(f"{url}?structure={value}" for url in urls))
        for value, label in reversed(UnitStructure.choices)
    ]


def _recent_jobs(user, spec: ImportKindSpec):
    return ImportJob.objects.filter(created_by=user, kind=spec.kind)[:10]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV UTF-8 or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    # The same code names different units in the two structures: the uploader says which
    # one the file's codes are of, by name.
    structure = forms.ChoiceField(
        label=gettext_lazy("Administrative units of the file"),
        choices=list(reversed(UnitStructure.choices)),  # the structure in force first
        initial=UnitStructure.S2025,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "The codes in ma_don_vi_hanh_chinh are looked up in this structure only. Since "
            "1 July 2025 the units are those of the 2025 structure; choose 2023 for a list "
            "made before the reform."
        ),
    )
    # The paper consent forms stay with the province; the uploader vouches for them.
    consent_attested = forms.BooleanField(
        label="",  # names the notice version: set per request, translated (see __init__)
        required=False,
        help_text=gettext_lazy(
            "Without this, no consent is recorded and ethnicity is stored only for people who "
            "had consented before; the rest of the file imports all the same."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent_attested"].label = _(
            "I attest that each person with a date in the column ngay_dong_y signed, on that "
            "date, the consent form of notice version %(version)s, and that the province "
            "keeps the signed forms."
        ) % {"version": notice_version_current()}


class CadreImportView(WagtailAdminTemplateMixin, FormView):
    """Upload a file; it is checked at once (small files) or by a worker (large ones)."""

    template_name = "courses/registry/import_upload.html"
    form_class = ImportUploadForm
    page_title = CADRES.title
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        _require_import_permission(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("courses_cadre:index"), "label": _("Cadres")},
            {"url": "", "label": _("Import cadres")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            columns=COLUMNS,
            optional_columns=OPTIONAL_COLUMNS,
            consent_notice_version=notice_version_current(),
            max_megabytes=f"{settings.MAX_IMPORT_UPLOAD_BYTES / 1024 / 1024:g}",
            recent_jobs=_recent_jobs(self.request.user, CADRES),
            templates=_template_links(CADRES),
        )
        return context

    def form_valid(self, form):
        uploaded = form.cleaned_data["file"]
        try:
            with transaction.atomic():
                job = import_job_create(
                    user=self.request.user,
                    uploaded=uploaded,
                    structure=form.cleaned_data["structure"],
                    consent_notice_version=(
                        notice_version_current() if form.cleaned_data["consent_attested"] else ""
                    ),
                )
                import_job_start(job=job, step="validate")
                access_record(user=self.request.user, action=AccessAction.IMPORT,
                              target="courses.importjob", record_id=job.pk,
                              filters=f"step=upload&structure={job.structure}")  # fmt: skip
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        return redirect("courses_registry_import_job", pk=job.pk)


def _labelled(items: list, labels: dict) -> list[list]:
    """[row, column, message, name, unit]: each stored reason with the name and unit of its
    row (blank once the retention period has cleared them)."""
    return [
        [row, column, message, *(labels.get(str(row)) or ["", ""])[:2]]
        for row, column, message in items
    ]


class KindImportUploadForm(forms.Form):
    """The upload of a file of another kind than the cadre list: the file and, when its
    rows name units, the structure their codes are of."""

    file = ImportUploadForm.base_fields["file"]
    structure = ImportUploadForm.base_fields["structure"]

    def __init__(self, *args, spec: ImportKindSpec, **kwargs):
        super().__init__(*args, **kwargs)
        if not spec.placed:
            del self.fields["structure"]


class KindImportView(WagtailAdminTemplateMixin, FormView):
    """Upload a file of a registered kind (training sessions, attendance); it is checked at
    once (small files) or by a worker (large ones), then previewed on the job's page."""

    template_name = "courses/registry/import_upload_kind.html"
    form_class = KindImportUploadForm
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        self.spec = _kind_or_404(kwargs["kind"])
        _require_import_permission(request, self.spec)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.spec.title

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "spec": self.spec}

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse(self.spec.index_url_name), "label": self.spec.index_label},
            {"url": "", "label": self.spec.title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            spec=self.spec,
            columns=self.spec.columns,
            optional_columns=self.spec.optional_columns,
            max_megabytes=f"{settings.MAX_IMPORT_UPLOAD_BYTES / 1024 / 1024:g}",
            recent_jobs=_recent_jobs(self.request.user, self.spec),
            templates=_template_links(self.spec),
        )
        return context

    def form_valid(self, form):
        structure = form.cleaned_data.get("structure") or UnitStructure.S2025
        try:
            with transaction.atomic():
                job = import_job_create(
                    user=self.request.user,
                    uploaded=form.cleaned_data["file"],
                    kind=self.spec.kind,
                    structure=structure,
                )
                import_job_start(job=job, step="validate")
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        return redirect("courses_registry_import_job", pk=job.pk)


class ImportJobView(WagtailAdminTemplateMixin, TemplateView):
    """Progress, then the preview (counts and per-row errors) and the confirm button."""

    template_name = "courses/registry/import_job.html"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        self.job = import_job_get(user=request.user, pk=kwargs["pk"])
        self.spec = import_kind(self.job.kind) if self.job is not None else None
        if self.spec is None:
            # Someone else's import, or none: the same answer, before the permission check,
            # which is of the kind.
            if not is_admin(request.user):
                raise PermissionDenied
            raise Http404
        _require_import_permission(request, self.spec)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.spec.title

    def get_page_subtitle(self):
        return self.job.original_name

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse(self.spec.index_url_name), "label": self.spec.index_label},
            {"url": _upload_url(self.spec), "label": self.spec.title},
            {"url": "", "label": self.job.original_name},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        units = job.summary.get("units", [])
        context.update(
            job=job,
            units=units,
            more_units=max(0, job.summary.get("unit_count", 0) - len(units)),
            errors=_labelled(job.errors[:PREVIEW_ERRORS], job.row_labels),
            more_errors=max(0, job.error_count - PREVIEW_ERRORS),
            warnings=_labelled(job.warnings[:PREVIEW_ERRORS], job.row_labels),
            more_warnings=max(0, job.warning_count - PREVIEW_ERRORS),
            has_report=bool(job.errors or job.warnings),
            spec=self.spec,
            upload_url=_upload_url(self.spec),
            index_url=reverse(self.spec.index_url_name),
            can_confirm=job.status == ImportStatus.VALIDATED,
            refresh=job.is_running,
            retention_hours=settings.IMPORT_FILE_RETENTION_HOURS,
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.job.status != ImportStatus.VALIDATED:
            messages.error(request, _("This file cannot be imported in its current state."))
            return redirect("courses_registry_import_job", pk=self.job.pk)
        with transaction.atomic():
            import_job_start(job=self.job, step="apply")
            access_record(user=request.user, action=AccessAction.IMPORT,
                          target="courses.importjob", record_id=self.job.pk,
                          filters=f"step=apply&structure={self.job.structure}",
                          count=self.job.total_rows or None)  # fmt: skip
        return redirect("courses_registry_import_job", pk=self.job.pk)


class ImportReportView(View):
    """The report of an import as XLSX: every error and warning kept, with the row's name
    and unit next to the reason. Works for an import job of any kind; the names come from
    the uploaded file and are kept only as long as the file's retention."""

    def get(self, request, pk):
        job = import_job_get(user=request.user, pk=pk)
        spec = import_kind(job.kind) if job is not None else None
        if spec is None:
            if not is_admin(request.user):
                raise PermissionDenied
            raise Http404
        _require_import_permission(request, spec)
        if not (job.errors or job.warnings):
            raise Http404
        notes = []
        if job.error_count > len(job.errors):
            notes.append(_("… and %(more)s more errors.") % {
                "more": job.error_count - len(job.errors)})  # fmt: skip
        if job.warning_count > len(job.warnings):
            notes.append(_("… and %(more)s more warnings.") % {
                "more": job.warning_count - len(job.warnings)})  # fmt: skip
        access_record(user=request.user, action=AccessAction.EXPORT, target="courses.importjob",
                      record_id=job.pk, filters="report=xlsx")  # fmt: skip
        content = import_report_xlsx(
            errors=job.errors, warnings=job.warnings, labels=job.row_labels, notes=notes
        )
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{report_file_name(job.original_name)}"'
        )
        return response


class ImportTemplateView(View):
    """The empty file to fill in, with the exact header and two example rows whose codes
    are of the structure asked for (`?structure=2023|2025`, default 2025). The file says
    which structure it is for: in its name, and in the XLSX on a second sheet (the import
    reads the first one only)."""

    def get(self, request, fmt):
        _require_import_permission(request)
        structure = request.GET.get("structure", UnitStructure.S2025)
        if structure not in UnitStructure.values:
            raise Http404
        columns, examples = template_rows(structure)
        if fmt == "csv":
            response = HttpResponse(template_csv(columns, examples), content_type="text/csv")
        elif fmt == "xlsx":
            response = HttpResponse(
                xlsx_bytes(
                    [
                        (f"can_bo_co_cau_{structure}", [columns, *examples]),
                        ("huong_dan", [[line] for line in _template_notes(structure)]),
                    ],
                    text_rows=TEMPLATE_TEXT_ROWS,
                ),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            raise Http404
        response["Content-Disposition"] = (
            f'attachment; filename="mau_nhap_can_bo_co_cau_{structure}.{fmt}"'
        )
        return response


class KindImportTemplateView(View):
    """The empty file of a registered kind, with its header and example rows (of the
    structure asked for, when its rows name units)."""

    def get(self, request, kind, fmt):
        spec = _kind_or_404(kind)
        _require_import_permission(request, spec)
        structure = structure_or_default(request.GET.get("structure"))
        if structure is None or fmt not in ("csv", "xlsx"):
            raise Http404
        columns, examples = spec.template(structure)
        stem = f"{spec.template_stem}_co_cau_{structure}" if spec.placed else spec.template_stem
        if fmt == "csv":
            response = HttpResponse(template_csv(columns, examples), content_type="text/csv")
        else:
            response = HttpResponse(
                xlsx_bytes([(stem[:31], [columns, *examples])], text_rows=TEMPLATE_TEXT_ROWS),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
        return response


# As lms.spreadsheet.template_xlsx: the rows below the header are formatted as text, so that
# codes and phone numbers typed in keep their leading zeros.
TEMPLATE_TEXT_ROWS = 998


def _template_notes(structure: str) -> list[str]:
    """The XLSX template's second sheet: which structure the codes must be of."""
    label = UnitStructure(structure).label
    if structure == UnitStructure.S2023:
        digits = _("ma_don_vi_hanh_chinh: 2 digits for a province, 3 for a district, 5 for a "
                   "commune.")  # fmt: skip
    else:
        digits = _("ma_don_vi_hanh_chinh: 2 digits for a province, 5 for a commune (the 2025 "
                   "structure has no districts).")  # fmt: skip
    return [
        _("Unit codes of the %(structure)s") % {"structure": label},
        digits,
        _("When you upload this file, choose: %(structure)s.") % {"structure": label},
    ]


# --- Finding a unit by name, for the public search box (courses/js/unit-search.js) ----------

UNIT_SEARCH_PAGE = 20


@login_required
@require_GET
def unit_search_json(request):
    """GET /places/units/?q=nghia+do&province=15&level=commune&structure=2025&page=1

    The units whose name holds the words typed (with or without diacritics, any case), in
    Vietnamese order, UNIT_SEARCH_PAGE at a time: id, name, label (path and structure),
    province and structure of each. For signed-in people only (the learner's profile); the
    official lists of units are public, so nothing here depends on who asks."""
    structure = request.GET.get("structure") or UnitStructure.S2025
    if structure not in UnitStructure.values:
        return JsonResponse({"error": _("Unknown structure.")}, status=400)
    level = request.GET.get("level") or UnitLevel.COMMUNE
    if level not in UnitLevel.values or level == UnitLevel.VILLAGE:
        return JsonResponse({"error": _("Unknown level.")}, status=400)
    province = request.GET.get("province", "")
    if province and not (province.isdigit() and len(province) <= 2):
        return JsonResponse({"error": _("Unknown province.")}, status=400)
    query = nfc(request.GET.get("q", ""))[:100]
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    units = units_search(
        units=AdminUnit.objects.all(),
        query=query,
        structure=structure,
        levels=[level],
        province=province,
    )
    page = Paginator(units_ordered(units), UNIT_SEARCH_PAGE).get_page(page_number)
    return JsonResponse(
        {
            "results": [
                {
                    "id": unit.pk,
                    "name": unit.name,
                    "label": unit_label(unit),
                    "province": unit.province_code,
                    "structure": unit.structure,
                }
                for unit in page.object_list
            ],
            "page": page.number,
            "has_next": page.has_next(),
            "count": page.paginator.count,
        }
    )
