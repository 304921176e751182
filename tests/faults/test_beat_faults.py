"""Beat outlives a Redis outage: it keeps its schedule and publishes again once Redis is back,
without a restart (the periodic re-queue of certificates depends on it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, wait_for
from tests.faults.conftest import fault_env

pytestmark = [pytest.mark.fault, pytest.mark.timeout(240)]


def test_beat_reconnects_after_redis_was_down_and_sends_its_tasks_again(
    private_redis, settings, tmp_path
):
    env = fault_env(private_redis.url, settings)
    log_path = tmp_path / "beat.log"
    with log_path.open("wb") as log:
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "lms", "beat", "--loglevel=INFO",
             "-s", str(tmp_path / "schedule")],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_for(lambda: "beat: Starting" in log_path.read_text(errors="replace"), timeout=60,
                 message="beat did not start")  # fmt: skip
        private_redis.stop()
        time.sleep(20)
        private_redis.start()  # empty: whatever beat sends now arrives after the outage
        queue = private_redis.client()
        # The heartbeat is due every 60 s: it reaches the default queue once beat is back.
        wait_for(lambda: queue.llen("celery") > 0, timeout=150,
                 message="beat sent nothing after Redis came back")  # fmt: skip
        assert beat.poll() is None, "beat exited:\n" + log_path.read_text(errors="replace")
        assert "worker_heartbeat" in log_path.read_text(errors="replace")
    finally:
        if beat.poll() is None:
            os.killpg(beat.pid, signal.SIGTERM)
            beat.wait(timeout=20)
