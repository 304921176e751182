"""The certificate's fonts: registered once per process, and asked which characters they lack.

DejaVu Serif (regular and bold) covers every Vietnamese letter in its precomposed form, and
is embedded as a TrueType subset. Subsetting per document is what made ReportLab slow here
(building and compressing a font program for every PDF), so every document starts its
subset with the same repertoire, ASCII and the whole Vietnamese alphabet, in a fixed order:
the subset is then the same for nearly every certificate, and its compressed font program is
built once per process and reused. A name with a letter outside the repertoire just gets a
subset of its own, built the ordinary way. The font files and their registration are
lms.pdf's.
"""

from __future__ import annotations

import threading
import unicodedata
import zlib

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)

from lms.pdf import SERIF_BOLD_FILE, SERIF_FILE, font_register
from lms.text import nfc

# ReportLab names (ours, so no other registration can shadow them) -> files in lms/fonts
SERIF = "CertSerif"
SERIF_BOLD = "CertSerif-Bold"
FILES = {SERIF: SERIF_FILE, SERIF_BOLD: SERIF_BOLD_FILE}


def _vietnamese_letters() -> str:
    vowels = "aăâeêioôơuưy"
    tones = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    lower = [unicodedata.normalize("NFC", v + t) for v in vowels for t in tones] + ["đ"]
    letters = [c for c in lower if not c.isascii()]
    return "".join(letters + [c.upper() for c in letters])


# Assigned first in every document, in this order, so that subsets come out identical.
REPERTOIRE = "".join(chr(c) for c in range(32, 127)) + _vietnamese_letters() + "“”‘’–—…·"

_CACHE_LIMIT = 32  # distinct subsets kept per font; a rare letter makes a new one


class _Raw(pdfdoc.PDFObject):
    """Bytes formatted once and written as they are into every later document."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document) -> bytes:
        return self.data


def _flate_stream(compressed: bytes, **entries) -> pdfdoc.PDFStream:
    stream = pdfdoc.PDFStream(content=compressed)
    for key, value in entries.items():
        stream.dictionary[key] = value
    # A "Filter" entry tells ReportLab the content is already encoded.
    stream.dictionary["Filter"] = pdfdoc.PDFName("FlateDecode")
    return stream


class _CertificateFont(TTFont):
    """A TrueType font whose embedded subsets are built once per distinct subset.

    ``addObjects`` is ReportLab's own (pdfbase/ttfonts.py, TTFont.addObjects with
    TTFontFace.addSubsetObjects), except that the parts that depend only on the subset, the
    font program, the widths and the ToUnicode map, come formatted and compressed from a
    cache instead of being rebuilt for every document.
    """

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._parts: dict[tuple[int, tuple[int, ...]], tuple[bytes, bytes, int, bytes]] = {}

    def _subset_parts(self, n: int, subset: list[int], base_name: str, doc):
        key = (n, tuple(subset))
        parts = self._parts.get(key)
        if parts is None:
            face = self.face
            widths = pdfdoc.PDFArray([face.getCharWidth(c) for c in subset]).format(doc)
            cmap = makeToUnicodeCMap(base_name, subset)
            program = face.makeSubset(subset)
            parts = (widths, zlib.compress(cmap.encode()), len(program), zlib.compress(program, 9))
            if len(self._parts) < _CACHE_LIMIT:
                self._parts[key] = parts
        return parts

    def addObjects(self, doc) -> None:  # noqa: N802 - ReportLab's name
        state = self._assignState(doc)
        state.frozen = 1
        face = self.face
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_name = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
            widths, cmap, program_length, program = self._subset_parts(n, subset, base_name, doc)
            font_file = _flate_stream(program, Length1=program_length)
            descriptor = pdfdoc.PDFDictionary(
                {
                    "Type": "/FontDescriptor",
                    "Ascent": face.ascent,
                    "CapHeight": face.capHeight,
                    "Descent": face.descent,
                    "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                    "FontBBox": pdfdoc.PDFArray(face.bbox),
                    "FontName": pdfdoc.PDFName(base_name),
                    "ItalicAngle": face.italicAngle,
                    "StemV": face.stemV,
                    "FontFile2": doc.Reference(font_file, f"fontFile:{face.filename}({base_name})"),
                    "MissingWidth": face.defaultWidth,
                }
            )
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = _Raw(widths)
            pdf_font.ToUnicode = doc.Reference(_flate_stream(cmap), "toUnicodeCMap:" + base_name)
            pdf_font.FontDescriptor = doc.Reference(descriptor, "fontDescriptor:" + base_name)
            doc.Reference(pdf_font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
        del self.state[doc]


_lock = threading.Lock()
_drawable: frozenset[int] | None = None


def ensure_registered() -> frozenset[int]:
    """Register the fonts (first call only, thread-safe); return the code points all can draw."""
    global _drawable
    drawable = _drawable
    if drawable is not None:
        return drawable
    with _lock:
        if _drawable is None:
            common: set[int] | None = None
            for name, filename in FILES.items():
                font = font_register(name, filename, _CertificateFont)
                cmap = set(font.face.charToGlyph)
                common = cmap if common is None else common & cmap
            assert common is not None
            _drawable = frozenset(common)
        return _drawable


def start_document(doc: pdfdoc.PDFDocument) -> None:
    """Give the document's font subsets the fixed repertoire first (see the module doc)."""
    ensure_registered()
    for name in FILES:
        pdfmetrics.getFont(name).splitString(REPERTOIRE, doc)


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` (after NFC) that the certificate fonts cannot draw, in order."""
    drawable = ensure_registered()
    missing: list[str] = []
    for char in nfc(text):
        if ord(char) not in drawable and char not in missing:
            missing.append(char)
    return missing
