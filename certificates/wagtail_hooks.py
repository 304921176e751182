"""Certificates in the Wagtail admin: a list scoped to the admin's province, with search, and
a page per certificate to revoke it, re-issue it after a name correction, and download it;
bulk exports (ZIP or one merged PDF) of a session or a commune, built by a Celery task."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from certificates import services
from certificates.models import Certificate, ExportFormat, ExportStatus
from certificates.selectors import bulk_exports_for_admin, certificates_for_admin
from certificates.views import pdf_response
from courses.registry.choosers import unit_chooser
from courses.registry.models import AdminUnit, UnitLevel
from courses.registry.selectors import units_choosable_by
from courses.sessions.selectors import sessions_of_province
from lms import admin_menu
from lms.roles import admin_province_code, is_admin


class CertificatePermissionPolicy(ModelPermissionPolicy):
    """Admins (central or of a province) may look; records change only through services."""

    def user_has_permission(self, user, action):
        return action in ("view", "inspect") and is_admin(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


register_permission_policy(Certificate, CertificatePermissionPolicy(Certificate))


class CertificateIndexView(IndexView):
    def get_base_queryset(self):
        return certificates_for_admin(user=self.request.user)


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "doc-full"
    menu_label = gettext_lazy("Certificates")
    menu_order = admin_menu.CERTIFICATES
    add_to_admin_menu = True
    url_prefix = "certificates"
    form_fields = ["status_reason"]
    copy_view_enabled = False
    search_fields = ["serial", "full_name", "code"]
    list_filter = ["status", "issued_on"]
    list_display = [
        TitleColumn("serial", label=gettext_lazy("Serial number"), url_name="certificate_detail"),
        "full_name",
        "course_title",
        Column("status", label=gettext_lazy("Status"), accessor="get_status_display"),
        "issued_on",
    ]

    index_view_class = CertificateIndexView


certificate_viewset = CertificateViewSet("certificate_records")


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return certificate_viewset


# --- The page of one certificate -------------------------------------------------------------


class RevokeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReissueForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Corrected full name"), max_length=200)


def _certificate_or_404(request, pk: int) -> Certificate:
    if not is_admin(request.user):
        raise Http404
    return get_object_or_404(certificates_for_admin(user=request.user), pk=pk)


def certificate_detail(request, pk: int):
    certificate = _certificate_or_404(request, pk)
    # A certificate set aside by a merge belongs to no enrolment.
    cadre = certificate.enrolment.cadre if certificate.enrolment_id else None
    return render(
        request,
        "certificates/admin/detail.html",
        {
            "page_title": certificate.serial or _("certificate (pending)"),
            "header_icon": "doc-full",
            "certificate": certificate,
            "cadre": cadre,
            "events": certificate.events.select_related("by"),
            "revoke_form": RevokeForm(),
            "reissue_form": ReissueForm(initial={"full_name": cadre.full_name if cadre else ""}),
        },
    )


@require_POST
def certificate_revoke(request, pk: int):
    certificate = _certificate_or_404(request, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        services.certificate_revoke(
            certificate=certificate, reason=form.cleaned_data["reason"], by=request.user
        )
        messages.success(request, _("The certificate has been revoked."))
    else:
        messages.error(request, _("A reason is required to revoke a certificate."))
    return redirect("certificate_detail", pk=pk)


@require_POST
def certificate_reissue(request, pk: int):
    certificate = _certificate_or_404(request, pk)
    form = ReissueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The corrected name must not be empty."))
        return redirect("certificate_detail", pk=pk)
    try:
        services.certificate_reissue(
            certificate=certificate, full_name=form.cleaned_data["full_name"], by=request.user
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The certificate is being issued again with the new name."))
    return redirect("certificate_detail", pk=pk)


def certificate_download(request, pk: int):
    certificate = _certificate_or_404(request, pk)
    if not certificate.pdf:
        raise Http404
    return pdf_response(certificate)


# --- Bulk exports ----------------------------------------------------------------------------


class ExportForm(forms.Form):
    session = forms.ModelChoiceField(
        label=gettext_lazy("Training session"),
        queryset=sessions_of_province(province_code=None).none(),
        required=False,
    )
    # Picked by name in the unit chooser (courses/registry/choosers.py), within the admin's
    # scope: a commune of either structure.
    commune = forms.ModelChoiceField(
        label=gettext_lazy("or commune"), queryset=AdminUnit.objects.none(), required=False
    )
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ExportFormat.choices)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions_of_province(
            province_code=admin_province_code(user)
        )
        self.fields["commune"].queryset = units_choosable_by(user).filter(level=UnitLevel.COMMUNE)
        unit_chooser(self.fields["commune"], levels=[UnitLevel.COMMUNE])

    def clean(self):
        data = super().clean()
        if not data.get("session") and data.get("commune") is None:
            raise forms.ValidationError(_("Choose a training session or a commune."))
        return data


def export_create(request):
    if not is_admin(request.user):
        raise Http404
    form = ExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        export = services.bulk_export_request(
            format=form.cleaned_data["format"],
            by=request.user,
            session=form.cleaned_data["session"],
            commune=form.cleaned_data["commune"],
            province_code=admin_province_code(request.user) or "",
        )
        return redirect("certificate_export", pk=export.pk)
    return render(
        request,
        "certificates/admin/export_form.html",
        {
            "page_title": _("Download certificates"),
            "header_icon": "download",
            "form": form,
            "exports": bulk_exports_for_admin(user=request.user)[:20],
        },
    )


def export_status(request, pk: int):
    export = get_object_or_404(bulk_exports_for_admin(user=request.user), pk=pk)
    return render(
        request,
        "certificates/admin/export_status.html",
        {
            "page_title": _("Download certificates"),
            "header_icon": "download",
            "export": export,
            "running": export.status in (ExportStatus.PENDING, ExportStatus.RUNNING),
        },
    )


def export_download(request, pk: int):
    export = get_object_or_404(bulk_exports_for_admin(user=request.user), pk=pk)
    storage = export.file.storage
    if export.status != ExportStatus.DONE or not export.file:
        raise Http404
    if not storage.exists(export.file.name):
        raise Http404
    content_type = "application/zip" if export.format == ExportFormat.ZIP else "application/pdf"
    return FileResponse(
        storage.open(export.file.name, "rb"),
        as_attachment=True,
        filename=f"certificates-{export.pk}.{export.format}",
        content_type=content_type,
    )


@hooks.register("register_admin_urls")
def register_certificate_urls():
    return [
        path("certificate/<int:pk>/", certificate_detail, name="certificate_detail"),
        path("certificate/<int:pk>/revoke/", certificate_revoke, name="certificate_revoke"),
        path("certificate/<int:pk>/reissue/", certificate_reissue, name="certificate_reissue"),
        path("certificate/<int:pk>/pdf/", certificate_download, name="certificate_download"),
        path("certificate-exports/", export_create, name="certificate_export_create"),
        path("certificate-exports/<int:pk>/", export_status, name="certificate_export"),
        path("certificate-exports/<int:pk>/file/", export_download, name="certificate_export_file"),
    ]


class AdminOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return is_admin(request.user)


@hooks.register("register_admin_menu_item")
def register_export_menu_item():
    return AdminOnlyMenuItem(
        gettext_lazy("Download certificates"),
        reverse("certificate_export_create"),
        icon_name="download",
        order=admin_menu.DOWNLOAD_CERTIFICATES,
    )


# --- A person's own data (courses/learning/personal_data.py) --------------------------------


@hooks.register("personal_data_sections")
def certificates_of_person(cadre):
    """Their certificates, for the download of everything the system holds about them."""
    from certificates.models import Certificate

    rows = Certificate.objects.filter(enrolment__cadre=cadre).order_by("created_at", "pk")
    return "certificates", [
        {"serial": c.serial or "", "code": c.code, "status": c.status,
         "course_title": c.course_title, "full_name": c.full_name,
         "completed_on": c.completed_on, "issued_on": c.issued_on}
        for c in rows
    ]  # fmt: skip
