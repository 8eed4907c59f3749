import json

import numpy as np
import pytest

from shared.plots import alignment_plot, attention_heatmap, attention_overlay


def test_heatmap_puts_tokens_on_the_axes_and_weights_in_the_cells():
    weights = np.eye(3, 4)
    fig = attention_heatmap(weights, ["a", "b", "a", "d"], ["x", "y", "z"], title="t")
    layout = fig.layout
    assert list(layout.xaxis.ticktext) == ["a", "b", "a", "d"]  # a repeated token keeps its column
    assert list(layout.yaxis.ticktext) == ["x", "y", "z"]
    assert layout.yaxis.autorange == "reversed"  # first output on top
    heat = fig.data[0]
    np.testing.assert_allclose(np.asarray(heat.z), weights)
    assert heat.text[1][2] == "y ← a"
    json.loads(fig.to_json())  # what the web app sends


def test_heatmap_checks_shapes():
    with pytest.raises(ValueError, match="do not match"):
        attention_heatmap(np.ones((2, 2)), ["a"], ["x", "y"])


def test_alignment_plot_marks_letters_and_words_at_their_times():
    features = np.random.default_rng(0).normal(size=(50, 80)).astype(np.float32)
    letters = [("h", 0.10), ("i", 0.30), (" ", 0.50), ("y", 1.20)]
    fig = alignment_plot(features, 0.04, letters, [("hi", 0.05, 0.35), ("y", 1.1, 1.3)])
    spectrogram = fig.data[0]
    assert np.asarray(spectrogram.z).shape == (80, 50)  # bands x frames
    assert np.asarray(spectrogram.z).dtype == np.uint8
    assert spectrogram.x0 == pytest.approx(0.02) and spectrogram.dx == pytest.approx(0.04)
    letter_trace = next(t for t in fig.data[1:] if t.mode == "text" and "h" in t.text)
    assert list(letter_trace.text) == ["h", "i", "y"]  # the space is not drawn
    assert list(letter_trace.x) == [0.10, 0.30, 1.20]
    word_trace = next(t for t in fig.data[1:] if t.mode == "text" and "hi" in t.text)
    assert list(word_trace.x) == pytest.approx([0.2, 1.2])
    assert [(s.x0, s.x1) for s in fig.layout.shapes] == [(0.05, 0.35), (1.1, 1.3)]
    json.loads(fig.to_json())


def test_alignment_plot_checks_shapes():
    with pytest.raises(ValueError, match="frames, bands"):
        alignment_plot(np.zeros(10), 0.04, [])


def test_overlay_is_bright_where_attention_is():
    image = np.full((40, 40, 3), 200, np.uint8)
    weights = np.zeros((4, 4))
    weights[0, 0] = 1.0
    out = attention_overlay(image, weights)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert out[:8, :8].mean() > out[-8:, -8:].mean() + 50
