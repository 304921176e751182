"""Reactions of the completion engine to the sessions feature's signals."""

from django.dispatch import receiver

from courses.learning.completion import enrolment_evaluate, session_enrolments_evaluate
from courses.learning.services import enrolment_create
from courses.sessions.models import TrainingSession
from courses.sessions.signals import participant_present, participants_present


@receiver(participant_present, sender=TrainingSession, dispatch_uid="learning_in_person")
def evaluate_in_person(sender, session: TrainingSession, cadre, by=None, **kwargs) -> None:
    """Inside the attendance's transaction: enrol the participant on the session's course if
    they were not, and let the one completion engine decide."""
    enrolment, _created = enrolment_create(cadre=cadre, course=session.course, by=by)
    enrolment_evaluate(enrolment=enrolment)


@receiver(participants_present, sender=TrainingSession, dispatch_uid="learning_in_person_many")
def evaluate_in_person_many(sender, session: TrainingSession, people, **kwargs) -> None:
    """Everyone present at a session that has just become held: the same, together."""
    session_enrolments_evaluate(session=session, people=people)
