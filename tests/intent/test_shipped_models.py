"""Each shipped intent model loads and meets its floor on a fresh held-out sample: templates
of phrasing families and slot values training never saw, drawn with a seed neither training,
validation nor the model card used."""

import pytest

from intent import IntentClassifier, list_pretrained
from intent.card import render_card
from intent.evaluate import heldout_examples, score
from intent.inference import PRETRAINED_DIR
from intent.memory import load_memory

pytestmark = pytest.mark.slow

# (intent accuracy, slot F1) floors a few points under what the shipped models reach on this
# sample (rnn 95.7% / 90.7%, lstm 96.5% / 92.5%, gru 97.1% / 91.0%), to catch a broken
# model or pipeline; the cards give the figures on the full test draw.
FLOORS = {"rnn": (0.92, 0.87), "lstm": (0.92, 0.87), "gru": (0.92, 0.87)}
FRESH_SEED = 2026


@pytest.fixture(scope="module")
def fresh_sample():
    return heldout_examples("test", 1500, seed=FRESH_SEED)


def test_three_cells_are_shipped():
    assert set(FLOORS) <= set(list_pretrained())


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_shipped_model_meets_its_floor(name, fresh_sample):
    clf = IntentClassifier.from_pretrained(name)
    assert clf.config.cell == name
    figures = score(clf, fresh_sample)
    accuracy, slot_f1 = FLOORS[name]
    assert figures["accuracy"] >= accuracy, figures
    assert figures["slot_f1"] >= slot_f1, figures
    assert figures["oos_recall"] >= 0.87, figures


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_explainers_example(name):
    result = IntentClassifier.from_pretrained(name).classify("what time is it?")
    assert result.intent == "ask_time"
    assert result.per_step.shape == (4, 12)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_model_card_and_size(name):
    folder = PRETRAINED_DIR / name
    assert (folder / "model.safetensors").stat().st_size < 5e6
    assert (folder / "README.md").read_text() == render_card(folder)


def test_memory_curves_are_shipped_for_every_cell():
    measured = load_memory()
    assert measured is not None
    assert set(measured["cells"]) == set(FLOORS)
    for curves in measured["cells"].values():
        assert len(curves["accuracy"]) == len(measured["ns"])
