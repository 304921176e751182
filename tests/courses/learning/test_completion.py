"""The completion engine: two threads completing the same enrolment count it once
(PostgreSQL)."""

import threading

import pytest
from django.db import connection

from courses.counters.models import Achievement
from courses.learning.completion import enrolment_complete
from courses.learning.services import enrolment_create
from tests.builders import make_cadre, make_course
from tests.conftest import require_postgres

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_completing_the_same_enrolment_count_once():
    require_postgres("the concurrent completion test")
    from courses.counters.models import Indicator

    Indicator.objects.get_or_create(
        code="CADRES_TRAINED", defaults={"name": "Cán bộ được tập huấn", "unit": "people"}
    )
    tree = make_course()
    cadre = make_cadre(level="commune", target_group="key_cadre")
    enrolment, _ = enrolment_create(cadre=cadre, course=tree.course)
    barrier = threading.Barrier(2)
    results = []

    def complete():
        try:
            barrier.wait(timeout=10)
            results.append(enrolment_complete(enrolment=enrolment, via="online"))
        finally:
            connection.close()

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == [False, True]
    assert Achievement.objects.filter(cadre=cadre, indicator__code="CADRES_TRAINED").count() == 1
    from courses.counters.models import CounterCell

    assert sum(CounterCell.objects.values_list("value", flat=True)) == 1
