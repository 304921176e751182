"""The streaming XLSX reader (lms/xlsx_stream.py) gives the values openpyxl's read-only mode
gives, and refuses what no spreadsheet program writes (a DTD, a file that is not a zip)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from lms.spreadsheet_limits import ImportFileError, ImportLimits
from lms.xlsx_stream import xlsx_row_estimate, xlsx_rows
from tests.builders import write_xlsx_stream, xlsx_text_row, zip_declare_size

LIMITS = ImportLimits(rows=100, columns=20, cell_chars=100, uncompressed_bytes=1 << 24, errors=10)


def saved(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def openpyxl_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def rows_of(data: bytes) -> list[tuple[int, list]]:
    return list(xlsx_rows(io.BytesIO(data), limits=LIMITS))


@pytest.mark.parametrize("epoch", ["1900", "1904"])
def test_values_are_those_openpyxl_reads(epoch):
    workbook = Workbook()
    if epoch == "1904":
        workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    sheet.append(["ma_buoi", "ngay", "so", "co_mat", "ghi_chu"])
    sheet.append(["B001", dt.datetime(2026, 3, 10), 912345678, True, "Nguyễn Thị Hoa"])
    sheet.append(["B002", dt.date(2023, 11, 28), 2.5, False, "=1+1"])
    sheet.append([])
    sheet.append([None, None, None, None, "một ô ở cuối"])
    sheet["G8"] = "xa bên phải"
    sheet.cell(row=9, column=2, value=45000).number_format = "dd/mm/yyyy"
    sheet.cell(row=10, column=3, value=-3)
    data = saved(workbook)

    expected = openpyxl_rows(data)
    got = rows_of(data)
    assert [number for number, _values in got] == [1, 2, 3, 5, 8, 9, 10]
    for number, values in got:
        assert values == expected[number - 1][: len(values)]
        assert not any(expected[number - 1][len(values) :])


def test_inline_and_rich_text_without_the_phonetic_reading():
    rows = [
        xlsx_text_row(["ho_ten", "ghi_chu"]),
        b'<row><c t="inlineStr"><is><r><t>L\xc3\xb2 </t></r><r><t>V\xc4\x83n P\xc3\xa1o</t>'
        b'</r><rPh><t>ro</t></rPh></is></c><c t="s"><v>0</v></c></row>',
    ]
    shared = [b"<si><r><t>Tr\xc6\xb0\xe1\xbb\x9fng </t></r><r><t>th\xc3\xb4n</t></r>"
              b"<rPh><t>x</t></rPh></si>"]  # fmt: skip
    buffer = io.BytesIO()
    write_xlsx_stream(buffer, rows, shared_strings=shared)
    assert rows_of(buffer.getvalue()) == [(1, ["ho_ten", "ghi_chu"]),
                                          (2, ["Lò Văn Páo", "Trưởng thôn"])]  # fmt: skip


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one part replaced."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name
                            else source.read(info.filename))  # fmt: skip
    return out.getvalue()


def test_a_dtd_is_refused_before_any_entity_expands():
    workbook = Workbook()
    workbook.active.append(["a"])
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row><c t="inlineStr"><is><t>&c;</t></is></c></row></sheetData></worksheet>'
    )
    data = with_part(saved(workbook), "xl/worksheets/sheet1.xml", laughs)
    with translation.override("vi"), pytest.raises(ImportFileError) as refused:
        rows_of(data)
    assert str(refused.value) == "Không đọc được tệp XLSX."


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04" + b"\x00" * 40])
def test_what_is_not_a_workbook_is_unreadable(data):
    with translation.override("vi"), pytest.raises(ImportFileError) as refused:
        rows_of(data)
    assert str(refused.value) == "Không đọc được tệp XLSX."


def test_the_row_estimate_reads_the_dimension_only_and_never_exceeds_the_limit():
    workbook = Workbook()
    for n in range(40):
        workbook.active.append([f"dòng {n}"])
    assert xlsx_row_estimate(io.BytesIO(saved(workbook)), limits=LIMITS) == 39
    workbook.active.cell(row=5000, column=1, value="xa")
    assert xlsx_row_estimate(io.BytesIO(saved(workbook)), limits=LIMITS) == LIMITS.rows
    assert xlsx_row_estimate(io.BytesIO(b"nonsense"), limits=LIMITS) == 0


def test_a_part_whose_header_understates_its_size_is_unreadable(tmp_path):
    """The reader reads a part to its real end, whatever the header says (so that a lie
    cannot hide bytes from the unpacked limit): a part found longer than declared is
    refused, even by a few bytes."""
    import zipfile

    path = write_xlsx_stream(tmp_path / "sai.xlsx", [xlsx_text_row(["a"]), xlsx_text_row(["b"])])
    assert [values for _n, values in rows_of(path.read_bytes())] == [["a"], ["b"]]
    with zipfile.ZipFile(path) as archive:
        real = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    zip_declare_size(path, "xl/worksheets/sheet1.xml", real - 10)
    with translation.override("vi"), pytest.raises(ImportFileError) as refused:
        rows_of(path.read_bytes())
    assert str(refused.value) == "Không đọc được tệp XLSX."
