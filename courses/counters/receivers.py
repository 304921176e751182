"""Reactions of the counter ledger to the registry's signals (the registry never imports it)."""

from django.dispatch import receiver

from courses.counters.services import achievements_move
from courses.registry.signals import place_changed


@receiver(place_changed, dispatch_uid="counters_follow_place")
def achievements_follow_place(sender, cadre=None, session=None, **kwargs) -> None:
    """Inside the transaction that moved the record: its counts move with it."""
    achievements_move(cadre=cadre, session=session)
