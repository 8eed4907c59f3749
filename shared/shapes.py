"""The shapes the procedural data draws (captioning's scenes, video's clips): six colours,
three shapes, two size classes, how a square or triangle of a given span is drawn, and the
seed ranges that keep training, validation and test data apart."""

from __future__ import annotations

import math
import random

from PIL import ImageDraw

SHAPES = ("circle", "square", "triangle")
COLORS = {
    "red": (215, 35, 35),
    "green": (40, 160, 60),
    "blue": (40, 80, 215),
    "yellow": (235, 200, 25),
    "purple": (135, 50, 175),
    "orange": (240, 130, 20),
}
SIZES = {"small": (0.12, 0.20), "large": (0.28, 0.40)}  # bounding-box span / image side
MAX_ROTATION = 20.0  # degrees, squares and triangles
COLOR_JITTER = 18


def polygon(
    shape: str, cx: float, cy: float, span: float, angle: float
) -> list[tuple[float, float]]:
    """Vertices of a square or equilateral triangle centred (by its bounding box) on
    ``(cx, cy)``, rotated by ``angle`` degrees, scaled so the larger side of its bounding box
    is ``span``."""
    if shape == "square":
        unit = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
    else:
        unit = [(math.cos(math.radians(a)), math.sin(math.radians(a))) for a in (-90, 30, 150)]
    t = math.radians(angle)
    rotated = [
        (x * math.cos(t) - y * math.sin(t), x * math.sin(t) + y * math.cos(t)) for x, y in unit
    ]
    xs, ys = zip(*rotated, strict=True)
    scale = span / max(max(xs) - min(xs), max(ys) - min(ys))
    mx, my = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2  # centre the bounding box
    return [(cx + (x - mx) * scale, cy + (y - my) * scale) for x, y in rotated]


def jittered(color: str, rng: random.Random, jitter: int = COLOR_JITTER) -> tuple[int, int, int]:
    """The RGB of a named colour, each channel moved by up to ``jitter``."""
    return tuple(max(0, min(255, c + rng.randint(-jitter, jitter))) for c in COLORS[color])


def draw_shape(
    draw: ImageDraw.ImageDraw,
    shape: str,
    cx: float,
    cy: float,
    span: float,
    angle: float,
    fill: tuple[int, int, int],
    scale: float = 1.0,
) -> None:
    """Draw one filled shape; every coordinate is multiplied by ``scale`` (supersampling)."""
    if shape == "circle":
        r = span / 2
        draw.ellipse(
            [(cx - r) * scale, (cy - r) * scale, (cx + r) * scale, (cy + r) * scale], fill=fill
        )
    else:
        points = polygon(shape, cx, cy, span, angle)
        draw.polygon([(x * scale, y * scale) for x, y in points], fill=fill)


SPLIT_SEEDS = {"train": 0, "valid": 1_000_000_000, "test": 2_000_000_000}


def split_seeds(split: str, count: int) -> range:
    """``count`` seeds of a split; the splits' seed ranges never meet."""
    if split not in SPLIT_SEEDS:
        raise ValueError(f"split must be one of {', '.join(SPLIT_SEEDS)}, not {split!r}")
    if count > 1_000_000_000:
        raise ValueError("at most 1e9 examples per split")
    start = SPLIT_SEEDS[split]
    return range(start, start + count)
