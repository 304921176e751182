"""Public verification, and the learner's own certificates. Thin: reads come from selectors."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from certificates.models import CertificateStatus
from certificates.openbadges.issuing import did_document
from certificates.openbadges.verifying import credential_check
from certificates.selectors import (
    certificate_for_verification,
    certificates_of_user,
    credential_of,
    status_list_document,
)
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
        {
            "certificate": certificate,
            "organisation": settings.ISSUING_ORGANISATION,
            "has_credential": credential_of(certificate=certificate) is not None,
        },
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


# --- Open Badges credentials ----------------------------------------------------------------

CREDENTIAL_TYPE = "application/ld+json; charset=utf-8"
# A pasted or uploaded credential larger than this is refused unread.
CREDENTIAL_MAX_BYTES = 256 * 1024


def _credential_response(document: str, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(document, content_type=CREDENTIAL_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@never_cache
def credential_json(request, code: str):
    """The certificate's newest credential, exactly as signed (a revoked one too: its status
    list says so); nothing beyond what the credential itself contains."""
    certificate, wait = _check(request, code)
    if wait:
        response = JsonResponse({"error": _too_many()}, status=429)
        response["Retry-After"] = str(wait)
        return response
    credential = credential_of(certificate=certificate) if certificate else None
    if credential is None:
        return JsonResponse({"error": _("No certificate has this code.")}, status=404)
    return _credential_response(credential.document)


@login_required
def credential_download(request, pk: int):
    """The learner's own credential, as a file to keep in a wallet."""
    certificate = (
        certificates_of_user(user=request.user)
        .filter(pk=pk, status=CertificateStatus.ISSUED)
        .first()
    )
    credential = credential_of(certificate=certificate) if certificate else None
    if credential is None:
        raise Http404
    return _credential_response(credential.document, filename=f"{certificate.serial}.json")


@require_GET
def status_list(request, number: int):
    document = status_list_document(number=number)
    if document is None:
        raise Http404
    response = _credential_response(document)
    # Verifiers must see a revocation at once.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def did_json(request):
    """The issuer's DID document (did:web): the public keys credentials are signed with."""
    response = JsonResponse(did_document(), json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/did+ld+json"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _submitted_credential(request) -> tuple[object, str]:
    """(the parsed credential or None, an error message for the person)."""
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > CREDENTIAL_MAX_BYTES:
            return None, _("The file is too large to be a credential.")
        raw = upload.read()
    else:
        raw = (request.POST.get("credential") or "").encode("utf-8")
        if len(raw) > CREDENTIAL_MAX_BYTES:
            return None, _("The text is too large to be a credential.")
    if not raw.strip():
        return None, _("Paste a credential or choose its file.")
    try:
        return json.loads(raw.decode("utf-8")), ""
    except (UnicodeDecodeError, ValueError):
        return None, _("This is not a JSON credential.")


@require_http_methods(["GET", "POST"])
@never_cache
def credential_verify(request):
    """Anyone pastes or uploads a credential; the page says whether its proof, its issuer
    key and its status are valid."""
    context = {"organisation": settings.ISSUING_ORGANISATION}
    if request.method == "POST":
        attempt = verification_attempt(request=request)
        if attempt.refused:
            response = render(
                request, "certificates/verify_limited.html", {"message": _too_many()}, status=429
            )
            response["Retry-After"] = str(attempt.wait)
            return response
        document, error = _submitted_credential(request)
        if error:
            context["error"] = error
        else:
            context["check"] = credential_check(document)
            context["document"] = document if isinstance(document, dict) else None
    return render(request, "certificates/verify_credential.html", context)
