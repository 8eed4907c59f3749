"""Procedural scenes with exact captions: the captioning app's default, offline data.

A scene is a light background with 1 to 3 non-overlapping shapes (circle, square,
triangle) in six colours and two sizes; its caption names every object as
``<size> <color> <shape>``. Two objects are related by ``to the left of``, ``to the right
of``, ``above`` or ``below`` (the dominant axis between their centres, at least 1.5 times
the other), the large one named first (between equals, the left or upper one); three are
listed from left to right. Everything follows from the seed, so
train, validation and test are disjoint ranges of seeds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from shared.shapes import (
    COLORS,
    MAX_ROTATION,
    SHAPES,
    SIZES,
    SPLIT_SEEDS,
    draw_shape,
    jittered,
    polygon,
    split_seeds,
)

__all__ = [
    "COLORS",
    "SHAPES",
    "SIZES",
    "Scene",
    "SceneObject",
    "render_scene",
    "SPLIT_SEEDS",
    "split_seeds",
]

RELATION_RATIO = 1.5
MIN_X_GAP = 0.10  # three objects: centres at least this share of the side apart in x


@dataclass
class SceneObject:
    """One shape: what it is, and where (centre and bounding box in pixels)."""

    shape: str
    color: str
    size: str
    cx: float
    cy: float
    span: float
    angle: float = 0.0
    points: list[tuple[float, float]] = field(default_factory=list)

    @property
    def phrase(self) -> str:
        return f"{self.size} {self.color} {self.shape}"

    @property
    def box(self) -> tuple[float, float, float, float]:
        xs, ys = zip(*self.points, strict=True) if self.points else ((self.cx,), (self.cy,))
        if self.shape == "circle":
            r = self.span / 2
            return self.cx - r, self.cy - r, self.cx + r, self.cy + r
        return min(xs), min(ys), max(xs), max(ys)


@dataclass
class Scene:
    """A rendered scene: the image, its objects, the caption and other phrasings of it."""

    image: Image.Image
    objects: list[SceneObject]
    caption: str
    references: list[str]
    relation: str | None = None


def relation_between(a: SceneObject, b: SceneObject) -> str | None:
    """Where ``a`` is relative to ``b``, or None when neither axis dominates by 1.5x."""
    dx, dy = a.cx - b.cx, a.cy - b.cy
    if abs(dx) >= RELATION_RATIO * abs(dy):
        return "to the left of" if dx < 0 else "to the right of"
    if abs(dy) >= RELATION_RATIO * abs(dx):
        return "above" if dy < 0 else "below"
    return None


INVERSE = {
    "to the left of": "to the right of",
    "to the right of": "to the left of",
    "above": "below",
    "below": "above",
}


def mention_order(a: SceneObject, b: SceneObject) -> tuple[SceneObject, SceneObject]:
    """Which of two objects the caption names first: the large one; between equals, the one
    read first (the left one, or the upper one when the relation is vertical). A fixed rule
    keeps the first word choice learnable; the other phrasing stays among the references."""
    if a.size != b.size:
        return (a, b) if a.size == "large" else (b, a)
    return (b, a) if relation_between(a, b) in ("to the right of", "below") else (a, b)


def describe(objects: list[SceneObject]) -> tuple[str, list[str], str | None]:
    """The caption, its reference phrasings, and the relation (two objects)."""
    if len(objects) == 1:
        phrase = f"a {objects[0].phrase}"
        return phrase, [phrase, f"there is a {objects[0].phrase}"], None
    if len(objects) == 2:
        a, b = mention_order(*objects)
        rel = relation_between(a, b)
        caption = f"a {a.phrase} {rel} a {b.phrase}"
        return caption, [caption, f"a {b.phrase} {INVERSE[rel]} a {a.phrase}"], rel
    ordered = sorted(objects, key=lambda o: o.cx)
    caption = f"a {ordered[0].phrase}, a {ordered[1].phrase} and a {ordered[2].phrase}"
    return caption, [caption, f"from left to right: {caption}"], None


def _overlap(a: tuple, b: tuple, margin: float) -> bool:
    return not (
        a[2] + margin <= b[0]
        or b[2] + margin <= a[0]
        or a[3] + margin <= b[1]
        or b[3] + margin <= a[1]
    )


def _place(rng: random.Random, count: int, side: int) -> list[SceneObject]:
    while True:  # rejection sampling; a valid layout is found within a few tries
        objects: list[SceneObject] = []
        for _ in range(200):
            if len(objects) == count:
                break
            shape, color, size = (
                rng.choice(SHAPES),
                rng.choice(list(COLORS)),
                rng.choice(list(SIZES)),
            )
            span = rng.uniform(*SIZES[size]) * side
            angle = rng.uniform(-MAX_ROTATION, MAX_ROTATION) if shape != "circle" else 0.0
            cx = rng.uniform(span / 2 + 1, side - span / 2 - 1)
            cy = rng.uniform(span / 2 + 1, side - span / 2 - 1)
            obj = SceneObject(shape, color, size, cx, cy, span, angle)
            if shape != "circle":
                obj.points = polygon(shape, cx, cy, span, angle)
            if any(_overlap(obj.box, o.box, 0.02 * side) for o in objects):
                continue
            objects.append(obj)
        if len(objects) != count:
            continue
        if count == 2 and relation_between(*objects) is None:
            continue
        xs = sorted(o.cx for o in objects)
        if count == 3 and min(b - a for a, b in zip(xs, xs[1:], strict=False)) < MIN_X_GAP * side:
            continue
        return objects


def render_scene(seed: int, size: int = 128, noise: float = 4.0, supersample: int = 3) -> Scene:
    """Draw the scene of ``seed``: deterministic, exact to the specification.

    Args:
        seed: which scene.
        size: image side in pixels.
        noise: standard deviation of mild Gaussian pixel noise (0 for none).
        supersample: drawn this many times larger, then reduced (smooth edges).
    """
    rng = random.Random(seed)
    count = rng.choice((1, 2, 3))
    objects = _place(rng, count, size)
    background = tuple(rng.randint(205, 250) for _ in range(3))
    big = Image.new("RGB", (size * supersample, size * supersample), background)
    draw = ImageDraw.Draw(big)
    for obj in objects:
        fill = jittered(obj.color, rng)
        draw_shape(draw, obj.shape, obj.cx, obj.cy, obj.span, obj.angle, fill, supersample)
    image = big.resize((size, size), Image.Resampling.LANCZOS)
    if noise > 0:
        pixels = np.asarray(image, dtype=np.float32)
        pixels += np.random.default_rng(seed).normal(0.0, noise, pixels.shape)
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    caption, references, relation = describe(objects)
    return Scene(image, objects, caption, references, relation)
