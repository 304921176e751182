"""QR module matrix for the verification URL, and a PDF path that draws it in one fill.

ReportLab's ``qrencoder`` does the encoding (mode choice, Reed-Solomon codewords); what is slow
in it is the mask choice: it rebuilds the matrix eight times as lists of booleans and scores
each one in pure Python (about 9 ms for a 37x37 symbol). Here each row is a Python int, the
function patterns and the eight masks are built once per version, and the same penalty rules
as ``QRUtil.getLostPoint`` are scored with bit operations and string counts, so the matrix is
identical to ``QRCode.make()``'s (the tests check that) at a fraction of the cost.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from itertools import zip_longest

from reportlab.graphics.barcode.qrencoder import (
    EXP_TABLE,
    LOG_TABLE,
    QRBitBuffer,
    QRCode,
    QRErrorCorrectLevel,
    QRRSBlock,
    QRUtil,
)
from reportlab.pdfgen.canvas import Canvas

ERROR_CORRECTION = QRErrorCorrectLevel.M  # 15 %: survives a fold or a smudge on paper
_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = "10111010000"


class _Template:
    """What depends only on the version: function patterns per mask, data positions, masks."""

    def __init__(self, version: int, level: int) -> None:
        n = self.size = version * 4 + 17
        # per mask: function patterns with that mask's type information; the last entry has
        # them blank (ReportLab's "test" matrix, which is what its mask choice scores)
        self.function_rows: list[list[int]] = []
        for mask in [*range(8), None]:
            test = mask is None
            q = QRCode(version, level)
            q.moduleCount = n
            q.modules = [[False] * n for _ in range(n)]
            q.setupPositionProbePattern(0, 0)
            q.setupPositionProbePattern(n - 7, 0)
            q.setupPositionProbePattern(0, n - 7)
            q.setupPositionAdjustPattern()
            q.setupTimingPattern()
            q.setupTypeInfo(test, 0 if test else mask)
            if version >= 7:
                q.setupTypeNumber(test)
            self.function_rows.append([_row_int(row) for row in q.modules])
            if mask == 0:
                positions = q.dataPosIterator()
        # (row, bit) for each data position in placement order
        self.positions = [(row, 1 << (n - 1 - col)) for col, row in positions]
        self.mask_rows: list[list[int]] = []
        for mask in range(8):
            is_dark = QRUtil.getMask(mask)
            rows = [0] * n
            for col, row in positions:
                if is_dark(row, col):
                    rows[row] |= 1 << (n - 1 - col)
            self.mask_rows.append(rows)


@lru_cache(maxsize=64)
def _template(version: int, level: int) -> _Template:
    return _Template(version, level)


def _row_int(row: list[bool]) -> int:
    value = 0
    for dark in row:
        value = (value << 1) | bool(dark)
    return value


def _penalty(rows: list[int], n: int) -> int:
    """``QRUtil.getLostPoint`` on int rows: same rules, same numbers."""
    lines = [format(r, f"0{n}b") for r in rows]
    columns = ["".join(c) for c in zip(*lines, strict=True)]
    # rule 1: runs of five or more modules of one colour, across and down, score length - 2
    runs = _RUN.findall("|".join(lines + columns))
    score = sum(map(len, runs)) - 2 * len(runs)
    # rule 3: a finder-like 1:1:3:1:1 pattern followed by four light modules. ReportLab only
    # ever finds it in rows, never touching the last module (its column check compares a
    # tuple with a list), and so do we: the point is to pick the very mask ReportLab would.
    score += 40 * "|".join(line[:-1] for line in lines).count(_FINDER_LIKE)
    # rule 2: 2x2 blocks of one colour
    inner = (1 << (n - 1)) - 1
    for a, b in zip(rows, rows[1:], strict=False):
        same = ~(a ^ b)
        score += 3 * (same & (same >> 1) & ~(a ^ (a >> 1)) & inner).bit_count()
    # rule 4: balance of dark and light
    dark = sum(r.bit_count() for r in rows)
    score += 10 * (abs(100 * dark // (n * n) - 50) // 5)
    return score


@lru_cache(maxsize=128)
def _generator_logs(ec_count: int) -> tuple[int, ...]:
    """Reed-Solomon generator polynomial (without its leading 1) as GF(256) logarithms."""
    poly = QRUtil.getErrorCorrectPolynomial(ec_count)
    return tuple(LOG_TABLE[poly.get(i)] for i in range(1, poly.getLength()))


def _remainder(data: list[int], ec_count: int) -> list[int]:
    gen = _generator_logs(ec_count)
    rem = [0] * ec_count
    for byte in data:
        factor = byte ^ rem[0]
        rem = rem[1:]
        rem.append(0)
        if factor:
            log_factor = LOG_TABLE[factor]
            for i, log_g in enumerate(gen):
                rem[i] ^= EXP_TABLE[(log_g + log_factor) % 255]
    return rem


def _codewords(version: int, level: int, data_list: list) -> list[int]:
    """``QRCode.createData`` with the generator polynomial cached and a table-driven division."""
    blocks = QRRSBlock.getRSBlocks(version, level)
    capacity = 8 * sum(block.dataCount for block in blocks)
    buffer = QRBitBuffer()
    for data in data_list:
        data.write(buffer, version)
    if buffer.getLengthInBits() > capacity:
        raise ValueError("text too long for a QR code")
    if buffer.getLengthInBits() + 4 <= capacity:
        buffer.put(0, 4)
    while buffer.getLengthInBits() % 8:
        buffer.putBit(False)
    pad = itertools.cycle((QRCode.PAD0, QRCode.PAD1))
    while buffer.getLengthInBits() < capacity:
        buffer.put(next(pad), 8)
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        chunk = buffer.buffer[offset : offset + block.dataCount]
        offset += block.dataCount
        data_blocks.append(chunk)
        ec_blocks.append(_remainder(chunk, block.totalCount - block.dataCount))
    return [
        byte
        for group in itertools.chain(zip_longest(*data_blocks), zip_longest(*ec_blocks))
        for byte in group
        if byte is not None
    ]


def qr_matrix(text: str, level: int = ERROR_CORRECTION) -> list[str]:
    """Rows of the QR symbol for ``text``, each a string of "1" (dark) and "0" (light)."""
    q = QRCode(None, level)
    q.addData(text)
    version = q.calculate_version()
    template = _template(version, level)
    n = template.size
    data = [0] * n
    bits = "".join(map("{:08b}".format, _codewords(version, level, q.dataList)))
    # zip stops at the shorter: positions past the last codeword (remainder bits) stay light
    for (row, bit), dark in zip(template.positions, bits, strict=False):
        if dark == "1":
            data[row] |= bit
    scores = [
        _penalty([f | (d ^ m) for f, d, m in zip(blank, data, masked, strict=True)], n)
        for blank, masked in zip([template.function_rows[8]] * 8, template.mask_rows, strict=True)
    ]
    mask = scores.index(min(scores))
    rows = zip(template.function_rows[mask], data, template.mask_rows[mask], strict=True)
    return [format(f | (d ^ m), f"0{n}b") for f, d, m in rows]


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
