"""Real-browser journeys: Playwright driving Debian's Chromium against pytest-django's
live server (a real HTTP server thread on 127.0.0.1, on the test database).

- Chromium is never downloaded (`playwright install` is not used): it is /usr/bin/chromium,
  which .ci/run installs with apt. Without it the journeys skip locally and FAIL under CI=true.
- Each step of a journey is saved as tests/browser/screenshots/<journey>/<nn>-<step>.png.
- The journeys are transactional with serialized rollback, so the data the migrations made
  (role groups, Wagtail's root page, the moderation workflow, the indicators) is back for each.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "mat-khau-dai-123"  # the builders' password


def chromium_executable() -> str:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser(django_db_setup):
    if not chromium_available():
        message = f"the browser journeys need Debian's Chromium at {CHROMIUM}"
        if os.environ.get("CI"):
            pytest.fail(message + " - .ci/run installs it (apt-get install chromium)")
        pytest.skip(message + " (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    # Playwright's sync API keeps an event loop running in the test's thread; Django's ORM,
    # called from that thread (the test's data, the database set-up and flush between tests)
    # would otherwise refuse to run ("async context"). Set for this module only, so that
    # nothing outside the journeys (e.g. `check --deploy` subprocesses) inherits it.
    # While Playwright's loop runs, Django's connections (asgiref Local) resolve to other
    # connection objects than the thread's: they must carry the serialized baseline too, or
    # the serialized rollback between journeys restores nothing.
    from django.db import connections

    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            for alias, contents in serialized.items():
                if contents is not None:
                    connections[alias]._test_serialized_contents = contents
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                yield launched
            finally:
                launched.close()


class Person:
    """One person's browser context (own cookies) inside a journey."""

    def __init__(self, journey: Journey, *, viewport=None):
        self.journey = journey
        self.context = journey.browser.new_context(
            viewport=viewport or DESKTOP,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            accept_downloads=True,
        )
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.page.on("request", journey.watch_request)
        self.page.on(
            "console",
            lambda msg: journey.console_errors.append(msg.text) if msg.type == "error" else None,
        )

    def url(self, path: str) -> str:
        return self.journey.base + path

    def goto(self, path: str):
        return self.page.goto(self.url(path))

    def shot(self, step: str) -> Path:
        return self.journey.shot(step, page=self.page)

    def login(self, username: str, password: str = PASSWORD, *, next_path: str = "/learn/"):
        self.goto(f"/accounts/login/?next={next_path}")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.shot(f"login {username}")
        with self.page.expect_navigation():
            self.page.locator("form:has(input[name=password]) [type=submit]").click()
        assert "/accounts/login/" not in self.page.url, f"{username} could not log in"

    def get(self, path: str):
        """A request with this person's cookies (no page load), e.g. for JSON or a PDF."""
        return self.context.request.get(self.url(path))


class Journey:
    """A named journey: its people and its numbered screenshots."""

    def __init__(self, browser, name: str, base_url: str):
        self.browser = browser
        self.name = name
        self.base = base_url.rstrip("/")
        self.folder = SCREENSHOTS / name
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.step = 0
        self.people: list[Person] = []
        self.console_errors: list[str] = []
        self.requests_elsewhere: list[str] = []
        self.last_page = None

    def watch_request(self, request) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        if not url.startswith(self.base):
            self.requests_elsewhere.append(url)

    def csp_violations(self) -> list[str]:
        return [e for e in self.console_errors if "Content Security Policy" in e]

    def person(self, *, viewport=None) -> Person:
        someone = Person(self, viewport=viewport)
        self.people.append(someone)
        return someone

    def shot(self, step: str, *, page) -> Path:
        self.step += 1
        self.last_page = page
        ascii_step = "".join(
            ch
            for ch in unicodedata.normalize("NFD", step.replace("đ", "d").replace("Đ", "D"))
            if not unicodedata.combining(ch)
        )
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_step.lower()).strip("-")
        path = self.folder / f"{self.step:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        for someone in self.people:
            someone.context.close()


@pytest.fixture
def journey(request, browser, live_server):
    """journey(name) starts a journey; journey.person(viewport=...) opens a browser context."""
    opened: list[Journey] = []

    def open_journey(name: str) -> Journey:
        j = Journey(browser, name, live_server.url)
        opened.append(j)
        return j

    yield open_journey
    failed = getattr(getattr(request.node, "rep_call", None), "failed", False)
    for j in opened:
        if failed and j.last_page is not None:
            # A last screenshot must not hide the failure itself.
            with contextlib.suppress(Exception):
                j.shot("failure", page=j.last_page)
        j.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
