"""Loaders read small corpora in each supported format, written here by the tests."""

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from speech.data import SpeechDataset, SpeechItem, balance_engines, collate, load_corpus
from speech.text import CharVocabulary


def _tone(path, seconds=0.5, rate=16000):
    t = np.arange(int(seconds * rate)) / rate
    sf.write(path, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate)


def test_librispeech_layout(tmp_path):
    chapter = tmp_path / "dev-clean" / "84" / "121123"
    chapter.mkdir(parents=True)
    for n in range(2):
        _tone(chapter / f"84-121123-000{n}.flac")
    (chapter / "84-121123.trans.txt").write_text(
        "84-121123-0000 GO DO YOU HEAR\n84-121123-0001 BUT IN LESS THAN FIVE MINUTES\n"
    )
    items = load_corpus(tmp_path / "dev-clean")
    assert [it.text for it in items] == ["go do you hear", "but in less than five minutes"]
    assert all(it.path.is_file() for it in items)


def test_ljspeech_layout(tmp_path):
    (tmp_path / "wavs").mkdir()
    _tone(tmp_path / "wavs" / "LJ001-0001.wav", rate=22050)
    (tmp_path / "metadata.csv").write_text(
        "LJ001-0001|Printing, in 1 sense|Printing, in one sense\n"
    )
    (item,) = load_corpus(tmp_path)
    assert item.text == "printing in one sense"
    audio, ids = SpeechDataset([item], CharVocabulary())[0]
    assert audio.dtype == np.float32 and abs(len(audio) - 8000) <= 1  # resampled to 16 kHz
    assert CharVocabulary().decode(ids) == item.text


def test_jsonl_and_csv_manifests_with_relative_paths(tmp_path):
    _tone(tmp_path / "a.wav")
    _tone(tmp_path / "b.flac")
    (tmp_path / "m.jsonl").write_text(
        json.dumps({"audio": "a.wav", "text": "Hello there"})
        + "\n"
        + json.dumps({"path": "b.flac", "text": "General Kenobi"})
        + "\n"
    )
    (tmp_path / "m.csv").write_text("audio,text\na.wav,Hello there\nb.flac,General Kenobi\n")
    for name in ("m.jsonl", "m.csv"):
        items = load_corpus(tmp_path / name)
        assert [it.text for it in items] == ["hello there", "general kenobi"]
        assert all(it.path.is_file() for it in items)


def test_bad_manifest_and_unknown_folder(tmp_path):
    (tmp_path / "m.jsonl").write_text(json.dumps({"text": "no audio"}) + "\n")
    with pytest.raises(ValueError, match="audio"):
        load_corpus(tmp_path / "m.jsonl")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="LibriSpeech"):
        load_corpus(tmp_path / "empty")


def test_collate_pads_with_zeros_and_packs_targets():
    vocab = CharVocabulary()
    batch = collate(
        [(np.ones(5, np.float32), vocab.encode("ab")), (np.ones(3, np.float32), vocab.encode("c"))]
    )
    assert batch["waveforms"].shape == (2, 5)
    assert batch["waveforms"][1, 3:].abs().sum() == 0
    assert batch["lengths"].tolist() == [5, 3]
    assert batch["targets"].tolist() == vocab.encode("abc")
    assert batch["target_lengths"].tolist() == [2, 1]


def test_augmented_reads_follow_torchs_generator(tmp_path):
    import torch

    for n in range(3):
        _tone(tmp_path / f"{n}.wav", seconds=0.5 + 0.1 * n)
    items = [SpeechItem(tmp_path / f"{n}.wav", "hello there") for n in range(3)]
    dataset = SpeechDataset(items, CharVocabulary(), augment=True)
    torch.manual_seed(5)
    first = [dataset[0][0] for _ in range(3)]
    torch.manual_seed(5)
    again = [dataset[0][0] for _ in range(3)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], first[1])  # each read is a new version
    assert dataset[0][1] == CharVocabulary().encode("hello there")


