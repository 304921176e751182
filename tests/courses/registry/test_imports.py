"""The cadre list import (`import_cadres` and the service behind it): formats, labels,
validation, de-duplication, all-or-nothing and re-import; then the structure a file states
(its codes are read in that structure only) and the preview of the units its codes name;
then namesakes (a different cadre id, phone or email makes two people, with a warning),
warnings beside errors, consent, and the report."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.core.management import CommandError, call_command

from courses.registry.imports import COLUMNS
from courses.registry.models import CONSENT_NOTICE_VERSION, Cadre, Level, Sex, TargetGroup
from courses.registry.services import cadre_import
from tests.builders import make_cadre, make_reform_units, make_unit_tree

HEADER = ",".join(COLUMNS)
# A file that gives the date each person signed the paper consent form.
CONSENT_HEADER = HEADER + ",ngay_dong_y"
SIGNED = "01/03/2026"


def consented(rows, day=SIGNED):
    """The rows with a consent date in the optional last column (CONSENT_HEADER)."""
    return [f"{row},{day}" for row in rows]


def csv_file(tmp_path, rows, *, bom=False, header=HEADER, name="can_bo.csv"):
    text = "\n".join([header, *rows]) + "\n"
    data = text.encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    path = tmp_path / name
    path.write_bytes(data)
    return path


def xlsx_file(tmp_path, rows, name="can_bo.xlsx", header=COLUMNS):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def run(path, **kwargs):
    """The import of a file of the 2023 structure (the make_unit_tree codes), unless
    `structure` is given."""
    kwargs.setdefault("structure", "2023")
    return cadre_import(source=path, name=str(path), **kwargs)


def messages(result):
    return [(e.row, e.column, e.message) for e in result.errors.sorted()]


def warnings(result):
    return [(w.row, w.column, w.message) for w in result.warnings.sorted()]


ATTESTED = {"consent_notice_version": CONSENT_NOTICE_VERSION}


@pytest.fixture
def units(db):
    return make_unit_tree()


ROW_HOA = (
    "HN-1,Nguyễn Thị Hoa,Nữ,1985,Kinh,Cán bộ chủ chốt,Xã,Hội LHPN phường,00001,"
    "0912 345 678,Hoa@Example.vn"
)
ROW_PAO = ",Lò Văn Páo,nam,1970,thai,truong_thon_ban,thon_ban,,00004,,"


def test_valid_file_is_written_with_labels_matched_and_values_normalised(tmp_path, units):
    # Ethnicity is stored with consent only (see the consent tests below): these two signed.
    path = csv_file(tmp_path, consented([ROW_HOA, ROW_PAO]), header=CONSENT_HEADER)
    result = run(path, **ATTESTED)

    assert result.ok and result.written
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    hoa = Cadre.objects.get(ma_can_bo="HN-1")
    assert hoa.sex == Sex.FEMALE
    assert hoa.ethnicity == "01"
    assert hoa.target_group == TargetGroup.KEY_CADRE
    assert hoa.level == Level.COMMUNE
    assert hoa.phone == "0912345678"
    assert hoa.email == "hoa@example.vn"
    assert (hoa.province_code, hoa.district_code, hoa.commune_code) == ("01", "001", "00001")
    pao = Cadre.objects.get(full_name="Lò Văn Páo")
    assert (pao.sex, pao.ethnicity, pao.target_group, pao.level) == (
        Sex.MALE, "03", TargetGroup.VILLAGE_HEAD, Level.VILLAGE,
    )  # fmt: skip
    assert pao.ma_can_bo is None and pao.unit == units["00004"]


def test_ethnicity_by_name_or_code_and_not_stated(tmp_path, units):
    rows = consented([
        ",Hoàng Thị A,Nữ,1980,08,Khác,Xã,,00001,,",
        ",Hoàng Thị B,Nữ,1980,h'mông,Khác,Xã,,00001,,",
        ",Hoàng Thị C,Nữ,1980,5,Khác,Xã,,00001,,",
        ",Hoàng Thị D,Nữ,1980,,Khác,Xã,,00001,,",
    ])  # fmt: skip
    # Ethnicity is stored with consent only: these four signed the form.
    assert run(csv_file(tmp_path, rows, header=CONSENT_HEADER), **ATTESTED).ok
    got = dict(Cadre.objects.values_list("full_name", "ethnicity"))
    assert got == {"Hoàng Thị A": "08", "Hoàng Thị B": "08", "Hoàng Thị C": "05", "Hoàng Thị D": ""}


def test_decomposed_names_are_stored_nfc_and_match_the_composed_person(tmp_path, units):
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
    assert nfd != unicodedata.normalize("NFC", nfd)
    run(csv_file(tmp_path, [f",  {nfd}  ,Nữ,1985,,Khác,Xã,,00001,,"]))
    cadre = Cadre.objects.get()
    assert cadre.full_name == unicodedata.normalize("NFC", "Nguyễn Thị Hoà")
    # The same person typed composed is recognised (name, birth year and unit): no new row.
    result = run(csv_file(tmp_path, [",Nguyễn Thị Hoà,Nữ,1985,,Khác,Xã,,00001,,"], name="b.csv"))
    assert result.ok and result.created == 0 and result.unchanged == 1
    assert Cadre.objects.count() == 1


def test_a_byte_order_mark_is_accepted(tmp_path, units):
    result = run(csv_file(tmp_path, [ROW_HOA], bom=True))
    assert result.ok and result.created == 1


def test_semicolon_separated_csv_is_accepted(tmp_path, units):
    rows = [ROW_PAO.replace(",", ";")]
    result = run(csv_file(tmp_path, rows, header=HEADER.replace(",", ";")))
    assert result.ok and result.created == 1


def test_xlsx_with_numbers_that_lost_their_leading_zero(tmp_path, units):
    path = xlsx_file(
        tmp_path,
        [["", "Lê Thị Mai", "Nữ", 1990, 1, "Khác", "Xã", "", 1, 912345678, "", "2026-03-01"],
         ["", "Lê Văn Nam", "Nam", 1991.0, "Kinh", "Lãnh đạo", "Tỉnh", "", 2, "", "", ""]],
        header=[*COLUMNS, "ngay_dong_y"],
    )  # fmt: skip
    result = run(path, **ATTESTED)  # Mai signed the consent form: her ethnicity is stored
    assert result.ok, messages(result)
    mai = Cadre.objects.get(full_name="Lê Thị Mai")
    assert (mai.unit.code, mai.phone, mai.ethnicity) == ("00001", "0912345678", "01")
    assert Cadre.objects.get(full_name="Lê Văn Nam").unit.code == "02"


def test_same_person_twice_in_one_file_is_an_error_and_nothing_is_written(tmp_path, units):
    rows = [
        ROW_HOA,
        "HN-2,Trần Văn Ba,Nam,1975,,Khác,Xã,,00001,0912345678,",  # same phone as row 2
        ROW_PAO,
        ",Lo Van Pao,Nam,1970,,Khác,Thôn,,00004,,",  # same name (no diacritics), year, unit
    ]
    result = run(csv_file(tmp_path, rows))
    assert not result.ok and not result.written
    assert messages(result) == [
        (3, "so_dien_thoai", "Cùng một người với dòng 2 (trùng số điện thoại)."),
        (5, "ho_ten", "Cùng một người với dòng 4 (trùng họ tên, năm sinh và đơn vị)."),
    ]
    assert Cadre.objects.count() == 0


def test_unknown_unit_codes_and_wrong_level(tmp_path, units):
    rows = [
        ",Người Một,Nữ,1980,,Khác,Xã,,99999,,",
        ",Người Hai,Nữ,1980,,Khác,Tỉnh,,001,,",  # a district code for a province person
    ]
    result = run(csv_file(tmp_path, rows))
    assert [(r, c) for r, c, _ in messages(result)] == [
        (2, "ma_don_vi_hanh_chinh"),
        (3, "ma_don_vi_hanh_chinh"),
    ]
    assert messages(result)[0][2] == (
        "Không có đơn vị mã “99999” trong cơ cấu 2023. Hãy ghi 2 chữ số cho tỉnh, 3 chữ số "
        "cho huyện, 5 chữ số cho xã."
    )


@pytest.mark.parametrize("year", ["1800", "1929", "2030", "abc", "19 80", "inf", "INFINITY", "nan"])
def test_impossible_birth_years_are_refused(tmp_path, units, year):
    result = run(csv_file(tmp_path, [f",Người Một,Nữ,{year},,Khác,Xã,,00001,,"]))
    assert [(r, c) for r, c, _ in messages(result)] == [(2, "nam_sinh")]
    assert "Năm sinh" in messages(result)[0][2]


def test_every_bad_cell_is_reported_with_row_column_and_vietnamese_reason(tmp_path, units):
    rows = [ROW_HOA, ",,X,1980,Martian,Vua,Sao Hoả,,00001,123,không-phải-email"]
    result = run(csv_file(tmp_path, rows))
    got = {(r, c): m for r, c, m in messages(result)}
    assert set(got) == {
        (3, "ho_ten"), (3, "gioi_tinh"), (3, "dan_toc"), (3, "nhom_doi_tuong"), (3, "cap"),
        (3, "so_dien_thoai"), (3, "email"),
    }  # fmt: skip
    assert got[(3, "ho_ten")] == "Bắt buộc nhập."
    assert "Nữ" in got[(3, "gioi_tinh")]
    assert Cadre.objects.count() == 0


def test_wrong_header_is_a_file_error(tmp_path, units):
    result = run(csv_file(tmp_path, [ROW_HOA], header=HEADER.replace("email", "thu_dien_tu")))
    cols = [(r, c) for r, c, _ in messages(result)]
    assert (1, "email") in cols and (1, "thu_dien_tu") in cols
    assert Cadre.objects.count() == 0


def test_header_in_another_order_and_case_is_accepted(tmp_path, units):
    header = ",".join(reversed([c.upper() for c in COLUMNS]))
    row = ",".join(reversed(ROW_HOA.split(",")))
    assert run(csv_file(tmp_path, [row], header=header)).created == 1


def test_reimporting_the_same_file_changes_nothing(tmp_path, units):
    path = csv_file(tmp_path, [ROW_HOA, ROW_PAO])
    run(path)
    before = list(Cadre.objects.order_by("pk").values())
    result = run(path)
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert list(Cadre.objects.order_by("pk").values()) == before


def test_dedup_order_cadre_id_then_phone_then_email_then_identity(tmp_path, units):
    a = make_cadre(unit=units["00001"], full_name="Người A", ma_can_bo="X1", birth_year=1980)
    b = make_cadre(unit=units["00001"], full_name="Người B", phone="0987654321", birth_year=1980)
    c = make_cadre(unit=units["00001"], full_name="Người C", email="c@x.vn", birth_year=1980)
    d = make_cadre(unit=units["00001"], full_name="Người D", birth_year=1966)
    rows = [
        "X1,Người A đổi tên,Nữ,1980,,Khác,Xã,,00001,,",
        ",Người B,Nữ,1980,,Khác,Xã,Cơ quan mới,00001,+84987654321,",
        ",Người C,Nữ,1981,,Khác,Xã,,00001,,C@X.VN",
        ",nguoi d,Nữ,1966,,Lãnh đạo,Xã,,00001,,",
    ]
    result = run(csv_file(tmp_path, rows))
    assert result.ok, messages(result)
    assert (result.created, result.updated) == (0, 4)
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db(), d.refresh_from_db()
    assert a.full_name == "Người A đổi tên"
    assert b.agency == "Cơ quan mới"
    assert c.birth_year == 1981
    assert d.target_group == TargetGroup.LEADER and d.full_name == "nguoi d"
    assert Cadre.objects.count() == 4


def test_blank_optional_cells_do_not_erase_stored_values(tmp_path, units):
    make_cadre(
        unit=units["00001"], full_name="Người A", ma_can_bo="X1", phone="0987654321",
        ethnicity="02", agency="UBND", birth_year=1980,
    )  # fmt: skip
    result = run(csv_file(tmp_path, ["X1,Người A,Nữ,1980,,Cán bộ chủ chốt,Xã,,00001,,"]))
    assert result.unchanged == 1
    cadre = Cadre.objects.get()
    assert (cadre.phone, cadre.ethnicity, cadre.agency) == ("0987654321", "02", "UBND")


def test_dry_run_writes_nothing(tmp_path, units):
    result = run(csv_file(tmp_path, [ROW_HOA, ROW_PAO]), dry_run=True)
    assert result.ok and result.created == 2 and not result.written
    assert Cadre.objects.count() == 0


def test_province_admin_file_is_limited_to_their_province(tmp_path, units):
    make_cadre(unit=units["00688"], full_name="Người Hà Giang", phone="0911111111",
               birth_year=1980)  # fmt: skip
    rows = [
        ROW_HOA,
        ",Người Khác,Nữ,1980,,Khác,Xã,,00688,,",
        ",X,Nữ,1980,,Khác,Xã,,00001,0911111111,",
    ]
    result = run(csv_file(tmp_path, rows), province_code="01")
    refused = "Không thể nhập người này ở đây; xin liên hệ quản trị trung ương."
    assert messages(result) == [(3, "", refused), (4, "", refused)]


def test_command_reports_errors_in_vietnamese_and_exits_non_zero(tmp_path, units):
    path = csv_file(tmp_path, [ROW_HOA, ",Người Một,Nữ,1800,,Khác,Xã,,00001,,"])
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_cadres", str(path), "--structure", "2023", stderr=err)
    assert "dòng 3, nam_sinh: Năm sinh" in err.getvalue()
    assert "không ghi gì" in str(excinfo.value)
    assert Cadre.objects.count() == 0


def test_command_dry_run_and_real_run(tmp_path, units):
    path = csv_file(tmp_path, [ROW_HOA, ROW_PAO])
    out = io.StringIO()
    call_command("import_cadres", str(path), "--dry-run", "--structure", "2023", stdout=out)
    assert Cadre.objects.count() == 0
    assert "2 mới" in out.getvalue()
    call_command("import_cadres", str(path), "--structure", "2023", stdout=out)
    assert Cadre.objects.count() == 2


def test_every_run_of_the_command_is_in_the_access_audit_without_the_personal_data(tmp_path, units):
    from lms.models import AccessAction, AccessLogEntry

    good = csv_file(tmp_path, [ROW_HOA, ROW_PAO])
    bad = csv_file(tmp_path, [ROW_HOA, ",Người Một,Nữ,1800,,Khác,Xã,,00001,,"], name="bad.csv")
    call_command("import_cadres", str(good), "--dry-run", "--structure", "2023",
                 stdout=io.StringIO())  # fmt: skip
    with pytest.raises(CommandError):
        call_command("import_cadres", str(bad), "--structure", "2023", stderr=io.StringIO())
    call_command("import_cadres", str(good), "--structure", "2023", stdout=io.StringIO())

    entries = list(AccessLogEntry.objects.order_by("pk"))
    assert [(e.action, e.target, e.count, e.user_id, e.scope) for e in entries] == [
        (AccessAction.IMPORT, "courses.cadre", 2, None, "national")
    ] * 3
    assert [e.filters for e in entries] == [
        "step=check&structure=2023&via=command",
        "step=refused&structure=2023&via=command",
        "step=apply&structure=2023&via=command",
    ]
    stored = " ".join(f"{e.filters} {e.record_id} {e.scope}" for e in entries)
    assert not any(word in stored for word in ("Hoa", "Páo", "0912", "can_bo"))


def test_a_nul_character_is_a_row_error_not_a_crash(tmp_path, units):
    """PostgreSQL text cannot hold NUL: before this, COPY failed with a DataError (a 500)."""
    rows = [ROW_HOA, ROW_PAO.replace("Lò Văn Páo", "Lò Văn\x00Páo")]
    result = run(csv_file(tmp_path, rows))
    assert [(r, c) for r, c, _m in messages(result)] == [(3, "ho_ten")]
    assert messages(result)[0][2] == "Ô này chứa ký tự NUL (mã 0), không thể lưu."
    assert Cadre.objects.count() == 0


def test_a_utf16_file_is_refused_as_not_utf8(tmp_path, units):
    """Saved as "Unicode text" (UTF-16 without a byte order mark), every other byte is 0."""
    path = tmp_path / "can_bo.csv"
    path.write_bytes(("\n".join([HEADER, ROW_PAO.replace("Lò Văn Páo", "Lo Van Pao")]) + "\n")
                     .encode("utf-16-le"))  # fmt: skip
    result = run(path)
    assert [m for _r, _c, m in messages(result)] == [
        "Tệp không phải văn bản UTF-8: hãy lưu tệp dưới dạng 'CSV UTF-8'."
    ]
    assert Cadre.objects.count() == 0


# --- The structure a file states ----------------------------------------------------------------


@pytest.fixture
def reform(db):
    return make_reform_units()


def place(cadre):
    return (cadre.province_code, cadre.district_code, cadre.commune_code, cadre.province_2025,
            cadre.commune_2025)  # fmt: skip


def test_a_2025_file_and_a_2023_file_import_side_by_side(tmp_path, reform):
    """The same code 15 is Lào Cai in the 2025 file and Yên Bái in the 2023 one; each person
    gets the place of their own unit, and a 2025 unit has no 2023 codes."""
    new = csv_file(tmp_path, [
        "N-1,Lò Thị Nga,Nữ,1980,Tày,Lãnh đạo,Tỉnh,Hội LHPN tỉnh,15,,",
        "N-2,Hoàng Văn Páo,Nam,1975,Tày,Trưởng thôn bản,Thôn bản,,02953,,",
    ], name="co_cau_2025.csv")  # fmt: skip
    old = csv_file(tmp_path, [
        "O-1,Hà Thị Lan,Nữ,1978,Kinh,Lãnh đạo,Tỉnh,Hội LHPN tỉnh,15,,",
        "O-2,Lò Văn Sùng,Nam,1970,Dao,Cán bộ chủ chốt,Xã,,04378,,",
        "O-3,Vàng Thị Mai,Nữ,1990,Mông,Cán bộ chủ chốt,Xã,,02953,,",
    ], name="co_cau_2023.csv")  # fmt: skip

    first = run(new, structure="2025")
    second = run(old, structure="2023")

    assert first.ok and second.ok, (messages(first), messages(second))
    assert (first.created, second.created) == (2, 3)
    by_id = {c.ma_can_bo: c for c in Cadre.objects.select_related("unit")}
    assert by_id["N-1"].unit == reform["2025:15"]
    assert place(by_id["N-1"]) == ("", "", "", "15", "")
    assert by_id["O-1"].unit == reform["2023:15"]
    assert place(by_id["O-1"]) == ("15", "", "", "15", "")
    assert by_id["N-2"].unit == reform["2025:02953"]
    assert place(by_id["N-2"]) == ("", "", "", "15", "02953")
    assert place(by_id["O-2"]) == ("15", "136", "04378", "15", "04375")
    assert by_id["O-3"].unit == reform["2023:02953"]
    assert place(by_id["O-3"]) == ("10", "087", "02953", "15", "02953")


def test_a_person_moved_to_a_2025_unit_loses_the_2023_codes(tmp_path, reform):
    make_cadre(unit=reform["2023:04378"], full_name="Lò Văn Sùng", ma_can_bo="O-2",
               birth_year=1970)  # fmt: skip
    result = run(csv_file(tmp_path, ["O-2,Lò Văn Sùng,Nam,1970,,Khác,Xã,,04375,,"]),
                 structure="2025")  # fmt: skip
    assert result.ok and result.updated == 1, messages(result)
    cadre = Cadre.objects.get()
    assert cadre.unit == reform["2025:04375"]
    assert place(cadre) == ("", "", "", "15", "04375")


def test_a_split_commune_keeps_the_2025_commune_an_admin_picked(tmp_path, reform):
    """A 2023 commune split between two 2025 communes is undecided until an admin picks;
    re-importing the person (another agency, the same unit) keeps the pick."""
    from courses.registry.models import AdminUnitLineage

    AdminUnitLineage.objects.create(old=reform["2023:04378"], new=reform["2025:02953"],
                                    partial=True)  # fmt: skip
    cadre = make_cadre(unit=reform["2023:04378"], full_name="Lò Văn Sùng", ma_can_bo="O-2",
                       birth_year=1970, successor=reform["2025:04375"])  # fmt: skip
    assert cadre.commune_2025 == "04375"
    result = run(csv_file(tmp_path, ["O-2,Lò Văn Sùng,Nam,1970,,Khác,Xã,UBND xã,04378,,"]))
    assert result.ok and result.updated == 1, messages(result)
    cadre.refresh_from_db()
    assert cadre.agency == "UBND xã"
    assert place(cadre) == ("15", "136", "04378", "15", "04375")


def test_a_district_in_a_2025_file_is_refused_and_nothing_is_written(tmp_path, reform):
    rows = [
        ",Lò Thị Nga,Nữ,1980,,Lãnh đạo,Tỉnh,,15,,",  # valid, yet not written
        ",Hà Văn Hùng,Nam,1975,,Lãnh đạo,Huyện,,087,,",
        ",Lò Văn Sùng,Nam,1970,,Lãnh đạo,Tỉnh,,136,,",
    ]
    result = run(csv_file(tmp_path, rows), structure="2025")
    no_districts = "Cơ cấu 2025 không có cấp huyện; hãy nhập tệp này theo cơ cấu 2023."
    assert messages(result) == [
        (3, "cap", no_districts),
        (4, "ma_don_vi_hanh_chinh", no_districts + " (Mã này thuộc cơ cấu 2023: Huyện Văn "
         "Yên — Tỉnh Yên Bái (2023), nay thuộc Tỉnh Lào Cai.)"),
    ]  # fmt: skip
    assert not result.written and Cadre.objects.count() == 0
    # The same rows as a 2023 file: the district person is welcome.
    assert run(csv_file(tmp_path, rows[:2], name="b.csv")).created == 2


def test_an_unknown_code_and_a_code_of_the_other_structure_are_explained(tmp_path, reform):
    rows = [
        ",Lò Thị Nga,Nữ,1980,,Khác,Xã,,02953,,",  # valid, yet not written
        ",Người Một,Nữ,1980,,Khác,Xã,,99999,,",
        ",Người Hai,Nữ,1980,,Lãnh đạo,Tỉnh,,10,,",  # Lào Cai of 2023: not a 2025 province
    ]
    result = run(csv_file(tmp_path, rows), structure="2025")
    assert messages(result) == [
        (3, "ma_don_vi_hanh_chinh", "Không có đơn vị mã “99999” trong cơ cấu 2025. Hãy ghi 2 "
         "chữ số cho tỉnh, 5 chữ số cho xã."),
        (4, "ma_don_vi_hanh_chinh", "Không có đơn vị mã “10” trong cơ cấu 2025. Mã này thuộc "
         "cơ cấu 2023: Tỉnh Lào Cai (2023), nay thuộc Tỉnh Lào Cai. Có phải tệp này cần nhập "
         "theo cơ cấu 2023?"),
    ]  # fmt: skip
    assert Cadre.objects.count() == 0

    result = run(csv_file(tmp_path, [",Người Ba,Nữ,1980,,Khác,Xã,,04375,,"], name="b.csv"))
    assert messages(result) == [
        (2, "ma_don_vi_hanh_chinh", "Không có đơn vị mã “04375” trong cơ cấu 2023. Mã này "
         "thuộc cơ cấu 2025: Xã Mậu A — Tỉnh Lào Cai (2025). Có phải tệp này cần nhập theo "
         "cơ cấu 2025?"),
    ]  # fmt: skip
    assert Cadre.objects.count() == 0


def test_a_lao_cai_admin_imports_old_yen_bai_communes_but_not_another_province(tmp_path, reform):
    """A province admin's scope is a 2025 province: the 2023 units that went into it are
    theirs (Yên Bái's communes for Lào Cai), whichever structure the file is of."""
    rows = [",Lò Văn Sùng,Nam,1970,,Khác,Xã,,04378,,", ",Hà Thị Lan,Nữ,1978,,Khác,Xã,,00001,,"]
    result = run(csv_file(tmp_path, rows), province_code="15")
    # Outside the scope: the one answer that says nothing of the other province.
    assert messages(result) == [
        (3, "", "Không thể nhập người này ở đây; xin liên hệ quản trị trung ương.")
    ]
    result = run(csv_file(tmp_path, rows[:1], name="b.csv"), province_code="15")
    assert result.ok and result.written
    assert Cadre.objects.get().unit == reform["2023:04378"]
    rows_2025 = [
        ",Hoàng Văn Páo,Nam,1975,,Khác,Xã,,02953,,",
        ",Trần Thị Hà,Nữ,1980,,Khác,Xã,,00004,,",
    ]
    result = run(csv_file(tmp_path, rows_2025, name="c.csv"), structure="2025", province_code="15")
    assert [(r, c) for r, c, _m in messages(result)] == [(3, "")]


def test_the_preview_names_each_unit_with_its_province_and_structure(tmp_path, reform):
    rows = [
        ",Lò Thị Nga,Nữ,1980,,Lãnh đạo,Tỉnh,,15,,",
        ",Hoàng Văn Páo,Nam,1975,,Khác,Xã,,02953,,",
        ",Vàng Thị Mai,Nữ,1990,,Khác,Xã,,2953,,",  # a spreadsheet dropped the leading zero
    ]
    result = run(csv_file(tmp_path, rows), structure="2025", dry_run=True)
    assert result.units == [
        ["15", "Tỉnh Lào Cai (2025)", 1, [2]],
        ["02953", "Xã Nghĩa Đô — Tỉnh Lào Cai (2025)", 2, [3, 4]],
    ]
    assert result.summary()["structure"] == "2025"
    result = run(csv_file(tmp_path, rows[:2], name="b.csv"), dry_run=True)
    assert result.units == [
        ["15", "Tỉnh Yên Bái (2023), nay thuộc Tỉnh Lào Cai", 1, [2]],
        ["02953", "Xã Nghĩa Đô — Tỉnh Lào Cai (2023), nay thuộc Tỉnh Lào Cai", 1, [3]],
    ]
    assert Cadre.objects.count() == 0


def test_the_command_takes_the_structure_defaults_to_2025_and_previews_the_units(tmp_path, reform):
    path = csv_file(tmp_path, [",Lò Thị Nga,Nữ,1980,,Lãnh đạo,Tỉnh,,15,,"])
    out = io.StringIO()
    call_command("import_cadres", str(path), "--dry-run", stdout=out)
    assert "15 → Tỉnh Lào Cai (2025): 1 dòng (2)" in out.getvalue()
    out = io.StringIO()
    call_command("import_cadres", str(path), "--dry-run", "--structure", "2023", stdout=out)
    assert "15 → Tỉnh Yên Bái (2023), nay thuộc Tỉnh Lào Cai: 1 dòng (2)" in out.getvalue()
    assert Cadre.objects.count() == 0
    call_command("import_cadres", str(path), stdout=io.StringIO())
    assert Cadre.objects.get().unit == reform["2025:15"]
    with pytest.raises(CommandError):
        call_command("import_cadres", str(path), "--structure", "2024")


def test_the_units_are_read_once_not_per_row(tmp_path, reform):
    """The query count of a check does not grow with the rows, unknown codes included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count):
        rows = [f",Người {n},Nữ,1980,,Khác,Xã,,{'02953' if n % 2 else '9999' + str(n % 10)},,"
                for n in range(count)]  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            result = run(csv_file(tmp_path, rows, name=f"{count}.csv"), structure="2025",
                         dry_run=True)  # fmt: skip
        assert result.errors and result.units
        return len(captured)

    queries(4)  # the lineage map is now in the cache, as it is between imports
    assert queries(4) == queries(40)


def test_the_template_examples_are_of_its_structure():
    from courses.registry.imports import template_rows

    for structure in ("2023", "2025"):
        columns, examples = template_rows(structure)
        # The template also shows the optional consent date column, last.
        assert columns == [*COLUMNS, "ngay_dong_y"]
        codes = [row[COLUMNS.index("ma_don_vi_hanh_chinh")] for row in examples]
        assert codes == {"2023": ["00001", "03160"], "2025": ["00004", "02953"]}[structure]


# --- Namesakes: a different cadre id, phone or email makes two people ---------------------------

# Two women of the same name, born the same year, in the same commune (common in
# ethnic-minority communes), told apart by their phones.
MAI_1 = ",Lò Thị Mai,Nữ,1988,,Cán bộ chủ chốt,Xã,,00001,0912000101,"
MAI_2 = ",Lo Thi Mai,Nữ,1988,,Trưởng thôn bản,Xã,,00001,0912000102,"
# How the report names their unit.
PHUC_XA = "00001 — Phường Phúc Xá — Thành phố Hà Nội (2023), nay thuộc Thành phố Hà Nội"


@pytest.mark.parametrize(
    ("first", "second", "key"),
    [
        (MAI_1, MAI_2, "số điện thoại"),
        ("M-1" + MAI_1.replace("0912000101", ""), "M-2" + MAI_2.replace("0912000102", ""),
         "mã cán bộ"),
        (MAI_1.replace("0912000101,", "0912000101,a@x.vn"),
         MAI_2.replace("0912000102,", ",b@x.vn"), "thư điện tử"),
    ],
    ids=["phone", "cadre id", "email"],
)  # fmt: skip
def test_namesakes_told_apart_by_a_strong_key_are_two_people_with_a_warning(
    tmp_path, units, first, second, key
):
    """Before, the two rows were "the same person as row 2" and nothing was imported."""
    result = run(csv_file(tmp_path, [first, second]))

    assert result.ok and result.written, messages(result)
    assert result.created == 2
    assert Cadre.objects.filter(name_key="lo thi mai").count() == 2
    assert warnings(result) == [
        (3, "ho_ten", "Hai người có thể trùng: dòng 2 và dòng 3 cùng họ tên, năm sinh và đơn vị "
         f"nhưng khác {key}, nên được nhập là hai người."),
    ]  # fmt: skip
    # The report shows each warned row's name and unit.
    assert result.labels[3] == ("Lo Thi Mai", PHUC_XA)
    # Importing the same file again: each row is its own person, nothing changes, no warning.
    again = run(csv_file(tmp_path, [first, second], name="again.csv"))
    assert again.ok and (again.created, again.unchanged) == (0, 2)
    assert warnings(again) == []


def test_a_row_and_a_registered_namesake_with_another_phone_are_two_people(tmp_path, units):
    registered = make_cadre(unit=units["00001"], full_name="Lò Thị Mai", birth_year=1988,
                            phone="0912000101", ma_can_bo="HN-77")  # fmt: skip
    result = run(csv_file(tmp_path, [MAI_2]))

    assert result.ok and result.created == 1 and result.updated == 0
    assert Cadre.objects.count() == 2
    registered.refresh_from_db()
    assert registered.phone == "0912000101" and registered.target_group == "key_cadre"
    assert warnings(result) == [
        (2, "ho_ten", "Người có thể trùng với một người đã có trong danh sách (mã cán bộ HN-77): "
         "cùng họ tên, năm sinh và đơn vị nhưng khác số điện thoại, nên dòng này được nhập là "
         "một người mới."),
    ]  # fmt: skip


def test_without_a_strong_key_on_one_side_the_name_key_still_matches(tmp_path, units):
    """A registered person without phone, and a row with one: the same person (as before);
    the row adds the phone."""
    registered = make_cadre(unit=units["00001"], full_name="Lò Thị Mai", birth_year=1988)
    result = run(csv_file(tmp_path, [MAI_1]))
    assert result.ok and (result.created, result.updated) == (0, 1)
    assert warnings(result) == []
    registered.refresh_from_db()
    assert registered.phone == "0912000101"


def test_a_row_that_could_be_either_of_two_registered_namesakes_is_an_error(tmp_path, units):
    make_cadre(unit=units["00001"], full_name="Lò Thị Mai", birth_year=1988, phone="0912000101")
    make_cadre(unit=units["00001"], full_name="Lò Thị Mai", birth_year=1988, phone="0912000102")
    result = run(csv_file(tmp_path, [",Lò Thị Mai,Nữ,1988,,Khác,Xã,,00001,,"]))
    assert messages(result) == [
        (2, "ho_ten", "Có nhiều người đã đăng ký trùng họ tên, năm sinh và đơn vị này: hãy ghi "
         "mã cán bộ, số điện thoại hoặc thư điện tử của người mà dòng này nói đến."),
    ]  # fmt: skip
    assert Cadre.objects.count() == 2


def test_a_namesake_without_a_strong_key_beside_two_told_apart_is_an_error(tmp_path, units):
    """Rows 2 and 3 differ by phone; row 4 has none: it may be either, so it is the same
    person as row 2 (the first it cannot be told apart from), an error as before."""
    rows = [MAI_1, MAI_2, ",Lò Thị Mai,Nữ,1988,,Khác,Xã,,00001,,"]
    result = run(csv_file(tmp_path, rows))
    assert messages(result) == [
        (4, "ho_ten", "Cùng một người với dòng 2 (trùng họ tên, năm sinh và đơn vị)."),
    ]
    assert not result.written and Cadre.objects.count() == 0


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        ([MAI_1, MAI_2.replace("0912000102", "0912000101")], (3, "so_dien_thoai")),
        (["X-1" + MAI_1, "X-1" + MAI_2], (3, "ma_can_bo")),
        ([MAI_1.replace("0912000101,", "0912000101,a@x.vn"),
          ",Hà Văn Nam,Nam,1970,,Khác,Xã,,00004,,A@X.VN"], (3, "email")),
    ],
    ids=["phone", "cadre id", "email"],
)  # fmt: skip
def test_the_same_strong_key_twice_in_a_file_stays_an_error(tmp_path, units, rows, where):
    result = run(csv_file(tmp_path, rows))
    assert [(r, c) for r, c, _m in messages(result)] == [where]
    assert "Cùng một người với dòng 2" in messages(result)[0][2]
    assert Cadre.objects.count() == 0


def test_a_truly_bad_row_still_refuses_the_whole_file_and_the_warnings_are_listed(tmp_path, units):
    rows = [MAI_1, MAI_2, ",Người Ba,Nữ,1800,,Khác,Xã,,00001,,"]
    result = run(csv_file(tmp_path, rows))
    assert [(r, c) for r, c, _m in messages(result)] == [(4, "nam_sinh")]
    assert [(r, c) for r, c, _m in warnings(result)] == [(3, "ho_ten")]
    assert not result.written and Cadre.objects.count() == 0
    assert result.labels[4] == ("Người Ba", PHUC_XA)


def test_namesakes_and_registered_people_add_no_query_per_row(tmp_path, units):
    """Matching reads the register once: the query count does not grow with the rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        make_cadre(unit=units["00001"], full_name="Lò Thị Mai", birth_year=1988,
                   phone=f"09120009{n:02d}")  # fmt: skip

    def queries(count):
        rows = [f",Lò Thị Mai,Nữ,1988,Thái,Khác,Xã,,00001,0912{n:06d},{n}@x.vn"
                for n in range(count)]  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            result = run(csv_file(tmp_path, rows, name=f"{count}.csv"), dry_run=True)
        assert result.ok and result.warnings
        return len(captured)

    queries(4)  # the lineage map is now in the cache, as it is between imports
    assert queries(4) == queries(40)


# --- Consent --------------------------------------------------------------------------------


def test_attested_consent_dates_are_recorded_as_paper_consent_and_ethnicity_is_stored(
    tmp_path, units
):
    from courses.registry.models import ConsentMethod
    from tests.builders import make_user

    admin = make_user("nhap_lieu")
    rows = [
        "HN-1,Nguyễn Thị Hoa,Nữ,1985,Kinh,Khác,Xã,,00001,,,01/03/2026",
        ",Lò Văn Páo,Nam,1970,Thái,Khác,Xã,,00004,,,2026-02-15",
        ",Hà Thị Lan,Nữ,1979,Tày,Khác,Xã,,00004,,,",  # no consent: ethnicity left out
    ]
    result = run(csv_file(tmp_path, rows, header=CONSENT_HEADER), **ATTESTED,
                 attested_by_id=admin.pk)  # fmt: skip

    assert result.ok and result.written and result.created == 3
    assert (result.consent_recorded, result.ethnicity_withheld) == (2, 1)
    hoa = Cadre.objects.get(ma_can_bo="HN-1")
    assert hoa.ethnicity == "01"
    assert hoa.consent_method == ConsentMethod.PAPER
    assert hoa.consent_notice_version == CONSENT_NOTICE_VERSION
    assert hoa.consent_attested_by == admin
    from django.utils import timezone

    assert timezone.localtime(hoa.consent_at).date().isoformat() == "2026-03-01"
    pao = Cadre.objects.get(full_name="Lò Văn Páo")
    assert timezone.localtime(pao.consent_at).date().isoformat() == "2026-02-15"
    lan = Cadre.objects.get(full_name="Hà Thị Lan")
    assert (lan.ethnicity, lan.consent_at, lan.consent_method) == ("", None, "")
    assert warnings(result) == [
        (4, "dan_toc", "Chưa ghi nhận sự đồng ý của người này: dân tộc không được lưu (được "
         "tính là không rõ). Hãy ghi ngày người này ký giấy đồng ý vào cột ngay_dong_y và xác "
         "nhận phiên bản thông báo để lưu dân tộc."),
    ]  # fmt: skip
    # Again: nothing changes (the consent recorded is kept, not recorded a second time).
    again = run(csv_file(tmp_path, rows, header=CONSENT_HEADER, name="b.csv"), **ATTESTED,
                attested_by_id=admin.pk)  # fmt: skip
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.consent_recorded == 0


def test_without_attestation_the_dates_are_not_recorded_and_ethnicity_is_left_out(tmp_path, units):
    rows = consented(["HN-1,Nguyễn Thị Hoa,Nữ,1985,Kinh,Khác,Xã,,00001,,"])
    result = run(csv_file(tmp_path, rows, header=CONSENT_HEADER))
    assert result.ok and result.written and result.created == 1
    hoa = Cadre.objects.get()
    assert (hoa.ethnicity, hoa.consent_at) == ("", None)
    assert [(r, c) for r, c, _m in warnings(result)] == [(0, "ngay_dong_y"), (2, "dan_toc")]
    assert "chưa xác nhận phiên bản thông báo" in warnings(result)[0][2]


def test_a_person_who_consented_before_gets_the_ethnicity_of_the_file(tmp_path, units):
    from django.utils import timezone

    make_cadre(unit=units["00001"], full_name="Nguyễn Thị Hoa", ma_can_bo="HN-1",
               consent_at=timezone.now(), consent_notice_version=CONSENT_NOTICE_VERSION,
               consent_method="online")  # fmt: skip
    result = run(csv_file(tmp_path, ["HN-1,Nguyễn Thị Hoa,Nữ,1985,Tày,Khác,Xã,,00001,,"]))
    assert result.ok and result.updated == 1 and warnings(result) == []
    cadre = Cadre.objects.get()
    assert cadre.ethnicity == "02" and cadre.consent_method == "online"


@pytest.mark.parametrize("day", ["31/02/2026", "hôm qua", "01/01/2099", "01/01/2019"])
def test_a_bad_consent_date_is_an_error(tmp_path, units, day):
    rows = consented([ROW_PAO], day=day)
    result = run(csv_file(tmp_path, rows, header=CONSENT_HEADER), **ATTESTED)
    assert [(r, c) for r, c, _m in messages(result)] == [(2, "ngay_dong_y")]
    assert Cadre.objects.count() == 0


def test_command_prints_warnings_exits_zero_and_writes_the_report(tmp_path, units):
    from openpyxl import load_workbook

    from tests.builders import make_user

    make_user("tinh_hn")
    path = csv_file(tmp_path, consented([MAI_1, MAI_2.replace("1988,,", "1988,Thái,")]),
                    header=CONSENT_HEADER)  # fmt: skip
    report = tmp_path / "bao_cao.xlsx"
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cadres", str(path), "--structure", "2023", "--consent-notice",
                 CONSENT_NOTICE_VERSION, "--attested-by", "tinh_hn", "--report", str(report),
                 stdout=out, stderr=err)  # fmt: skip
    assert "cảnh báo: dòng 3, ho_ten: Hai người có thể trùng: dòng 2 và dòng 3" in err.getvalue()
    assert "2 mới" in out.getvalue() and "1 cảnh báo" in out.getvalue()
    assert Cadre.objects.filter(consent_attested_by__username="tinh_hn").count() == 2
    assert Cadre.objects.get(phone="0912000102").ethnicity == "03"
    sheet = load_workbook(report).worksheets[0]
    lines = [[c.value for c in row] for row in sheet.iter_rows()]
    assert lines[0] == ["Loại", "Dòng", "Cột", "Họ tên", "Đơn vị", "Lý do"]
    assert lines[1][:5] == ["cảnh báo", 3, "ho_ten", "Lo Thi Mai",
                            PHUC_XA]  # fmt: skip
    with pytest.raises(CommandError):
        call_command("import_cadres", str(path), "--consent-notice", "2020-01")
