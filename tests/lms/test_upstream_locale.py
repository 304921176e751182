"""After a library upgrade, `make messages-upstream` keeps our Vietnamese and shows what is new."""

import gettext
import textwrap

import pytest

from lms import upstream_locale
from lms.upstream_locale import Catalogue, catalogue_coverage, catalogue_refresh


def _po(text: str) -> str:
    header = textwrap.dedent(
        """\
        msgid ""
        msgstr ""
        "Content-Type: text/plain; charset=UTF-8\\n"

        """
    )
    return header + textwrap.dedent(text)


@pytest.fixture
def library(tmp_path, monkeypatch):
    """A library "shelf" with an English template and the project's catalogue of it."""
    monkeypatch.setattr(upstream_locale, "UPSTREAM_ROOT", tmp_path / "upstream")
    template = tmp_path / "shelf" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    template.parent.mkdir(parents=True)
    return Catalogue(app="shelf", domain="django", template=template)


def test_an_upgrade_keeps_the_translations_and_leaves_new_and_changed_messages_out(library):
    library.po.parent.mkdir(parents=True)
    library.po.write_text(
        _po(
            """\
            msgid "Save draft"
            msgstr "Lưu bản nháp"

            msgid "Publish this page now"
            msgstr "Xuất bản trang này ngay"
            """
        ),
        encoding="utf-8",
    )
    # The new version keeps one message, rewords another and adds a third.
    library.template.write_text(
        _po(
            """\
            msgid "Save draft"
            msgstr ""

            msgid "Publish this page right now"
            msgstr ""

            msgctxt "button"
            msgid "Unpublish"
            msgstr ""
            """
        ),
        encoding="utf-8",
    )

    coverage = catalogue_refresh(library)

    assert (coverage.total, coverage.translated, coverage.fuzzy) == (3, 1, 1)
    assert str(coverage) == "shelf: 1/3 translated (33.3 %), 1 fuzzy"
    text = library.po.read_text(encoding="utf-8")
    assert '"Language: vi\\n"' in text and '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
    with library.po.with_suffix(".mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    assert catalogue.gettext("Save draft") == "Lưu bản nháp"
    # A reworded message is not shown with the old Vietnamese until someone checks it.
    assert catalogue.gettext("Publish this page right now") == "Publish this page right now"
    assert catalogue.pgettext("button", "Unpublish") == "Unpublish"


def test_a_new_catalogue_starts_from_the_library_s_own_vietnamese(library):
    library.template.write_text(
        _po('msgid "Images"\nmsgstr ""\n\nmsgid "Documents"\nmsgstr ""\n'), encoding="utf-8"
    )
    shipped = library.template.parents[2] / "vi" / "LC_MESSAGES" / "django.po"
    shipped.parent.mkdir(parents=True)
    shipped.write_text(_po('msgid "Images"\nmsgstr "Hình ảnh"\n'), encoding="utf-8")

    coverage = catalogue_refresh(library)

    assert (coverage.total, coverage.translated) == (2, 1)
    assert catalogue_coverage(library).percent == 50.0
    assert library.po.exists() and library.po.with_suffix(".mo").exists()
