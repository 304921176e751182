"""The base template, the language switch, accounts, roles and the security headers."""

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders

from lms.roles import ADMIN, CADRE, TRAINER

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(db):
    from content.demo import load_site

    list(load_site())


def test_home_page_is_vietnamese_by_default(client, home):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html  # "Log in"
    assert "Chuyển đến nội dung" in html  # the skip link


def test_english_is_switchable_from_any_page(client, home):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    # and back
    response = client.post("/i18n/setlang/", {"language": "vi", "next": "/"}, follow=True)
    assert '<html lang="vi">' in response.content.decode()


def test_page_loads_nothing_from_another_host(client, home):
    html = client.get("/").content.decode()
    external = re.findall(r'(?:src|href|action)="(https?:)?//[^"]+"', html)
    assert external == []


def test_css_and_js_of_a_page_fit_in_50_kb_gzipped(client, home):
    html = client.get("/").content.decode()
    assets = re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
    assert assets, "the page should link its stylesheet"
    total = 0
    for asset in assets:
        path = finders.find(asset)
        total += len(gzip.compress(Path(path).read_bytes()))
    assert total <= 50 * 1024


def test_security_headers(client, home):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] in {"DENY", "SAMEORIGIN"}
    assert response["X-Content-Type-Options"] == "nosniff"


def test_role_groups_exist_with_admin_access_for_trainers_and_admins(db):
    names = set(Group.objects.values_list("name", flat=True))
    assert {CADRE, TRAINER, ADMIN} <= names
    for role in (TRAINER, ADMIN):
        assert Group.objects.get(name=role).permissions.filter(codename="access_admin").exists()
    assert not Group.objects.get(name=CADRE).permissions.filter(codename="access_admin").exists()


def test_login_and_logout(client, django_user_model, home):
    from courses.registry.privacy import notice_accept

    # Accepted the privacy notice already (else the home page sends them to it first).
    notice_accept(user=django_user_model.objects.create_user("can_bo", password="mat-khau-dai-1"))
    response = client.post("/accounts/login/", {"username": "can_bo", "password": "mat-khau-dai-1"})
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_login_brute_force_is_throttled(client, django_user_model, settings, home):
    settings.LOGIN_RATE_LIMIT = 3
    django_user_model.objects.create_user("can_bo", password="mat-khau-dai-1")
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "can_bo", "password": "sai"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "can_bo", "password": "mat-khau-dai-1"})
    assert response.status_code == 429
    assert "Quá nhiều lần đăng nhập" in response.content.decode()


def test_password_reset_sends_an_email(client, django_user_model, mailoutbox, home, tasks_inline):
    django_user_model.objects.create_user("can_bo", email="canbo@example.org", password="x-12345-y")
    response = client.post("/accounts/password/reset/", {"email": "canbo@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/" in mailoutbox[0].body


def test_password_change_requires_login(client, home):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_wagtail_admin_login_goes_through_the_throttled_login(client, home):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_check_deploy_is_clean_with_production_variables():
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY="x" * 20 + "-production-like-secret-key-with-enough-entropy-9f8e7d6c5b4a",
        ALLOWED_HOSTS="lms.example.org",
        SECURE_SSL_REDIRECT="1",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_PRELOAD="1",
        REQUIRE_SECRET_KEY="1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_compose_file_validates():
    import shutil

    if not shutil.which("docker-compose"):
        if os.environ.get("CI"):
            pytest.fail("docker-compose must be installed in CI (.ci/run installs it)")
        pytest.skip("docker-compose is not installed")
    env = dict(os.environ, SECRET_KEY="compose-config-check")
    result = subprocess.run(
        ["docker-compose", "-f", "docker/compose.yaml", "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_browser_language_does_not_override_vietnamese(client, home):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html


def test_language_switch_shows_each_language_in_its_own_name(client, home):
    html = client.get("/").content.decode()
    assert ">English</button>" in html
