"""The world of the security tests (tests/security/world.py).

- `world`: built for one test, in that test's transaction;
- `matrix_walk`: built once per session in a transaction that is rolled back, and walked: every
  GET case of the authorisation matrix as every role, each response reduced to what the checks
  need (outcome, leaked people, HTML markers, formula cells). The matrix
  (test_authz_matrix.py) and the escaping and export checks (test_web_security.py) read it.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from tests.security.world import World, world_build


@contextmanager
def built_world(media_root):
    """The world, with tasks run inline while it is built (certificates and exports)."""
    from django.test import TestCase, override_settings

    from lms.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        with override_settings(
            MEDIA_ROOT=media_root, PRIVATE_MEDIA_ROOT=media_root.parent / "private"
        ):
            with TestCase.captureOnCommitCallbacks(execute=True):
                built = world_build()
            for _label, obj in built.objects:
                if hasattr(obj, "refresh_from_db"):
                    obj.refresh_from_db()
            yield built
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def world(db, tmp_path) -> World:
    with built_world(tmp_path / "media") as built:
        yield built


@dataclass
class Record:
    """One request of the walk, reduced to what the checks read."""

    route: str
    path: str
    method: str
    role: str
    outcome: int | str
    expected: set
    content_type: str = ""
    leaks: list = field(default_factory=list)
    served_forbidden: bool = False
    raw_html_marker: bool = False  # the HTML marker arrived as markup
    escaped_html_marker: bool = False  # ... or escaped: the page shows the name
    cells: int = 0  # cells of a CSV/XLSX export
    formula_cells: list = field(default_factory=list)  # cells a spreadsheet would run
    neutralised_cells: int = 0  # cells starting with ' and then = + - @
    headers: dict = field(default_factory=dict)  # the security headers sent
    seconds: float = 0.0


@dataclass
class Walk:
    records: list[Record]
    texts: dict  # (path, role) -> text, for the few pages the positive controls read
    missing: list = field(default_factory=list)  # patterns without an expectation
    unreal: list = field(default_factory=list)  # patterns probed with no real id

    def text(self, path: str, role: str) -> str:
        return self.texts[(path, role)]


# The pages whose whole text the positive controls read.
KEEP_TEXT = {
    "/admin/registry/cadres/", "/admin/registry/cadres/?export=csv", "/admin/reports/site-history/",
}  # fmt: skip


@pytest.fixture(scope="session")
def matrix_walk(django_db_setup, django_db_blocker, tmp_path_factory) -> Walk:
    """Every GET case of the matrix, as every role, once per session, in the marked world."""
    from unittest import mock

    from django.core.cache import cache
    from django.db import transaction
    from django.test import override_settings

    from lms import health
    from tests.security.test_authz_matrix import walk_matrix

    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with django_db_blocker.unblock():
        from django.conf import settings

        storages = {**settings.STORAGES, "staticfiles": static}
        cache.clear()
        # Every role asks for the same pages from one address: the verification throttle
        # (tested in tests/certificates) would answer 429; /healthz would wait a second for
        # workers that are not there, for each role.
        with (
            override_settings(STORAGES=storages, CERTIFICATE_VERIFY_RATE="100000/m"),
            mock.patch.object(health, "BROKER_TIMEOUT", 0.05),
            transaction.atomic(),
        ):
            with built_world(tmp_path_factory.mktemp("matrix") / "media") as built:
                walk = walk_matrix(built, keep_text=KEEP_TEXT)
            transaction.set_rollback(True)
        cache.clear()
    return walk
