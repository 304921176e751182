"""The knowledge-gain ledger: a learner's pre-test and post-test scores (KnowledgeScore) and
the rollup of their sums (GainRollup), written in the transaction of the score.

A score row is inserted empty if it is new (INSERT ... ON CONFLICT DO NOTHING, so two writers
of one new row cannot both insert it), then locked; what it contributed to the rollup before
and what it contributes now are both computed from the row, and the difference is added to
the rollup row (or rows, when the person's key changed) by one INSERT ... ON CONFLICT DO
UPDATE SET col = col + delta statement each, which locks the rollup row: the rollup stays the
exact sum of the score rows whatever the order of corrections. `knowledge_gain_recount`
rebuilds it from the score rows; `knowledge_gain_drift` proves they agree.

The features decide what a score is: the online path (learning: the first attempt at the
course's pre-test, the best attempt at its final quiz) and the in-person path (sessions: the
scores on a held session's attendance sheet, of the people present).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from courses.counters.gain_selectors import GAIN_GENERATION, NOTHING, Contribution, contribution
from courses.counters.models import GAIN_KEY, GAIN_SUMS, GainRollup, KnowledgeScore
from courses.registry.models import Cadre
from lms.cache import generation_moved


def score_check(value, *, field: str = "") -> int | None:
    """A score as stored: a whole number from 0 to 100, or None. Anything else is refused
    with a message that says so (forms and imports give it to the person who typed it)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            {field or "score": _("The score must be a whole number from 0 to 100.")},
            code="score",
        )
    if not 0 <= value <= 100:
        raise ValidationError(
            {field or "score": _("The score must be between 0 and 100.")}, code="score"
        )
    return value


def _key(row) -> tuple:
    return tuple(getattr(row, name) for name in GAIN_KEY)


def _upsert_sql() -> str:
    table = GainRollup._meta.db_table
    columns = ", ".join((*GAIN_KEY, *GAIN_SUMS))
    placeholders = ", ".join(["%s"] * (len(GAIN_KEY) + len(GAIN_SUMS)))
    updates = ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in GAIN_SUMS)
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(GAIN_KEY)}) DO UPDATE SET {updates}"
    )


def _rollup_add(changes: dict[tuple, Contribution]) -> None:
    """Add each delta to its rollup row, in key order (the lock order of every writer)."""
    rows = [[*key, *delta.values()] for key, delta in sorted(changes.items()) if delta != NOTHING]
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(), rows)
    gain_changed()


def gain_changed() -> None:
    """Cached figures are recomputed once this transaction commits; its own readers compute
    them from its writes meanwhile (lms.cache.generation_moved)."""
    generation_moved(GAIN_GENERATION)


def _insert_empty(*, cadre: Cadre, course_id: int, session_id: int | None) -> None:
    table = KnowledgeScore._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (cadre_id, course_id, session_id, province_2025, level, sex, "  # noqa: S608
            "ethnicity, target_group, updated_at) VALUES (%s, %s, %s, '', '', '', '', '', "
            "CURRENT_TIMESTAMP) ON CONFLICT DO NOTHING",
            [cadre.pk, course_id, session_id],
        )


def knowledge_score_set(
    *,
    cadre: Cadre,
    course_id: int,
    session_id: int | None = None,
    pre: int | None,
    post: int | None,
) -> bool:
    """Set a learner's pre- and post-test scores on a course (online when `session_id` is
    None, else at that session); None clears one. The rollup follows in the same
    transaction. A score outside 0-100 is refused and nothing is written. True if anything
    changed."""
    pre = score_check(pre, field="pre")
    post = score_check(post, field="post")
    with transaction.atomic():
        lookup = {"cadre_id": cadre.pk, "course_id": course_id, "session_id": session_id}
        row = KnowledgeScore.objects.select_for_update().filter(**lookup).first()
        if row is None:
            if pre is None and post is None:
                return False
            _insert_empty(cadre=cadre, course_id=course_id, session_id=session_id)
            row = KnowledgeScore.objects.select_for_update().get(**lookup)
        person = {
            "province_2025": cadre.province_2025,
            "level": cadre.level,
            "sex": cadre.sex,
            "ethnicity": cadre.ethnicity,
            "target_group": cadre.target_group,
        }
        if (row.pre, row.post) == (pre, post) and all(
            getattr(row, name) == value for name, value in person.items()
        ):
            return False
        old_key, old = _key(row), contribution(row.pre, row.post)
        for name, value in person.items():
            setattr(row, name, value)
        row.pre, row.post = pre, post
        if pre is None and post is None:
            KnowledgeScore.objects.filter(pk=row.pk).delete()
        else:
            row.save()
        new_key, new = _key(row), contribution(pre, post)
        if old_key == new_key:
            _rollup_add({new_key: new.minus(old)})
        else:
            _rollup_add({old_key: NOTHING.minus(old), new_key: new})
    return True


