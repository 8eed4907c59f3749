"""Pictures of what a network attended to: attention heatmaps and image overlays.

Heatmaps and alignments are plotly figures: the browser draws them (zoom, values on hover),
so the server only sends numbers, a few milliseconds' work where rendering a picture took a
few hundred. Overlays are plain ``np.ndarray`` images so any UI can show them. Plotting
libraries are imported on first use.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np


def _plotly():
    import plotly.graph_objects as go

    return go


def attention_heatmap(
    weights: np.ndarray,
    source_labels: Sequence[str],
    target_labels: Sequence[str],
    title: str | None = None,
):
    """Heatmap of a (target × source) attention matrix with tokens on the axes.

    Interactive (plotly, drawn by the browser): hovering a cell shows the output token, the
    source token and the weight.

    Args:
        weights: (T, S) attention, rows = output tokens.
        source_labels: S labels for the columns.
        target_labels: T labels for the rows.

    Returns:
        plotly Figure.
    """
    weights = np.asarray(weights, dtype=np.float32)
    if weights.ndim != 2 or weights.shape != (len(target_labels), len(source_labels)):
        raise ValueError(
            f"weights of shape {weights.shape} do not match {len(target_labels)} target and"
            f" {len(source_labels)} source labels"
        )
    go = _plotly()
    rows, cols = weights.shape
    hover = [[f"{t} ← {s}" for s in source_labels] for t in target_labels]
    # Positions, not labels, on the axes: a sentence can repeat a token, and plotly would
    # merge equal category labels into one column.
    heatmap = go.Heatmap(
        z=weights.round(3),
        x=list(range(cols)),
        y=list(range(rows)),
        text=hover,
        hovertemplate="%{text}<br>weight %{z:.2f}<extra></extra>",
        colorscale="Viridis",
        zmin=0.0,
        zmax=max(1e-6, float(weights.max())),
    )
    fig = go.Figure(heatmap)
    fig.update_layout(
        title=title,
        height=int(min(160 + 26 * rows, 720)),
        margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        xaxis=dict(
            title="source",
            tickvals=list(range(cols)),
            ticktext=list(source_labels),
            tickangle=-60,
            side="bottom",
        ),
        yaxis=dict(
            title="output",
            tickvals=list(range(rows)),
            ticktext=list(target_labels),
            autorange="reversed",  # the first output word on top, as it is read
        ),
    )
    return fig


@functools.cache
def _inferno_lut() -> np.ndarray:
    """(256, 3) float32 RGB in 0..255: the colour map as a table, indexed by heat * 255."""
    from matplotlib import colormaps

    return (colormaps["inferno"](np.arange(256))[:, :3] * 255.0).astype(np.float32)


def _resize_bilinear(grid: np.ndarray, height: int, width: int) -> np.ndarray:
    """Upsample a small (h, w) map to (height, width), cell centres aligned."""
    h, w = grid.shape
    ys = np.clip((np.arange(height) + 0.5) * h / height - 0.5, 0, h - 1)
    xs = np.clip((np.arange(width) + 0.5) * w / width - 0.5, 0, w - 1)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    fy = (ys - y0).astype(grid.dtype)[:, None]
    fx = (xs - x0).astype(grid.dtype)[None, :]
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
    weights = np.asarray(weights, dtype=np.float32)
    if weights.ndim != 2:
        raise ValueError(f"expected (h, w) attention, got shape {weights.shape}")
    heat = _resize_bilinear(weights, image.shape[0], image.shape[1])
    heat = heat / max(float(heat.max()), 1e-12)
    colour = _inferno_lut()[(heat * 255).astype(np.uint8)]
    shade = (1.0 - alpha) + alpha * heat[..., None]
    blended = image.astype(np.float32) * (shade * 0.7) + colour * 0.3
    return np.clip(blended, 0, 255).astype(np.uint8)


def alignment_plot(
    features: np.ndarray,
    feature_seconds: float,
    letters: Sequence[tuple[str, float]],
    words: Sequence[tuple[str, float, float]] = (),
    title: str | None = None,
):
    """A spectrogram with each recognised letter drawn at the time it was emitted and each
    word's span marked along the bottom.

    Interactive (plotly, drawn by the browser): zoom into a stretch of audio; hovering a
    letter or a word shows its time.

    Args:
        features: (T, n_mels) log-mel features.
        feature_seconds: time between feature frames.
        letters: ``(letter, seconds)`` for each emitted character (spaces are skipped).
        words: ``(word, start_s, end_s)`` spans.

    Returns:
        plotly Figure.
    """
    features = np.asarray(features, dtype=np.float32)
    if features.ndim != 2:
        raise ValueError(f"expected (frames, bands) features, got shape {features.shape}")
    go = _plotly()
    frames, bands = features.shape
    seconds = frames * feature_seconds
    # 8 bits per value is all the eye can tell apart, and it keeps the page light.
    low, high = (float(np.percentile(features, q)) for q in (1, 99)) if frames else (0.0, 1.0)
    scaled = np.clip((features - low) / max(high - low, 1e-6) * 255, 0, 255).astype(np.uint8)
    fig = go.Figure(
        go.Heatmap(
            z=scaled.T,
            x0=feature_seconds / 2,
            dx=feature_seconds,
            colorscale="Magma",
            showscale=False,
            hoverinfo="skip",
        )
    )
    shown = [(letter, at) for letter, at in letters if letter.strip()]
    top = bands - 0.5
    # Thin guides from each letter down through the spectrogram, as one trace.
    guide_x = [x for _, at in shown for x in (at, at, None)]
    guide_y = [y for _ in shown for y in (-0.5, top * 0.86, None)]
    fig.add_trace(
        go.Scatter(
            x=guide_x,
            y=guide_y,
            mode="lines",
            line=dict(color="rgba(255,255,255,0.35)", width=1),
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[at for _, at in shown],
            y=[top * 0.92] * len(shown),
            mode="text",
            text=[letter for letter, _ in shown],
            textfont=dict(color="white", size=14),
            hovertemplate="%{text} at %{x:.2f} s<extra></extra>",
        )
    )
    for k, (_, start, end) in enumerate(words):
        fig.add_shape(
            type="rect",
            x0=start,
            x1=end,
            y0=-0.5,
            y1=bands * 0.06,
            fillcolor=("#4fc3f7", "#aed581")[k % 2],
            line_width=0,
            opacity=0.85,
        )
    fig.add_trace(
        go.Scatter(
            x=[(start + end) / 2 for _, start, end in words],
            y=[bands * 0.12] * len(words),
            mode="text",
            text=[word for word, _, _ in words],
            textfont=dict(color="white", size=12),
            customdata=[[start, end] for _, start, end in words],
            hovertemplate="%{text}: %{customdata[0]:.2f}–%{customdata[1]:.2f} s<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=340,
        showlegend=False,
        margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        xaxis=dict(title="seconds", range=[0.0, max(seconds, feature_seconds)]),
        yaxis=dict(title="mel band", range=[-0.5, top]),
    )
    return fig
