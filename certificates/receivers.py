"""Reactions to courses' signals (courses never imports certificates) and to the worker's
connection to the broker."""

from django.dispatch import receiver

from certificates.services import (
    certificate_create_pending,
    certificate_redate,
    certificate_withdraw,
    certificates_erase_holder,
    certificates_merge,
    certificates_requeue_request,
)
from courses.learning.models import Enrolment
from courses.learning.signals import (
    enrolment_completed,
    enrolment_merging,
    enrolment_redated,
    enrolment_uncompleted,
)
from courses.registry.signals import cadre_erasing
from lms.celery import broker_connected


@receiver(enrolment_completed, sender=Enrolment, dispatch_uid="certificates_pending_on_completion")
def create_pending_certificate(sender, enrolment: Enrolment, **kwargs) -> None:
    """Inside the completion's transaction: the pending row commits with the completion."""
    certificate_create_pending(enrolment=enrolment)


@receiver(
    enrolment_uncompleted, sender=Enrolment, dispatch_uid="certificates_withdrawn_on_uncompletion"
)
def withdraw_certificate(sender, enrolment: Enrolment, reason: str, by=None, **kwargs) -> None:
    """Inside the transaction that took the completion back."""
    certificate_withdraw(enrolment=enrolment, reason=reason, by=by)


@receiver(enrolment_redated, sender=Enrolment, dispatch_uid="certificates_redrawn_on_redate")
def redraw_certificate(sender, enrolment: Enrolment, reason: str, by=None, **kwargs) -> None:
    """Inside the transaction that dated the completion again: the certificate prints the
    date it stands for."""
    certificate_redate(enrolment=enrolment, reason=reason, by=by)


@receiver(enrolment_merging, sender=Enrolment, dispatch_uid="certificates_follow_merge")
def certificate_follows_merge(sender, kept: Enrolment, dropped: Enrolment, **kwargs) -> None:
    """Inside the merge's transaction, before `dropped` is deleted."""
    certificates_merge(kept=kept, dropped=dropped)


@receiver(cadre_erasing, dispatch_uid="certificates_erase_holder")
def certificates_forget_holder(sender, cadre, by=None, **kwargs) -> None:
    """Inside the erasure's transaction: the certificates no longer hold the name."""
    certificates_erase_holder(cadre_id=cadre.pk, by=by)


@receiver(broker_connected, dispatch_uid="certificates_requeue_on_connect")
def requeue_after_connect(sender, **kwargs) -> None:
    """A worker has (re)connected: certificates completed while the broker was down, or whose
    messages were lost with it, are queued again now rather than at the next periodic run."""
    certificates_requeue_request()
