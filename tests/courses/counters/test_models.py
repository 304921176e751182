"""The indicators the migrations seed, with their targets."""

import pytest

from courses.counters.models import Indicator

pytestmark = pytest.mark.django_db


def test_the_seven_indicators_are_seeded_with_their_targets(db):
    targets = dict(Indicator.objects.values_list("code", "target"))
    assert targets == {
        "CADRES_TRAINED": 40000,
        "VILLAGE_HEADS_TRAINED": None,
        "SESSIONS_DISTRICT_COMMUNE": 480,
        "SESSIONS_VILLAGE": 1600,
        "SESSIONS_ME": 1600,
        "ME_PARTICIPANTS": None,
        "CERTIFIED_LEARNERS": None,
    }
    assert Indicator.objects.get(code="VILLAGE_HEADS_TRAINED").target_percent == 100
