"""Certificate PDF rendering speed, one process on one core.

Renders 1,000 certificates with varied Vietnamese names as separate PDFs (what the issuing
task does), then the same 1,000 as one merged print PDF, then a naive ReportLab version
(QrCodeWidget drawing, plain TrueType subsetting per document) for comparison.
Target (issue 6): at least 150 certificates per second per core.

    .venv/bin/python -m tests.benchmarks certificate_render
"""

from __future__ import annotations

import datetime
import io
import random
import time

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from certificates.rendering import CertificateData, render_certificate, render_certificates
from lms.pdf import SERIF_BOLD_FILE, SERIF_FILE, font_register

COUNT = 1000
NAIVE_COUNT = 100

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Lò",
    "Hà",
    "Giàng",
    "Lường",
    "Sùng",
    "Vàng",
    "Điểu",
    "Thạch",
    "Đinh",
    "Quàng",
    "Ksor",
]
MIDDLES = ["Thị", "Văn", "Thị Thu", "Ngọc", "Đức", "Thị Hồng", "A", "Seo", "Thanh", "Minh"]
GIVEN = [
    "Hoà",
    "Mai",
    "Lan",
    "Hường",
    "Thuỷ",
    "Dũng",
    "Sử",
    "Nguyệt",
    "Phượng",
    "Quỳnh",
    "Xuân",
    "Tuyết",
    "Khánh",
    "Hạnh",
    "Yến",
    "Ánh",
    "Mỷ",
    "Chứ",
    "Dếnh",
    "Ngọc Ánh",
]
COURSES = [
    "Lồng ghép giới trong xây dựng chính sách và kế hoạch",
    "Bình đẳng giới và phân tích giới cho cán bộ cấp xã",
    "Giám sát, đánh giá thực hiện bình đẳng giới ở vùng đồng bào dân tộc thiểu số và miền núi",
    "Trưởng thôn, người có uy tín với việc xóa bỏ định kiến giới",
]


def sample(n: int, seed: int = 8) -> list[CertificateData]:
    rnd = random.Random(seed)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    items = []
    for i in range(n):
        code = "".join(rnd.choice(alphabet) for _ in range(22))  # 128+ bits, URL-safe
        items.append(
            CertificateData(
                full_name=f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLES)} {rnd.choice(GIVEN)}",
                course_title=rnd.choice(COURSES),
                completed_on=datetime.date(2026, 1 + i % 12, 1 + i % 28),
                issued_on=datetime.date(2026, 1 + i % 12, 1 + i % 28),
                serial=f"DA8-{rnd.randint(1, 96):02d}-2026-{i + 1:06d}",
                verify_url=f"https://daotao.phunu.vn/verify/{code}/",
                organisation="Hội Liên hiệp Phụ nữ Việt Nam",
                signer_name="Hà Thị Nga",
                signer_title="Chủ tịch",
            )
        )
    return items


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def naive(data: CertificateData) -> bytes:
    """What a first attempt looks like: a QR widget drawing and fresh font subsets each time."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=landscape(A4))
    width, height = landscape(A4)
    canvas.setFont("NaiveSerif-Bold", 34)
    canvas.drawCentredString(width / 2, height - 150, "GIẤY CHỨNG NHẬN")
    canvas.drawCentredString(width / 2, height - 240, data.full_name)
    canvas.setFont("NaiveSerif", 16)
    canvas.drawCentredString(width / 2, height - 190, "Chứng nhận Ông/Bà:")
    canvas.drawCentredString(width / 2, height - 300, data.course_title)
    canvas.drawString(60, 180, f"Số: {data.serial}")
    widget = QrCodeWidget(data.verify_url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(100, 100, transform=[100 / (x1 - x0), 0, 0, 100 / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, 60, 60)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def main() -> None:
    items = sample(COUNT)
    render_certificate(items[0])  # first call registers the fonts and warms the caches

    sizes = []
    wall, cpu = timed(lambda: sizes.extend(len(render_certificate(d)) for d in items))
    print(f"separate PDFs: {COUNT} in {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(
        f"  {COUNT / cpu:.0f} certificates/second per core (CPU time); "
        f"{COUNT / wall:.0f}/s wall clock; average {sum(sizes) / len(sizes) / 1024:.0f} KiB"
    )

    out = io.BytesIO()
    wall, cpu = timed(lambda: render_certificates(items, out))
    print(f"merged print PDF: {COUNT} pages in {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(
        f"  {COUNT / cpu:.0f} pages/second per core (CPU time); "
        f"{COUNT / wall:.0f}/s wall clock; {out.tell() / 1024 / 1024:.1f} MiB"
    )

    font_register("NaiveSerif", SERIF_FILE)  # plain ReportLab TTFont: per-document subsets
    font_register("NaiveSerif-Bold", SERIF_BOLD_FILE)
    wall, cpu = timed(lambda: [naive(d) for d in items[:NAIVE_COUNT]])
    print(
        f"naive baseline (QrCodeWidget, per-document subsets): {NAIVE_COUNT / cpu:.0f}/s "
        f"per core (CPU time), {NAIVE_COUNT / wall:.0f}/s wall clock"
    )


if __name__ == "__main__":
    main()
