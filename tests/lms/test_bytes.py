"""What a phone downloads: compressed HTML, hashed and compressed static files with far-future
cache headers, two small Vietnamese web fonts."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

import pytest
from django.test import Client

from tests.builders import home_page
from tests.conftest import ROOT


@pytest.mark.django_db
def test_pages_are_sent_compressed_to_a_browser_that_accepts_gzip():
    home_page()
    client = Client()
    plain = client.get("/")
    packed = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert plain.status_code == packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    body = gzip.decompress(packed.content)
    assert b"</html>" in body
    assert len(packed.content) < len(plain.content) / 2


def test_the_fonts_are_two_vietnamese_subsets_of_about_ten_kilobytes():
    fonts = ROOT / "lms" / "static" / "lms" / "fonts"
    woff2 = sorted(p.name for p in fonts.glob("*.woff2"))
    assert woff2 == ["be-vietnam-pro-vi-400-normal.woff2", "be-vietnam-pro-vi-700-normal.woff2"]
    assert all((fonts / name).stat().st_size < 14_000 for name in woff2)
    css = (ROOT / "lms" / "static" / "lms" / "css" / "site.css").read_text(encoding="utf-8")
    assert css.count("@font-face") == 2 and "latin" not in css


def test_collected_static_files_have_hashed_names_brotli_and_far_future_headers(tmp_path):
    """collectstatic with production settings, then WhiteNoise serving one hashed file."""
    env = {
        **os.environ,
        "STATIC_ROOT": str(tmp_path),
        "DEBUG": "0",
        "SECRET_KEY": "test-only-secret-key-for-collectstatic-0000",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
                   cwd=ROOT, env=env, check=True, capture_output=True)  # fmt: skip
    css = list((tmp_path / "lms" / "css").glob("site.*.css"))
    assert len(css) == 1
    assert (css[0].parent / (css[0].name + ".br")).exists()
    assert (css[0].parent / (css[0].name + ".gz")).exists()
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='lms.settings'; django.setup();"
        "from django.test import Client;"
        f"r = Client().get('/static/lms/css/{css[0].name}', HTTP_ACCEPT_ENCODING='br');"
        "print(r.status_code, r['Cache-Control'], r['Content-Security-Policy'],"
        " r.get('Permissions-Policy'), r.get('Content-Encoding'), sep='|')"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout.strip().split("|")  # fmt: skip
    assert out[0] == "200"
    assert "max-age=315360000" in out[1] and "immutable" in out[1]
    # A style is no document: the shortest policy, which allows nothing, and no permissions.
    assert out[2] == "default-src 'none'" and out[3] == "None"
    assert out[-1] == "br"
    # The project's own scripts and styles are minified (their comments are for the people
    # who read the sources); Wagtail's ship as they are.
    source = (ROOT / "lms" / "static" / "lms" / "js" / "offline-store.js").read_text()
    collected = next((tmp_path / "lms" / "js").glob("offline-store.*.js")).read_text()
    assert "// " in source and "// " not in collected
    assert len(collected) < 0.8 * len(source)
    assert "LmsOffline" in collected and collected.count("function") == source.count("function")
    assert "/*" not in css[0].read_text()
    # An SVG, which a browser can show as a document, keeps the site's policy.
    svg = next((tmp_path / "lms").glob("favicon.*.svg")).name
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='lms.settings'; django.setup();"
        "from django.test import Client;"
        f"r = Client().get('/static/lms/{svg}');"
        "print(r.status_code, r['Content-Security-Policy'], r.get('Permissions-Policy'), sep='|')"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout.strip().split("|")  # fmt: skip
    assert out[0] == "200" and "default-src 'self'" in out[1] and "camera=()" in out[2]
    wagtail = next((tmp_path / "wagtailadmin" / "js").glob("core.*.js"))
    assert wagtail.stat().st_size == (tmp_path / "wagtailadmin" / "js" / "core.js").stat().st_size
