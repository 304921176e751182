"""The printable sign-in sheet of a training session (A4 PDF, ReportLab).

Printed with DejaVu Sans, which covers Vietnamese (lms.pdf).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from courses.registry.models import AdminUnit, UnitLevel
from courses.sessions.models import Attendance, TrainingSession
from lms.display import EMPTY
from lms.pdf import SANS, SANS_BOLD, sans_fonts

FONT, FONT_BOLD = SANS, SANS_BOLD
# Rows printed even when fewer people are on the list, for walk-ins to sign by hand.
MIN_ROWS = 15


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def signin_sheet_render(*, session: TrainingSession) -> bytes:
    """The sign-in sheet as PDF bytes: the session's details and one row per participant
    (then blank rows), with a column for the signature."""
    sans_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Sign-in sheet") + f" – {session.title}",
        author=getattr(settings, "ISSUING_ORGANISATION", ""),
    )
    title_style = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=19)
    text_style = ParagraphStyle("text", fontName=FONT, fontSize=10, leading=13)
    cell_style = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11)
    head_style = ParagraphStyle("head", fontName=FONT_BOLD, fontSize=9, leading=11)

    dates = _date(session.start_date)
    if session.end_date != session.start_date:
        dates = f"{dates} – {_date(session.end_date)}"
    centre = ParagraphStyle("centre", parent=text_style, alignment=TA_CENTER)
    centre_bold = ParagraphStyle("centre_bold", parent=centre, fontName=FONT_BOLD)
    organisation = getattr(settings, "ISSUING_ORGANISATION", "")
    unit = session.unit
    province_unit = (
        AdminUnit.objects.filter(
            structure=unit.structure, level=UnitLevel.PROVINCE, province_code=unit.province_code
        ).first()
        if unit.level != UnitLevel.PROVINCE
        else unit
    )
    province = province_unit.name if province_unit else ""
    heading = Table(
        [
            [
                Paragraph(_esc(organisation.upper()), centre_bold),
                Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", centre_bold),
            ],
            [
                Paragraph(_esc(province), centre),
                Paragraph("Độc lập – Tự do – Hạnh phúc", centre_bold),
            ],
        ],
        colWidths=[80 * mm, 100 * mm],
    )
    heading.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    trainers = ", ".join(
        filter(None, (t.get_full_name() or t.get_username() for t in session.trainers.all()))
    )
    details = [
        (_("Session code"), session.code),
        (_("Kind"), session.get_kind_display()),
        (_("Course"), session.course.title),
        (_("Dates"), dates),
        (_("Venue"), session.venue),
        (_("Administrative unit"), session.unit.name),
        (_("Trainers"), trainers),
    ]
    story = [
        heading,
        Spacer(1, 6 * mm),
        Paragraph(_("SIGN-IN SHEET"), ParagraphStyle("t", parent=title_style, alignment=TA_CENTER)),
        Spacer(1, 2 * mm),
        Paragraph(f"<b>{_esc(session.title)}</b>", centre),
        Spacer(1, 3 * mm),
        *(
            Paragraph(f"{_esc(label)}: {_esc(value or EMPTY)}", text_style)
            for label, value in details
        ),
        Spacer(1, 5 * mm),
    ]

    header = [_("No."), _("Full name"), _("Sex"), _("Birth year"), _("Agency"), _("Signature")]
    # "STT" (No.) is printed as a plain string: a paragraph in the narrow first column would
    # break it into "ST/T".
    data = [[header[0], *(Paragraph(_esc(text), head_style) for text in header[1:])]]
    rows = (
        Attendance.objects.filter(session=session)
        .select_related("cadre")
        .order_by("cadre__name_key", "cadre__pk")
    )
    number = 0
    for number, row in enumerate(rows, start=1):
        cadre = row.cadre
        data.append(
            [
                str(number),
                Paragraph(_esc(cadre.full_name), cell_style),
                Paragraph(_esc(cadre.get_sex_display()), cell_style),
                str(cadre.birth_year or ""),
                Paragraph(_esc(cadre.agency), cell_style),
                "",
            ]
        )
    for blank in range(number + 1, max(MIN_ROWS, number) + 1):
        data.append([str(blank), "", "", "", "", ""])

    widths = [12 * mm, 50 * mm, 16 * mm, 17 * mm, 50 * mm, 35 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("FONTNAME", (0, 0), (0, 0), FONT_BOLD),
                ("ALIGN", (0, 0), (0, -1), "CENTER"),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white]),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 7),
                ("TOPPADDING", (0, 1), (-1, -1), 7),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 10 * mm))
    signatures = Table(
        [
            [Paragraph(_esc(_("Trainer")), centre_bold),
             Paragraph(_esc(_("For the organising unit")), centre_bold)],
            [Paragraph(_esc(_("(signature and full name)")), centre),
             Paragraph(_esc(_("(signature, full name and seal)")), centre)],
            ["", ""],
            [Paragraph(_esc(trainers), centre), ""],
        ],
        colWidths=[90 * mm, 90 * mm],
        rowHeights=[None, None, 22 * mm, None],
    )  # fmt: skip
    story.append(KeepTogether([signatures]))
    doc.build(story)
    return buffer.getvalue()


def _esc(text: str) -> str:
    """Escape text for a ReportLab Paragraph (a small XML dialect)."""
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
