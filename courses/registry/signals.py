"""Signals the registry sends, so that the features above it (counters) can react without the
registry importing them.

`place_changed` is sent inside the transaction that moved a record to another place (its unit
changed, or an admin picked the new commune of a split 2023 commune), after the record's place
columns were saved, with `cadre=` (a Cadre) or `session=` (a TrainingSession; the sessions
feature sends it for its own records). The counters move what the record counts for to its
new place in that transaction.
"""

from django.dispatch import Signal

place_changed = Signal()
