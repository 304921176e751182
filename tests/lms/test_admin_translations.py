"""The Wagtail admin speaks Vietnamese: every library catalogue it uses is (almost) complete.

For each catalogue of Wagtail, Django and the other libraries the admin uses, the messages of
the library's English template are put through Django's translation machinery under ``vi``
(gettext, pgettext, ngettext for the ``django`` domain; the admin's JavaScript catalogue as
``/admin/jsi18n/`` serves it for ``djangojs``). A message counts as translated when Vietnamese
comes back; below 98 % of a catalogue the test fails and names what is missing.
"""

import json
import re

import pytest
from django.utils import translation

from lms.upstream_locale import messages_read, upstream_catalogues

THRESHOLD = 98.0
CATALOGUES = upstream_catalogues()
DJANGO_CATALOGUES = [c for c in CATALOGUES if c.domain == "django"]
JS_CATALOGUES = [c for c in CATALOGUES if c.domain == "djangojs"]

# The admin's apps, which must each have a catalogue in the list (and so be measured).
ADMIN_APPS = {
    "django",
    "django.contrib.auth",
    "wagtail",
    "wagtail.admin",
    "wagtail.images",
    "wagtail.documents",
    "wagtail.snippets",
    "wagtail.users",
    "wagtail.search",
    "taggit",
}


def _same_on_purpose(catalogue):
    """Messages whose Vietnamese is the English itself (Email, URL, ID, placeholders only)."""
    if not catalogue.po.exists():
        return set()
    return {
        (m.msgctxt, m.msgid)
        for m in messages_read(catalogue.po)
        if m.msgstr and not m.fuzzy and m.msgstr == m.msgid
    }


def _django_translated(message) -> bool:
    if message.msgid_plural is None:
        english = message.msgid
        if message.msgctxt is None:
            said = translation.gettext(message.msgid)
        else:
            said = translation.pgettext(message.msgctxt, message.msgid)
        return said != english
    for count, english in ((1, message.msgid), (5, message.msgid_plural)):
        if message.msgctxt is None:
            said = translation.ngettext(message.msgid, message.msgid_plural, count)
        else:
            said = translation.npgettext(
                message.msgctxt, message.msgid, message.msgid_plural, count
            )
        if said == english:
            return False
    return True


def _report(catalogue, total, missing):
    translated = total - len(missing)
    percent = 100.0 * translated / total if total else 100.0
    figure = f"{catalogue.label}: {translated}/{total} translated into Vietnamese ({percent:.1f} %)"
    print(figure)
    examples = "; ".join(repr(m) for m in sorted(missing)[:8])
    return percent, f"{figure}, below {THRESHOLD:g} %; not translated, e.g.: {examples}"


def test_the_admins_apps_are_all_measured():
    assert {c.app for c in CATALOGUES} >= ADMIN_APPS
    assert "wagtail.admin" in {c.app for c in JS_CATALOGUES}


@pytest.mark.parametrize("catalogue", DJANGO_CATALOGUES, ids=lambda c: c.label)
def test_catalogue_is_translated_into_vietnamese(catalogue):
    messages = messages_read(catalogue.template)
    same = _same_on_purpose(catalogue)
    with translation.override("vi"):
        missing = [
            m.msgid
            for m in messages
            if (m.msgctxt, m.msgid) not in same and not _django_translated(m)
        ]
    percent, explanation = _report(catalogue, len(messages), missing)
    assert percent >= THRESHOLD, explanation


def _served_js_catalogue(client) -> dict:
    response = client.get("/admin/jsi18n/")
    assert response.status_code == 200
    found = re.search(r"const newcatalog = (\{.*?\});\n", response.content.decode(), re.S)
    assert found, "the admin's jsi18n view serves no catalogue"
    return json.loads(found.group(1))


@pytest.mark.parametrize("catalogue", JS_CATALOGUES, ids=lambda c: c.label)
def test_javascript_catalogue_is_served_in_vietnamese(catalogue, client):
    """What the admin's scripts get from /admin/jsi18n/ (Django's JavaScriptCatalog, which
    reads djangojs from LOCALE_PATHS as well as from the app's own locale/)."""
    served = _served_js_catalogue(client)
    same = _same_on_purpose(catalogue)
    messages = messages_read(catalogue.template)
    missing = []
    for m in messages:
        key = m.msgid if m.msgctxt is None else f"{m.msgctxt}\x04{m.msgid}"
        value = served.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        if (m.msgctxt, m.msgid) not in same and not value:
            missing.append(m.msgid)
    percent, explanation = _report(catalogue, len(messages), missing)
    assert percent >= THRESHOLD, explanation


def test_the_project_s_wording_keeps_precedence_over_the_libraries():
    """The project's own catalogues win over the libraries' for the same English."""
    with translation.override("vi"):
        # courses/locale: the learner's button; wagtail.admin has "Tiếp tục" for it.
        assert translation.gettext("Continue") == "Học tiếp"
        # locale/: the project's wording of a Wagtail message.
        assert translation.gettext("This file is too big. Maximum filesize %(max_filesize)s.") == (
            "Tệp quá lớn. Dung lượng tối đa là %(max_filesize)s."
        )
        # locale/upstream: the admin's words, to the glossary.
        assert translation.gettext("Save draft") == "Lưu bản nháp"
        assert translation.gettext("Submit for moderation") == "Gửi duyệt"


# Spellings the glossary rules out, with the one it keeps.
FORBIDDEN_SPELLINGS = {
    "khoá": "khóa",
    "xoá": "xóa",
    "huỷ": "hủy",
    "thu hồi xuất bản": "hủy xuất bản",
}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_0-9]*\}")


@pytest.mark.parametrize(
    "catalogue", [c for c in CATALOGUES if c.po.exists()], ids=lambda c: c.label
)
def test_catalogue_keeps_the_glossary_and_the_placeholders(catalogue):
    wrong = []
    for m in messages_read(catalogue.po):
        text = m.msgstr.lower()
        wrong += [f"{m.msgid!r}: {bad!r}" for bad in FORBIDDEN_SPELLINGS if bad in text]
        # A placeholder followed by a space in English is not glued to the next word
        # (upstream had "%(label)svà Xuất bản").
        for placeholder in PLACEHOLDER.findall(m.msgid):
            if placeholder + " " in m.msgid and re.search(re.escape(placeholder) + r"\w", m.msgstr):
                wrong.append(f"{m.msgid!r}: {m.msgstr!r}")
    assert wrong == []
