"""`make run PORT=8811` serves on 8811, and the site's own address (certificates' QR codes,
e-mails) follows it unless SITE_URL is set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def site_url(**variables) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "PORT")}
    env.update(DEBUG="1", **variables)
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "lms.settings"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8811"}, "http://127.0.0.1:8811"),
        ({"HOST": "0.0.0.0", "PORT": "8811"}, "http://127.0.0.1:8811"),  # noqa: S104
        ({"HOST": "localhost", "PORT": "9000"}, "http://localhost:9000"),
        ({"PORT": "8811", "SITE_URL": "https://daotao.example.vn/"}, "https://daotao.example.vn"),
    ],
)
def test_the_site_url_follows_the_served_address(variables, expected):
    assert site_url(**variables) == expected


def test_the_makefile_hands_host_and_port_to_the_settings_and_the_readme_says_so():
    makefile = (ROOT / "Makefile").read_text()
    assert "export HOST PORT" in makefile
    assert "runserver $(HOST):$(PORT)" in makefile
    head = "\n".join((ROOT / "README.md").read_text().splitlines()[:20])
    assert "make run PORT=8811" in head and "HOST" in head
