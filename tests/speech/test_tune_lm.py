import json
import shutil
from types import SimpleNamespace

import pytest

from speech.inference import DECODING_FILE, LM_WEIGHT, Transcriber
from speech.tune_lm import tune_decoding, validation_items, write_decoding
from tests.speech.test_decoding import _peaked
from tests.speech.test_lm import SENTENCES


def test_grid_search_picks_the_pair_with_the_fewest_errors(tiny_speech_dir):
    transcriber = Transcriber.from_pretrained(tiny_speech_dir)
    transcriber.lm_sentences = SENTENCES
    # The network hears "helo world", unsure of it. Every word costs LM log-probability, so a
    # heavy LM without a word bonus would rather say less: "hello".
    heard = _peaked("h-e-l-o--  w-o-r-l-d", confidence=2.0).numpy()
    transcriber.transcribe_batch = lambda *a, **k: [SimpleNamespace(emissions=heard)]
    items = [SimpleNamespace(path=None, text="hello world")]
    tuned = tune_decoding(
        transcriber, items, beam_size=16, lm_weights=(1.0, 3.0), word_scores=(0.0, 4.0)
    )
    assert len(tuned["grid"]) == 4 and tuned["utterances"] == 1
    by_pair = {(w, s): c for w, s, c, _ in tuned["grid"]}
    assert by_pair[(3.0, 0.0)] > 0  # a word dropped
    assert tuned["cer"] == 0.0 == by_pair[(tuned["lm_weight"], tuned["word_score"])]


def test_recorded_weights_are_what_a_loaded_model_decodes_with(tiny_speech_dir, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(tiny_speech_dir, folder)
    assert Transcriber.from_pretrained(folder).lm_weight == LM_WEIGHT
    write_decoding(folder, {"lm_weight": 0.25, "word_score": -1.0, "cer": 3.0, "grid": []})
    loaded = Transcriber.from_pretrained(folder)
    assert (loaded.lm_weight, loaded.word_score) == (0.25, -1.0)
    assert json.loads((folder / DECODING_FILE).read_text())["cer"] == 3.0


def test_tuning_takes_validation_speech_only(tmp_path):
    with pytest.raises(ValueError, match="evaluation only"):
        validation_items("alsa", 10)
    rows = [
        {"audio": "a.wav", "text": "one", "split": "train"},
        {"audio": "b.wav", "text": "two", "split": "valid"},
        {"audio": "c.wav", "text": "three", "split": "test-seen"},
    ]
    (tmp_path / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert [it.text for it in validation_items(tmp_path, 10)] == ["two"]
    (tmp_path / "manifest.jsonl").write_text(json.dumps(rows[0]) + "\n")
    with pytest.raises(ValueError, match="no valid split"):
        validation_items(tmp_path, 10)


def test_the_command_records_the_weights_and_rewrites_the_card(tiny_speech_dir, tmp_path):
    from speech.card import render_card
    from speech.tune_lm import main
    from tests.speech.test_train import TEXTS, _corpus

    folder = tmp_path / "model"
    shutil.copytree(tiny_speech_dir, folder)
    (folder / "lm.txt").write_text("\n".join(TEXTS) + "\n")
    corpus = _corpus(tmp_path / "corpus")
    tuned = main(["--model", str(folder), "--data", str(corpus), "--beam-size", "4"])
    assert tuned["utterances"] == 2 and len(tuned["grid"]) == 25  # the two valid utterances
    assert json.loads((folder / DECODING_FILE).read_text()) == tuned
    card = (folder / "README.md").read_text()
    assert card == render_card(folder) and f"LM weight {tuned['lm_weight']}," in card
    with pytest.raises(SystemExit, match="evaluation only"):
        main(["--model", str(folder), "--data", "alsa"])
