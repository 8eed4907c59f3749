"""Clip-specific caption checks: did the caption get each object's actions, their
directions, and (two actions) their order right?

A caption is read back into clauses, ``a <size> <colour> <shape> <action>[, then <action>]``
joined by ``and``. A reference object is matched with the hypothesis clause that names the
same object (size, colour, shape), or else the clause at the same position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.shapes import COLORS, SHAPES, SIZES
from video.clips import MOVE_PHRASES

_OBJECT = re.compile(rf"^a ({'|'.join(SIZES)}) ({'|'.join(COLORS)}) ({'|'.join(SHAPES)}) (.+)$")


@dataclass
class Clause:
    """One object's part of a caption: the object named, and its actions in order."""

    phrase: str
    actions: list[str]


def parse_caption(caption: str) -> list[Clause]:
    """The clauses of a caption; words that do not read as a clause are left out."""
    clauses = []
    for part in caption.strip().split(" and "):
        match = _OBJECT.match(part.strip())
        if match:
            size, color, shape, rest = match.groups()
            actions = [a.strip() for a in rest.split(", then")]
            clauses.append(Clause(f"{size} {color} {shape}", actions))
    return clauses


def _match(reference: list[Clause], hypothesis: list[Clause]) -> list[Clause | None]:
    """For each reference clause, its hypothesis clause (same object, else same position)."""
    free = list(range(len(hypothesis)))
    matched: list[Clause | None] = [None] * len(reference)
    for i, ref in enumerate(reference):
        same = [j for j in free if hypothesis[j].phrase == ref.phrase]
        if same:
            matched[i] = hypothesis[same[0]]
            free.remove(same[0])
    for i in range(len(reference)):
        if matched[i] is None and i in free:
            matched[i] = hypothesis[i]
            free.remove(i)
    return matched


def _direction(action: str) -> str | None:
    return MOVE_PHRASES.get(action)


def clip_scores(references: list[str], hypotheses: list[str]) -> dict[str, float]:
    """Shares (0-1) over clips:

    * ``exact``: the whole caption is the reference;
    * ``actions_right``: every object's actions right (in order);
    * ``objects_right``: every object named right (size, colour, shape), in the right order;
    * ``direction_right``: over objects whose reference moves, the moves' directions right
      (the object's actions that are moves, in order);
    * ``order_right``: over two-action clips, both actions right and in order;
    * ``two_objects_right``: over two-object clips, both objects' actions right (where the
      decoder must tie each action to its object, not only see it);
    * ``object_action_right``: over all objects, the object's actions right.
    """
    exact = actions = objects = 0
    moving = direction = two_action = order = all_objects = object_action = 0
    two_object = two_object_right = 0
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        ref, hyp = parse_caption(reference), parse_caption(hypothesis)
        matched = _match(ref, hyp)
        exact += hypothesis.strip() == reference.strip()
        objects += [c.phrase for c in hyp] == [c.phrase for c in ref]
        right = [
            m is not None and m.actions == r.actions for r, m in zip(ref, matched, strict=True)
        ]
        all_right = all(right) and len(hyp) == len(ref)
        actions += all_right
        all_objects += len(ref)
        object_action += sum(right)
        for r, m in zip(ref, matched, strict=True):
            moves = [_direction(a) for a in r.actions if _direction(a)]
            if moves:
                moving += 1
                found = [_direction(a) for a in m.actions if _direction(a)] if m else []
                direction += found == moves
        if len(ref) == 1 and len(ref[0].actions) == 2:
            two_action += 1
            order += right[0]
        if len(ref) == 2:
            two_object += 1
            two_object_right += all_right
    n = max(1, len(references))
    return {
        "exact": exact / n,
        "actions_right": actions / n,
        "objects_right": objects / n,
        "direction_right": direction / max(1, moving),
        "order_right": order / max(1, two_action),
        "two_objects_right": two_object_right / max(1, two_object),
        "object_action_right": object_action / max(1, all_objects),
        "two_action_clips": float(two_action),
    }
