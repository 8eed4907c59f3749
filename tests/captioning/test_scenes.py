"""The scene generator honours its specification."""

import re

import numpy as np
import pytest

from captioning.scenes import COLORS, SHAPES, SIZES, relation_between, render_scene, split_seeds

SEEDS = range(300)
TRIPLE = rf"(small|large) ({'|'.join(COLORS)}) ({'|'.join(SHAPES)})"


@pytest.fixture(scope="module")
def scenes():
    return [render_scene(s) for s in SEEDS]


def test_same_seed_same_scene():
    a, b = render_scene(7), render_scene(7)
    assert a.caption == b.caption and np.array_equal(np.asarray(a.image), np.asarray(b.image))
    assert render_scene(8).caption != a.caption or not np.array_equal(
        np.asarray(render_scene(8).image), np.asarray(a.image)
    )


def test_image_format_and_light_background(scenes):
    for scene in scenes[:50]:
        pixels = np.asarray(scene.image)
        assert pixels.shape == (128, 128, 3) and pixels.dtype == np.uint8
        corner = pixels[:3, :3].reshape(-1, 3).mean(0)
        covered = any(o.box[0] < 4 and o.box[1] < 4 for o in scene.objects)
        if not covered:
            assert (corner >= 195).all()  # >= 200 up to the mild noise


def test_objects_count_sizes_inside_and_apart(scenes):
    counts = set()
    for scene in scenes:
        counts.add(len(scene.objects))
        for obj in scene.objects:
            x0, y0, x1, y1 = obj.box
            assert x0 >= 0 and y0 >= 0 and x1 <= 128 and y1 <= 128
            low, high = SIZES[obj.size]
            span = max(x1 - x0, y1 - y0) / 128
            assert low - 1e-6 <= span <= high + 1e-6
            assert abs(obj.angle) <= 20
        for i, a in enumerate(scene.objects):
            for b in scene.objects[i + 1 :]:
                ax0, ay0, ax1, ay1 = a.box
                bx0, by0, bx1, by1 = b.box
                assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0
    assert counts == {1, 2, 3}


def test_pixel_extent_matches_the_size_words(scenes):
    """Measured on the rendered image: a lone object's coloured pixels span its size range."""
    for scene in scenes:
        if len(scene.objects) != 1:
            continue
        pixels = np.asarray(scene.image).astype(int)
        background = np.median(pixels[[0, 0, -1, -1], [0, -1, 0, -1]], axis=0)
        ys, xs = np.nonzero(np.abs(pixels - background).sum(-1) > 90)
        span = max(xs.max() - xs.min() + 1, ys.max() - ys.min() + 1) / 128
        low, high = SIZES[scene.objects[0].size]
        assert low - 0.03 <= span <= high + 0.03, (scene.caption, span)


def follows_rule(caption, first, second):
    said = f"a {first.phrase} {relation_between(first, second)} a {second.phrase}"
    if first.size != second.size:
        return said == caption and first.size == "large"
    return said == caption and relation_between(first, second) in ("to the left of", "above")


def test_captions_name_every_object_and_follow_the_rules(scenes):
    for scene in scenes:
        triples = [" ".join(m) for m in re.findall(TRIPLE, scene.caption)]
        assert sorted(triples) == sorted(o.phrase for o in scene.objects)
        if len(scene.objects) == 2:
            a, b = scene.objects
            dx, dy = abs(a.cx - b.cx), abs(a.cy - b.cy)
            assert max(dx, dy) >= 1.5 * min(dx, dy)

            # Some order of the two objects gives the caption and follows the naming rule:
            # the large one first; between equal sizes, the left or upper one.
            assert follows_rule(scene.caption, a, b) or follows_rule(scene.caption, b, a)
            assert scene.relation in ("to the left of", "to the right of", "above", "below")
        if len(scene.objects) == 3:
            ordered = sorted(scene.objects, key=lambda o: o.cx)
            assert triples == [o.phrase for o in ordered]
            xs = [o.cx for o in ordered]
            assert min(xs[1] - xs[0], xs[2] - xs[1]) >= 0.1 * 128
        for reference in scene.references:
            assert sorted(" ".join(m) for m in re.findall(TRIPLE, reference)) == sorted(triples)


def test_relation_words_by_dominant_axis():
    from captioning.scenes import SceneObject

    a, b = (
        SceneObject("circle", "red", "small", 10, 50, 10),
        SceneObject("circle", "red", "small", 60, 55, 10),
    )
    assert (
        relation_between(a, b) == "to the left of" and relation_between(b, a) == "to the right of"
    )
    c = SceneObject("circle", "red", "small", 62, 5, 10)
    assert relation_between(c, b) == "above" and relation_between(b, c) == "below"
    d = SceneObject("circle", "red", "small", 40, 30, 10)
    assert relation_between(d, b) is None  # 20 vs 25: no dominant axis


def test_split_seeds_are_disjoint():
    train, valid, test = (set(split_seeds(s, 10_000)) for s in ("train", "valid", "test"))
    assert not (train & valid) and not (train & test) and not (valid & test)
    with pytest.raises(ValueError, match="split must be"):
        split_seeds("dev", 3)
