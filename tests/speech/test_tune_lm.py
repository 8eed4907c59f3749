import json
import shutil
from types import SimpleNamespace

import numpy as np
import pytest

from speech.augment import Augmenter
from speech.inference import DECODING_FILE, LM_WEIGHT, Transcriber
from speech.tune_lm import (
    babble_from,
    hardened,
    tune_decoding,
    utterance_error,
    validation_items,
    write_decoding,
)
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
    by_pair = {(w, s): c for w, s, c, _, _ in tuned["grid"]}
    assert by_pair[(3.0, 0.0)] > 0  # a word dropped
    assert tuned["cer"] == 0.0 == by_pair[(tuned["lm_weight"], tuned["word_score"])]


def test_augmented_copies_are_scored_beside_the_clean_ones(tiny_speech_dir):
    transcriber = Transcriber.from_pretrained(tiny_speech_dir)
    transcriber.lm_sentences = SENTENCES
    heard = _peaked("h-e-l-o--  w-o-r-l-d", confidence=2.0).numpy()
    # One emission per waveform given: clean and augmented alike, so both score the same.
    transcriber.transcribe_batch = lambda inputs, *a, **k: [
        SimpleNamespace(emissions=heard) for _ in inputs
    ]
    items = [SimpleNamespace(path=None, text="hello world")]
    audio = [np.sin(np.arange(16000) / 10).astype(np.float32)]
    tuned = tune_decoding(
        transcriber,
        items,
        audio,
        beam_size=16,
        lm_weights=(1.0,),
        word_scores=(0.0, 4.0),
        augmenter=Augmenter(other_utterances=babble_from(audio)),
    )
    assert tuned["utterances"] == 1 and len(tuned["grid"][0]) == 5
    assert tuned["augmented"] == {"cer": tuned["cer"], "wer": tuned["wer"]}


def test_hardened_copies_are_the_same_for_every_model():
    audio = [np.sin(np.arange(16000) / (10 + k)).astype(np.float32) for k in range(3)]
    augmenter = Augmenter(other_utterances=babble_from(audio))
    first, again = hardened(audio, augmenter), hardened(audio, augmenter)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert any(not np.array_equal(a, b[: len(a)]) for a, b in zip(audio, first, strict=True))


def test_each_utterance_counts_alike_however_long():
    sentence = "the quick brown fox jumps over the lazy dog"
    # Losing a two-word phrase costs as much as losing a nine-word sentence, where corpus CER
    # would barely notice the phrase.
    phrase_lost = utterance_error([sentence, "front left"], [sentence, ""])
    sentence_lost = utterance_error([sentence, "front left"], ["", "front left"])
    assert phrase_lost == sentence_lost == 100.0
    assert utterance_error(["front left", "rear right"], ["front left", "rear right"]) == 0.0
    # Noise with no words: silence is right, any word is all wrong.
    assert utterance_error([""], [""]) == 0.0 and utterance_error([""], ["a"]) == 200.0


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
    training_only = tmp_path / "training-only"
    training_only.mkdir()
    (training_only / "manifest.jsonl").write_text(json.dumps(rows[0]) + "\n")
    with pytest.raises(ValueError, match="no valid split"):
        validation_items(training_only, 10)
    # Beside a corpus that has validation speech, a training-only corpus adds none.
    assert [it.text for it in validation_items([training_only, tmp_path], 10)] == ["two"]


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


def test_the_command_adds_lm_text_less_what_held_out_speech_says(tiny_speech_dir, tmp_path):
    from speech.card import render_card
    from speech.inference import read_lm_text
    from speech.tune_lm import main
    from tests.speech.test_train import TEXTS, _corpus

    folder = tmp_path / "model"
    shutil.copytree(tiny_speech_dir, folder)
    (folder / "lm.txt").write_text("\n".join(TEXTS[:2]) + "\n")
    corpus = _corpus(tmp_path / "corpus")
    # A test utterance says "close the door": the LM must not learn it from the extra text.
    held_out = {"audio": "13.wav", "text": "close the door", "split": "test-seen", "seconds": 0.5}
    with open(corpus / "manifest.jsonl", "a") as manifest:
        manifest.write(json.dumps(held_out) + "\n")
    (tmp_path / "everyday.txt").write_text("Hold your breath!\nClose the door.\nopen the file\n")
    argv = ["--model", str(folder), "--data", str(corpus), "--beam-size", "4"]
    main([*argv, "--lm-text", str(tmp_path / "everyday.txt")])
    assert set(read_lm_text(folder)) == {*TEXTS[:2], "hold your breath"}
    record = json.loads((folder / "training.json").read_text())["lm_text_added"]
    assert record == [{"command": record[0]["command"], "sentences": 1}]
    assert "--lm-text" in record[0]["command"]
    card = (folder / "README.md").read_text()
    assert card == render_card(folder) and record[0]["command"] in card
    with pytest.raises(SystemExit, match="evaluation only"):
        main(
            ["--model", str(folder), "--data", "alsa", "--lm-text", str(tmp_path / "everyday.txt")]
        )
