"""No critical or serious accessibility violation on the public, learner, trainer and admin
pages, as Deque's axe-core finds them in Debian's Chromium.

axe-core comes from npm at the version pinned in tests/browser/axe/package.json (its lock file
fixes the exact file); `.ci/run` installs it with `npm ci`, and the test injects the file into
each page: nothing is fetched at run time.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.test_phone_layouts import _world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("critical", "serious")

# Runs axe on the whole document and keeps what matters to a person: each violation of
# critical or serious impact with the first few elements it was found on.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => ['critical', 'serious'].includes(v.impact))
    .map(v => `${v.impact} ${v.id}: ${v.help} — ` +
               v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


@pytest.fixture(autouse=True)
def _tasks_inline(settings, tmp_path):
    from lms.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def _axe_source() -> str:
    return "() => { " + AXE.read_text() + "\n}"


def _axe(person, path: str, found: dict) -> None:
    response = person.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    # Evaluated through the browser's debugging protocol, which the page's CSP (no inline
    # scripts) does not govern: the page itself is checked exactly as it is served.
    person.page.evaluate(_axe_source())
    violations = person.page.evaluate(RUN_AXE)
    if violations:
        found[path] = violations


def test_no_critical_or_serious_axe_violation_on_public_learner_trainer_and_admin_pages(journey):
    if not AXE.exists():
        message = "axe-core is not installed: (cd tests/browser/axe && npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    tree, session = _world()
    j = journey("accessibility-axe")
    found: dict[str, list[str]] = {}

    visitor = j.person()
    for path in ("/", "/so-lieu/", tree.course.url, tree.modules[0].url,
                 "/search/?q=bình+đẳng+giới", "/accounts/login/", "/privacy/"):  # fmt: skip
        _axe(visitor, path, found)

    learner = j.person()
    learner.login("hocvien")
    for path in ("/learn/", "/learn/profile/", "/certificates/mine/", tree.lessons[0].url,
                 f"/learn/courses/{tree.course.pk}/quiz/{tree.quiz.pk}/"):  # fmt: skip
        _axe(learner, path, found)

    trainer = j.person()
    trainer.login("giangvien", next_path="/trainer/sessions/")
    for path in ("/trainer/sessions/", f"/trainer/sessions/{session.pk}/"):
        _axe(trainer, path, found)

    admin = j.person()
    admin.login("quantri", next_path="/admin/")
    for path in ("/admin/", "/admin/counters/", "/admin/registry/cadres/",
                 "/admin/sessions/", f"/admin/pages/{tree.course.pk}/edit/",
                 "/admin/registry/import/", "/admin/registry/import/sessions/"):  # fmt: skip
        _axe(admin, path, found)

    assert found == {}, "\n".join(f"{p}: {v}" for p, vs in found.items() for v in vs)

    # The check itself finds a violation when there is one: an image without a text.
    visitor.goto("/")
    visitor.page.evaluate(_axe_source())
    visitor.page.evaluate(
        "() => { const img = document.createElement('img'); img.src = '/static/x.png';"
        " document.querySelector('main').appendChild(img); }"
    )
    assert any("image-alt" in v for v in visitor.page.evaluate(RUN_AXE))


LIGHTHOUSE = Path(__file__).parent / "axe" / "node_modules" / ".bin" / "lighthouse"


def _lighthouse_accessibility(url: str, folder: Path) -> tuple[float, list[str]]:
    """Lighthouse's accessibility score of one page, and the audits that failed."""
    import json
    import subprocess

    from tests.browser.conftest import CHROMIUM

    out = folder / "report.json"
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    subprocess.run(
        [str(LIGHTHOUSE), url, "--only-categories=accessibility", "--output=json",
         f"--output-path={out}", "--quiet", "--max-wait-for-load=30000",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run"],
        env=env, check=True, timeout=180, capture_output=True,
    )  # fmt: skip
    report = json.loads(out.read_text())
    score = report["categories"]["accessibility"]["score"]
    failed = [
        audit_id
        for audit_id, audit in report["audits"].items()
        if audit.get("score") == 0 and audit.get("scoreDisplayMode") == "binary"
    ]
    return score, failed


def test_lighthouse_gives_the_public_pages_full_accessibility_marks(live_server, tmp_path):
    if not LIGHTHOUSE.exists():
        message = "Lighthouse is not installed: (cd tests/browser/axe && npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    tree, _session = _world()
    results = {}
    for path in ("/", "/so-lieu/", tree.course.url, "/search/?q=bình+đẳng+giới",
                 "/accounts/login/"):  # fmt: skip
        results[path] = _lighthouse_accessibility(live_server.url + path, tmp_path)
    assert {path: result for path, result in results.items() if result[0] < 1} == {}
