"""The registry world (tests.builders.make_registry_world) for the registry tests."""

import pytest

from tests.builders import make_registry_world


@pytest.fixture
def world(db):
    return make_registry_world()
