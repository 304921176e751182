"""The sign-in sheet PDF of a session: A4, the session and its participants in Vietnamese,
in an embedded DejaVu font."""

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from courses.sessions.services import attendance_mark
from tests.builders import logged_in, make_cadre
from tests.courses.sessions.test_views import url

pytestmark = pytest.mark.django_db


def test_sign_in_sheet_pdf(world, trainer, session):
    attendance_mark(session=session, cadre=make_cadre(
        unit=world.lao_cai.commune, full_name="Lò Văn An", birth_year=1979, agency="UBND xã"
    ), present=True)  # fmt: skip
    response = logged_in(trainer).get(url("signin_sheet", session))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width == pytest.approx(595.27, abs=1)  # A4
    text = unicodedata.normalize("NFC", reader.pages[0].extract_text())
    text = re.sub(r"\s+", " ", text)
    for expected in ("Tập huấn lồng ghép giới xã Bản Lầu", "Lò Văn An", "1979", "UBND xã",
                     "Nhà văn hóa xã", "10/03/2026", "Chữ ký"):  # fmt: skip
        assert expected in text, expected
    fonts = {
        str(font.get("/BaseFont"))
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        for font in [font.get_object()]
    }
    assert any("DejaVuSans" in name for name in fonts)


def test_the_sheet_has_the_organisation_the_session_and_signature_lines(world, trainer, session):
    response = logged_in(trainer).get(url("signin_sheet", session))
    reader = PdfReader(io.BytesIO(response.content))
    raw = unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))
    text = re.sub(r"\s+", " ", raw)
    for expected in ("HỘI LIÊN HIỆP PHỤ NỮ VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập – Tự do – Hạnh phúc", "DANH SÁCH", "Mã lớp", "Giảng viên",
                     "Đại diện đơn vị tổ chức", "(Ký, ghi rõ họ tên)"):  # fmt: skip
        assert expected in text, expected
    # The first column's heading is whole, not broken into "ST" and "T".
    assert re.search(r"(^|\s)STT(\s|$)", raw), raw[:800]
    assert "None" not in text
