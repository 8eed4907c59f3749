"""The length penalty: the Translator's default comes from the model, and translation.tune
picks the alpha with the best validation BLEU."""

import json
import shutil

from translation import Translator
from translation.tune import LENGTH_PENALTIES, best_length_penalty, main, sweep_length_penalty


def searched_alphas(translator, monkeypatch, **kwargs):
    """The length penalty each search was given while translating."""
    seen = []
    generate = translator.model.decoder.generate

    def spy(*args, config, **kw):
        seen.append(config.length_penalty)
        return generate(*args, config=config, **kw)

    monkeypatch.setattr(translator.model.decoder, "generate", spy)
    translator.translate("the red file", **kwargs)
    return seen


def test_translator_searches_with_the_models_length_penalty_unless_given(
    tiny_model_dir, monkeypatch
):
    translator = Translator.from_pretrained(tiny_model_dir)
    translator.generation.length_penalty = 1.7
    assert searched_alphas(translator, monkeypatch) == [1.7]
    assert searched_alphas(translator, monkeypatch, length_penalty=0.0) == [0.0]


def test_best_length_penalty_takes_the_highest_bleu_and_the_smallest_alpha_on_a_tie():
    assert best_length_penalty({0.0: 10.0, 1.0: 12.5, 2.0: 11.0}) == 1.0
    assert best_length_penalty({2.0: 12.5, 0.6: 12.5, 0.0: 3.0}) == 0.6


def test_sweep_scores_every_alpha(tiny_model_dir):
    from translation.data import Pair

    translator = Translator.from_pretrained(tiny_model_dir)
    pairs = [
        Pair("the red file", "le fichier rouge", "pkg"),
        Pair("the old log", "le journal", "pkg"),
    ]
    table = sweep_length_penalty(translator, pairs, beam_size=2)
    assert list(table) == list(LENGTH_PENALTIES)
    assert all(0.0 <= bleu <= 100.0 for bleu in table.values())


def test_write_makes_the_best_alpha_the_models_default(trained_model, tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(trained_model, model_dir)
    best = main(["--model", str(model_dir), "--beam-size", "2", "--write"])
    assert best in LENGTH_PENALTIES
    assert Translator.from_pretrained(model_dir).generation.length_penalty == best
    sweep = json.loads((model_dir / "training.json").read_text())["length_penalty"]
    assert sweep["chosen"] == best and sweep["beam_size"] == 2
    assert max(sweep["validation_bleu"].values()) == sweep["validation_bleu"][f"{best:g}"]
    # The card was written again to show the new sweep.
    assert f"Length penalty alpha {best:g}, chosen" in (model_dir / "README.md").read_text()
    assert "beam 2:" in (model_dir / "README.md").read_text()
