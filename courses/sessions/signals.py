"""Signals the sessions feature sends, so that the completion engine above it (learning) can
react without sessions importing it.

`participant_present` is sent inside the transaction that records it, with `session=` (a held
session), `cadre=` (a participant marked present) and `by=` (who marked them, or None).
"""

from django.dispatch import Signal

participant_present = Signal()
