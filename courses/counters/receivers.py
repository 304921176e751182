"""Reactions of the counter ledger to the registry's signals (the registry never imports it)."""

from django.dispatch import receiver

from courses.counters.gain import knowledge_scores_ethnicity_forget, knowledge_scores_move
from courses.counters.services import (
    achievements_ethnicity_forget,
    achievements_merge,
    achievements_move,
)
from courses.registry.signals import cadre_merging, ethnicity_withdrawn, place_changed


@receiver(place_changed, dispatch_uid="counters_follow_place")
def achievements_follow_place(sender, cadre=None, session=None, **kwargs) -> None:
    """Inside the transaction that moved the record: its counts move with it."""
    achievements_move(cadre=cadre, session=session)
    if cadre is not None:
        knowledge_scores_move(cadre=cadre)


@receiver(cadre_merging, dispatch_uid="counters_merge_cadres")
def achievements_follow_merge(sender, kept, duplicate, **kwargs) -> None:
    """Inside the merge's transaction: the person counts once, as the kept record."""
    achievements_merge(kept=kept, duplicate=duplicate)


@receiver(ethnicity_withdrawn, dispatch_uid="counters_forget_ethnicity")
def achievements_follow_withdrawal(sender, cadre, **kwargs) -> None:
    """Inside the withdrawal's transaction: the person counts as "not stated", in the trained
    counts and in the knowledge gain."""
    achievements_ethnicity_forget(cadre=cadre)
    knowledge_scores_ethnicity_forget(cadre=cadre)
