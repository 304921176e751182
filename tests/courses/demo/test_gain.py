"""The demo records pre- and post-test scores on its attendance sheets: the knowledge gain by
sex and by ethnicity that the rollup gives equals a recomputation from the individual scores,
and the dashboard shows it with the number of learners behind each figure."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from courses.counters import services as svc
from courses.counters.gain import knowledge_gain_drift
from courses.counters.gain_selectors import knowledge_gain
from courses.sessions.models import Attendance, SessionStatus
from tests.builders import make_user

pytestmark = pytest.mark.django_db


def _round(value: Fraction, places: int) -> float:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def _recomputed(column: str) -> dict:
    """Means per group straight from the attendance sheets: people present at held sessions
    with both scores."""
    rows = Attendance.objects.filter(
        present=True, session__status=SessionStatus.HELD, pre_test_score__isnull=False,
        post_test_score__isnull=False,
    ).values_list(f"cadre__{column}", "pre_test_score", "post_test_score")  # fmt: skip
    groups: dict[str, list] = {}
    for key, pre, post in rows:
        groups.setdefault(key, []).append((pre, post))
    out = {}
    for key, scores in groups.items():
        n = len(scores)
        norm = [Fraction(q - p, 100 - p) for p, q in scores if p < 100]
        out[key] = {
            "learners": n,
            "pre_mean": _round(Fraction(sum(p for p, _ in scores), n), 1),
            "post_mean": _round(Fraction(sum(q for _, q in scores), n), 1),
            "gain_mean": _round(Fraction(sum(q - p for p, q in scores), n), 1),
            "normalised_gain_mean": _round(sum(norm) / len(norm), 3) if norm else None,
        }
    return out


def test_the_demo_gain_by_sex_and_ethnicity_equals_the_recomputation(demo_courses, client):
    from certificates.demo import load_programme_history

    svc.indicator_cache_clear()
    list(load_programme_history(scale=0.1, report=False))
    assert knowledge_gain_drift() == []
    for by in ("sex", "ethnicity"):
        expected = _recomputed(by)
        assert sum(g["learners"] for g in expected.values()) > 50
        got = {
            g.key: {k: v for k, v in g.as_dict().items() if k in expected[g.key]}
            for g in knowledge_gain(scope_province=None, by=by)["groups"]
            if g.sums.learners
        }
        assert got == expected
    missing = Attendance.objects.filter(
        present=True, session__status=SessionStatus.HELD, pre_test_score__isnull=True,
        post_test_score__isnull=False,
    ).count()  # fmt: skip
    assert knowledge_gain(scope_province=None)["total"].sums.missing_pre == missing > 0
    client.force_login(make_user(role="Admin"))
    page = client.get(reverse("counters_dashboard")).content.decode()
    assert "Mức tăng kiến thức theo giới tính" in page
    female = next(g for g in knowledge_gain(scope_province=None, by="sex")["groups"]
                  if g.key == "female")  # fmt: skip
    assert f"<td>{female.sums.learners}</td>" in page
