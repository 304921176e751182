"""The certificate PDF: what a learner, a printer and an auditor see in it."""

from __future__ import annotations

import datetime
import io
import random
import shutil
import string
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.graphics.barcode.qrencoder import QRErrorCorrectLevel, QRUtil

from certificates.rendering import (
    CertificateData,
    UnsupportedCharacters,
    missing_glyphs,
    render_certificate,
    render_certificates,
)
from certificates.rendering.qr import qr_matrix

VERIFY_URL = "https://daotao.phunu.vn/verify/Zk3x9QpLmN2vB7cRtY8wAe4sD1fGhJk0xQ/"


def certificate(**changes) -> CertificateData:
    fields = {
        "full_name": "Nguyễn Thị Hoà",
        "course_title": "Lồng ghép giới trong xây dựng chính sách và kế hoạch",
        "completed_on": datetime.date(2026, 11, 28),
        "issued_on": datetime.date(2026, 11, 30),
        "serial": "DA8-12-2026-000123",
        "verify_url": VERIFY_URL,
        "organisation": "Hội Liên hiệp Phụ nữ Việt Nam",
        "signer_name": "Hà Thị Nga",
        "signer_title": "Chủ tịch",
    }
    fields.update(changes)
    return CertificateData(**fields)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", text)


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_pdf_holds_the_exact_name_course_date_serial_and_organisation(tmp_path):
    pdf = render_certificate(certificate())

    for text in (pdf_text(pdf), pdftotext(pdf, tmp_path)):
        assert "Nguyễn Thị Hoà" in text
        assert "Lồng ghép giới trong xây dựng chính sách và kế hoạch" in text
        assert "ngày 28 tháng 11 năm 2026" in text
        assert "28/11/2026" in text
        assert "Số: DA8-12-2026-000123" in text
        assert "HỘI LIÊN HIỆP PHỤ NỮ VIỆT NAM" in text
        assert "GIẤY CHỨNG NHẬN" in text
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "Hà Thị Nga" in text


def test_a_name_typed_decomposed_is_printed_composed(tmp_path):
    typed = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
    assert typed != "Nguyễn Thị Hoà"  # as some keyboards send it

    pdf = render_certificate(certificate(full_name=typed))

    extracted = pdftotext(pdf, tmp_path)  # no normalisation of our own on this path
    assert "Nguyễn Thị Hoà" in extracted
    assert typed not in extracted
    assert "Nguyễn Thị Hoà" in pdf_text(pdf)


def test_dates_before_the_tenth_and_in_january_and_february_take_a_zero():
    pdf = render_certificate(certificate(completed_on=datetime.date(2026, 2, 5)))

    assert "ngày 05 tháng 02 năm 2026 (05/02/2026)" in pdf_text(pdf)