def knowledge_scores_forget(*, cadre_id: int, online_only: bool = False, session_ids=None) -> int:
    """Take scores of a person out of the rollup and delete them (an erasure, or the
    duplicate of a merge before its scores are set again on the kept record): all of them,
    the online ones only, or those of the given sessions. Returns how many rows went."""
    with transaction.atomic():
        rows = KnowledgeScore.objects.select_for_update().filter(cadre_id=cadre_id)
        if online_only:
            rows = rows.filter(session__isnull=True)
        if session_ids is not None:
            rows = rows.filter(session_id__in=list(session_ids))
        rows = list(rows.order_by("pk"))
        changes: dict[tuple, Contribution] = {}
        for row in rows:
            key = _key(row)
            changes[key] = changes.get(key, NOTHING).minus(contribution(row.pre, row.post))
        KnowledgeScore.objects.filter(pk__in=[row.pk for row in rows]).delete()
        _rollup_add(changes)
    return len(rows)


# --- Proof and repair ---------------------------------------------------------------------------


def _expected() -> dict[tuple, tuple[int, ...]]:
    """The rollup recomputed from the score rows (in Python, so the normalised gain is rounded
    exactly as on write)."""
    sums: dict[tuple, Contribution] = {}
    rows = KnowledgeScore.objects.values_list(*GAIN_KEY, "pre", "post").order_by()
    for *key, pre, post in rows.iterator(chunk_size=5000):
        key = tuple(key)
        sums[key] = sums.get(key, NOTHING).plus(contribution(pre, post))
    return {key: c.values() for key, c in sums.items() if c != NOTHING}


def _stored() -> dict[tuple, tuple[int, ...]]:
    rows = GainRollup.objects.values_list(*GAIN_KEY, *GAIN_SUMS).order_by()
    stored = {}
    for row in rows:
        key, values = tuple(row[: len(GAIN_KEY)]), tuple(row[len(GAIN_KEY) :])
        if any(values):
            stored[key] = values
    return stored


def knowledge_gain_drift() -> list[tuple[tuple, tuple[int, ...], tuple[int, ...]]]:
    """(key, stored, expected) for every rollup row that differs from the sum of its score
    rows (rows of zeros ignored)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {KnowledgeScore._meta.db_table}, "
                    f"{GainRollup._meta.db_table} IN SHARE MODE"
                )
        expected, stored = _expected(), _stored()
    zero = (0,) * len(GAIN_SUMS)
    return [
        (key, stored.get(key, zero), expected.get(key, zero))
        for key in sorted(set(expected) | set(stored), key=str)
        if stored.get(key, zero) != expected.get(key, zero)
    ]


def knowledge_gain_recount() -> int:
    """Rebuild the rollup from the score rows in one transaction (writers wait on
    PostgreSQL). Returns the number of rollup rows."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {KnowledgeScore._meta.db_table}, "
                    f"{GainRollup._meta.db_table} IN EXCLUSIVE MODE"
                )
        expected = _expected()
        GainRollup.objects.all().delete()
        GainRollup.objects.bulk_create(
            [
                GainRollup(
                    **dict(zip(GAIN_KEY, key, strict=True)),
                    **dict(zip(GAIN_SUMS, values, strict=True)),
                )
                for key, values in sorted(expected.items())
            ],  # fmt: skip
            batch_size=2000,
        )
        gain_changed()
    return len(expected)


