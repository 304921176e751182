"""Property-based tests (hypothesis) of the import parsers: whatever bytes or cell values a
province sends, the importer never crashes, reports errors with row numbers inside the file,
and writes either the whole file or nothing. Then the rules that match people: rows that
differ in a strong key (cadre id, phone, email) never merge, the same strong key twice in a
file is always an error, and warnings never block the write."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.registry.imports import COLUMNS
from courses.registry.models import CONSENT_NOTICE_VERSION, Cadre
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


# --- Matching people: namesakes, strong keys, warnings ----------------------------------------

STRONG = ("ma", "phone", "email")
KEY_COLUMN = {"ma": "ma_can_bo", "phone": "so_dien_thoai", "email": "email"}


def strong_value(kind: str, n: int) -> str:
    """A value of a strong key, different for every n."""
    return {"ma": f"M-{n}", "phone": f"0912{n:06d}", "email": f"p{n}@x.vn"}[kind]


def person_row(n: int, keys: dict[str, str], *, name: str = "Lò Thị Mai", year: int = 1988,
               ethnicity: str = "") -> list[str]:  # fmt: skip
    """A valid row of the 2025 structure (commune 10000 of make_units)."""
    return [keys.get("ma", ""), name, "Nữ", str(year), ethnicity, "Khác", "Xã", "", "10000",
            keys.get("phone", ""), keys.get("email", "")]  # fmt: skip


@st.composite
def namesakes(draw, *, offset: int = 0):
    """2-5 rows with the same name, birth year and unit, all giving one strong key (`kind`)
    with a value of their own, and any of the others too (values never shared)."""
    kind = draw(st.sampled_from(STRONG))
    count = draw(st.integers(2, 5))
    rows = []
    for n in range(count):
        keys = {kind: strong_value(kind, offset + n)}
        for other in STRONG:
            if other != kind and draw(st.booleans()):
                keys[other] = strong_value(other, offset + n)
        rows.append(keys)
    return kind, rows


@SETTINGS
@given(file=namesakes(), registered=st.integers(0, 2), spelling=st.sampled_from(
    ["Lò Thị Mai", "LO THI MAI", unicodedata.normalize("NFD", "Lò Thị Mai")]))  # fmt: skip
def test_rows_differing_in_a_strong_key_never_merge(units, file, registered, spelling):
    """Namesakes (same name, birth year and unit) whose cadre id, phone or email differ are
    as many people as rows, each pair named in a "có thể trùng" warning; registered
    namesakes with another value of that key are left alone."""
    from tests.builders import make_cadre

    kind, rows = file
    with transaction.atomic():
        unit = units.commune_2025
        field = {"ma": "ma_can_bo", "phone": "phone", "email": "email"}[kind]
        people = [
            make_cadre(unit=unit, full_name="Lò Thị Mai", birth_year=1988,
                       **{field: strong_value(kind, 900 + n)})
            for n in range(registered)
        ]  # fmt: skip
        snapshot = list(Cadre.objects.order_by("pk").values())
        data = _csv(COLUMNS, [person_row(n, keys, name=spelling) for n, keys in enumerate(rows)])
        result = cadre_import(source=io.BytesIO(data), name="a.csv", structure="2025")
        assert not result.errors, result.errors.sorted()
        assert result.written and result.created == len(rows) and result.updated == 0
        assert Cadre.objects.filter(name_key="lo thi mai").count() == len(rows) + registered
        in_file = [
            w for w in result.warnings.sorted() if w.message.startswith("Hai người có thể trùng")
        ]
        assert len(in_file) == len(rows) * (len(rows) - 1) // 2
        for warning in in_file:  # each names both rows
            other = int(warning.message.split("dòng ")[1].split(" ")[0])
            assert other < warning.row and f"và dòng {warning.row} " in warning.message
        with_registered = [
            w
            for w in result.warnings.sorted()
            if w.message.startswith("Người có thể trùng với một người đã có")
        ]
        assert len(with_registered) == len(rows) * registered
        assert list(Cadre.objects.filter(pk__in=[p.pk for p in people]).order_by("pk").values()) \
            == [row for row in snapshot if row["id"] in {p.pk for p in people}]  # fmt: skip
        transaction.set_rollback(True)


@SETTINGS
@given(count=st.integers(2, 6), kind=st.sampled_from(STRONG), data=st.data())
def test_the_same_strong_key_twice_in_a_file_is_always_an_error(units, count, kind, data):
    """Whatever else the rows say (other names, years, keys), two rows that give the same
    cadre id, phone or email are the same person twice: an error, and nothing is written."""
    first = data.draw(st.integers(0, count - 2))
    second = data.draw(st.integers(first + 1, count - 1))
    rows = []
    for n in range(count):
        keys = {k: strong_value(k, n) for k in STRONG if data.draw(st.booleans())}
        rows.append(person_row(n, keys, name=f"Người {'ABCDEF'[n]}", year=1960 + n))
    shared = strong_value(kind, 77)
    index = COLUMNS.index(KEY_COLUMN[kind])
    rows[first][index] = rows[second][index] = shared
    result, before, after = _import(_csv(COLUMNS, rows))
    assert result.errors and after == before and not result.written
    assert (second + 2, KEY_COLUMN[kind]) in {(e.row, e.column) for e in result.errors.sorted()}


@SETTINGS
@given(
    people=st.lists(
        st.tuples(st.sampled_from(["Lò Thị Mai", "Hà Văn Páo", "Giàng A Dính"]),
                  st.sampled_from([1970, 1988]), st.sampled_from(["", "Thái", "Hmông"]),
                  st.sets(st.sampled_from(STRONG)), st.sampled_from(["", "01/03/2026"])),
        min_size=1, max_size=8,
    ),
    attested=st.booleans(),
)  # fmt: skip
def test_warnings_never_block_the_write(units, people, attested):
    """Files of namesakes, ethnicity without consent and consent dates not attested: when
    no row has an error the whole file is written, whatever warnings it has; and with
    errors nothing is (errors alone decide)."""
    rows = []
    for n, (name, year, ethnicity, keys, day) in enumerate(people):
        row = person_row(n, {k: strong_value(k, n) for k in keys}, name=name, year=year,
                         ethnicity=ethnicity)  # fmt: skip
        rows.append([*row, day])
    version = {"consent_notice_version": CONSENT_NOTICE_VERSION} if attested else {}
    with transaction.atomic():
        before = Cadre.objects.count()
        result = cadre_import(source=io.BytesIO(_csv([*COLUMNS, "ngay_dong_y"], rows)),
                              name="a.csv", structure="2025", **version)  # fmt: skip
        after = Cadre.objects.count()
        if result.errors:
            assert not result.written and after == before
        else:
            assert result.written and after - before == result.created == len(rows)
            stored = Cadre.objects.exclude(ethnicity="")
            # Ethnicity is stored exactly for the rows with an attested consent date.
            assert stored.count() == sum(
                1 for *_x, ethnicity, _k, day in people if ethnicity and day and attested
            )
        transaction.set_rollback(True)
