"""The sessions world (tests.builders.make_sessions_world), a trainer and their session, for
the session, attendance and import tests."""

import pytest

from tests.builders import make_session, make_sessions_world, make_user


@pytest.fixture
def world(db):
    return make_sessions_world()


@pytest.fixture
def trainer(db):
    return make_user("giang_vien", role="Trainer")


@pytest.fixture
def session(world, trainer):
    return make_session(
        course=world.in_person, unit=world.lao_cai.commune, trainers=[trainer],
        title="Tập huấn lồng ghép giới xã Bản Lầu", venue="Nhà văn hóa xã",
    )  # fmt: skip
