"""Reactions of the completion engine to the sessions feature's and the registry's signals."""

from django.dispatch import receiver

from courses.learning.completion import (
    completion_withdraw,
    completions_redate,
    enrolment_evaluate,
    session_enrolments_evaluate,
)
from courses.learning.services import enrolment_create, enrolments_merge, enrolments_reevaluate
from courses.registry.signals import cadre_merged, cadre_merging
from courses.sessions.models import TrainingSession
from courses.sessions.signals import (
    participant_present,
    participant_withdrawn,
    participants_present,
)


@receiver(participant_present, sender=TrainingSession, dispatch_uid="learning_in_person")
def evaluate_in_person(sender, session: TrainingSession, cadre, by=None, **kwargs) -> None:
    """Inside the attendance's transaction: enrol the participant on the session's course if
    they were not, and let the one completion engine decide."""
    enrolment, _created = enrolment_create(cadre=cadre, course=session.course, by=by)
    if enrolment.completed_at is not None:
        # Already complete: the session may date it earlier, or (corrected) otherwise.
        completions_redate(session=session, cadre_ids=[cadre.pk], by=by)
        return
    enrolment_evaluate(enrolment=enrolment)


@receiver(participant_withdrawn, sender=TrainingSession, dispatch_uid="learning_withdrawn")
def reconsider_in_person(sender, session: TrainingSession, cadre, by=None, **kwargs) -> None:
    """Inside the change's transaction: what that presence completed is reconsidered."""
    completion_withdraw(cadre=cadre, session=session, by=by)


@receiver(cadre_merging, dispatch_uid="learning_merge_cadres")
def enrolments_follow_merge(sender, kept, duplicate, **kwargs) -> None:
    """Inside the merge's transaction: the duplicate's enrolments become the kept record's."""
    enrolments_merge(kept=kept, duplicate=duplicate)


@receiver(cadre_merged, dispatch_uid="learning_after_merge")
def evaluate_after_merge(sender, kept, **kwargs) -> None:
    """Once everything has moved: lessons, attempts and attendance of both records together
    may complete a course neither completed alone."""
    enrolments_reevaluate(cadre=kept)


@receiver(participants_present, sender=TrainingSession, dispatch_uid="learning_in_person_many")
def evaluate_in_person_many(sender, session: TrainingSession, people, **kwargs) -> None:
    """Everyone present at a session that has just become held: the same, together."""
    session_enrolments_evaluate(session=session, people=people)
