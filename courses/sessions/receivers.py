"""Reactions of the sessions feature to the registry's signals (the registry never imports it)."""

from django.dispatch import receiver

from courses.registry.signals import cadre_merging
from courses.sessions.services import attendance_merge


@receiver(cadre_merging, dispatch_uid="sessions_merge_cadres")
def attendance_follows_merge(sender, kept, duplicate, **kwargs) -> None:
    """Inside the merge's transaction: the duplicate's attendance becomes the kept record's."""
    attendance_merge(kept=kept, duplicate=duplicate)