def test_evaluation_sets_per_engine(tmp_path):
    from speech.evaluate import test_sets

    rows = [
        {"audio": f"{n}.wav", "text": "hi", "split": split, "engine": engine}
        for n, (split, engine) in enumerate(
            [
                ("test-seen", "espeak"),
                ("test-seen", "flite"),
                ("test-unseen", "flite"),
                ("train", "espeak"),
            ]
        )
    ]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    sets = test_sets(load_corpus(tmp_path / "m.jsonl"))
    assert {k: len(v) for k, v in sets.items()} == {
        "test-seen": 2,
        "test-unseen": 1,
        "test-seen/espeak": 1,
        "test-seen/flite": 1,
        "test-unseen/flite": 1,
    }
    one_engine = [it for it in load_corpus(tmp_path / "m.jsonl") if it.engine == "flite"]
    assert set(test_sets(one_engine)) == {"test-seen", "test-unseen"}


def test_short_phrases_are_scored_apart_from_sentences():
    from speech.data import SpeechItem
    from speech.evaluate import test_sets

    items = [
        SpeechItem("a.wav", "front left", split="test-unseen"),
        SpeechItem("b.wav", "the package holds the files of the library", split="test-unseen"),
        SpeechItem("c.wav", "open the file now", split="test-seen"),
    ]
    sets = test_sets(items)
    assert [it.text for it in sets["test-unseen/phrases"]] == ["front left"]
    assert "test-seen/phrases" not in sets  # all of it is phrases: no second row of the same


def test_a_limited_evaluation_set_samples_every_engine():
    from speech.data import SpeechItem
    from speech.evaluate import test_sets

    # Corpora concatenated: forty espeak utterances, then forty flite ones.
    items = [
        SpeechItem(f"{engine}{n}.wav", "hi", split="test-seen", engine=engine)
        for engine in ("espeak", "flite")
        for n in range(40)
    ]
    limited = test_sets(items, limit=20)
    assert {it.engine for it in limited["test-seen"]} == {"espeak", "flite"}
    assert all(len(v) == 20 for v in limited.values())
    assert test_sets(items, limit=20) == limited  # the same sample for every model


def test_no_speech_examples_follow_the_utterances_with_empty_transcripts(tmp_path):
    import torch

    from speech.train import ctc_loss

    for n in range(20):
        _tone(tmp_path / f"{n}.wav", seconds=0.5)
    items = [SpeechItem(tmp_path / f"{n}.wav", "hi", seconds=0.5) for n in range(20)]
    dataset = SpeechDataset(items, CharVocabulary(), augment=True, no_speech_share=0.1)
    assert len(dataset) == 22 and dataset.no_speech == 2
    seconds = dataset.seconds()
    assert seconds[:20] == [0.5] * 20 and all(0.5 <= s <= 6.0 for s in seconds[20:])
    torch.manual_seed(0)
    audio, ids = dataset[21]
    assert ids == [] and len(audio) == int(seconds[21] * 16000)
    assert SpeechDataset(items, CharVocabulary()).seconds() == [0.5] * 20  # none by default

    # CTC learns an empty transcript as all blanks: a finite loss with a gradient.
    batch = collate([dataset[0], dataset[20]])
    assert batch["target_lengths"].tolist() == [2, 0]
    log_probs = torch.randn(2, 30, len(CharVocabulary()), requires_grad=True)

    class Frames(torch.nn.Module):
        def forward(self, waveforms, lengths):
            return log_probs.log_softmax(-1), torch.tensor([30, 30])

    loss, _ = ctc_loss(Frames(), batch)
    loss.backward()
    assert torch.isfinite(loss) and log_probs.grad.abs().sum() > 0


def test_balance_engines_gives_every_engine_the_largest_ones_count():
    items = [SpeechItem(Path(f"a{k}.wav"), "a", engine="espeak") for k in range(3)]
    items += [SpeechItem(Path(f"b{k}.wav"), "b", engine="piper") for k in range(7)]
    items += [SpeechItem(Path("c.wav"), "c")]  # a corpus that names no engine
    balanced = balance_engines(items, seed=1)
    counts = Counter(it.engine for it in balanced)
    assert counts == {"espeak": 7, "piper": 7, "": 7}
    # Whole repeats first: each of espeak's three utterances twice, one of them a third time.
    espeak = Counter(it.path for it in balanced if it.engine == "espeak")
    assert sorted(espeak.values()) == [2, 2, 3]
    # The largest engine is kept as it is, each utterance once.
    assert sorted(it.path for it in balanced if it.engine == "piper") == sorted(
        it.path for it in items if it.engine == "piper"
    )
    assert balance_engines(items, seed=1) == balanced
    assert balance_engines([]) == []
