"""Where the decoder looked. In time: the sampled frames in a strip, and under it one row per
word, each frame lit by that word's attention on it (dark frames were not looked at). In the
picture (models that attend over places): one tile per word, its most-looked-at frame with the
word's attention over the grid's cells laid on it."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from shared.plots import attention_overlay

THUMB = 56  # pixels a frame in the strip
LABEL = 120  # pixels for the word column
GAP = 2
BACKGROUND = (250, 250, 250)
BAR = (230, 90, 20)
TILE = 112  # pixels a word's tile in the places figure
TILES_PER_ROW = 6


def _thumbs(frames: np.ndarray) -> list[Image.Image]:
    return [Image.fromarray(f).resize((THUMB, THUMB), Image.Resampling.BILINEAR) for f in frames]


def attention_strip(
    frames: np.ndarray, attention: np.ndarray, tokens: list[str], times: list[float]
) -> np.ndarray:
    """A picture (H, W, 3) uint8: the frames with their times on top, then for each word
    the strip again, each frame faded to the share of the word's attention it got (scaled
    so the word's most-attended frame is fully lit) with a bar under it for the weight.

    Args:
        frames: (T, h, w, 3) uint8 sampled frames.
        attention: (len(tokens), T), rows summing to 1.
        tokens: the caption's words.
        times: T frame times in seconds.
    """
    attention = np.asarray(attention, dtype=np.float32)
    if attention.shape != (len(tokens), len(frames)) or len(times) != len(frames):
        raise ValueError(
            f"attention of shape {attention.shape} does not match {len(tokens)} words and"
            f" {len(frames)} frames ({len(times)} times)"
        )
    thumbs = _thumbs(frames)
    row = THUMB + 8
    width = LABEL + len(frames) * (THUMB + GAP)
    height = 16 + row * (len(tokens) + 1)
    canvas = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default()
    draw.text((4, 16 + THUMB // 2 - 6), "frames", fill=(60, 60, 60), font=font)
    for t, (thumb, time) in enumerate(zip(thumbs, times, strict=True)):
        x = LABEL + t * (THUMB + GAP)
        draw.text((x + 2, 2), f"{time:.2f}s", fill=(90, 90, 90), font=font)
        canvas.paste(thumb, (x, 16))
    for k, (word, weights) in enumerate(zip(tokens, attention, strict=True)):
        y = 16 + row * (k + 1)
        draw.text((4, y + THUMB // 2 - 6), f"{k + 1}. {word}"[:18], fill=(20, 20, 20), font=font)
        peak = max(float(weights.max()), 1e-12)
        for t, thumb in enumerate(thumbs):
            x = LABEL + t * (THUMB + GAP)
            share = float(weights[t]) / peak
            faded = Image.blend(
                Image.new("RGB", thumb.size, (25, 25, 25)), thumb, 0.15 + 0.85 * share
            )
            canvas.paste(faded, (x, y))
            draw.rectangle(
                [x, y + THUMB + 1, x + round(share * (THUMB - 1)), y + THUMB + 5], fill=BAR
            )
    return np.asarray(canvas)


def place_tiles(
    frames: np.ndarray, over_time: np.ndarray, places: np.ndarray, tokens: list[str]
) -> np.ndarray:
    """A picture (H, W, 3) uint8: for each word, the frame it looked at most, lit where its
    attention over places fell (scaled to the word's most-attended cell), titled with the word
    and the share of its attention that went to places rather than to times.

    Args:
        frames: (T, h, w, 3) uint8 sampled frames.
        over_time: (len(tokens), T) attention over the frames.
        places: (len(tokens), s, s) attention over the grid's cells; with ``over_time`` each
            word's weights sum to 1.
        tokens: the caption's words.
    """
    over_time = np.asarray(over_time, dtype=np.float32)
    places = np.asarray(places, dtype=np.float32)
    if over_time.shape != (len(tokens), len(frames)) or places.shape[0] != len(tokens):
        raise ValueError(
            f"attention of shapes {over_time.shape} and {places.shape} does not match"
            f" {len(tokens)} words and {len(frames)} frames"
        )
    columns = max(1, min(TILES_PER_ROW, len(tokens)))
    rows = -(-len(tokens) // columns)
    cell = TILE + 24
    canvas = Image.new("RGB", (columns * (TILE + GAP * 2), max(1, rows) * cell), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default()
    for k, (word, when, where) in enumerate(zip(tokens, over_time, places, strict=True)):
        x, y = (k % columns) * (TILE + GAP * 2), (k // columns) * cell
        frame = Image.fromarray(frames[int(when.argmax())]).resize((TILE, TILE))
        lit = attention_overlay(np.asarray(frame), where)
        canvas.paste(Image.fromarray(lit), (x, y + 20))
        share = float(where.sum()) / max(float(where.sum() + when.sum()), 1e-12)
        draw.text(
            (x + 2, y + 4), f"{k + 1}. {word} ({share:.0%})"[:22], fill=(20, 20, 20), font=font
        )
    return np.asarray(canvas)
