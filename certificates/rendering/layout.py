"""Measuring and fitting text: long names and titles shrink, then wrap, to fit their box."""

from __future__ import annotations

import datetime
from functools import lru_cache

from reportlab.pdfbase.pdfmetrics import stringWidth

SMALLEST = 6.0  # points; below this nothing is legible on paper


@lru_cache(maxsize=8192)
def unit_width(text: str, font: str) -> float:
    """Width of ``text`` at 1 pt (widths scale linearly). Names repeat words: cache them."""
    return stringWidth(text, font, 1)


def wrap(words: list[str], font: str, size: float, width: float) -> list[str] | None:
    """Greedy word wrap at ``size``; None if a single word is wider than ``width``."""
    space = unit_width(" ", font) * size
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word in words:
        w = unit_width(word, font) * size
        if w > width:
            return None
        if line and used + space + w > width:
            lines.append(" ".join(line))
            line, used = [], 0.0
        used = used + space + w if line else w
        line.append(word)
    if line:
        lines.append(" ".join(line))
    return lines


def fit(
    text: str,
    font: str,
    *,
    size: float,
    width: float,
    max_lines: int,
    one_line_down_to: float,
) -> tuple[float, list[str]]:
    """The largest size (at most ``size``) at which ``text`` fits ``width`` in few lines.

    One line is preferred down to ``one_line_down_to``; below that the text wraps into at
    most ``max_lines`` lines, shrinking in half-point steps until it fits.
    """
    full = unit_width(text, font)
    if full * size <= width:
        return size, [text]
    one_line = int(2 * width / full) / 2
    if one_line >= one_line_down_to:
        return one_line, [text]
    words = text.split(" ")
    trial = size
    while trial > SMALLEST:
        lines = wrap(words, font, trial, width)
        if lines is not None and len(lines) <= max_lines:
            return trial, lines
        trial -= 0.5
    # Absurdly long text: the smallest size, as many lines as it takes (long words cut).
    lines = wrap(words, font, SMALLEST, width)
    if lines is None:
        lines = break_anywhere(text, font, SMALLEST, width)
    return SMALLEST, lines


def break_anywhere(text: str, font: str, size: float, width: float) -> list[str]:
    """Break between any two characters (URLs, serials): as many characters a line as fit."""
    lines: list[str] = []
    line = ""
    for char in text:
        if line and unit_width(line + char, font) * size > width:
            lines.append(line)
            line = ""
        line += char
    if line:
        lines.append(line)
    return lines


def vietnamese_date(day: datetime.date) -> str:
    """ "ngày 05 tháng 01 năm 2026": a zero before days under 10 and months 1 and 2, as
    Vietnamese administrative documents write dates (Decree 30/2020/NĐ-CP)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: datetime.date) -> str:
    """28/11/2026"""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"
