"""speech.train and speech.evaluate end to end on a tiny corpus of tones: the smoke path,
the card written from training.json, and the evaluate CLI."""

import json

import numpy as np
import pytest
import soundfile as sf

from shared.metrics import cer
from speech import Transcriber
from speech.audio import load_audio
from speech.augment import channel
from speech.card import honest_summary, render_card
from speech.evaluate import CHANNELS, in_quiet
from speech.evaluate import main as evaluate_main
from speech.inference import read_lm_text
from speech.train import main as train_main

TEXTS = ["open the file", "disk full", "permission denied", "no such file", "try again"]


def _corpus(folder):
    folder.mkdir()
    rows = []
    splits = ["train"] * 8 + ["valid"] * 2 + ["test-seen"] * 2 + ["test-unseen"] * 2
    for i, split in enumerate(splits):
        t = np.arange(8000) / 16000
        wave = 0.2 * np.sin(2 * np.pi * (150 + 40 * i) * t)
        sf.write(folder / f"{i}.wav", wave.astype(np.float32), 16000)
        voice = "held-out" if split == "test-unseen" else f"v{i % 2}"
        rows.append(
            {"audio": f"{i}.wav", "text": TEXTS[i % 5], "split": split, "seconds": 0.5}
            | {"voice": voice, "engine": "tone"}
        )
    (folder / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def test_smoke_run_exports_a_model_with_its_card(tmp_path):
    corpus = _corpus(tmp_path / "corpus")
    export = train_main(
        [
            *("--data", str(corpus), "--out", str(tmp_path / "run"), "--max-steps", "2"),
            *("--batch-size", "4", "--n-mels", "16", "--conv-channels", "4"),
            *("--hidden-size", "16", "--num-layers", "1", "--amp", "off", "--threads", "1"),
            *("--valid-utterances", "2", "--no-augment"),
        ]
    )
    info = json.loads((export / "training.json").read_text())
    assert [f["set"] for f in info["figures"]][:2] == ["test-seen", "test-unseen"]
    assert set(info["figures"][0]) == {"set", "utterances", "greedy", "beam + LM"}
    assert info["history"][0]["steps"] == 2
    card = (export / "README.md").read_text()
    assert card == render_card(export) and "| test-seen | 2 |" in card
    assert "| tone | `v0`, `v1` | `held-out` |" in card  # voices heard, voices held out
    # The web app's summary says what it learned from and how it did on unseen voices.
    unseen_cer = info["figures"][1]["beam + LM"]["cer"]
    assert honest_summary(export) == (
        "**Honestly:** this model learned from synthetic speech only (tone)."
        f" On sentences and voices it never heard its CER is {unseen_cer:.0f}%."
    )
    # The LM weights were chosen on validation speech, and the loaded model decodes with them.
    tuned = json.loads((export / "decoding.json").read_text())
    assert len(tuned["grid"]) == 25 and tuned["utterances"] == info["figures"][-1]["utterances"]
    assert info["figures"][-1]["beam + LM"] == {"wer": tuned["wer"], "cer": tuned["cer"]}
    assert f"LM weight {tuned['lm_weight']}, word bonus {tuned['word_score']}" in card
    # The language model's text is the training transcripts only.
    lm = set(read_lm_text(export)) - {""}
    assert lm == {TEXTS[i % 5] for i in range(8)}
    transcriber = Transcriber.from_pretrained(export)
    assert (transcriber.lm_weight, transcriber.word_score) == (
        tuned["lm_weight"],
        tuned["word_score"],
    )
    result = transcriber.transcribe(corpus / "10.wav", beam_size=1, language_model=False)
    assert result.emissions.shape == (13, 29)  # 0.5 s at 40 ms a frame, 29 symbols
    report = evaluate_main(["--model", str(export), "--data", str(corpus), "--beam-size", "1"])
    assert set(report) == {"test-seen", "test-unseen"}
    # The CLI's figure is the CER of what the model writes for those two utterances.
    hyps = [transcriber.transcribe(corpus / f"{i}.wav", beam_size=1).text for i in (10, 11)]
    expected = 100 * cer([TEXTS[0], TEXTS[1]], hyps)
    assert report["test-seen"]["cer"] == pytest.approx(expected)
    # Several corpora are scored together, as training's test rows are.
    both = evaluate_main(
        ["--model", str(export), "--data", str(corpus), str(corpus), "--beam-size", "1"]
    )
    assert both["test-seen"]["cer"] == pytest.approx(expected)
    with pytest.raises(SystemExit):
        evaluate_main(["--model", str(export), "--data", "alsa", str(corpus)])
    # --channel scores what the model writes for the same speech sent down that line.
    line = [*("--model", str(export), "--data", str(corpus), "--beam-size", "1")]
    phoned = evaluate_main([*line, "--channel", "telephone"])
    narrow = [channel.telephone(load_audio(corpus / f"{i}.wav")) for i in (10, 11)]
    hyps = [r.text for r in transcriber.transcribe_batch(narrow, 16000, beam_size=1)]
    assert phoned["test-seen"]["cer"] == pytest.approx(100 * cer([TEXTS[0], TEXTS[1]], hyps))
    with pytest.raises(SystemExit):
        evaluate_main([*line[:2], "--data", "noise", "--channel", "gsm"])
    # Recorded in quiet: the same words around a second of faint noise either side.
    quiet = evaluate_main([*line, "--channel", "quiet"])
    padded = [in_quiet(load_audio(corpus / f"{i}.wav")) for i in (10, 11)]
    assert len(padded[0]) == len(load_audio(corpus / "10.wav")) + 2 * 16000
    hyps = [r.text for r in transcriber.transcribe_batch(padded, 16000, beam_size=1)]
    assert quiet["test-seen"]["cer"] == pytest.approx(100 * cer([TEXTS[0], TEXTS[1]], hyps))
    # Spoken faster: the same words at 1.2x tempo, a sixth shorter.
    fast = evaluate_main([*line, "--channel", "fast"])
    quick = [CHANNELS["fast"](load_audio(corpus / f"{i}.wav")) for i in (10, 11)]
    assert len(quick[0]) == round(len(load_audio(corpus / "10.wav")) / 1.2)
    hyps = [r.text for r in transcriber.transcribe_batch(quick, 16000, beam_size=1)]
    assert fast["test-seen"]["cer"] == pytest.approx(100 * cer([TEXTS[0], TEXTS[1]], hyps))


def test_init_continues_a_model_and_keeps_its_history(tmp_path):
    corpus = _corpus(tmp_path / "corpus")
    flags = [
        *("--data", str(corpus), "--max-steps", "2", "--batch-size", "4", "--n-mels", "16"),
        *("--conv-channels", "4", "--hidden-size", "16", "--num-layers", "1", "--amp", "off"),
        *("--threads", "1", "--valid-utterances", "2"),
    ]
    first = train_main([*flags, "--no-augment", "--out", str(tmp_path / "a")])
    second = train_main(
        [*flags, "--out", str(tmp_path / "b"), "--init", str(first), "--no-speech-share", "0.25"]
    )
    runs = json.loads((second / "training.json").read_text())["history"]
    assert len(runs) == 2 and "--init" in runs[1]["command"] and "--init" not in runs[0]["command"]
    card = (second / "README.md").read_text()
    assert "continuing from that model" in card
    # The second run augmented its audio, and its card says how.
    assert runs[0]["augmentation"] is None and runs[1]["augmentation"]["speed"] == 0.4
    assert card.count("augmented afresh") == 1 and "speed 40%" in card
    assert "the noise is coloured noise" in card  # no --noise-dir
    assert runs[1]["augmentation"]["no_speech_share"] == 0.25  # 2 clips for 8 utterances
    assert "25 examples of background sound or noise alone" in card
    # Its LM weights were chosen on validation speech heard through rooms and phones too.
    tuned = json.loads((second / "decoding.json").read_text())
    figures = json.loads((second / "training.json").read_text())["figures"]
    assert figures[-1]["beam + LM"] == tuned["augmented"] and "rooms, phones" in figures[-1]["set"]
    assert "each heard also through training's rooms, phones and noise" in card
    assert "augmented" not in json.loads((first / "decoding.json").read_text())


def test_each_run_keeps_the_command_of_the_corpus_it_heard(tmp_path):
    """A folder rebuilt under the same name between two runs: the card still says, under
    each run, which command made the corpus that run learned from."""
    corpus = _corpus(tmp_path / "corpus")
    flags = [
        *("--data", str(corpus), "--max-steps", "1", "--batch-size", "4", "--n-mels", "16"),
        *("--conv-channels", "4", "--hidden-size", "16", "--num-layers", "1", "--amp", "off"),
        *("--threads", "1", "--valid-utterances", "2", "--no-augment"),
    ]
    made = {"out": str(corpus), "train": 8, "engines": ["espeak"]}
    (corpus / "corpus.json").write_text(json.dumps({"command": made}))
    first = train_main([*flags, "--out", str(tmp_path / "a")])
    (corpus / "corpus.json").write_text(json.dumps({"command": made | {"train": 9}}))
    second = train_main([*flags, "--out", str(tmp_path / "b"), "--init", str(first)])
    runs = json.loads((second / "training.json").read_text())["history"]
    assert [r["corpus_commands"] for r in runs] == [
        [f"python -m speech.synthesize --out {corpus} --train {n} --engines espeak"] for n in (8, 9)
    ]
    card = (second / "README.md").read_text()
    assert card.index("--train 8 ") < card.index("continuing from that model")
    assert card.count("--train 9 ") == 2  # under the second run, and as the model's corpus


def test_the_summary_quotes_the_human_check_beside_the_peer(tmp_path):
    from shared.cards import write_info

    write_info(
        tmp_path,
        {
            "data": {"voices": {"training": {"espeak": ["en"], "flite": ["kal"]}}},
            "history": [{"command": "x", "augmentation": {"speed": 0.4}}],
            "peers": {
                "sets": {
                    "human (alsa-utils)": {
                        "this (beam + LM)": {"cer": 61.2, "wer": 90.0, "utterances": 9},
                        "PocketSphinx 5 (en-us)": {"cer": 24.4, "wer": 43.8, "utterances": 9},
                    }
                }
            },
        },
    )
    assert honest_summary(tmp_path) == (
        "**Honestly:** this model learned from synthetic speech only (espeak-ng, flite;"
        " augmented to sound like rooms, phones and noise). People are harder: CER 61% on"
        " the 9 human recordings of alsa-utils (PocketSphinx: 24%); see the model card."
    )


def test_the_card_shows_how_each_synthesized_corpus_was_made(tmp_path):
    first, second = _corpus(tmp_path / "first"), _corpus(tmp_path / "second")
    for folder, seed in ((first, 0), (second, 1)):
        command = {"out": str(folder), "engines": ["espeak", "flite"], "seed": seed}
        (folder / "corpus.json").write_text(json.dumps({"command": command, "sentences": 5}))
    export = train_main(
        [
            *("--data", str(first), str(second), "--out", str(tmp_path / "run")),
            *("--max-steps", "1", "--batch-size", "4", "--n-mels", "16", "--conv-channels", "4"),
            *("--hidden-size", "16", "--num-layers", "1", "--amp", "off", "--threads", "1"),
            *("--valid-utterances", "2", "--no-augment", "--test-limit", "1"),
        ]
    )
    card = (export / "README.md").read_text()
    for folder, seed in ((first, 0), (second, 1)):
        made_by = f"python -m speech.synthesize --out {folder} --engines espeak flite --seed {seed}"
        assert f"```\n{made_by}\n```" in card


def test_evaluate_counts_the_noise_clips_a_model_writes_words_for(tiny_speech_dir):
    from speech.evaluate import noise_clips

    clips = noise_clips(6)
    assert [len(c) for c in clips] == [len(c) for c in noise_clips(6)]  # the same draw
    assert all(16000 <= len(c) <= 64000 and np.abs(c).max() <= 1.0 for c in clips)
    report = evaluate_main(["--model", str(tiny_speech_dir), "--data", "noise", "--limit", "6"])
    transcriber = Transcriber.from_pretrained(tiny_speech_dir)
    heard = [r.text for r in transcriber.transcribe_batch(clips, 16000)]
    assert report == {"noise": {"clips": 6, "with_words": sum(map(bool, heard))}}
