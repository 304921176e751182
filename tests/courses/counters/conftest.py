"""The counters world (tests.builders.make_counters_world) for the counter tests."""

import pytest

from tests.builders import make_counters_world


@pytest.fixture
def world(db):
    return make_counters_world()
