"""Signals the sessions feature sends, so that the completion engine above it (learning) can
react without sessions importing it.

`participant_present` is sent inside the transaction that records it, with `session=` (a held
session), `cadre=` (a participant marked present) and `by=` (who marked them, or None).

`participant_withdrawn` is sent inside the transaction that takes a presence back: at a held
session a participant marked absent or taken off the list, or a held session that stops being
held (each participant who was present); same arguments. What that presence completed is
reconsidered by the completion engine.


`participants_present` is the same for everyone present at a session that has just become held
(or moved), with `people=` a list of (cadre, by): one signal, so the engine can enrol and
complete them together.
"""

from django.dispatch import Signal

participant_present = Signal()
participant_withdrawn = Signal()


participants_present = Signal()
