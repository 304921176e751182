"""Reads for certificates: what a learner, a verifier, an admin or an export may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from certificates.models import (
    BulkExport,
    Certificate,
    CertificateStatus,
    OpenBadgeCredential,
    StatusList,
)
from courses.registry.models import UnitStructure
from lms.roles import admin_province_code, is_central_admin

PUBLIC_STATUSES = (CertificateStatus.ISSUED, CertificateStatus.REVOKED)


def certificates_of_user(*, user) -> QuerySet[Certificate]:
    """The learner's own certificates (through their cadre record); none without one."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    signed = OpenBadgeCredential.objects.filter(certificate=OuterRef("pk")).exclude(document="")
    return (
        Certificate.objects.filter(enrolment__cadre__user=user)
        .select_related("enrolment__course")
        .annotate(has_credential=Exists(signed))
        .order_by("-issued_on", "-pk")
    )


def certificate_for_verification(*, code: str) -> Certificate | None:
    """An issued or revoked certificate by its code; pending and failed ones do not exist yet."""
    if not code or len(code) > 64:
        return None
    return Certificate.objects.filter(code=code, status__in=PUBLIC_STATUSES).first()


def certificates_for_admin(*, user) -> QuerySet[Certificate]:
    """Everything for central admins, one province for a province admin, nothing otherwise."""
    queryset = Certificate.objects.select_related("enrolment__cadre", "enrolment__course")
    if is_central_admin(user):
        return queryset
    province = admin_province_code(user)
    if province:
        return queryset.filter(province_code=province)
    return queryset.none()


def certificates_for_export(*, export: BulkExport) -> QuerySet[Certificate]:
    """Issued certificates of the export's session (its attendees, for its course) or commune,
    within the province of the admin who asked."""
    queryset = Certificate.objects.filter(status=CertificateStatus.ISSUED).select_related(
        "enrolment__cadre", "enrolment__course"
    )
    if export.session_id:
        session = export.session
        queryset = queryset.filter(
            enrolment__course_id=session.course_id,
            enrolment__cadre__attendance__session=session,
        )
    elif export.commune_id:
        commune = export.commune
        column = "commune_2025" if commune.structure == UnitStructure.S2025 else "commune_code"
        queryset = queryset.filter(**{f"enrolment__cadre__{column}": commune.code})
    elif export.commune_code:
        queryset = queryset.filter(enrolment__cadre__commune_code=export.commune_code)
    else:
        return queryset.none()
    if export.province_code:
        queryset = queryset.filter(province_code=export.province_code)
    return queryset.distinct().order_by("serial")


def bulk_exports_for_admin(*, user) -> QuerySet[BulkExport]:
    queryset = BulkExport.objects.all()
    if is_central_admin(user):
        return queryset
    return queryset.filter(requested_by=user)


def credential_of(*, certificate: Certificate) -> OpenBadgeCredential | None:
    """The certificate's newest signed credential (the one that is valid, unless revoked)."""
    return (
        OpenBadgeCredential.objects.filter(certificate=certificate)
        .exclude(document="")
        .order_by("-pk")
        .first()
    )


def status_list_document(*, number: int) -> str | None:
    return StatusList.objects.filter(number=number).values_list("document", flat=True).first()
