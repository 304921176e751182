"""Property-based tests (hypothesis) of the import parsers: whatever bytes or cell values a
province sends, the importer never crashes, reports errors with row numbers inside the file,
and writes either the whole file or nothing."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.registry.imports import COLUMNS
from courses.registry.models import Cadre
from courses.registry.services import cadre_import
from lms.spreadsheet import clean_text, fold, normalise_email, normalise_phone
from tests.builders import make_units

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Cells as provinces type them, plus control characters, formulas, decomposed Vietnamese,
# numbers as spreadsheets store them, and very long text.
cell_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["Nữ", "nu", "Nam", "Kinh", "01", "Xã", "Tỉnh", "Trưởng thôn, bản",
                     "=1+1", "@SUM(A1)", "\u0000", "\ufeff", "x" * 300, "1985", "1850",
                     "0912345678", "+84 912 345 678", "a@b.vn", "10000", "99999", "100", "10",
                     "15", "Huyện"]),
    st.text(alphabet=st.characters(categories=["Mn", "Ll", "Lu", "Zs"]), max_size=20).map(
        lambda s: unicodedata.normalize("NFD", s)
    ),
)  # fmt: skip
row = st.lists(cell_text, min_size=0, max_size=len(COLUMNS) + 2)
# make_units(10): Lào Cai 10 > 100 > 10000 (2023) and Lào Cai 15 > 10000 (2025); "10000" is
# a commune in both, "100" a district only in 2023, "10" and "15" provinces of one each.
structures = st.sampled_from(["2023", "2025"])


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _import(data: bytes, *, name: str = "can_bo.csv", dry_run: bool = False, structure="2025"):
    """One import in a savepoint that is rolled back, so examples do not see each other."""
    with transaction.atomic():
        before = Cadre.objects.count()
        result = cadre_import(
            source=io.BytesIO(data), name=name, dry_run=dry_run, structure=structure
        )
        after = Cadre.objects.count()
        transaction.set_rollback(True)
    return result, before, after


@pytest.fixture
def units(db):
    return make_units(province_code="10")


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_any_bytes_as_a_csv_file_give_errors_or_a_whole_import_never_a_crash(units, data):
    result, before, after = _import(data)
    if result.errors:
        assert after == before, "a file with errors wrote rows"
        for error in result.errors.sorted():
            assert 0 <= error.row <= max(result.rows + 1, 1) + data.count(b"\n") + 1
            assert str(error).strip()
    else:
        assert after - before == result.created


@SETTINGS
@given(data=st.binary(max_size=3000))
def test_any_bytes_as_an_xlsx_file_are_refused_cleanly(units, data):
    result, before, after = _import(data, name="can_bo.xlsx")
    assert result.errors, "random bytes are not a workbook"
    assert after == before


@SETTINGS
@given(rows=st.lists(row, min_size=1, max_size=8), dry_run=st.booleans(), structure=structures)
def test_rows_of_random_cells_are_all_or_nothing(units, rows, dry_run, structure):
    result, before, after = _import(_csv(COLUMNS, rows), dry_run=dry_run, structure=structure)
    if result.errors or dry_run:
        assert after == before
    else:
        assert after - before == result.created
    bad_rows = {e.row for e in result.errors.sorted()}
    assert all(0 <= n <= len(rows) + 1 for n in bad_rows)
    # The preview names only units of the stated structure, each on rows without an error.
    for _code, label, count, first in result.units:
        assert label.endswith(f"({structure})") or f"({structure})," in label
        assert count >= len(first) and not set(first) & bad_rows


@SETTINGS
@given(header=st.lists(st.text(max_size=15), max_size=14))
def test_any_header_other_than_the_template_is_a_file_error(units, header):
    from lms.spreadsheet import fold as f

    result, before, after = _import(_csv(header, [["x"] * len(header)]))
    if sorted(f(h) for h in header if f(h)) != sorted(f(c) for c in COLUMNS):
        assert result.errors
    assert after == before or not result.errors


# --- The text helpers every import uses ---------------------------------------------------------


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none(), st.booleans()))
def test_clean_text_is_nfc_trimmed_and_idempotent(value):
    text = clean_text(value)
    assert unicodedata.is_normalized("NFC", text)
    assert text == text.strip()
    assert "  " not in text
    assert clean_text(text) == text


@given(st.text())
def test_fold_ignores_case_diacritics_and_decomposition(value):
    folded = fold(value)
    assert folded == fold(folded)
    assert folded == fold(unicodedata.normalize("NFD", value))
    assert folded == fold(value.upper()) or not value.isascii()
    assert all(ch.isascii() and (ch.isdigit() or ch.islower()) for ch in folded)


@given(st.text(max_size=30))
def test_a_normalised_phone_is_a_vietnamese_number_and_stays_the_same(value):
    phone = normalise_phone(value)
    if phone is not None:
        assert phone.isdigit() and phone.startswith("0") and len(phone) in (10, 11)
        assert normalise_phone(phone) == phone


@given(st.emails() | st.text(max_size=40))
def test_a_normalised_email_is_lower_case_and_stable(value):
    email = normalise_email(value)
    if email is not None:
        assert email == email.lower() and "@" in email
        assert normalise_email(email) == email
