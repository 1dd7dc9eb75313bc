"""A target's chart as a PNG, drawn with the standard library alone (zlib, no matplotlib,
no Pillow): for the Word report, which cannot embed SVG portably.

Lines, markers and a grid on a white canvas; the axis figures in a small built-in bitmap
font (digits and date punctuation only: words go in the caption). Coordinates are
computed in Decimal and rounded to whole pixels at the last step."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from itertools import pairwise

from bjtrack.render.chart import (
    ACTUAL_COLOUR,
    PACE_COLOUR,
    TARGET_COLOUR,
    Chart,
    date_bounds,
    month_ticks,
    y_axis,
)

WIDTH, HEIGHT = 1200, 400
LEFT, RIGHT, TOP, BOTTOM = 120, 70, 24, 60
GLYPH = 3  # font scale: 5x7 glyphs drawn 15x21 pixels
GRID = (225, 228, 232)
AXIS = (120, 120, 120)
TEXT = (60, 60, 60)

# 5x7 glyphs, one string of 7 rows of 5 bits per character.
FONT = {
    "0": "01110 10001 10011 10101 11001 10001 01110",
    "1": "00100 01100 00100 00100 00100 00100 01110",
    "2": "01110 10001 00001 00010 00100 01000 11111",
    "3": "11110 00001 00001 01110 00001 00001 11110",
    "4": "00010 00110 01010 10010 11111 00010 00010",
    "5": "11111 10000 11110 00001 00001 10001 01110",
    "6": "00110 01000 10000 11110 10001 10001 01110",
    "7": "11111 00001 00010 00100 01000 01000 01000",
    "8": "01110 10001 10001 01110 10001 10001 01110",
    "9": "01110 10001 10001 01111 00001 00010 01100",
    ".": "00000 00000 00000 00000 00000 01100 01100",
    ",": "00000 00000 00000 00000 01100 00100 01000",
    "-": "00000 00000 00000 11111 00000 00000 00000",
    "%": "11001 11010 00010 00100 01000 01011 10011",
    " ": "00000 00000 00000 00000 00000 00000 00000",
}

Colour = tuple[int, int, int]


def rgb(hex_colour: str) -> Colour:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


class Canvas:
    """An RGB image in a bytearray, white to start with."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(b"\xff" * (width * height * 3))

    def dot(self, x: int, y: int, colour: Colour) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            at = (y * self.width + x) * 3
            self.pixels[at:at + 3] = bytes(colour)

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: Colour) -> None:
        x0, x1 = max(0, min(x0, x1)), min(self.width, max(x0, x1))
        run = bytes(colour) * (x1 - x0)
        for y in range(max(0, min(y0, y1)), min(self.height, max(y0, y1))):
            at = (y * self.width + x0) * 3
            self.pixels[at:at + len(run)] = run

    def disc(self, cx: int, cy: int, radius: int, colour: Colour) -> None:
        for dy in range(-radius, radius + 1):
            half = 0
            while (half + 1) ** 2 + dy * dy <= radius * radius:
                half += 1
            self.rect(cx - half, cy + dy, cx + half + 1, cy + dy + 1, colour)

    def line(self, start: tuple[int, int], end: tuple[int, int], colour: Colour,
             width: int, dash: tuple[int, int] = (0, 0)) -> None:
        """A thick line; dash = (on, off) in pixels along it, (0, 0) for solid."""
        (x0, y0), (x1, y1) = start, end
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        half = width // 2
        on, off = dash
        for i in range(steps + 1):
            if on and i % (on + off) >= on:
                continue
            x = x0 + (x1 - x0) * i // steps
            y = y0 + (y1 - y0) * i // steps
            self.rect(x - half, y - half, x - half + width, y - half + width, colour)

    def text(self, x: int, y: int, value: str, colour: Colour, align: str = "left") -> None:
        """Digits and date punctuation at (x, y) = top left, or top right / top centre."""
        advance = 6 * GLYPH
        span = advance * len(value) - GLYPH
        if align == "right":
            x -= span
        elif align == "centre":
            x -= span // 2
        for index, char in enumerate(value):
            rows = FONT.get(char, FONT[" "]).split()
            for r, bits in enumerate(rows):
                for c, bit in enumerate(bits):
                    if bit == "1":
                        left, top = x + index * advance + c * GLYPH, y + r * GLYPH
                        self.rect(left, top, left + GLYPH, top + GLYPH, colour)

    def png(self) -> bytes:
        stride = self.width * 3
        raw = b"".join(b"\x00" + bytes(self.pixels[y * stride:(y + 1) * stride])
                       for y in range(self.height))

        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        dpi = struct.pack(">IIB", 7874, 7874, 1)  # 200 dpi, in pixels per metre
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"pHYs", dpi)
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def chart_png(chart: Chart) -> bytes:
    """The chart as PNG bytes: figures (blue, with markers), target (red dashes), pace
    (grey dots), on the axes of every chart (render/chart.py: `y_axis`, `month_ticks`)."""
    canvas = Canvas(WIDTH, HEIGHT)
    days, axis = date_bounds(chart), y_axis(chart)
    if days is None or axis is None:
        return canvas.png()
    first, last = days
    scale = chart.scale
    span_days = Decimal(max(1, (last - first).days))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def at(day: date, value: Decimal) -> tuple[int, int]:
        x = LEFT + int(Decimal((day - first).days) / span_days * inner_w)
        y = TOP + inner_h - int(axis.share(value / scale) * inner_h)
        return x, y

    for tick in axis.ticks:
        y = at(first, tick * scale)[1]
        canvas.rect(LEFT, y, WIDTH - RIGHT, y + 1, GRID)
        canvas.text(LEFT - 12, y - 3 * GLYPH, axis.label(tick), TEXT, "right")
    canvas.rect(LEFT, TOP + inner_h, WIDTH - RIGHT, TOP + inner_h + 2, AXIS)
    if axis.cut:  # the axis does not start at zero: two slanted strokes across it
        for y in (TOP + inner_h - 16, TOP + inner_h - 26):
            canvas.line((LEFT - 9, y + 5), (LEFT + 9, y - 5), AXIS, 3)
    for day in month_ticks(first, last):
        x = at(day, axis.low * scale)[0]
        canvas.rect(x, TOP + inner_h, x + 2, TOP + inner_h + 8, AXIS)
        canvas.text(x, TOP + inner_h + 16, day.strftime("%Y-%m"), TEXT, "centre")
    _series(canvas, [at(d, v) for d, v in chart.pace], rgb(PACE_COLOUR), 4, (4, 8))
    if chart.target is not None:
        _series(canvas, [at(first, chart.target), at(last, chart.target)],
                rgb(TARGET_COLOUR), 4, (18, 10))
    points = [at(d, v) for d, v in chart.points]
    _series(canvas, points, rgb(ACTUAL_COLOUR), 5, (0, 0))
    for x, y in points:
        canvas.disc(x, y, 9, rgb(ACTUAL_COLOUR))
        canvas.disc(x, y, 4, (255, 255, 255))
    return canvas.png()


def _series(canvas: Canvas, points: Sequence[tuple[int, int]], colour: Colour, width: int,
            dash: tuple[int, int]) -> None:
    for start, end in pairwise(points):
        canvas.line(start, end, colour, width, dash)
