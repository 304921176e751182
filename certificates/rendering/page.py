"""Drawing one certificate page: a static frame (one Form XObject per document) and the fields.

The wording is the fixed Vietnamese of the certificate, not interface text: the printed
document reads the same whatever language the person who triggered it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from . import layout
from .fonts import SERIF, SERIF_BOLD, start_document
from .qr import draw_qr

if TYPE_CHECKING:
    from . import CertificateData

PAGE_WIDTH, PAGE_HEIGHT = PAGE_SIZE = landscape(A4)
CENTRE = PAGE_WIDTH / 2
FORM = "certificate-frame"

RED = (0.61, 0.11, 0.11)
GOLD = (0.72, 0.53, 0.04)
INK = (0.10, 0.12, 0.25)
GREY = (0.30, 0.30, 0.30)

# Boxes for the variable text (points; y is the baseline of the first line)
NAME_WIDTH = PAGE_WIDTH - 2 * 100
TITLE_WIDTH = PAGE_WIDTH - 2 * 120
QR_X, QR_Y, QR_SIZE = 62.0, 60.0, 100.0
URL_X, URL_WIDTH = QR_X + QR_SIZE + 10, 150.0
SIGN_CENTRE, SIGN_WIDTH = PAGE_WIDTH - 215, 300.0
TITLE_MIDDLE = 268.0  # the course title's lines are centred on this height
COMPLETION_Y = 210.0


def new_canvas(out, *, title: str, author: str = "") -> Canvas:
    canvas = Canvas(out, pagesize=PAGE_SIZE, pageCompression=1)
    canvas.setTitle(title)
    if author:
        canvas.setAuthor(author)
    canvas.setCreator("Project 8 LMS")
    start_document(canvas._doc)
    _define_frame(canvas)
    return canvas


# The frame's drawing operators, by the names its fonts have in the document (the same in
# every certificate: the fonts are first named by the frame, and their subsets begin with
# the same repertoire), drawn once per process.
_frames: dict[tuple[str, ...], bytes] = {}
# The fonts the frame draws with, in the order it first uses them.
_FRAME_FONTS = (SERIF_BOLD, SERIF)


def _define_frame(canvas: Canvas) -> None:
    """Everything that is the same on every certificate, as one reusable Form XObject: drawn
    for the first document of a process, and copied into the next ones."""
    doc = canvas._doc
    # Named in the order the frame first uses them, as drawing it would name them.
    key = tuple(pdfmetrics.getFont(font).getSubsetInternalName(0, doc) for font in _FRAME_FONTS)
    operators = _frames.get(key)
    if operators is not None:
        form = pdfdoc.PDFFormXObject(lowerx=0, lowery=0, upperx=PAGE_WIDTH, uppery=PAGE_HEIGHT)
        form.compression = canvas._pageCompression
        form.stream = operators
        doc.addForm(FORM, form)
        return
    _draw_frame(canvas)
    _frames[key] = doc.idToObject[pdfdoc.xObjectName(FORM)].stream


def _draw_frame(canvas: Canvas) -> None:
    canvas.beginForm(FORM)
    w, h = PAGE_WIDTH, PAGE_HEIGHT
    # Double frame: a strong red line, a fine gold one inside it, gold corner ornaments.
    canvas.setStrokeColorRGB(*RED)
    canvas.setLineWidth(3)
    canvas.rect(20, 20, w - 40, h - 40, stroke=1, fill=0)
    canvas.setStrokeColorRGB(*GOLD)
    canvas.setLineWidth(0.8)
    canvas.rect(28, 28, w - 56, h - 56, stroke=1, fill=0)
    canvas.setLineWidth(1.6)
    canvas.setFillColorRGB(*GOLD)
    for x, y, sx, sy in (
        (34, 34, 1, 1),
        (w - 34, 34, -1, 1),
        (34, h - 34, 1, -1),
        (w - 34, h - 34, -1, -1),
    ):
        path = canvas.beginPath()
        path.moveTo(x, y + sy * 34)
        path.lineTo(x, y)
        path.lineTo(x + sx * 34, y)
        canvas.drawPath(path, stroke=1, fill=0)
        diamond = canvas.beginPath()
        cx, cy = x + sx * 9, y + sy * 9
        diamond.moveTo(cx, cy - 4)
        diamond.lineTo(cx + 4, cy)
        diamond.lineTo(cx, cy + 4)
        diamond.lineTo(cx - 4, cy)
        diamond.close()
        canvas.drawPath(diamond, stroke=0, fill=1)
    # National heading, as on Vietnamese official papers (no emblem).
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(SERIF_BOLD, 13)
    canvas.drawCentredString(CENTRE, h - 72, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    motto = "Độc lập - Tự do - Hạnh phúc"
    canvas.setFont(SERIF_BOLD, 13.5)
    canvas.drawCentredString(CENTRE, h - 90, motto)
    half = layout.unit_width(motto, SERIF_BOLD) * 13.5 / 2
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(0.7)
    canvas.line(CENTRE - half, h - 95, CENTRE + half, h - 95)
    # Title and the fixed phrases between the fields.
    canvas.setFillColorRGB(*RED)
    canvas.setFont(SERIF_BOLD, 38)
    canvas.drawCentredString(CENTRE, h - 150, "GIẤY CHỨNG NHẬN")
    canvas.setStrokeColorRGB(*GOLD)
    canvas.setLineWidth(1)
    canvas.line(CENTRE - 60, h - 163, CENTRE + 60, h - 163)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(SERIF, 16)
    canvas.drawCentredString(CENTRE, h - 280, "Đã hoàn thành khóa học:")
    canvas.setFillColorRGB(*GREY)
    canvas.setFont(SERIF_BOLD, 8.5)
    canvas.drawString(URL_X, QR_Y + QR_SIZE - 12, "Quét mã để xác minh")
    canvas.endForm()


def draw_page(canvas: Canvas, data: CertificateData) -> None:
    """One certificate on the current page; ``data`` is already NFC and checked."""
    canvas.doForm(FORM)
    h = PAGE_HEIGHT
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(SERIF, 16)
    canvas.drawCentredString(CENTRE, h - 193, f"Chứng nhận {data.salutation or 'Ông/Bà'}:")
    # The learner's name: large, shrinking for long names, two lines at most.
    size, lines = layout.fit(
        data.full_name, SERIF_BOLD, size=32, width=NAME_WIDTH, max_lines=2, one_line_down_to=22
    )
    canvas.setFillColorRGB(*INK)
    canvas.setFont(SERIF_BOLD, size)
    top = h - 238 if len(lines) == 1 else h - 225
    for i, line in enumerate(lines):
        canvas.drawCentredString(CENTRE, top - i * size * 1.15, line)
    # The course's certificate title: up to three lines.
    size, lines = layout.fit(
        data.course_title,
        SERIF_BOLD,
        size=22,
        width=TITLE_WIDTH,
        max_lines=3,
        one_line_down_to=18,
    )
    leading = size * 1.2
    top = TITLE_MIDDLE + (len(lines) - 1) * leading / 2 - size * 0.35
    canvas.setFillColorRGB(*RED)
    canvas.setFont(SERIF_BOLD, size)
    for i, line in enumerate(lines):
        canvas.drawCentredString(CENTRE, top - i * leading, line)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(SERIF, 14)
    canvas.drawCentredString(
        CENTRE,
        COMPLETION_Y,
        f"Hoàn thành {layout.vietnamese_date(data.completed_on)} "
        f"({layout.short_date(data.completed_on)})",
    )
    _draw_verification(canvas, data)
    _draw_signature(canvas, data)
    canvas.showPage()


def _draw_verification(canvas: Canvas, data: CertificateData) -> None:
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(SERIF_BOLD, 11)
    canvas.drawString(QR_X, QR_Y + QR_SIZE + 14, f"Số: {data.serial}")
    draw_qr(canvas, data.verify_url, QR_X, QR_Y, QR_SIZE)
    canvas.setFillColorRGB(*GREY)
    canvas.setFont(SERIF, 6.5)
    lines = layout.break_anywhere(data.verify_url, SERIF, 6.5, URL_WIDTH)
    for i, line in enumerate(lines[:8]):
        canvas.drawString(URL_X, QR_Y + QR_SIZE - 24 - i * 8, line)


def _draw_signature(canvas: Canvas, data: CertificateData) -> None:
    canvas.setFillColorRGB(0, 0, 0)
    y = 178.0
    canvas.setFont(SERIF, 12.5)
    issued = layout.vietnamese_date(data.issued_on)
    line = f"{data.place}, {issued}" if data.place else issued[0].upper() + issued[1:]
    size, lines = layout.fit(
        line, SERIF, size=12.5, width=SIGN_WIDTH, max_lines=2, one_line_down_to=10
    )
    canvas.setFont(SERIF, size)
    for i, part in enumerate(lines):
        if i:
            y -= size * 1.25
        canvas.drawCentredString(SIGN_CENTRE, y, part)
    y -= 20
    for text, font in (
        (data.organisation.upper(), SERIF_BOLD),
        (data.signer_title.upper(), SERIF_BOLD),
    ):
        if not text:
            continue
        size, lines = layout.fit(
            text, font, size=11.5, width=SIGN_WIDTH, max_lines=2, one_line_down_to=9.5
        )
        canvas.setFont(font, size)
        for line in lines:
            canvas.drawCentredString(SIGN_CENTRE, y, line)
            y -= size * 1.3
    if data.signer_name:
        size, lines = layout.fit(
            data.signer_name,
            SERIF_BOLD,
            size=13,
            width=SIGN_WIDTH,
            max_lines=2,
            one_line_down_to=9,
        )
        canvas.setFont(SERIF_BOLD, size)
        for i, line in enumerate(reversed(lines)):
            canvas.drawCentredString(SIGN_CENTRE, QR_Y + 8 + i * size * 1.2, line)
