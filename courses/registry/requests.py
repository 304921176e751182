"""A learner's requests about their personal data: a correction, or erasure. Each goes to
the admins of the learner's province (central admins see all); the admin's answer is shown
to the learner on their profile. An erasure request answered "done" runs the registry's
erasure (corrections.cadre_erase): the person is removed, what they counted for stays."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from courses.registry.corrections import cadre_erase
from courses.registry.models import Cadre, PersonalDataRequest, RequestKind, RequestStatus
from lms.roles import admin_province_code, is_admin, is_central_admin


def data_requests_visible_to(user) -> QuerySet[PersonalDataRequest]:
    """The requests `user` answers: all for central admins, their province's for a
    province admin, none for anyone else."""
    if not is_admin(user):
        return PersonalDataRequest.objects.none()
    if is_central_admin(user):
        return PersonalDataRequest.objects.all()
    province = admin_province_code(user)
    if not province:
        return PersonalDataRequest.objects.none()
    return PersonalDataRequest.objects.filter(province_2025=province)


def data_request_create(*, cadre: Cadre, kind: str, details: str = "") -> PersonalDataRequest:
    """The learner asks; the request stays with the province the record is in now."""
    return PersonalDataRequest.objects.create(
        cadre=cadre, kind=kind, details=details.strip()[:2000],
        province_2025=cadre.province_2025, province_code=cadre.province_code,
    )  # fmt: skip


def data_request_decide(
    *, request: PersonalDataRequest, status: str, outcome: str, by
) -> PersonalDataRequest:
    """The admin's answer. An erasure request answered done erases the person's data in
    the same transaction."""
    with transaction.atomic():
        request.status = status
        request.outcome = outcome
        if status != RequestStatus.OPEN:
            request.decided_at = timezone.now()
            request.decided_by = by
        if status == RequestStatus.DONE and request.kind == RequestKind.ERASURE:
            cadre_erase(cadre=request.cadre, by=by)
        request.save()
    return request


def data_requests_of(*, cadre: Cadre) -> QuerySet[PersonalDataRequest]:
    return PersonalDataRequest.objects.filter(cadre=cadre).order_by("-created_at", "-pk")
