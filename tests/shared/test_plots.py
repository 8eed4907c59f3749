import numpy as np
import pytest

from shared.plots import attention_grid, attention_heatmap, attention_overlay, figure_to_array


def test_heatmap_renders_with_labels():
    fig = attention_heatmap(np.eye(3, 4), ["a", "b", "c", "d"], ["x", "y", "z"], title="t")
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["a", "b", "c", "d"]
    image = figure_to_array(fig)
    assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8


def test_heatmap_checks_shapes():
    with pytest.raises(ValueError, match="do not match"):
        attention_heatmap(np.ones((2, 2)), ["a"], ["x", "y"])


def test_overlay_is_bright_where_attention_is():
    image = np.full((40, 40, 3), 200, np.uint8)
    weights = np.zeros((4, 4))
    weights[0, 0] = 1.0
    out = attention_overlay(image, weights)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert out[:8, :8].mean() > out[-8:, -8:].mean() + 50


def test_grid_has_one_panel_per_word():
    fig = attention_grid(
        np.zeros((16, 16, 3), np.uint8), ["a", "red", "dot"], np.random.rand(3, 2, 2)
    )
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["a", "red", "dot"]
    figure_to_array(fig)
    with pytest.raises(ValueError, match="2 tokens"):
        attention_grid(np.zeros((16, 16, 3), np.uint8), ["a", "b"], np.random.rand(3, 2, 2))
