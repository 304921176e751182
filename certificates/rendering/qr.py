"""QR module matrix for the verification URL, and a PDF path that draws it in one fill.

The symbol is encoded by zxing-cpp, a native encoder (mode choice, Reed-Solomon codewords
and the standard's mask choice by penalty score), which takes a fraction of the time a pure
Python encoder spends on the same URL; what is ours is only the drawing: dark modules merged
into rectangles, one path filled once.
"""

from __future__ import annotations

import re

import zxingcpp
from reportlab.pdfgen.canvas import Canvas

ERROR_CORRECTION = "M"  # 15 %: survives a fold or a smudge on paper
# zxing-cpp's image: one byte a module, 0 dark and 255 light
_AS_DIGITS = bytes.maketrans(b"\x00\xff", b"10")


def qr_matrix(text: str, level: str = ERROR_CORRECTION) -> list[str]:
    """Rows of the QR symbol for ``text`` at error correction ``level`` (L, M, Q or H), each
    a string of "1" (dark) and "0" (light), without the quiet zone."""
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=level)
    image = symbol.to_image(scale=1, add_quiet_zones=False)
    size = image.shape[1]
    digits = bytes(memoryview(image)).translate(_AS_DIGITS).decode("ascii")
    return [digits[start : start + size] for start in range(0, len(digits), size)]


_DARK_RUN = re.compile(r"1+")


def qr_rectangles(matrix: list[str]) -> list[tuple[int, int, int, int]]:
    """Dark modules merged into rectangles (x, y, width, height), y counted down from the top.

    Runs in a row become one rectangle, and a run repeated exactly in the rows below grows
    that rectangle downwards, so a 37x37 symbol needs about 300 rectangles, not 700 squares.
    """
    done: list[tuple[int, int, int, int]] = []
    open_runs: dict[tuple[int, int], int] = {}  # (x, width) -> top row
    for y, line in enumerate(matrix):
        runs = {(m.start(), m.end() - m.start()) for m in _DARK_RUN.finditer(line)}
        for key in [k for k in open_runs if k not in runs]:
            top = open_runs.pop(key)
            done.append((key[0], top, key[1], y - top))
        for key in runs:
            open_runs.setdefault(key, y)
    height = len(matrix)
    done.extend((x, top, w, height - top) for (x, w), top in open_runs.items())
    return done


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """Draw the QR symbol for ``text`` with its lower-left corner at (x, y), ``size`` wide.

    One path, filled once, in module units (a flipped, scaled coordinate system), so the
    page stream holds short integers and viewers rasterise one shape without seams.
    """
    matrix = qr_matrix(text)
    module = size / len(matrix)
    ops = " re\n".join(f"{rx} {ry} {w} {h}" for rx, ry, w, h in qr_rectangles(matrix))
    # save state; module units with y downwards; the rectangles; fill once; restore state
    canvas.addLiteral(
        f"q\n{module:.5f} 0 0 {-module:.5f} {x:.3f} {y + size:.3f} cm\n{ops} re\nf\nQ"
    )
