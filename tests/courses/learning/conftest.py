"""A course tree for the learning tests."""

import pytest

from tests.builders import make_course


@pytest.fixture
def tree():
    return make_course(title="Kiến thức cơ bản về bình đẳng giới")
