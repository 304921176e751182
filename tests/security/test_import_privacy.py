"""The cadre import tells a province admin nothing about people outside their province.

A Lào Cai admin (2025: old Lào Cai and old Yên Bái) previews a 2023-structure file whose
rows carry a Hà Giang person's phone, e-mail and cadre id, and a unit of Hà Giang: every such
row is refused with one and the same message ("cannot be imported here; ask the central
admin"), in the same column, and neither the preview page
nor the stored report holds the other province's name or code, the cadre id, or the name on
record. Otherwise one dry run could test thousands of numbers against the whole country and
learn where, and as whom, each is registered. A central admin, whose scope covers everyone,
still gets the precise reasons.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.registry.imports import COLUMNS
from courses.registry.models import Cadre, ImportJob, ImportStatus
from courses.registry.services import cadre_import
from tests.builders import make_cadre, make_units, make_user

pytestmark = pytest.mark.django_db

REFUSED = "Không thể nhập người này ở đây; xin liên hệ quản trị trung ương."
YB_NAME, YB_ID, YB_PHONE, YB_EMAIL = (
    "Hoàng Thị Zzyến", "YB-0042", "0987001542", "zzyen.hoang@yenbai.example",
)  # fmt: skip


@pytest.fixture
def provinces(db):
    lao_cai = make_units(province_code="10", province_name="Tỉnh Lào Cai")
    yen_bai = make_units(province_code="02", province_name="Tỉnh Hà Giang")
    make_cadre(unit=yen_bai.commune, full_name=YB_NAME, ma_can_bo=YB_ID, phone=YB_PHONE,
               email=YB_EMAIL, birth_year=1979)  # fmt: skip
    return lao_cai, yen_bai


def probing_file(lao_cai, yen_bai) -> bytes:
    """Rows 2-4 each carry one key of the Yên Bái person (rows 2 and 3 with a new cadre id of
    their own); row 5 names a Yên Bái commune."""
    here, there = lao_cai.commune.code, yen_bai.commune.code
    rows = [
        f"LC-NEW-1,Người Một,Nữ,1980,,Khác,Xã,,{here},{YB_PHONE},",
        f"LC-NEW-2,Người Hai,Nữ,1981,,Khác,Xã,,{here},,{YB_EMAIL.upper()}",
        f"{YB_ID},Người Ba,Nữ,1982,,Khác,Xã,,{here},,",
        f",Người Bốn,Nữ,1983,,Khác,Xã,,{there},,",
    ]
    return ("\n".join([",".join(COLUMNS), *rows]) + "\n").encode("utf-8")


def assert_reveals_nothing(text: str) -> None:
    for secret in (YB_NAME, YB_ID, "Hà Giang", "Ha Giang", "Tuyên Quang"):
        assert secret not in text, f"{secret!r} reached a Lào Cai admin"


def test_a_province_admin_preview_reveals_nothing_of_another_province(client, provinces):
    lao_cai, yen_bai = provinces
    client.force_login(make_user("lc_admin", role="Admin", province_code="15"))
    before = list(Cadre.objects.values())
    response = client.post(
        reverse("courses_registry_import"),
        {
            "file": SimpleUploadedFile("lao_cai.csv", probing_file(lao_cai, yen_bai)),
            "structure": "2023",
        },
    )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.INVALID
    page = client.get(response["Location"]).content.decode()

    assert_reveals_nothing(page)
    report = repr(job.errors) + repr(job.summary) + job.message
    assert_reveals_nothing(report)
    for code in (yen_bai.commune.code, "'02'", "'08'"):
        assert code not in report, "the other province's code reached the report"
    # One message per row, the same for every reason, in the same column.
    assert [tuple(error) for error in job.errors] == [(n, "", REFUSED) for n in (2, 3, 4, 5)]
    assert page.count(REFUSED) == 4
    assert list(Cadre.objects.values()) == before


def test_the_dry_run_of_a_province_scope_says_the_same_and_the_central_admin_learns_more(
    provinces,
):
    lao_cai, yen_bai = provinces
    data = probing_file(lao_cai, yen_bai)
    scoped = cadre_import(source=io.BytesIO(data), name="lao_cai.csv", dry_run=True,
                          province_code="15", structure="2023")  # fmt: skip
    lines = [str(error) for error in scoped.errors.sorted()]
    assert lines == [f"dòng {n}: {REFUSED}" for n in (2, 3, 4, 5)]

    central = cadre_import(
        source=io.BytesIO(data), name="lao_cai.csv", dry_run=True, structure="2023"
    )
    messages = " ".join(error.message for error in central.errors.sorted())
    assert f"Người này đã được đăng ký với mã cán bộ {YB_ID}." in messages
    assert REFUSED not in messages


def test_the_report_and_the_warnings_reveal_nothing_of_another_province(client, provinces):
    """The XLSX report (and the names and units kept for it) of the probing file names no
    one and no place of the other province; a namesake of the Hà Giang person in a Lào Cai
    commune is a new person with no warning that would point at her."""
    from openpyxl import load_workbook

    lao_cai, yen_bai = provinces
    client.force_login(make_user("lc_admin", role="Admin", province_code="15"))
    namesake = f",{YB_NAME},Nữ,1979,,Khác,Xã,,{lao_cai.commune.code},,\n".encode()
    client.post(
        reverse("courses_registry_import"),
        {
            "file": SimpleUploadedFile("lao_cai.csv", probing_file(lao_cai, yen_bai) + namesake),
            "structure": "2023",
        },
    )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.INVALID
    kept = repr(job.row_labels) + repr(job.warnings)
    assert_reveals_nothing(kept.replace(YB_NAME, ""))  # the namesake row is the admin's own
    assert yen_bai.commune.code not in kept
    response = client.get(reverse("courses_registry_import_report", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    lines = " | ".join(cells)
    for secret in (YB_ID, "Hà Giang", "Ha Giang", "Tuyên Quang", yen_bai.commune.code):
        assert secret not in lines, f"{secret!r} reached the report"
    assert lines.count(REFUSED) == 4
    # Only the admin's own row carries the name, and no warning points at anyone.
    assert [w for w in job.warnings if "có thể trùng" in w[2]] == []