def knowledge_scores_ethnicity_forget(*, cadre: Cadre) -> int:
    """A person who withdrew their consent to sensitive data counts as "not stated": each of
    their score rows leaves the rollup row of their ethnicity for the blank one, inside the
    withdrawal's transaction. Returns how many rows moved."""
    rows = list(
        KnowledgeScore.objects.select_for_update()
        .filter(cadre_id=cadre.pk)
        .exclude(ethnicity="")
        .order_by("pk")
    )
    changes: dict[tuple, Contribution] = {}
    for row in rows:
        part = contribution(row.pre, row.post)
        old = _key(row)
        row.ethnicity = ""
        new = _key(row)
        changes[old] = changes.get(old, NOTHING).minus(part)
        changes[new] = changes.get(new, NOTHING).plus(part)
    if rows:
        KnowledgeScore.objects.filter(pk__in=[row.pk for row in rows]).update(ethnicity="")
        _rollup_add(changes)
    return len(rows)


def knowledge_scores_move(*, cadre: Cadre) -> int:
    """Count a person's scores in their province as it is now (inside the transaction that
    moved them): each score row elsewhere leaves its rollup row and joins the new one, so the
    totals stay the same and a recount finds no drift. Returns how many rows moved."""
    rows = list(
        KnowledgeScore.objects.select_for_update()
        .filter(cadre_id=cadre.pk)
        .exclude(province_2025=cadre.province_2025)
        .order_by("pk")
    )
    changes: dict[tuple, Contribution] = {}
    for row in rows:
        part = contribution(row.pre, row.post)
        old = _key(row)
        row.province_2025 = cadre.province_2025
        new = _key(row)
        changes[old] = changes.get(old, NOTHING).minus(part)
        changes[new] = changes.get(new, NOTHING).plus(part)
    if rows:
        KnowledgeScore.objects.filter(pk__in=[row.pk for row in rows]).update(
            province_2025=cadre.province_2025
        )
        _rollup_add(changes)
    return len(rows)


def _person(cadre: Cadre) -> dict[str, str]:
    return {
        "province_2025": cadre.province_2025,
        "level": cadre.level,
        "sex": cadre.sex,
        "ethnicity": cadre.ethnicity,
        "target_group": cadre.target_group,
    }


def knowledge_scores_set_many(*, course_id: int, session_id: int, rows) -> int:
    """knowledge_score_set for a whole session's sheet of (cadre, pre, post) (a session just
    marked held): the people without a score row yet get theirs in one statement and the
    rollup one upsert per row it changes; people with a row go through knowledge_score_set.
    Every score is checked first: a bad one writes nothing. Returns how many rows changed."""
    rows = [(cadre, score_check(pre, field="pre"), score_check(post, field="post"))
            for cadre, pre, post in rows]  # fmt: skip
    with transaction.atomic():
        existing = set(
            KnowledgeScore.objects.select_for_update()
            .filter(session_id=session_id, cadre_id__in=[cadre.pk for cadre, _p, _q in rows])
            .values_list("cadre_id", flat=True)
        )
        changed = 0
        new, changes = [], {}
        for cadre, pre, post in rows:
            if cadre.pk in existing:
                changed += knowledge_score_set(
                    cadre=cadre, course_id=course_id, session_id=session_id, pre=pre, post=post
                )
                continue
            if pre is None and post is None:
                continue
            row = KnowledgeScore(cadre_id=cadre.pk, course_id=course_id, session_id=session_id,
                                 pre=pre, post=post, **_person(cadre))  # fmt: skip
            new.append(row)
            key = _key(row)
            changes[key] = changes.get(key, NOTHING).plus(contribution(pre, post))
        KnowledgeScore.objects.bulk_create(new, batch_size=1000)
        _rollup_add(changes)
    return changed + len(new)
