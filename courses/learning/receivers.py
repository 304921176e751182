"""Reactions of the completion engine to the sessions feature's signals."""

from django.dispatch import receiver

from courses.learning.completion import completion_withdraw, enrolment_evaluate
from courses.learning.services import enrolment_create
from courses.sessions.models import TrainingSession
from courses.sessions.signals import participant_present, participant_withdrawn


@receiver(participant_present, sender=TrainingSession, dispatch_uid="learning_in_person")
def evaluate_in_person(sender, session: TrainingSession, cadre, by=None, **kwargs) -> None:
    """Inside the attendance's transaction: enrol the participant on the session's course if
    they were not, and let the one completion engine decide."""
    enrolment, _created = enrolment_create(cadre=cadre, course=session.course, by=by)
    enrolment_evaluate(enrolment=enrolment)


@receiver(participant_withdrawn, sender=TrainingSession, dispatch_uid="learning_withdrawn")
def reconsider_in_person(sender, session: TrainingSession, cadre, by=None, **kwargs) -> None:
    """Inside the change's transaction: what that presence completed is reconsidered."""
    completion_withdraw(cadre=cadre, session=session, by=by)
