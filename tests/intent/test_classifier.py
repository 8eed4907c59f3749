"""intent.train end to end on a tiny config, and the IntentClassifier API on its model."""

import json

import numpy as np
import pytest

from intent import IntentClassifier
from intent.bio import allowed_transitions, best_bio_path, spans_from_tags
from intent.evaluate import score
from intent.inference import MAX_WORDS
from intent.memory import filler_words, with_fillers
from intent.templates import Example


def test_a_run_exports_a_model_with_its_card(tiny_model):
    for name in (
        "config.json",
        "model.safetensors",
        "vocab.json",
        "labels.json",
        "README.md",
        "training.json",
    ):
        assert (tiny_model / name).is_file()
    info = json.loads((tiny_model / "training.json").read_text())
    assert info["history"][0]["steps"] == 30
    assert "--cell gru" in (tiny_model / "README.md").read_text()
    assert 0 <= info["test"]["accuracy"] <= 1


def test_batch_equals_one_by_one_and_the_result_has_its_shapes(tiny_model):
    clf = IntentClassifier.from_pretrained(tiny_model)
    texts = ["what time is it?", "wake me up at 7 am tomorrow", "", "play some jazz please now"]
    batch = clf.classify_batch(texts)
    for text, r in zip(texts, batch, strict=True):
        alone = clf.classify(text)
        assert alone.intent == r.intent and alone.slots == r.slots
        np.testing.assert_allclose(alone.per_step, r.per_step, atol=1e-5)
        np.testing.assert_allclose(alone.states, r.states, atol=1e-5)
        assert r.per_step.shape == (len(r.tokens), len(clf.intents))
        assert r.states.shape == (len(r.tokens), clf.config.hidden_size)
        assert abs(sum(r.probs.values()) - 1) < 1e-4
        for slot, value, start, end in r.slots:
            assert text[start:end] == value and slot in ("time", "date", "location", "duration")
    # The last step's distribution is the decision itself.
    r = batch[1]
    np.testing.assert_allclose(r.per_step[-1], [r.probs[i] for i in clf.intents], atol=1e-5)


def test_empty_and_overlong_requests(tiny_model):
    clf = IntentClassifier.from_pretrained(tiny_model)
    empty = clf.classify("  ?! ")
    assert empty.intent == "out_of_scope" and empty.tokens == [] and empty.per_step.shape[0] == 0
    with pytest.raises(ValueError, match=str(MAX_WORDS)):
        clf.classify("word " * (MAX_WORDS + 1))


def test_word_influence(tiny_model):
    clf = IntentClassifier.from_pretrained(tiny_model)
    influence = clf.word_influence("set a timer for ten minutes")
    assert influence.shape == (6,) and influence.max() == pytest.approx(1.0)
    assert clf.word_influence("").shape == (0,)


def test_score_counts_right_and_wrong(tiny_model):
    clf = IntentClassifier.from_pretrained(tiny_model)
    text = "set a timer for ten minutes"
    predicted = clf.classify(text).intent
    right = Example(predicted, text, ())
    wrong = Example("greeting" if predicted != "greeting" else "ask_time", text, ())
    assert score(clf, [right, wrong])["accuracy"] == 0.5


def test_bio_tags_become_spans():
    assert spans_from_tags(["O", "B-time", "I-time", "O", "B-date"]) == [
        ("time", 1, 3),
        ("date", 4, 5),
    ]
    assert spans_from_tags(["I-date", "B-date", "I-time"]) == [
        ("date", 0, 1),
        ("date", 1, 2),
        ("time", 2, 3),
    ]


def test_fillers_go_between_the_request_and_its_end():
    import random

    assert len(filler_words(17, random.Random(0))) == 17
    padded = with_fillers("what time is it?", 5, random.Random(0))
    assert padded.startswith("what time is it ") and padded.endswith("?")
    assert len(padded.split()) == 4 + 5
    assert with_fillers("hi", 0, random.Random(0)) == "hi"


def test_bio_search_never_starts_a_slot_with_i():
    tags = ["O", "B-date", "I-date", "B-time", "I-time"]
    allowed = allowed_transitions(tags)
    # Word by word the best tags are O, I-date, I-date: invalid BIO.
    log_probs = np.log(
        np.array(
            [
                [0.9, 0.02, 0.04, 0.02, 0.02],
                [0.3, 0.25, 0.41, 0.02, 0.02],
                [0.1, 0.05, 0.8, 0.03, 0.02],
            ]
        )
    )
    assert log_probs.argmax(1).tolist() == [0, 2, 2]
    # Best valid path: O B-date I-date (0.9*0.25*0.8) beats O O ... (I-date can't follow O).
    assert best_bio_path(log_probs, allowed) == [0, 1, 2]
    assert best_bio_path(np.zeros((0, 5)), allowed) == []
    assert not allowed[0, 2] and allowed[1, 2] and allowed[2, 2] and not allowed[3, 2]
    assert not allowed[-1, 2] and allowed[-1, 1]  # no sentence starts inside a slot


def test_record_measures_the_card_again(tiny_model, tmp_path):
    import shutil

    from intent.evaluate import main as evaluate

    folder = tmp_path / "model"
    shutil.copytree(tiny_model, folder)
    (folder / "confusion.png").unlink()
    info = evaluate(["--model", str(folder), "--record"])
    card = (folder / "README.md").read_text()
    assert info["measured_with"] in card and "--record" in info["measured_with"]
    assert (folder / "confusion.png").stat().st_size > 1000
    assert f"{info['test']['accuracy']:.1%}" in card
