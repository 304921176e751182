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


_formatted: dict[tuple, bytes] = {}


class _Formatted(pdfdoc.PDFObject):
    """An object that is the same in every document whose objects it refers to have the same
    numbers (the font objects of one subset): built and formatted by ReportLab for the first
    such document, and the bytes reused in the next ones."""

    __RefOnly__ = 1  # an indirect object, referred to from the font dictionary

    def __init__(self, key: tuple, refers_to: tuple[str, ...], build) -> None:
        self.key = key
        self.refers_to = refers_to
        self.build = build

    def format(self, document) -> bytes:
        numbers = tuple(document.idToObjectNumberAndVersion[name] for name in self.refers_to)
        key = (self.key, numbers)
        data = _formatted.get(key)
        if data is None:
            data = pdfdoc.format(self.build(), document, toplevel=1)
            if len(_formatted) < 8 * _CACHE_LIMIT:
                _formatted[key] = data
        return data


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
            key = (self.fontName, n, tuple(subset))
            file_name = f"fontFile:{face.filename}({base_name})"
            cmap_name = "toUnicodeCMap:" + base_name
            descriptor_name = "fontDescriptor:" + base_name

            def descriptor(file_name=file_name, base_name=base_name):
                return pdfdoc.PDFDictionary(
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
                        "FontFile2": pdfdoc.PDFObjectReference(file_name),
                        "MissingWidth": face.defaultWidth,
                    }
                )

            def font(internal_name=internal_name, base_name=base_name, subset=subset,
                     widths=widths, cmap_name=cmap_name,
                     descriptor_name=descriptor_name):  # fmt: skip
                pdf_font = pdfdoc.PDFTrueTypeFont()
                pdf_font.Name = internal_name
                pdf_font.BaseFont = base_name
                pdf_font.FirstChar = 0
                pdf_font.LastChar = len(subset) - 1
                pdf_font.Widths = _Raw(widths)
                pdf_font.ToUnicode = pdfdoc.PDFObjectReference(cmap_name)
                pdf_font.FontDescriptor = pdfdoc.PDFObjectReference(descriptor_name)
                return pdf_font

            # Registered in ReportLab's own order: file, ToUnicode map, descriptor, font.
            doc.Reference(
                _Formatted((*key, "file"), (), lambda p=program, n=program_length: _flate_stream(
                    p, Length1=n)),
                file_name,
            )  # fmt: skip
            doc.Reference(
                _Formatted((*key, "cmap"), (), lambda c=cmap: _flate_stream(c)), cmap_name
            )
            doc.Reference(
                _Formatted((*key, "descriptor"), (file_name,), descriptor), descriptor_name
            )
            pdf_font = _Formatted((*key, "font", internal_name), (cmap_name, descriptor_name), font)
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


# Each font's subset state right after the repertoire was assigned (subsets, assignments,
# next code), taken from the first document of the process and copied into the next ones.
_seeded: dict[str, tuple[list[list[int]], dict[int, int], int]] = {}


def start_document(doc: pdfdoc.PDFDocument) -> None:
    """Give the document's font subsets the fixed repertoire first (see the module doc): the
    state that assigning it leaves, assigned once per process and copied afterwards."""
    ensure_registered()
    for name in FILES:
        font = pdfmetrics.getFont(name)
        seeded = _seeded.get(name)
        if seeded is None:
            font.splitString(REPERTOIRE, doc)
            state = font.state[doc]
            _seeded[name] = (
                [list(subset) for subset in state.subsets],
                dict(state.assignments),
                state.nextCode,
            )
            continue
        subsets, assignments, next_code = seeded
        state = font._assignState(doc)
        state.subsets = [list(subset) for subset in subsets]
        state.assignments = dict(assignments)
        state.nextCode = next_code


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` (after NFC) that the certificate fonts cannot draw, in order."""
    drawable = ensure_registered()
    missing: list[str] = []
    for char in nfc(text):
        if ord(char) not in drawable and char not in missing:
            missing.append(char)
    return missing
