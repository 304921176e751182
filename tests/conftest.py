"""Fixtures shared by the whole suite.

The page tree is built here (not from the demo data); real Celery worker processes are
started against the test database when REDIS_URL and PostgreSQL are configured.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests do not run collectstatic: serve static names without the hashed manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path_factory):
    """Certificates, exports and uploaded imports go to a folder of the test's own, never to
    the worktree's ./private."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path_factory.mktemp("private")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache, and /healthz keeps the readiness it last saw in
    the process; each test starts with neither."""
    from lms.health import readiness_clear

    cache.clear()
    readiness_clear()
    yield
    cache.clear()
    readiness_clear()


def uses_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def real_services_available() -> bool:
    return bool(settings.REDIS_URL) and uses_postgres()


def require_real_services(what: str) -> None:
    """Skip on a laptop without PostgreSQL and Redis; in CI a skip would hide a gap: fail."""
    if real_services_available():
        return
    message = f"{what} needs DATABASE_URL (PostgreSQL) and REDIS_URL"
    if os.environ.get("CI"):
        pytest.fail(message + " - CI must provide both")
    pytest.skip(message)


def require_postgres(what: str) -> None:
    if uses_postgres():
        return
    message = f"{what} needs PostgreSQL (DATABASE_URL)"
    if os.environ.get("CI"):
        pytest.fail(message + " - CI must provide it")
    pytest.skip(message)


def test_database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class WorkerProcess:
    """A real `celery worker` process reading the real Redis queues, on the test database."""

    def __init__(
        self,
        *,
        concurrency: int = 2,
        queues: str = "celery,certificates",
        broker_url: str | None = None,
        extra_env: dict[str, str] | None = None,
    ):
        self.concurrency = concurrency
        self.queues = queues
        # The fault tests point a worker at their own private Redis (never the shared one).
        self.broker_url = broker_url
        self.extra_env = extra_env or {}
        self.node = f"test-{uuid.uuid4().hex[:8]}@127.0.0.1"
        self.proc: subprocess.Popen | None = None
        self.log_path = ROOT / ".pytest_cache" / f"worker-{self.node.split('@')[0]}.log"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DATABASE_URL"] = test_database_url()
        env["REDIS_URL"] = self.broker_url or settings.REDIS_URL
        env["DJANGO_SETTINGS_MODULE"] = "lms.settings"
        # The test process's key (pyproject's [tool.pytest_env]): the worker refuses to start
        # without one, and signs and checks what the tests do with the same.
        env["SECRET_KEY"] = settings.SECRET_KEY
        env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
        env["PRIVATE_MEDIA_ROOT"] = str(settings.PRIVATE_MEDIA_ROOT)
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60) -> WorkerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "lms",
                "worker",
                "-Q",
                self.queues,
                "-c",
                str(self.concurrency),
                "-n",
                self.node,
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        from lms.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early, see {self.log_path}")
            replies = self.ping(app)
            if replies:
                return
            time.sleep(0.3)
        raise RuntimeError(f"worker did not answer within {timeout}s, see {self.log_path}")

    def ping(self, app) -> list:
        if self.broker_url:
            # A private broker: the worker's own log says when it is ready.
            log = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
            return [self.node] if f"{self.node} ready." in log else []
        return app.control.ping(destination=[f"celery@{self.node}", self.node], timeout=0.5)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig: int) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        import signal

        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real worker process for one test; the test's data must be committed to be seen."""
    require_real_services("the real-worker test")
    worker = WorkerProcess().start()
    try:
        yield worker
    finally:
        worker.stop()


@contextmanager
def celery_inline():
    """Celery tasks run inline in the test process, even with REDIS_URL set (as in CI), so a
    test sees their effect without a worker."""
    from lms.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.2, message: str = ""):
    """Poll until predicate() is truthy; return its value or fail the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(message or f"condition not met within {timeout}s")


def pytest_collection_modifyitems(config, items):
    """Every transactional test restores the migrated baseline (root page, role groups,
    workflow, indicators) with a serialized rollback.

    A transactional test empties every table when it ends. Without the serialized rollback,
    the data the migrations created would be gone for the next transactional test, and
    mixing the two kinds makes the content types clash. So all of them use it.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        if "celery_worker_process" in fixtures and not item.get_closest_marker("worker"):
            item.add_marker(pytest.mark.worker)
        transactional = "transactional_db" in fixtures or "live_server" in fixtures
        if marker is not None:
            transactional = transactional or marker.kwargs.get("transaction", False)
            if transactional and not marker.kwargs.get("serialized_rollback"):
                kwargs = {**marker.kwargs, "transaction": True, "serialized_rollback": True}
                item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)
        elif transactional:
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


_REAL_SERVICE_MARKERS = ("worker", "postgres", "fault", "browser")


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        keywords = report.keywords
        marks = [m for m in _REAL_SERVICE_MARKERS if m in keywords]
        if marks:
            _real_service_results.append((report.nodeid, ",".join(marks), report.outcome))


_real_service_results: list[tuple[str, str, str]] = []


def pytest_terminal_summary(terminalreporter):
    """Name every test that used real services (worker, PostgreSQL, faults, browser) and how
    it ended, so a CI log shows that the queue tests really ran."""
    if not _real_service_results:
        return
    terminalreporter.section("tests against real services")
    for nodeid, marks, outcome in _real_service_results:
        terminalreporter.write_line(f"{outcome.upper():8s} [{marks}] {nodeid}")


@pytest.fixture
def tasks_inline():
    """Celery tasks run inline in the test process, even with REDIS_URL set (as in CI)."""
    with celery_inline():
        yield
