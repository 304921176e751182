"""Certificate PDFs: a pure module (no database), called by the certificate tasks.

``render_certificate`` makes one A4-landscape PDF; ``render_certificates`` makes one merged
print PDF with a page per certificate. Both normalise every text field to NFC and refuse,
before drawing anything, a field with a character the embedded fonts cannot draw
(``UnsupportedCharacters``): a certificate never shows a box or a "?" in place of a letter.

Speed (tests/benchmarks/bench_certificate_render.py): fonts are registered once per process,
word widths are cached, the frame and fixed wording are one Form XObject per document (drawn
once per process and copied), the fonts' subsets and their formatted objects are built once
per process for the subsets every certificate shares, and the QR code is encoded natively
(zxing-cpp) and drawn as one path of merged module runs (``qr.py``).
"""

from __future__ import annotations

import dataclasses
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext

from lms.text import nfc

from . import page
from .fonts import ensure_registered
from .fonts import missing_glyphs as _missing_glyphs

__all__ = [
    "CertificateData",
    "salutation_for",
    "UnsupportedCharacters",
    "missing_glyphs",
    "render_certificate",
    "render_certificates",
]

_TEXT_FIELDS = (
    "full_name",
    "course_title",
    "serial",
    "verify_url",
    "organisation",
    "signer_name",
    "signer_title",
    "salutation",
    "place",
)


@dataclass(frozen=True)
class CertificateData:
    full_name: str
    course_title: str  # the course's certificate title
    completed_on: datetime.date
    issued_on: datetime.date
    serial: str  # e.g. "DA8-12-2026-000123"
    verify_url: str  # absolute URL of the public verification page
    organisation: str  # issuing organisation, e.g. "Hội Liên hiệp Phụ nữ Việt Nam"
    signer_name: str = ""  # optional, for the signature block
    signer_title: str = ""
    salutation: str = "Ông/Bà"  # "Ông" or "Bà" by the recorded sex; "Ông/Bà" when unknown
    place: str = ""  # printed before the date of issue: "Hà Nội, ngày … tháng … năm …"


def salutation_for(sex: str) -> str:
    """How the certificate addresses its holder: "Ông" for a man, "Bà" for a woman, and
    "Ông/Bà" when the sex is not recorded."""
    return {"male": "Ông", "female": "Bà"}.get(sex or "", "Ông/Bà")


class UnsupportedCharacters(ValueError):
    """A text field holds characters the certificate font cannot draw; nothing was drawn."""

    def __init__(self, characters: list[str]) -> None:
        self.characters = list(characters)
        shown = ", ".join(f"“{char}” (U+{ord(char):04X})" for char in self.characters)
        super().__init__(
            gettext(
                "The certificate cannot be printed: the font has no letter for {characters}. "
                "Correct the name or the course title and issue the certificate again."
            ).format(characters=shown)
        )


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` (after NFC) that the embedded fonts cannot draw, in order."""
    return _missing_glyphs(text)


def _prepared(data: CertificateData) -> CertificateData:
    """The data with every text field NFC-normalised, or UnsupportedCharacters."""
    drawable = ensure_registered()
    changes = {}
    missing: list[str] = []
    for name in _TEXT_FIELDS:
        raw = getattr(data, name)
        text = nfc(raw)
        if text != raw:
            changes[name] = text
        # upper(): the organisation and the signer's title are printed in capitals
        for char in text + text.upper():
            if ord(char) not in drawable and char not in missing:
                missing.append(char)
    if missing:
        raise UnsupportedCharacters(missing)
    return dataclasses.replace(data, **changes) if changes else data


def render_certificate(data: CertificateData) -> bytes:
    """One certificate as an A4-landscape PDF (bytes)."""
    data = _prepared(data)
    out = io.BytesIO()
    canvas = page.new_canvas(
        out, title=f"Giấy chứng nhận - {data.full_name} - {data.serial}", author=data.organisation
    )
    page.draw_page(canvas, data)
    canvas.save()
    return out.getvalue()


def render_certificates(
    items: Iterable[CertificateData],
    out: BinaryIO,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write one print PDF to ``out``, a page per certificate; return how many pages.

    Every item is checked before its page is drawn, and nothing is written to ``out`` until
    the end, so an UnsupportedCharacters part-way leaves ``out`` untouched. ``progress`` is
    called with the number of pages drawn so far, after each page.
    """
    ensure_registered()
    canvas = page.new_canvas(out, title="Giấy chứng nhận")
    count = 0
    for item in items:
        page.draw_page(canvas, _prepared(item))
        count += 1
        if progress is not None:
            progress(count)
    canvas.save()
    return count
