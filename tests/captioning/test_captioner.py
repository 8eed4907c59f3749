"""The Captioner API on a tiny untrained model (the shipped model has its own tests)."""

import numpy as np
import pytest
from PIL import Image

from captioning import Captioner
from captioning.scenes import render_scene
from shared.images import MAX_PIXELS


@pytest.fixture(scope="module")
def captioner(tiny_caption_dir):
    return Captioner.from_pretrained(tiny_caption_dir)


def test_attention_maps_have_the_grid_shape_and_sum_to_one(captioner):
    r = captioner.caption(render_scene(1).image, beam_size=2)
    assert r.attention.shape == (len(r.tokens), 4, 4)  # 64 px / 16
    assert np.allclose(r.attention.sum(axis=(1, 2)), 1.0, atol=1e-4)
    assert r.text == " ".join(r.tokens).replace(" ,", ",")


@pytest.mark.parametrize("beam_size", [1, 3])
def test_batch_equals_one_by_one(captioner, beam_size):
    images = [render_scene(s).image for s in range(5)]
    together = captioner.caption_batch(images, beam_size=beam_size, batch_size=2)
    for image, batched in zip(images, together, strict=True):
        alone = captioner.caption(image, beam_size=beam_size)
        assert alone.tokens == batched.tokens
        assert np.allclose(alone.attention, batched.attention, atol=1e-5)


def test_any_image_mode_size_and_input_kind(captioner, tmp_path):
    base = render_scene(2).image
    rgba = base.convert("RGBA")
    base.save(tmp_path / "scene.png")
    # The same pixels however they come: opaque alpha, arrays of any scale, files.
    same = [
        rgba,
        np.asarray(base),
        np.asarray(rgba),
        np.asarray(base) / 255.0,
        tmp_path / "scene.png",
        str(tmp_path / "scene.png"),
    ]
    other = [
        base.convert("L"),
        base.convert("P"),
        base.convert("CMYK"),
        base.resize((300, 90)),
        Image.fromarray(np.asarray(base.convert("L")).astype(np.uint16) * 257),
        np.asarray(base.convert("L")),
    ]
    expected = captioner.caption(base, beam_size=1)
    for variant in same:
        r = captioner.caption(variant, beam_size=1)
        assert r.tokens == expected.tokens and r.score == pytest.approx(expected.score)
        assert np.allclose(r.attention, expected.attention, atol=1e-6)
    for variant in other:
        r = captioner.caption(variant, beam_size=1)
        assert r.attention.shape == (len(r.tokens), *expected.attention.shape[1:])


def test_bad_inputs_are_clear_value_errors(captioner, tmp_path):
    (tmp_path / "notes.png").write_text("not an image")
    cases = [
        (tmp_path / "notes.png", "not a readable image"),
        (tmp_path / "missing.png", "no image file"),
        (np.zeros((0, 10, 3), np.uint8), "empty"),
        (np.zeros((10, 10, 2), np.uint8), "expected an"),
        (np.full((20, 20, 3), np.nan), "NaN"),
        (np.zeros((1, 1, 3), np.uint8), "1x1 pixels, too small to caption"),
        ("not a path", "no image file"),
        (12, "expected a PIL image"),
    ]
    for bad, message in cases:
        with pytest.raises(ValueError, match=message):
            captioner.caption(bad)


def test_decompression_bombs_are_refused(captioner, tmp_path):
    side = int(MAX_PIXELS**0.5) + 10
    Image.new("L", (side, side)).save(tmp_path / "bomb.png")
    with pytest.raises(ValueError, match="limit"):
        captioner.caption(tmp_path / "bomb.png")
