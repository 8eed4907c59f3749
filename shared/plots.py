"""Pictures of what a network attended to: attention heatmaps and image overlays.

Figures are matplotlib ``Figure`` objects (the caller closes them); overlays are plain
``np.ndarray`` images so any UI can show them. matplotlib is imported on first use and
always with the non-interactive Agg backend.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def attention_heatmap(
    weights: np.ndarray,
    source_labels: Sequence[str],
    target_labels: Sequence[str],
    title: str | None = None,
):
    """Heatmap of a (target × source) attention matrix with tokens on the axes.

    Args:
        weights: (T, S) attention, rows = output tokens.
        source_labels: S labels for the columns.
        target_labels: T labels for the rows.

    Returns:
        matplotlib Figure.
    """
    weights = np.asarray(weights, dtype=np.float32)
    if weights.ndim != 2 or weights.shape != (len(target_labels), len(source_labels)):
        raise ValueError(
            f"weights of shape {weights.shape} do not match {len(target_labels)} target and"
            f" {len(source_labels)} source labels"
        )
    plt = _pyplot()
    rows, cols = weights.shape
    fig, ax = plt.subplots(figsize=(min(2 + 0.45 * cols, 16), min(1.5 + 0.4 * rows, 12)))
    image = ax.imshow(
        weights, cmap="viridis", vmin=0.0, vmax=max(1e-6, float(weights.max())), aspect="auto"
    )
    ax.set_xticks(range(cols), labels=list(source_labels), rotation=60, ha="right")
    ax.set_yticks(range(rows), labels=list(target_labels))
    ax.set_xlabel("source")
    ax.set_ylabel("output")
    if title:
        ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    fig.tight_layout()
    return fig


def _resize_bilinear(grid: np.ndarray, height: int, width: int) -> np.ndarray:
    """Upsample a small (h, w) map to (height, width), cell centres aligned."""
    h, w = grid.shape
    ys = np.clip((np.arange(height) + 0.5) * h / height - 0.5, 0, h - 1)
    xs = np.clip((np.arange(width) + 0.5) * w / width - 0.5, 0, w - 1)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    top = grid[y0][:, x0] * (1 - fx) + grid[y0][:, x1] * fx
    bottom = grid[y1][:, x0] * (1 - fx) + grid[y1][:, x1] * fx
    return top * (1 - fy) + bottom * fy


def attention_overlay(image: np.ndarray, weights: np.ndarray, alpha: float = 0.6) -> np.ndarray:
    """Blend an attention map over an image: bright where the model looked.

    Args:
        image: (H, W, 3) uint8.
        weights: (h, w) attention over the encoder's feature grid.
        alpha: strength of the darkening where attention is low.

    Returns:
        (H, W, 3) uint8.
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) image, got shape {image.shape}")
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 2:
        raise ValueError(f"expected (h, w) attention, got shape {weights.shape}")
    heat = _resize_bilinear(weights, image.shape[0], image.shape[1])
    heat = heat / max(heat.max(), 1e-12)
    plt = _pyplot()
    colour = plt.get_cmap("inferno")(heat)[..., :3] * 255.0
    shade = (1.0 - alpha) + alpha * heat[..., None]
    blended = image.astype(np.float64) * shade * 0.7 + colour * 0.3
    return np.clip(blended, 0, 255).astype(np.uint8)


def attention_grid(image: np.ndarray, tokens: Sequence[str], weights: np.ndarray, columns: int = 4):
    """One overlay per word, in reading order, each titled with its word.

    Args:
        image: (H, W, 3) uint8.
        tokens: T words.
        weights: (T, h, w) attention per word.

    Returns:
        matplotlib Figure.
    """
    weights = np.asarray(weights)
    if weights.ndim != 3 or len(tokens) != weights.shape[0]:
        raise ValueError(f"{len(tokens)} tokens but attention of shape {weights.shape}")
    plt = _pyplot()
    count = max(1, len(tokens))
    cols = min(columns, count)
    rows = (count + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.8 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, token, attn in zip(axes.flat, tokens, weights, strict=False):
        ax.imshow(attention_overlay(image, attn))
        ax.set_title(token)
    fig.tight_layout()
    return fig


def figure_to_array(fig) -> np.ndarray:
    """Render a figure to an (H, W, 3) uint8 array and close it."""
    plt = _pyplot()
    fig.canvas.draw()
    array = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)
    return array


def alignment_plot(
    features: np.ndarray,
    feature_seconds: float,
    letters: Sequence[tuple[str, float]],
    words: Sequence[tuple[str, float, float]] = (),
    title: str | None = None,
):
    """A (frames x bands) spectrogram with each recognised letter drawn at the time it was
    emitted and each word's span shaded above it.

    Args:
        features: (T, n_mels) log-mel features.
        feature_seconds: time between feature frames.
        letters: ``(letter, seconds)`` for each emitted character (spaces are skipped).
        words: ``(word, start_s, end_s)`` spans.
    """
    plt = _pyplot()
    seconds = features.shape[0] * feature_seconds
    fig, ax = plt.subplots(figsize=(min(16.0, 3.0 + 1.6 * seconds), 3.8))
    ax.imshow(
        features.T,
        origin="lower",
        aspect="auto",
        cmap="magma",
        extent=(0.0, seconds, 0, features.shape[1]),
    )
    top = features.shape[1]
    for letter, at in letters:
        if letter.strip():
            ax.axvline(at, color="white", alpha=0.35, linewidth=0.8)
            ax.text(at, top * 0.9, letter, color="white", ha="center", fontsize=10, weight="bold")
    for k, (word, start, end) in enumerate(words):
        ax.axvspan(start, end, ymin=0.0, ymax=0.06, color=("#4fc3f7", "#aed581")[k % 2])
        ax.text((start + end) / 2, top * 0.08, word, color="white", ha="center", fontsize=9)
    ax.set_xlabel("seconds")
    ax.set_ylabel("mel band")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
