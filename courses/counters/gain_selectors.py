"""Reading the knowledge-gain figures: means from the sums of the rollup (GainRollup), never
from the attempts or the attendance.

Per learner, the gain is post - pre and the normalised gain (post - pre) / (100 - pre),
undefined for a pre-test score of 100 (those learners count in the other means, not in the
normalised one). A group's mean is its sum over its count. Everything but one session reads
the rollup, one SUM ... GROUP BY statement over rows bounded by courses x provinces x levels
x sexes x ethnicities x target groups; one session's figures (for its trainer) read that
session's score rows, bounded by the session's size.

Scope: `scope_province` is the 2025 province a province admin is limited to (None: the
whole country), applied whatever the filters say. Small cells: a group of fewer than
SMALL_CELL learners is published without its means and as "< 10" (`public_groups`), so no
one's scores can be read off a small group.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Sum

from courses.counters.models import GAIN_SUMS, GainRollup, KnowledgeScore
from courses.counters.selectors import SMALL_CELL, unit_names
from courses.registry.models import Ethnicity, Level, Sex, TargetGroup, UnitStructure
from lms.cache import generation
from lms.roles import is_admin

GAIN_GENERATION = "gain:generation"
MILLION = 1_000_000
CACHE_SECONDS = 600
# The breakdowns of the API and the command, and the rollup column each reads.
GAIN_BREAKDOWNS = {
    "sex": "sex",
    "ethnicity": "ethnicity",
    "level": "level",
    "province": "province_2025",
    "course": "course_id",
    "target_group": "target_group",
}


def normalised_gain_millionths(pre: int, post: int) -> int | None:
    """(post - pre) / (100 - pre) in millionths, rounded half away from zero; None when the
    pre-test score is 100 (no room to gain: undefined, left out of the normalised mean)."""
    if pre >= 100:
        return None
    value = Decimal(post - pre) * MILLION / Decimal(100 - pre)
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


@dataclass(frozen=True)
class Contribution:
    """What one score row adds to its rollup row (or, summed, what a group holds)."""

    learners: int = 0
    pre_sum: int = 0
    post_sum: int = 0
    gain_sum: int = 0
    normalised_count: int = 0
    normalised_sum: int = 0
    missing_pre: int = 0
    missing_post: int = 0

    def values(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in GAIN_SUMS)

    def plus(self, other: Contribution) -> Contribution:
        return Contribution(*(a + b for a, b in zip(self.values(), other.values(), strict=True)))

    def minus(self, other: Contribution) -> Contribution:
        return Contribution(*(a - b for a, b in zip(self.values(), other.values(), strict=True)))


NOTHING = Contribution()


def contribution(pre: int | None, post: int | None) -> Contribution:
    """One learner's part: both scores make a learner; a post-test score alone is a missing
    pre-test (reported, never guessed); a pre-test score alone awaits its post-test."""
    if pre is None and post is None:
        return NOTHING
    if pre is None:
        return Contribution(missing_pre=1)
    if post is None:
        return Contribution(missing_post=1)
    normalised = normalised_gain_millionths(pre, post)
    return Contribution(
        learners=1,
        pre_sum=pre,
        post_sum=post,
        gain_sum=post - pre,
        normalised_count=0 if normalised is None else 1,
        normalised_sum=normalised or 0,
    )


def _mean(total: int, count: int, places: int) -> float | None:
    if not count:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float((Decimal(total) / Decimal(count)).quantize(quantum, ROUND_HALF_UP))


@dataclass(frozen=True)
class GainGroup:
    key: str
    label: str
    sums: Contribution

    def as_dict(self) -> dict:
        s = self.sums
        return {
            "key": self.key,
            "label": self.label,
            "learners": s.learners,
            "pre_mean": _mean(s.pre_sum, s.learners, 1),
            "post_mean": _mean(s.post_sum, s.learners, 1),
            "gain_mean": _mean(s.gain_sum, s.learners, 1),
            "normalised_gain_mean": _mean(s.normalised_sum, s.normalised_count * MILLION, 3),
            "normalised_learners": s.normalised_count,
            "missing_pre": s.missing_pre,
            "missing_post": s.missing_post,
        }


@dataclass(frozen=True)
class GainFilters:
    course_id: int | None = None
    province: str = ""  # a 2025 province code
    session_id: int | None = None


def gain_generation() -> int:
    return generation(GAIN_GENERATION)


def _labels(column: str, keys: set[str]) -> dict[str, str]:
    if column == "sex":
        return {k: str(v) for k, v in Sex.choices}
    if column == "ethnicity":
        return {k: str(v) for k, v in Ethnicity.choices}
    if column == "level":
        return {k: str(v) for k, v in Level.choices}
    if column == "target_group":
        return {k: str(v) for k, v in TargetGroup.choices}
    if column == "province_2025":
        return unit_names(structure=UnitStructure.S2025, codes={k for k in keys if k})
    if column == "course_id":
        course = KnowledgeScore._meta.get_field("course").related_model
        ids = [int(k) for k in keys if k]
        return {str(pk): title for pk, title in course.objects.filter(pk__in=ids)
                .values_list("pk", "title")}  # fmt: skip
    return {}


def _rows(*, scope_province: str | None, filters: GainFilters, column: str | None):
    """(group key, Contribution) pairs: the rollup summed by `column`, or one session's score
    rows."""
    if filters.session_id is not None:
        scores = KnowledgeScore.objects.filter(session_id=filters.session_id)
        if filters.course_id is not None:
            scores = scores.filter(course_id=filters.course_id)
        names = [column] if column else []
        for *key, pre, post in scores.values_list(*names, "pre", "post").order_by():
            yield (str(key[0]) if key else ""), contribution(pre, post)
        return
    rows = GainRollup.objects.all()
    province = scope_province or filters.province
    if scope_province and filters.province and filters.province != scope_province:
        return
    if province:
        rows = rows.filter(province_2025=province)
    if filters.course_id is not None:
        rows = rows.filter(course_id=filters.course_id)
    names = [column] if column else []
    sums = {name: Sum(name) for name in GAIN_SUMS}
    query = rows.values(*names).annotate(**sums).values_list(*names, *GAIN_SUMS).order_by()
    for row in query:
        key = str(row[0]) if column else ""
        yield key, Contribution(*(value or 0 for value in row[len(names) :]))


def knowledge_gain(
    *, scope_province: str | None, filters: GainFilters | None = None, by: str | None = None
) -> dict:
    """{"total": group, "groups": [group, ...]} with each group's sums (GainGroup), exact
    (no suppression: see public_groups). `by` one of GAIN_BREAKDOWNS. Cached under the gain
    generation, which moves on after every committed score change."""
    filters = filters or GainFilters()
    column = GAIN_BREAKDOWNS.get(by) if by else None
    key = "gain:figures:" + hashlib.sha256(
        repr((gain_generation(), scope_province, sorted(asdict(filters).items()), column))
        .encode()
    ).hexdigest()  # fmt: skip
    result = cache.get(key)
    if result is None:
        groups: dict[str, Contribution] = {}
        for group, sums in _rows(scope_province=scope_province, filters=filters, column=column):
            groups[group] = groups.get(group, NOTHING).plus(sums)
        total = NOTHING
        for sums in groups.values():
            total = total.plus(sums)
        labels = _labels(column, set(groups)) if column else {}
        result = {
            "total": GainGroup(key="", label="", sums=total),
            "groups": [
                GainGroup(key=k, label=labels.get(k, k) or "—", sums=v)
                for k, v in sorted(groups.items())
                if v != NOTHING
            ],
        }
        cache.set(key, result, CACHE_SECONDS)
    return result


def public_group(group: GainGroup) -> dict:
    """A group as it may be published: a group of fewer than SMALL_CELL learners shows no
    means and its learners as None ("< 10"); the missing-score counts are kept only when the
    group is shown."""
    data = group.as_dict()
    if group.sums.learners < SMALL_CELL:
        data.update(
            learners=None, pre_mean=None, post_mean=None, gain_mean=None,
            normalised_gain_mean=None, normalised_learners=None, suppressed=True,
        )  # fmt: skip
        if group.sums.missing_pre < SMALL_CELL:
            data["missing_pre"] = None
        if group.sums.missing_post < SMALL_CELL:
            data["missing_post"] = None
    else:
        data["suppressed"] = False
    return data


def knowledge_gain_public(
    *, scope_province: str | None, filters: GainFilters | None = None, by: str | None = None
) -> dict:
    """The figures of knowledge_gain, with small-cell suppression: what the API, the command,
    the dashboard and the exports publish."""
    result = knowledge_gain(scope_province=scope_province, filters=filters, by=by)
    return {
        "by": by or "",
        "small_cell": SMALL_CELL,
        "total": public_group(result["total"]),
        "groups": [public_group(group) for group in result["groups"]],
    }


def gain_course_id(*, slug: str) -> int | None:
    """The course with this slug (None if there is none)."""
    course = KnowledgeScore._meta.get_field("course").related_model
    return course.objects.filter(slug=slug).values_list("pk", flat=True).first()


def gain_session_for(*, user, code: str, scope_province: str | None) -> int | None:
    """The session with this code if `user` may read its figures: a central admin any, a
    province admin those held in their province, a trainer those they run. None otherwise
    (the same answer whether the session exists or not)."""
    session = KnowledgeScore._meta.get_field("session").related_model
    sessions = session.objects.filter(code=code)
    if not is_admin(user):
        sessions = sessions.filter(trainers=user)
    elif scope_province:
        sessions = sessions.filter(province_2025=scope_province)
    return sessions.values_list("pk", flat=True).first()
