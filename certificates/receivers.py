"""Reactions to courses' signals (courses never imports certificates)."""

from django.dispatch import receiver

from certificates.services import certificate_create_pending
from courses.learning.models import Enrolment
from courses.learning.signals import enrolment_completed


@receiver(enrolment_completed, sender=Enrolment, dispatch_uid="certificates_pending_on_completion")
def create_pending_certificate(sender, enrolment: Enrolment, **kwargs) -> None:
    """Inside the completion's transaction: the pending row commits with the completion."""
    certificate_create_pending(enrolment=enrolment)
