"""Signals the registry sends, so that the features above it (counters, sessions, learning,
and certificates above courses) can react without the registry importing them.

`place_changed` is sent inside the transaction that moved a record to another place (its unit
changed, or an admin picked the new commune of a split 2023 commune), after the record's place
columns were saved, with `cadre=` (a Cadre) or `session=` (a TrainingSession; the sessions
feature sends it for its own records). The counters move what the record counts for to its
new place in that transaction.

`cadre_merging` is sent inside the transaction that merges two records of one person, both
rows locked, with `kept=`, `duplicate=` (Cadre) and `by=` (the admin): each feature moves its
own rows from the duplicate to the kept record (attendance, achievements, enrolments with
their progress, attempts and certificates), resolving what both hold. After it the duplicate
must be referred to by nothing, or the merge is refused and rolled back. `cadre_merged` follows
in the same transaction, once every row has moved: what depends on several features (the
completion engine) looks at the kept record again.

`cadre_erasing` is sent inside the transaction that erases a person's personal data, with
`cadre=` (its personal fields already blanked, not yet saved) and `by=`: features that copied
the name or contact details elsewhere (certificates) remove their copies. What the person
counted for stays.

`ethnicity_withdrawn` is sent inside the transaction in which a person withdrew their
consent to sensitive data, with `cadre=` (saved, its ethnicity removed): the counters move
what the person counted for to the "not stated" cells.
"""

from django.dispatch import Signal

place_changed = Signal()
cadre_merging = Signal()
cadre_merged = Signal()
cadre_erasing = Signal()
ethnicity_withdrawn = Signal()
