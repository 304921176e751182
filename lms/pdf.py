"""The fonts the site's PDFs print with, and their one registration with ReportLab.

The DejaVu files in lms/fonts cover every Vietnamese letter: DejaVu Sans for the sign-in
sheet and the counters report, DejaVu Serif for certificates. ReportLab keeps registered
fonts in a process-wide table, so each name is registered once, on first use, under a lock
(a process may render from several threads).

Streams are compressed but not ASCII85-armoured: a PDF is a binary file wherever it goes
(storage, HTTP, email attachment), so the armour only made each file a quarter larger and
cost an encoding pass per stream. ReportLab's encoders run in its C accelerator (rl-accel).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TypeVar

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

rl_config.useA85 = 0

FONT_DIR = Path(__file__).resolve().parent / "fonts"

SANS = "DejaVuSans"
SANS_BOLD = "DejaVuSans-Bold"
SANS_FILES = {SANS: "DejaVuSans.ttf", SANS_BOLD: "DejaVuSans-Bold.ttf"}
SERIF_FILE = "DejaVuSerif.ttf"
SERIF_BOLD_FILE = "DejaVuSerif-Bold.ttf"

_lock = threading.Lock()
Font = TypeVar("Font", bound=TTFont)


def font_register(name: str, filename: str, font_class: type[Font] = TTFont) -> Font:
    """The TrueType font registered as `name`, read from lms/fonts/`filename` with
    `font_class` the first time only; later calls return the registered font."""
    if name not in pdfmetrics.getRegisteredFontNames():
        with _lock:
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(font_class(name, str(FONT_DIR / filename)))
    return pdfmetrics.getFont(name)


def sans_fonts() -> tuple[str, str]:
    """Register DejaVu Sans, regular and bold (first call only); their ReportLab names."""
    for name, filename in SANS_FILES.items():
        font_register(name, filename)
    return SANS, SANS_BOLD
