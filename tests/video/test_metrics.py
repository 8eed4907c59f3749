"""The clip checks on hand-made captions: each figure moves when, and only when, it should."""

import pytest

from video.metrics import clip_scores, parse_caption

TWO_ACTIONS = "a large blue square moves up, then grows"
TWO_OBJECTS = "a small red circle moves down and a large green triangle stays still"


def test_captions_read_back_into_clauses():
    first, second = parse_caption(TWO_OBJECTS)
    assert (first.phrase, first.actions) == ("small red circle", ["moves down"])
    assert (second.phrase, second.actions) == ("large green triangle", ["stays still"])
    (only,) = parse_caption(TWO_ACTIONS)
    assert only.actions == ["moves up", "grows"]
    assert parse_caption("nothing to see") == []


def test_a_perfect_caption_scores_one_everywhere():
    scores = clip_scores([TWO_ACTIONS, TWO_OBJECTS], [TWO_ACTIONS, TWO_OBJECTS])
    keys = ("exact", "actions_right", "objects_right", "direction_right", "order_right")
    for key in (*keys, "two_objects_right"):
        assert scores[key] == 1.0


def test_swapped_order_fails_order_but_keeps_the_objects():
    scores = clip_scores([TWO_ACTIONS], ["a large blue square grows, then moves up"])
    assert scores["order_right"] == 0 and scores["actions_right"] == 0 and scores["exact"] == 0
    assert scores["objects_right"] == 1 and scores["direction_right"] == 1


def test_a_wrong_direction_counts_against_direction_only_for_that_object():
    scores = clip_scores(
        [TWO_OBJECTS], ["a small red circle moves up and a large green triangle stays still"]
    )
    assert scores["direction_right"] == 0 and scores["actions_right"] == 0
    assert scores["object_action_right"] == pytest.approx(0.5)
    assert scores["two_objects_right"] == 0


def test_objects_are_matched_by_name_before_position():
    named_backwards = "a large green triangle stays still and a small red circle moves down"
    scores = clip_scores([TWO_OBJECTS], [named_backwards])
    assert scores["actions_right"] == 1 and scores["objects_right"] == 0 and scores["exact"] == 0
    assert scores["two_objects_right"] == 1


def test_a_wrong_colour_keeps_the_action_by_position():
    scores = clip_scores([TWO_ACTIONS], ["a large red square moves up, then grows"])
    assert scores["actions_right"] == 1 and scores["objects_right"] == 0


def test_a_missing_object_is_not_all_actions_right():
    scores = clip_scores([TWO_OBJECTS], ["a small red circle moves down"])
    assert scores["actions_right"] == 0 and scores["object_action_right"] == pytest.approx(0.5)
    extra = clip_scores(["a small red circle moves down"], [TWO_OBJECTS])
    assert extra["actions_right"] == 0
