"""Keeps a published quiz revision's questions and choices under the ids of their rows.

A change to a live quiz is saved only as a revision, so a question or choice added in it has
no id yet (the revision stores null). Publishing creates the rows; Wagtail leaves the revision
as it was. The next edit would start from that revision, and publishing it would delete the
rows and create new ones: the learners' answers, which refer to the questions, would go with
them, and the revision an attempt recorded would not name the questions it answered. After
each publish, the revision is rewritten with the published rows as they now are, ids included
(the same content otherwise).
"""

from __future__ import annotations

from wagtail.models import Revision


def quiz_revision_keep_ids(sender, instance, revision, **kwargs) -> None:
    Revision.objects.filter(pk=revision.pk).update(content=instance.serializable_data())
