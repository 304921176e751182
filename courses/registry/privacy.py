"""The privacy notice and the consent history: which notice is current, who accepted it,
consent given (online, on paper, by a trainer) and withdrawn.

A cadre's consent fields (consent_at, consent_notice_version, consent_method,
consent_attested_by) hold the consent in force; every change of them is also a
ConsentRecord, so the history says which version, when, how and who vouched. Accepting the
notice (required to use the site as a learner) is not consent to sensitive data: a person who
withdrew stays withdrawn when they accept a later notice, until they give consent again.

Withdrawing removes the person's ethnicity; `ethnicity_withdrawn` (courses.registry.signals)
lets the counters move what the person counted for to the "not stated" cells in the same
transaction.
"""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from courses.registry.models import (
    CONSENT_NOTICE_VERSION,
    Cadre,
    ConsentAction,
    ConsentMethod,
    ConsentRecord,
    PrivacyNotice,
)
from courses.registry.models.cadres import NOT_STATED
from courses.registry.models.privacy import NOTICE_VERSION_CACHE_KEY
from courses.registry.signals import ethnicity_withdrawn


def notice_current() -> PrivacyNotice | None:
    """The live notice published last, or None before central admins publish one (the
    site then shows the built-in text of CONSENT_NOTICE_VERSION)."""
    return (
        PrivacyNotice.objects.filter(live=True)
        .order_by("-first_published_at", "-pk")
        .only("pk", "version", "title", "body", "first_published_at")
        .first()
    )


def notice_version_current() -> str:
    """The current notice's version, cached until a notice is saved or deleted."""
    version = cache.get(NOTICE_VERSION_CACHE_KEY)
    if version is None:
        notice = notice_current()
        version = notice.version if notice is not None else CONSENT_NOTICE_VERSION
        cache.set(NOTICE_VERSION_CACHE_KEY, version, NOTICE_VERSION_CACHE_SECONDS)
    return version


# A bound on the cache, should a notice change without its save() (a bulk update by hand).
NOTICE_VERSION_CACHE_SECONDS = 600


def notice_accepted(*, user, version: str) -> bool:
    return ConsentRecord.objects.filter(
        user=user, notice_version=version, action=ConsentAction.ACCEPTED
    ).exists()


def _latest_is_withdrawal(cadre: Cadre) -> bool:
    latest = (
        cadre.consent_records.filter(action__in=[ConsentAction.GIVEN, ConsentAction.WITHDRAWN])
        .order_by("-at", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    return latest == ConsentAction.WITHDRAWN


def consent_withdrawn(*, cadre: Cadre) -> bool:
    """Whether the person withdrew their consent and has not given it again."""
    return cadre.consent_at is None and _latest_is_withdrawal(cadre)


def consent_record(
    *,
    cadre: Cadre,
    method: str,
    version: str | None = None,
    at: datetime.datetime | None = None,
    attested_by=None,
    user=None,
    save: bool = True,
) -> ConsentRecord:
    """Record a consent given (the cadre saved, unless `save` is False: the caller saves it
    with its other changes): the cadre's fields and a ConsentRecord, in one go."""
    at = at or timezone.now()
    version = version or notice_version_current()
    cadre.consent_at = at
    cadre.consent_notice_version = version
    cadre.consent_method = method
    cadre.consent_attested_by = attested_by
    if save:
        cadre.save(update_fields=["consent_at", "consent_notice_version", "consent_method",
                                  "consent_attested_by", "updated_at"])  # fmt: skip
    return ConsentRecord.objects.create(
        cadre=cadre if cadre.pk else None, user=user, action=ConsentAction.GIVEN,
        notice_version=version, method=method, attested_by=attested_by, at=at,
    )  # fmt: skip


def consent_records_link(*, cadre: Cadre) -> int:
    """The records a learner made online before they had a registry record join it (the
    notice accepted at their first login, the consent of the profile's first save)."""
    if cadre.user_id is None:
        return 0
    return ConsentRecord.objects.filter(user_id=cadre.user_id, cadre__isnull=True).update(
        cadre=cadre
    )


def notice_accept(*, user, version: str | None = None) -> ConsentRecord:
    """The learner read and accepted the notice `version` (the current one by default). A
    person whose consent is in force consents under the new version from now on (a GIVEN
    record of it); a person who withdrew or never consented does not by this."""
    version = version or notice_version_current()
    now = timezone.now()
    with transaction.atomic():
        cadre = Cadre.objects.select_for_update().filter(user=user).first()
        record = ConsentRecord.objects.create(
            cadre=cadre, user=user, action=ConsentAction.ACCEPTED, notice_version=version,
            method=ConsentMethod.ONLINE, at=now,
        )  # fmt: skip
        if cadre is not None and cadre.consent_at and cadre.consent_notice_version != version:
            consent_record(cadre=cadre, method=ConsentMethod.ONLINE, version=version, at=now,
                           user=user)  # fmt: skip
    return record


def consent_give(*, cadre: Cadre, user) -> ConsentRecord:
    """The person gives their consent online again (from the profile, after withdrawing)."""
    with transaction.atomic():
        locked = Cadre.objects.select_for_update().get(pk=cadre.pk)
        return consent_record(cadre=locked, method=ConsentMethod.ONLINE, user=user)


def consent_withdraw(*, cadre: Cadre, user) -> ConsentRecord:
    """The person withdraws their consent to sensitive data: their ethnicity is removed
    and their consent fields cleared (an import or a trainer may not store it again on the
    strength of the old consent); what they counted for moves to the "not stated" cells,
    in the same transaction (ethnicity_withdrawn). Running it again records nothing more."""
    with transaction.atomic():
        locked = Cadre.objects.select_for_update().get(pk=cadre.pk)
        if locked.consent_at is None and _latest_is_withdrawal(locked):
            return locked.consent_records.order_by("-at", "-pk").first()
        record = ConsentRecord.objects.create(
            cadre=locked, user=user, action=ConsentAction.WITHDRAWN,
            notice_version=locked.consent_notice_version or notice_version_current(),
            method=ConsentMethod.ONLINE, at=timezone.now(),
        )  # fmt: skip
        locked.ethnicity = NOT_STATED
        locked.consent_at = None
        locked.consent_notice_version = ""
        locked.consent_method = ""
        locked.consent_attested_by = None
        locked.save()
        ethnicity_withdrawn.send(sender=Cadre, cadre=locked)
    return record
