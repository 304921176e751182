"""Fault tests: real processes on 127.0.0.1 that the tests start, break and stop themselves.

The machine's shared Redis and PostgreSQL are never stopped (teammates and CI use them): each
test starts a PRIVATE redis-server on a free port, Celery workers pointed at it, and Django
subprocesses (`manage.py ...`) on the test database. Every process is bounded in time and is
stopped by the fixture, whatever the test's outcome.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, WorkerProcess, require_postgres, test_database_url

pytestmark = pytest.mark.fault


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.fault)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own, on a free loopback port, with no persistence."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.proc: subprocess.Popen | None = None
        self.log_path = folder / f"redis-{self.port}.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15) -> PrivateRedis:
        binary = shutil.which("redis-server")
        if binary is None:
            message = "the fault tests need redis-server (apt-get install redis-server)"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--logfile",
                str(self.log_path),
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ping():
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited, see {self.log_path}")
            time.sleep(0.1)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # an outage, not a clean shutdown
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def workers(private_redis, settings, tmp_path):
    """Start workers on the private Redis with workers.start(); all are stopped at the end."""
    started: list[WorkerProcess] = []

    class Workers:
        def start(self, **kwargs) -> WorkerProcess:
            worker = WorkerProcess(broker_url=private_redis.url, **kwargs)
            started.append(worker)
            return worker.start()

    try:
        yield Workers()
    finally:
        for worker in started:
            worker.stop()


def fault_env(broker_url: str, settings, **extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=test_database_url(),
        REDIS_URL=broker_url,
        DJANGO_SETTINGS_MODULE="lms.settings",
        SECRET_KEY=settings.SECRET_KEY,  # the processes refuse to start without a key
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PRIVATE_MEDIA_ROOT=str(settings.PRIVATE_MEDIA_ROOT),
    )
    env.update(extra)
    return env


def django_run(code: str, env: dict, *, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run Python code in a fresh Django process (its own connections, its own broker)."""
    script = "import django; django.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def manage(args: list[str], env: dict, *, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


@pytest.fixture
def fault_ready(transactional_db, settings, tmp_path):
    """PostgreSQL is needed (separate processes share the test database)."""
    require_postgres("the fault tests")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings
