"""The figures as files: XLSX and CSV (lms.spreadsheet's writers, formula injection
neutralised) and a printable PDF report (ReportLab, DejaVu Sans so Vietnamese prints
correctly).

Every export shows exactly what the dashboard shows for the same filters and scope.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from courses.counters.selectors import SMALL_CELL, CounterFilters, Figure, unit_name
from courses.registry.models import UnitStructure
from lms.spreadsheet import csv_bytes, xlsx_bytes


def _scope_text(filters: CounterFilters, scope_province: str | None) -> str:
    structure = filters.structure
    parts = []
    if scope_province:
        parts.append(
            _("Scope: province {name}").format(name=unit_name(UnitStructure.S2025, scope_province))
        )
    else:
        parts.append(_("Scope: whole country"))
    if filters.province:
        parts.append(_("Province: {name}").format(name=unit_name(structure, filters.province)))
    if filters.district:
        parts.append(_("District: {name}").format(name=unit_name(structure, filters.district)))
    label = dict(UnitStructure.choices).get(structure, structure)
    parts.append(str(label))
    for name, value in (("sex", filters.sex), ("level", filters.level)):
        if value:
            parts.append(f"{name}={value}")
    if filters.ethnicity:
        parts.append(f"ethnicity={filters.ethnicity}")
    if filters.start or filters.end:
        start = filters.start.strftime("%d/%m/%Y") if filters.start else "…"
        end = filters.end.strftime("%d/%m/%Y") if filters.end else "…"
        parts.append(f"{start} – {end}")
    return "; ".join(parts)


def _summary_rows(figures: list[Figure]) -> list[list]:
    header = [_("Code"), _("Indicator"), _("Unit"), _("Value"), _("Target"), _("Percent")]
    rows = [header]
    for f in figures:
        rows.append([f.code, f.name, f.unit, f.value, f.target, f.percent])
    return rows


def _area_rows(figures: list[Figure]) -> list[list]:
    rows = [[_("Code"), _("Area code"), _("Area"), _("Value")]]
    for f in figures:
        rows.extend([f.code, code, name, value] for code, name, value in f.areas)
    return rows


def _month_rows(figures: list[Figure]) -> list[list]:
    rows = [[_("Code"), _("Month"), _("Value")]]
    for f in figures:
        rows.extend([f.code, month.strftime("%m/%Y"), value] for month, value in f.months)
    return rows


def _gain_value(group: dict, name: str):
    """A published figure of a knowledge-gain group; "< 10" for a suppressed count."""
    value = group[name]
    if value is None and group.get("suppressed") and name in ("learners", "missing_pre"):
        return f"< {SMALL_CELL}"
    return value


GAIN_COLUMNS = ("learners", "pre_mean", "post_mean", "gain_mean", "normalised_gain_mean",
                "missing_pre")  # fmt: skip


def _gain_rows(gain: list[tuple[str, dict]]) -> list[list]:
    """One row per group of each knowledge-gain breakdown (as the dashboard shows them), and
    its total."""
    rows = [[
        _("Breakdown"), _("Group"), _("Learners"), _("Pre-test mean"), _("Post-test mean"),
        _("Gain mean"), _("Normalised gain mean"), _("Post-test without pre-test"),
    ]]  # fmt: skip
    for caption, data in gain:
        for group in data["groups"]:
            rows.append([caption, group["label"], *(_gain_value(group, n) for n in GAIN_COLUMNS)])
        rows.append([caption, _("All"), *(_gain_value(data["total"], n) for n in GAIN_COLUMNS)])
    return rows


def _sections(figures: list[Figure], gain=()) -> list[tuple[str, list[list]]]:
    sections = [
        (_("Figures"), _summary_rows(figures)),
        (_("By area"), _area_rows(figures)),
        (_("By month"), _month_rows(figures)),
    ]
    if gain:
        sections.append((_("Knowledge gain"), _gain_rows(list(gain))))
    return sections


def figures_xlsx(
    *, figures: list[Figure], filters: CounterFilters, scope_province, gain=()
) -> bytes:
    """A sheet per section, each starting with the scope line; `gain` the knowledge-gain
    breakdowns (caption, published figures) on a sheet of their own."""
    scope = _scope_text(filters, scope_province)
    return xlsx_bytes((title, [[scope], *rows]) for title, rows in _sections(figures, gain))


def figures_csv(
    *, figures: list[Figure], filters: CounterFilters, scope_province, gain=()
) -> bytes:
    """The scope line, then each section after an empty row and its title."""
    rows: list[list] = [[_scope_text(filters, scope_province)]]
    for section, section_rows in _sections(figures, gain):
        rows += [[], [section], *section_rows]
    return csv_bytes(rows)


def _number(value) -> str:
    if value is None:
        return "—"
    return f"{value:,}".replace(",", ".")


def figures_pdf(
    *, figures: list[Figure], filters: CounterFilters, scope_province, gain=()
) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from lms.pdf import sans_fonts

    regular, bold = sans_fonts()
    title = ParagraphStyle("title", fontName=bold, fontSize=15, leading=19, spaceAfter=4)
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12)
    heading = ParagraphStyle("heading", fontName=bold, fontSize=11, leading=14, spaceBefore=8)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("Programme figures"),
    )
    story = [
        Paragraph(_("Programme figures"), title),
        Paragraph(_scope_text(filters, scope_province), body),
        Paragraph(
            _("Printed on {date}").format(date=timezone.localtime().strftime("%d/%m/%Y %H:%M")),
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [[_("Indicator"), _("Value"), _("Target"), _("Percent")]]
    for f in figures:
        percent = "—" if f.percent is None else f"{f.percent} %"
        rows.append([Paragraph(f.name, body), _number(f.value), _number(f.target), percent])
    table = Table(rows, colWidths=[150 * mm, 35 * mm, 35 * mm, 30 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 9),
                ("FONT", (0, 0), (-1, 0), bold, 9),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ]
        )
    )
    story.append(table)
    for f in figures:
        if not f.areas:
            continue
        story.append(Paragraph(f.name, heading))
        area_rows = [[_("Area"), _("Value")]]
        area_rows += [[name, _number(value)] for _code, name, value in f.areas[:60]]
        area_table = Table(area_rows, colWidths=[120 * mm, 35 * mm], repeatRows=1)
        area_table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), regular, 8),
                    ("FONT", (0, 0), (-1, 0), bold, 8),
                    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ]
            )
        )
        story.append(area_table)
    if gain:
        story.append(Paragraph(_("Knowledge gain"), heading))
        gain_rows = [[Paragraph(str(cell), body) if i < 2 else _gain_cell(cell)
                      for i, cell in enumerate(row)] for row in _gain_rows(list(gain))]  # fmt: skip
        gain_table = Table(gain_rows, repeatRows=1)
        gain_table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), regular, 8),
                    ("FONT", (0, 0), (-1, 0), bold, 8),
                    ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ]
            )
        )
        story.append(gain_table)
    doc.build(story)
    return out.getvalue()


def _gain_cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return str(value).replace(".", ",")  # the Vietnamese decimal comma
    return str(value)
