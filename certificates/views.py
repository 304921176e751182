"""Public verification, and the learner's own certificates. Thin: reads come from selectors."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from certificates.models import CertificateStatus
from certificates.selectors import certificate_for_verification, certificates_of_user
from certificates.services import verification_record
from lms.throttle import client_address, verification_attempt


def _check(request, code: str):
    """(certificate or None, seconds to wait). Each check that is not throttled is logged."""
    attempt = verification_attempt(request=request)
    if attempt.refused:
        return None, attempt.wait
    certificate = certificate_for_verification(code=code)
    verification_record(
        certificate=certificate, code=code, ip_address=client_address(request=request)
    )
    return certificate, 0


def _public(certificate) -> dict:
    """The only fields a verifier sees: no contact details, unit or ethnicity."""
    return {
        "status": "revoked" if certificate.status == CertificateStatus.REVOKED else "valid",
        # None once the holder's personal data was erased at their request.
        "full_name": certificate.full_name or None,
        "course": certificate.course_title,
        "completed_on": certificate.completed_on.isoformat() if certificate.completed_on else None,
        "issued_on": certificate.issued_on.isoformat() if certificate.issued_on else None,
        "serial": certificate.serial,
        "issuing_organisation": settings.ISSUING_ORGANISATION,
    }


def _too_many() -> str:
    return _("Too many checks from your address. Please wait a minute and try again.")


@require_GET
@never_cache
def verify_page(request, code: str):
    certificate, wait = _check(request, code)
    if wait:
        response = render(
            request, "certificates/verify_limited.html", {"message": _too_many()}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    if certificate is None:
        return render(request, "certificates/verify_unknown.html", status=404)
    return render(
        request,
        "certificates/verify.html",
        {"certificate": certificate, "organisation": settings.ISSUING_ORGANISATION},
    )


@require_GET
@never_cache
def verify_json(request, code: str):
    certificate, wait = _check(request, code)
    if wait:
        response = JsonResponse({"error": _too_many()}, status=429)
        response["Retry-After"] = str(wait)
        return response
    if certificate is None:
        return JsonResponse({"error": _("No certificate has this code.")}, status=404)
    data = _public(certificate)
    data["completed_on_display"] = (
        date_format(certificate.completed_on, "SHORT_DATE_FORMAT")
        if certificate.completed_on
        else None
    )
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@login_required
def my_certificates(request):
    return render(
        request,
        "certificates/mine.html",
        {"certificates": certificates_of_user(user=request.user)},
    )


@login_required
def download(request, pk: int):
    """Only the learner's own issued certificate; anything else is a 404."""
    certificate = (
        certificates_of_user(user=request.user)
        .filter(pk=pk, status=CertificateStatus.ISSUED)
        .first()
    )
    if certificate is None or not certificate.pdf:
        raise Http404
    return pdf_response(certificate)


def pdf_response(certificate) -> FileResponse:
    """The PDF from the private storage, for a caller the view has already authorised."""
    storage = certificate.pdf.storage
    if not storage.exists(certificate.pdf.name):
        raise Http404
    return FileResponse(
        storage.open(certificate.pdf.name, "rb"),
        as_attachment=True,
        filename=f"{certificate.serial}.pdf",
        content_type="application/pdf",
    )
