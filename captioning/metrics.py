"""Scene-specific caption checks: are the objects, their relation and their order right?"""

from __future__ import annotations

import re

from captioning.scenes import COLORS, SHAPES, Scene

TRIPLE = re.compile(rf"\b(small|large) ({'|'.join(COLORS)}) ({'|'.join(SHAPES)})\b")
RELATIONS = ("to the left of", "to the right of", "above", "below")


def triples(caption: str) -> list[str]:
    """The ``<size> <color> <shape>`` phrases of a caption, in order."""
    return [" ".join(m) for m in TRIPLE.findall(caption)]


def scene_scores(scenes: list[Scene], captions: list[str]) -> dict[str, float]:
    """Shares (0-1): captions whose triples are exactly the scene's objects; two-object
    scenes with the right relation (same objects, right words, right order); three-object
    scenes listed left to right."""
    all_right = relation_right = order_right = 0
    two = three = 0
    for scene, caption in zip(scenes, captions, strict=True):
        found = triples(caption)
        expected = triples(scene.caption)
        all_right += sorted(found) == sorted(expected)
        if len(scene.objects) == 2:
            two += 1
            # Either phrasing is right: "A rel B" or "B inverse(rel) A".
            relation_right += any(caption.strip() == reference for reference in scene.references)
        if len(scene.objects) == 3:
            three += 1
            order_right += found == expected
    return {
        "triples_right": all_right / max(1, len(scenes)),
        "relation_right": relation_right / max(1, two),
        "order_right": order_right / max(1, three),
        "two_object_scenes": two,
        "three_object_scenes": three,
    }
