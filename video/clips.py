"""Procedural clips with exact captions: the video app's default, offline data.

A clip is 16 frames of 96x96 RGB on a light background (every channel >= 200 before a mild
per-pixel noise, a fresh background per clip) with one or two shapes of the captioning
vocabulary (:mod:`shared.shapes`) that stay inside the frame and never overlap. Each object
does one action over the whole clip, or (one object) two actions, the first over frames 0-7
and the second over 8-15:

    a small red circle moves to the right
    a large blue square shrinks, then moves up
    a small red circle moves down and a large green triangle stays still

An object is named by how it looks when it is first seen (a growing object is small, one
that turns blue is named by its first colour); two objects are named left to right by their
centres in frame 0, and one that appears later is named last. Everything follows from the
seed, so train, validation and test are disjoint seed ranges.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from shared.shapes import (
    COLOR_JITTER,
    COLORS,
    MAX_ROTATION,
    SHAPES,
    SIZES,
    SPLIT_SEEDS,
    draw_shape,
    jittered,
    split_seeds,
)

FRAMES = 16
SIDE = 96
HALF = FRAMES // 2  # two actions: frames 0-7, then 8-15
MOVES = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
# Every action a clip can show; "turns" takes a colour ("turns blue").
MOVE_PHRASES = {
    "moves to the left": "left",
    "moves to the right": "right",
    "moves up": "up",
    "moves down": "down",
}
ACTIONS = (*MOVE_PHRASES, "grows", "shrinks", "stays still", "turns")
ONE_ACTION_KINDS = (*ACTIONS, "appears", "disappears")
TWO_ACTION_KINDS = tuple(a for a in ACTIONS if a != "stays still")
SHARES = {"one-action": 0.4, "two-actions": 0.3, "two-objects": 0.3}
MIN_TRAVEL, MAX_TRAVEL = 0.25, 0.45  # share of the side the centre travels in one move
MIN_GROWTH = 1.6  # large span / small span for grows and shrinks
APPEAR_FRAMES = range(4, 11)  # absent until one of these frames
DISAPPEAR_FRAMES = range(6, 13)  # absent from one of these frames on
BACKGROUND = (205, 250)  # per-channel range, before noise
MARGIN = 0.02  # gap kept between two objects, share of the side


@dataclass(frozen=True)
class Style:
    """How a clip is drawn, apart from what happens in it (training varies it, so that a
    model does not learn one renderer's look).

    Attributes:
        noise: standard deviation of the per-pixel Gaussian noise, fresh in every frame.
        supersample: frames are drawn this many times larger, then reduced (smooth edges).
        color_jitter: each channel of an object's colour moves by up to this much.
        palette: RGB anchors per colour name; an object's colour is a random mix of two
            of its name's anchors (None: the one RGB of :data:`shared.shapes.COLORS`).
        background: per-channel range of the background, before noise.
        max_travel: the most a move carries the centre, as a share of the side.
    """

    noise: float = 3.0
    supersample: int = 2
    color_jitter: int = COLOR_JITTER
    palette: dict[str, tuple[tuple[int, int, int], ...]] | None = None
    background: tuple[int, int] = BACKGROUND
    max_travel: float = MAX_TRAVEL


@dataclass
class ClipObject:
    """One shape and what it does, frame by frame.

    Attributes:
        shape, size: what it is; ``size`` is its class when first seen.
        colors: its colour name in each frame (one change at most: ``turns``).
        actions: one or two action phrases ("moves up", "turns blue"...).
        centres: (x, y) of the bounding box centre in each frame, pixels.
        spans: the bounding box's larger side in each frame, pixels.
        visible: whether it is drawn in each frame (``appears`` / ``disappears``).
        angle: rotation of squares and triangles, degrees.
    """

    shape: str
    size: str
    colors: list[str]
    actions: list[str]
    centres: list[tuple[float, float]]
    spans: list[float]
    visible: list[bool]
    angle: float = 0.0
    fills: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def phrase(self) -> str:
        """``<size> <colour> <shape>`` as first seen."""
        return f"{self.size} {self.colors[self.first_seen]} {self.shape}"

    @property
    def first_seen(self) -> int:
        return self.visible.index(True)

    @property
    def clause(self) -> str:
        return f"a {self.phrase} " + ", then ".join(self.actions)

    def box(self, t: int) -> tuple[float, float, float, float]:
        """The bounding box in frame ``t`` (a square of side ``span`` holds every shape)."""
        (x, y), r = self.centres[t], self.spans[t] / 2
        return x - r, y - r, x + r, y + r


@dataclass
class Clip:
    """A rendered clip: frames (T, H, W, 3) uint8, its objects in caption order, the caption."""

    frames: np.ndarray
    objects: list[ClipObject]
    caption: str
    kind: str


def _progress(t: int, start: int, end: int) -> float:
    """How far an action over frames ``start..end`` has gone at frame ``t`` (0 to 1)."""
    return min(1.0, max(0.0, (t - start) / (end - start)))


def _spans(rng: random.Random, size: str, actions: list[str]) -> tuple[str, list[float]]:
    """Span per frame and the size class when first seen; grows and shrinks go between a
    small and a large span at least ``MIN_GROWTH`` apart."""
    changes = [a for a in actions if a in ("grows", "shrinks")]
    if changes:
        size = "small" if changes[0] == "grows" else "large"
    while True:
        small = rng.uniform(*SIZES["small"]) * SIDE
        large = rng.uniform(*SIZES["large"]) * SIDE
        if not changes or large / small >= MIN_GROWTH:
            break
    span = small if size == "small" else large
    spans = [span] * FRAMES
    for i, action in enumerate(actions):
        if action not in ("grows", "shrinks"):
            continue
        start, end = _window(i, len(actions))
        target = large if action == "grows" else small
        begin = spans[start]
        for t in range(start, FRAMES):
            spans[t] = begin + (target - begin) * _progress(t, start, end)
    return size, spans


def _window(index: int, count: int) -> tuple[int, int]:
    """The frames an action spans: the whole clip, or its half."""
    if count == 1:
        return 0, FRAMES - 1
    return (0, HALF - 1) if index == 0 else (HALF, FRAMES - 1)


def _fill(rng: random.Random, color: str, style: Style) -> tuple[int, int, int]:
    if style.palette is None:
        return jittered(color, rng, style.color_jitter)
    a, b = rng.choice(style.palette[color]), rng.choice(style.palette[color])
    u = rng.random()
    return tuple(
        max(
            0,
            min(255, round(p + (q - p) * u) + rng.randint(-style.color_jitter, style.color_jitter)),
        )
        for p, q in zip(a, b, strict=True)
    )


def _make_object(rng: random.Random, actions: list[str], style: Style) -> ClipObject | None:
    """An object doing ``actions`` (with "turns" still without its colour), placed so that
    it stays inside the frame; None when the moves cannot fit."""
    shape, color = rng.choice(SHAPES), rng.choice(list(COLORS))
    size, spans = _spans(rng, rng.choice(list(SIZES)), actions)
    angle = rng.uniform(-MAX_ROTATION, MAX_ROTATION) if shape != "circle" else 0.0
    offsets = [(0.0, 0.0)] * FRAMES
    colors, visible, phrases = [color] * FRAMES, [True] * FRAMES, []
    for i, action in enumerate(actions):
        start, end = _window(i, len(actions))
        if action.startswith("moves"):
            dx, dy = MOVES[MOVE_PHRASES[action]]
            travel = rng.uniform(MIN_TRAVEL, style.max_travel) * SIDE
            base = offsets[start]
            for t in range(start, FRAMES):
                p = _progress(t, start, end) * travel
                offsets[t] = (base[0] + dx * p, base[1] + dy * p)
        elif action == "turns":
            new = rng.choice([c for c in COLORS if c != colors[start]])
            n = end - start + 1  # the change falls in the middle third of the action
            at = rng.randint(start + round(n / 3), start + round(2 * n / 3) - 1)
            colors[at:] = [new] * (FRAMES - at)
            action = f"turns {new}"
        elif action == "appears":
            at = rng.choice(APPEAR_FRAMES)
            visible[:at] = [False] * at
        elif action == "disappears":
            at = rng.choice(DISAPPEAR_FRAMES)
            visible[at:] = [False] * (FRAMES - at)
        phrases.append(action)
    # Where the first centre may go so that every frame's box stays inside (1 pixel spare).
    lo_x = max(s / 2 + 1 - ox for (ox, _), s in zip(offsets, spans, strict=True))
    hi_x = min(SIDE - s / 2 - 1 - ox for (ox, _), s in zip(offsets, spans, strict=True))
    lo_y = max(s / 2 + 1 - oy for (_, oy), s in zip(offsets, spans, strict=True))
    hi_y = min(SIDE - s / 2 - 1 - oy for (_, oy), s in zip(offsets, spans, strict=True))
    if lo_x > hi_x or lo_y > hi_y:
        return None
    x0, y0 = rng.uniform(lo_x, hi_x), rng.uniform(lo_y, hi_y)
    centres = [(x0 + ox, y0 + oy) for ox, oy in offsets]
    fills = {c: _fill(rng, c, style) for c in dict.fromkeys(colors)}
    return ClipObject(shape, size, colors, phrases, centres, spans, visible, angle, fills)


def _overlap(a: ClipObject, b: ClipObject) -> bool:
    gap = MARGIN * SIDE
    for t in range(FRAMES):
        p, q = a.box(t), b.box(t)
        if not (
            p[2] + gap <= q[0] or q[2] + gap <= p[0] or p[3] + gap <= q[1] or q[3] + gap <= p[1]
        ):
            return True
    return False


def kind_shares(two_objects: float = SHARES["two-objects"]) -> dict[str, float]:
    """The mix of clip kinds with ``two_objects`` of two-object clips; one-object clips keep
    the specification's 4:3 ratio of one action to two. Training may lean on the kind that is
    hardest (binding each action to its object); test clips keep :data:`SHARES`."""
    if not 0.0 <= two_objects <= 1.0:
        raise ValueError(f"the share of two-object clips must be within 0-1, not {two_objects}")
    one_object = SHARES["one-action"] + SHARES["two-actions"]
    return {
        "one-action": (1 - two_objects) * SHARES["one-action"] / one_object,
        "two-actions": (1 - two_objects) * SHARES["two-actions"] / one_object,
        "two-objects": two_objects,
    }


def _plan(
    rng: random.Random, style: Style, shares: dict[str, float]
) -> tuple[str, list[ClipObject]]:
    """The clip's kind and its objects in caption order (rejection sampling: a layout that
    fits is found within a few tries)."""
    kind = rng.choices(list(shares), weights=list(shares.values()))[0]
    while True:
        if kind == "one-action":
            plans = [[rng.choice(ONE_ACTION_KINDS)]]
        elif kind == "two-actions":
            plans = [rng.sample(TWO_ACTION_KINDS, 2)]
        else:
            plans = [[rng.choice(ONE_ACTION_KINDS)], [rng.choice(ONE_ACTION_KINDS)]]
        objects = [_make_object(rng, actions, style) for actions in plans]
        if any(o is None for o in objects):
            continue
        if len(objects) == 2 and _overlap(*objects):
            continue
        # Left to right by frame-0 centres; objects not yet visible in frame 0 come last.
        objects.sort(
            key=lambda o: (not o.visible[0], o.centres[0][0] if o.visible[0] else o.first_seen)
        )
        return kind, objects


def caption_of(objects: list[ClipObject]) -> str:
    """The clip's caption: its objects' clauses joined by "and"."""
    return " and ".join(o.clause for o in objects)


def render_clip(seed: int, style: Style = Style(), shares: dict[str, float] = SHARES) -> Clip:
    """Draw the clip of ``seed``: deterministic, exact to the specification; ``style`` says
    how it looks (noise, edges, colour shades, background, how far moves go), ``shares`` how
    often each kind of clip comes (:func:`kind_shares`; default: the specification's)."""
    rng = random.Random(seed)
    kind, objects = _plan(rng, style, shares)
    background = tuple(rng.randint(*style.background) for _ in range(3))
    noise_rng = np.random.default_rng(seed)
    frames = np.empty((FRAMES, SIDE, SIDE, 3), dtype=np.uint8)
    supersample = style.supersample
    big_side = SIDE * supersample
    for t in range(FRAMES):
        big = Image.new("RGB", (big_side, big_side), background)
        draw = ImageDraw.Draw(big)
        for obj in objects:
            if obj.visible[t]:
                x, y = obj.centres[t]
                fill = obj.fills[obj.colors[t]]
                draw_shape(draw, obj.shape, x, y, obj.spans[t], obj.angle, fill, supersample)
        frame = big.resize((SIDE, SIDE), Image.Resampling.LANCZOS) if supersample > 1 else big
        pixels = np.asarray(frame, dtype=np.float32)
        if style.noise > 0:
            pixels = pixels + noise_rng.normal(0.0, style.noise, pixels.shape)
        frames[t] = np.clip(pixels, 0, 255).astype(np.uint8)
    return Clip(frames, objects, caption_of(objects), kind)


__all__ = [
    "ACTIONS",
    "FRAMES",
    "SIDE",
    "Clip",
    "ClipObject",
    "Style",
    "kind_shares",
    "render_clip",
    "SPLIT_SEEDS",
    "split_seeds",
]
