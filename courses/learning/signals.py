"""Signals courses sends, so that apps above it (certificates) can react without courses
importing them.

`enrolment_completed` is sent inside the transaction that marks the enrolment complete, with
`enrolment=`; a receiver that writes rows takes part in that transaction and should queue any
outside work with `transaction.on_commit`.
"""

from django.dispatch import Signal

enrolment_completed = Signal()
# Sent inside the transaction that takes a completion back (the presence that made it was
# withdrawn and no other path holds), with `enrolment=` (its completion fields as they were),
# `reason=` (in Vietnamese, for the certificate's history) and `by=`.
enrolment_uncompleted = Signal()
# Sent inside the transaction that dates a completion that stands on another day (what dated
# it changed), with `enrolment=` (its completion fields as they are now), `before=` (the
# moment it was dated by until then), `reason=` (in Vietnamese) and `by=`.
enrolment_redated = Signal()


# `enrolment_merging` is sent inside a merge of two records of one person, for two enrolments
# in the same course: `kept=` (the more advanced one, which stays) and `dropped=` (whose lesson
# progress and quiz attempts have moved to `kept`, and which is deleted next). A receiver
# moves or sets aside what it keeps on `dropped` (certificates).
enrolment_merging = Signal()