def _zbar(image: Path) -> str:
    """What zbar (an outside decoder) reads in the image."""
    return subprocess.run(
        ["zbarimg", "--quiet", "--raw", image.name],
        cwd=image.parent,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_the_qr_code_opens_the_verification_page(tmp_path):
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.skip("pdftoppm (poppler-utils) and zbarimg (zbar-tools) are needed")
    (tmp_path / "certificate.pdf").write_bytes(render_certificate(certificate()))
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", "certificate.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    decoded = _zbar(tmp_path / "page.png")

    assert decoded == VERIFY_URL


def _format_level(matrix: list[str]) -> int:
    """The error correction level a symbol's format information says, as ReportLab numbers
    it: the 15 bits down column 8 (where ReportLab's QRCode.setupTypeInfo puts them) matched
    against ReportLab's BCH code for each level and mask."""
    n = len(matrix)
    rows = [*range(6), 7, 8, *range(n - 7, n)]
    bits = sum(1 << i for i, row in enumerate(rows) if matrix[row][8] == "1")
    (data,) = [d for d in range(32) if QRUtil.getBCHTypeInfo(d) == bits]
    return data >> 3


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_the_qr_symbol_reads_back_at_the_level_asked_for(level, tmp_path):
    """zbar reads each symbol back to its text, and the symbol says the level asked for."""
    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg (zbar-tools) is needed")
    from PIL import Image

    rnd = random.Random(level)
    for length in (5, 30, 60, 120, 250):
        text = "https://daotao.phunu.vn/verify/" + "".join(
            rnd.choice(string.ascii_letters + string.digits + "-_") for _ in range(length)
        )
        matrix = qr_matrix(text, level)
        n = len(matrix)
        assert all(len(row) == n for row in matrix) and (n - 17) % 4 == 0
        assert _format_level(matrix) == getattr(QRErrorCorrectLevel, level)
        quiet, scale = 4, 4
        image = Image.new("L", (n + 2 * quiet, n + 2 * quiet), 255)
        image.putdata(
            [0 if (quiet <= x < quiet + n and quiet <= y < quiet + n
                   and matrix[y - quiet][x - quiet] == "1") else 255
             for y in range(n + 2 * quiet) for x in range(n + 2 * quiet)]
        )  # fmt: skip
        image.resize((image.width * scale, image.height * scale), Image.NEAREST).save(
            tmp_path / "qr.png"
        )
        decoded = _zbar(tmp_path / "qr.png")

        assert decoded == text


@pytest.mark.parametrize(
    "char",
    [
        "\U0001d518",  # MATHEMATICAL FRAKTUR CAPITAL U
        "\U0001f600",  # an emoji
        "\u4e2d",  # a CJK ideograph
    ],
)
def test_a_character_outside_the_font_is_refused_by_name_before_drawing(char):
    assert missing_glyphs(f"Nguyễn {char} Hoà") == [char]

    with pytest.raises(UnsupportedCharacters) as refused:
        render_certificate(certificate(full_name=f"Nguyễn {char} Hoà"))

    assert refused.value.characters == [char]
    message = str(refused.value)
    assert char in message
    assert f"U+{ord(char):04X}" in message


def test_the_refusal_is_explained_in_vietnamese(settings):
    from django.utils import translation

    with translation.override("vi"), pytest.raises(UnsupportedCharacters) as refused:
        render_certificate(certificate(course_title="Khóa học \u4e2d"))

    assert "phông chữ" in str(refused.value)


def test_every_vietnamese_letter_can_be_drawn():
    vowels = "aăâeêioôơuưy"
    tones = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
    letters = "".join(v + t for v in vowels for t in tones) + "đ"
    text = letters + letters.upper()

    assert missing_glyphs(text) == []
    assert missing_glyphs(unicodedata.normalize("NFD", text)) == []


def test_the_font_is_embedded_and_the_page_is_a4_landscape():
    pdf = render_certificate(certificate())
    reader = PdfReader(io.BytesIO(pdf))

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    assert b"/FontFile2" in pdf
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = [
        f.get_object()["/FontDescriptor"]["/FontFile2"]
        for f in fonts.values()
        if "/FontDescriptor" in f.get_object()
    ]
    assert embedded  # the TrueType subsets carry their font program


def test_long_names_and_titles_stay_inside_the_page(tmp_path):
    long_name = "Tôn Nữ Hoàng Phương Thảo Nguyễn Lê Bảo Ngọc Trâm Anh Khánh Linh Diễm Quỳnh"
    long_title = " ".join(["Bình đẳng giới trong phát triển kinh tế - xã hội"] * 5)
    pdf = render_certificate(certificate(full_name=long_name, course_title=long_title))

    text = " ".join(pdf_text(pdf).split())
    assert long_name in text
    assert long_title in text
    # pdftotext -layout keeps text laid out on the page: nothing falls off the edges
    layout = pdftotext(pdf, tmp_path)
    assert "Quỳnh" in layout and "xã hội" in layout


def test_one_merged_print_pdf_has_a_page_per_certificate():
    names = ["Nguyễn Thị Hoà", "Lò Thị Mai", "Hoàng A Sử", "Đinh Thị Thuỷ"]
    out = io.BytesIO()
    seen = []

    count = render_certificates(
        (certificate(full_name=n, serial=f"DA8-12-2026-{i:06d}") for i, n in enumerate(names)),
        out,
        progress=seen.append,
    )

    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert count == len(names) == len(reader.pages)
    assert seen == [1, 2, 3, 4]
    for page, name in zip(reader.pages, names, strict=True):
        assert name in unicodedata.normalize("NFC", page.extract_text())


def test_a_merged_pdf_with_one_bad_name_writes_nothing():
    out = io.BytesIO()

    with pytest.raises(UnsupportedCharacters):
        render_certificates([certificate(), certificate(full_name="Hoà \U0001f600")], out)

    assert out.getvalue() == b""


def test_what_a_process_builds_once_and_copies_gives_the_pdf_drawn_afresh(monkeypatch):
    """The frame, the fonts' seeded subsets and their formatted objects are built by the
    first certificate of a process and copied into the next ones: a certificate drawn from
    those copies, also after a name with a rare letter and in a merged PDF, is byte for byte
    the one drawn with nothing kept."""
    from reportlab import rl_config

    from certificates.rendering import fonts, page

    monkeypatch.setattr(rl_config, "invariant", 1)
    items = [
        certificate(full_name="Lò Thị Ǎ", serial="DA8-12-2026-000001"),
        certificate(full_name="Vàng A Páo", serial="DA8-12-2026-000002"),
    ]

    def afresh(draw):
        for kept in (fonts._seeded, fonts._formatted, page._frames):
            kept.clear()
        return draw()

    def merged():
        out = io.BytesIO()
        render_certificates(items, out)
        return out.getvalue()

    drawings = [lambda: render_certificate(certificate()), *[
        (lambda item=item: render_certificate(item)) for item in items
    ], merged]  # fmt: skip
    fresh = [afresh(draw) for draw in drawings]
    render_certificate(certificate(full_name="Hoàng Thị Ỹ"))
    copied = [draw() for draw in drawings]

    assert fonts._seeded and fonts._formatted and page._frames  # the copies were there to use
    assert copied == fresh
    assert len({*fresh}) == len(fresh)
