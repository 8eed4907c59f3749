"""The shipped video model meets its floors on fresh test clips it never saw; the shipped
mean-pooled model, the same CNN without the RNN, cannot tell the order of two actions."""

import pytest

from video import VideoTagger, list_pretrained
from video.card import render_card
from video.clips import SPLIT_SEEDS, render_clip
from video.evaluate import score_clips
from video.inference import PRETRAINED_DIR

pytestmark = pytest.mark.slow

# 400 test seeds far past the ones the training script's test figures and the bundled
# examples use (about 120 two-action clips).
FRESH = range(SPLIT_SEEDS["test"] + 500_000, SPLIT_SEEDS["test"] + 500_400)


@pytest.fixture(scope="module")
def fresh_clips():
    """The fresh clips, drawn once for every test here."""
    return [render_clip(seed) for seed in FRESH]


@pytest.fixture(scope="module")
def shipped():
    return VideoTagger.from_pretrained("shapes")


def test_shipped_models_are_there():
    assert {"shapes", "shapes-mean"} <= set(list_pretrained())


# The floors are 95% of clips with every object's action right and 95% of two-action
# clips in the right order. On these clips the shipped model gets the order right in all 114
# two-action clips and every action right in 97.5% of clips (two-object clips are the gap:
# 92.3%); on its card's 1000 test clips, 98.0%. The bounds below sit a little under what it
# measures here, to catch a broken model or pipeline until a better model replaces it.
FLOORS = {"actions_right": 0.95, "order_right": 0.95, "direction_right": 0.96, "bleu4": 0.95}


def test_shipped_model_meets_its_floors(fresh_clips, shipped):
    frames, captions = [c.frames for c in fresh_clips], [c.caption for c in fresh_clips]
    scores = score_clips(shipped, frames, captions, beam_size=3)
    assert scores["two_action_clips"] >= 90, scores
    for metric, floor in FLOORS.items():
        assert scores[metric] >= floor, scores


def test_only_the_recurrent_model_knows_the_order_of_two_actions(fresh_clips, shipped):
    # "moves up, then grows" and "grows, then moves up" have the same mean frame: the
    # mean-pooled model gets 59% of the 309 two-action test clips in order (its card), near
    # the coin's 50%, where the RNN gets them all.
    clips = [c for c in fresh_clips[:200] if ", then " in c.caption]
    frames, captions = [c.frames for c in clips], [c.caption for c in clips]
    mean_pooled = VideoTagger.from_pretrained("shapes-mean")
    assert mean_pooled.config.temporal == "mean" and len(clips) >= 40
    recurrent = score_clips(shipped, frames, captions, beam_size=3)
    pooled = score_clips(mean_pooled, frames, captions, beam_size=3)
    assert recurrent["order_right"] >= 0.95 and pooled["order_right"] <= 0.8, (recurrent, pooled)


@pytest.mark.parametrize("name", ["shapes", "shapes-mean"])
def test_model_card_and_size(name):
    card = (PRETRAINED_DIR / name / "README.md").read_text(encoding="utf-8")
    for needed in ("## Data", "## Recipe", "python -m video.train", "actions_right", "parameters"):
        assert needed in card
    assert (PRETRAINED_DIR / name / "model.safetensors").stat().st_size <= 20 * 1024 * 1024
    # Every figure on the card comes from what the folder records: no hand edits.
    assert card == render_card(PRETRAINED_DIR / name)
