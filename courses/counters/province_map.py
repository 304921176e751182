"""A map of Vietnam's provinces (the 2025 structure) drawn as inline SVG from the coordinates
that the `vietnamadminunits` package ships: the country's shape from its communes' centres,
a circle per province. No tiles and no other host: the page stays whole offline."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# The drawing, in SVG user units: one degree is SCALE units; the viewBox spans the country
# (longitude 102–110 E, latitude 8.3–23.5 N) and fits a 360 px screen at full width.
WEST, EAST, NORTH, SOUTH = 102.0, 110.0, 23.5, 8.3
SCALE = 20
WIDTH = round((EAST - WEST) * SCALE)
HEIGHT = round((NORTH - SOUTH) * SCALE)
GRID = 0.15  # communes closer than this (degrees) make one dot of the outline
LARGEST_RADIUS = 14.0
SMALLEST_RADIUS = 2.5


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    x: float
    y: float


def _project(lat: float, lon: float) -> tuple[float, float]:
    return round((lon - WEST) * SCALE, 1), round((NORTH - lat) * SCALE, 1)


def _dataset() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"


@lru_cache(maxsize=1)
def provinces() -> dict[str, Province]:
    """The 34 provinces of the 2025 structure by code, with their centre on the drawing."""
    with sqlite3.connect(f"file:{_dataset()}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT DISTINCT provinceCode, provinceShort, provinceLat, provinceLon "
            "FROM admin_units WHERE provinceLat IS NOT NULL"
        ).fetchall()
    return {code: Province(code, name, *_project(lat, lon)) for code, name, lat, lon in rows}


@lru_cache(maxsize=1)
def outline_path() -> str:
    """The country's shape as one SVG path of small squares, one per occupied grid cell."""
    with sqlite3.connect(f"file:{_dataset()}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT wardLat, wardLon FROM admin_units WHERE wardLat IS NOT NULL"
        ).fetchall()
    cells = sorted({(round(lat / GRID), round(lon / GRID)) for lat, lon in rows})
    side = round(GRID * SCALE, 1)
    parts = []
    for row, column in cells:
        x, y = _project(row * GRID, column * GRID)
        parts.append(f"M{x - side / 2:g} {y - side / 2:g}h{side:g}v{side:g}h-{side:g}z")
    return "".join(parts)


def province_circles(values: dict[str, int]) -> list[dict]:
    """A circle per province: its area in proportion to the value (the largest at
    LARGEST_RADIUS), a small grey dot where the value is nought; largest drawn first so
    that small circles stay on top."""
    top = max(values.values(), default=0) or 1
    circles = []
    for code, province in provinces().items():
        value = values.get(code, 0)
        radius = (
            max(SMALLEST_RADIUS, round(LARGEST_RADIUS * math.sqrt(value / top), 1))
            if value
            else 1.5
        )
        circles.append(
            {"code": code, "name": province.name, "x": province.x, "y": province.y,
             "r": radius, "value": value}
        )  # fmt: skip
    return sorted(circles, key=lambda c: (-c["r"], c["code"]))
