"""The public development SECRET_KEY starts nothing but development.

Without SECRET_KEY the settings fall back to a key written in lms/settings.py; anyone could
sign sessions and reset links with it. Every process (gunicorn, Celery, manage.py) refuses it
unless DEBUG=1, which `make run` sets; the image build runs its manage.py steps with a key of
their own instead of that one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage_check(**env_changes: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    for name in ("SECRET_KEY", "DEBUG", "REQUIRE_SECRET_KEY"):
        env.pop(name, None)
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("debug", [None, "0", "false"])
def test_without_a_secret_key_nothing_starts_unless_debug(debug):
    refused = manage_check(DEBUG=debug)
    assert refused.returncode != 0
    assert "Chưa đặt SECRET_KEY" in refused.stderr  # says what to do, in Vietnamese first
    assert "DEBUG=1" in refused.stderr
    # Development starts on the development key; REQUIRE_SECRET_KEY=1 refuses it even then.
    assert manage_check(DEBUG="1").returncode == 0
    assert manage_check(DEBUG="1", REQUIRE_SECRET_KEY="1").returncode != 0


def dockerfile_runs() -> list[str]:
    """The shell commands of the Dockerfile's RUN instructions (continuations joined)."""
    text = (ROOT / "docker" / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)
    return [line[4:] for line in text.splitlines() if line.startswith("RUN ")]


def test_every_manage_py_step_of_the_image_build_has_a_build_key(tmp_path):
    """Runs the build's RUN commands with stand-ins for python, mkdir and chown that only
    write down the SECRET_KEY and DEBUG each manage.py step would see."""
    log = tmp_path / "calls.log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(
        '#!/bin/sh\necho "SECRET_KEY=${SECRET_KEY:-unset} DEBUG=${DEBUG:-unset} $*" >> "$LOG"\n'
    )
    for tool in ("mkdir", "chown", "pip", "apt-get", "rm", "groupadd", "useradd"):
        (bin_dir / tool).write_text("#!/bin/sh\nexit 0\n")
    for stub in bin_dir.iterdir():
        stub.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "LOG": str(log)}
    steps = [run for run in dockerfile_runs() if "manage.py" in run]
    assert steps, "the image build runs collectstatic and compilemessages"
    for run in steps:
        subprocess.run(["sh", "-c", run], env=env, check=True, timeout=30)
    calls = log.read_text().splitlines()
    assert any("collectstatic" in call for call in calls)
    assert any("compilemessages" in call for call in calls)
    for call in calls:
        assert "SECRET_KEY=unset" not in call, call
        assert "DEBUG=0" in call, call
