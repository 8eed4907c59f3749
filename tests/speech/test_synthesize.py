"""Corpus synthesis with espeak-ng: splits, voices held out, resume, manifest."""

import json

import pytest
import soundfile as sf

from speech.data import load_corpus
from speech.synthesize import (
    UNSEEN_ACCENTS,
    UNSEEN_VARIANTS,
    catalog_sentences,
    main,
    plan,
    sentence_split,
    short_phrase,
    source_sentences,
)
from tests.shared.catalog_files import write_po
from tests.speech.conftest import require_espeak

SENTENCES = [
    f"the {a} sat on the {b}"
    for a in ["cat", "dog", "fox", "owl", "bee", "ant", "cow", "pig", "rat", "yak"]
    for b in ["mat", "log", "box", "rug", "bed", "hat", "cup", "car", "pan", "jar"]
]


def test_plan_holds_out_sentences_and_voices():
    sentences = [f"words {a} {b}" for a in "abcdefghij" for b in "klmnopqrst"]
    variants = ["m1", "m2", "f1", *UNSEEN_VARIANTS[:3]]
    jobs = plan(
        sentences, variants, {"train": 200, "valid": 20, "test-seen": 20, "test-unseen": 20}
    )
    by = {
        s: [j for j in jobs if j.split == s] for s in ("train", "valid", "test-seen", "test-unseen")
    }
    assert [len(v) for v in by.values()] == [200, 20, 20, 20]
    train_text = {j.text for j in by["train"]}
    for split in ("valid", "test-seen", "test-unseen"):
        assert not train_text & {j.text for j in by[split]}
    for j in by["train"] + by["test-seen"]:
        accent, variant = j.voice.split("+")
        assert accent not in UNSEEN_ACCENTS and variant not in UNSEEN_VARIANTS
    for j in by["test-unseen"]:
        accent, variant = j.voice.split("+")
        assert accent in UNSEEN_ACCENTS or variant in UNSEEN_VARIANTS
    assert plan(sentences, variants, {"train": 200}) == plan(sentences, variants, {"train": 200})
    assert all(sentence_split(j.text) == "train" for j in by["train"])


def test_sentences_come_from_catalog_msgids(tmp_path):
    write_po(tmp_path / "fr.po")
    # "_Open file" qualifies (accelerator dropped); "%d file copied" has a placeholder; "File"
    # and "Quit" are single words; untranslated and obsolete entries are not in the catalog.
    assert catalog_sentences([tmp_path]) == ["open file"]


def test_sentences_also_come_from_text_files(tmp_path):
    write_po(tmp_path / "fr.po")
    text = tmp_path / "everyday.txt"
    text.write_text("What time is it?\nHi\nsee http://example.org now\nOpen file\n")
    # Lines are normalised like msgids; one-word lines and markup are dropped; duplicates merge.
    assert source_sentences([tmp_path, text]) == ["open file", "what time is it"]
    with pytest.raises(SystemExit, match="no such file or folder: .*missing.txt"):
        main(["--out", str(tmp_path / "corpus"), "--text-from", str(tmp_path / "missing.txt")])


def test_synthesis_writes_audio_and_manifest_and_resumes(tmp_path, monkeypatch):
    require_espeak()
    monkeypatch.setattr("speech.synthesize.source_sentences", lambda sources: SENTENCES)
    out = tmp_path / "corpus"
    args = ["--out", str(out), "--train", "3", "--valid", "0", "--test", "1", "--workers", "1"]
    manifest = main(args)
    records = [json.loads(line) for line in manifest.read_text().splitlines()]
    assert sorted(r["split"] for r in records) == [
        "test-seen",
        "test-unseen",
        "train",
        "train",
        "train",
    ]
    for r in records:
        audio, rate = sf.read(out / r["audio"])
        assert rate == 16000 and audio.ndim == 1
        assert len(audio) / rate == pytest.approx(r["seconds"], abs=1e-3)
        assert 0.3 < r["seconds"] < 10
        assert r["text"] in SENTENCES
    # Running again finds everything done and writes nothing new.
    main(args)
    assert len(manifest.read_text().splitlines()) == len(records)
    items = load_corpus(out)
    assert {it.split for it in items} == {"train", "test-seen", "test-unseen"}


@pytest.mark.parametrize("name", ["espeak", "flite", "festival", "mbrola", "pico", "rhvoice"])
def test_each_engine_speaks_a_sentence_in_each_kind_of_voice(name):
    import random

    import numpy as np

    from speech.engines import ENGINES
    from tests.missing import missing

    engine = ENGINES[name]
    if not engine.available():
        missing(f"{name} is not installed: sudo apt-get install {engine.install}")
    voices = engine.voices()
    seen = [v for v in voices if not engine.unseen(v)]
    unseen = [v for v in voices if engine.unseen(v)]
    assert seen and unseen
    for voice in (seen[0], unseen[0]):
        speed, pitch = engine.prosody(random.Random(0))
        audio = engine.speak("the file could not be opened", voice, speed, pitch)
        assert audio.dtype == np.float32 and 0.8 < len(audio) / 16000 < 6
        assert np.abs(audio).max() > 0.05  # sound, not silence


def test_piper_speaks_a_sentence_in_its_voice_at_each_speed():
    import numpy as np

    from speech.engines import ENGINES
    from tests.missing import missing

    engine = ENGINES["piper"]
    if not engine.available():
        missing(f"Piper or its voice is not installed: {engine.install}")
    voices = engine.voices()
    assert voices and not any(map(engine.unseen, voices))  # one voice: nothing to hold out
    lengths = []
    for speed in (75, 130):
        # No prosodic variation (0%): Piper's sampling noise is not seeded and its random
        # durations would make the comparison of lengths flaky.
        audio = engine.speak("the file could not be opened", voices[0], speed, 0)
        assert audio.dtype == np.float32 and 0.8 < len(audio) / 16000 < 6
        assert np.abs(audio).max() > 0.05  # sound, not silence
        lengths.append(len(audio))
    # Slower speech lasts longer: 1.41x when measured for 130/75 = 1.73x the speed, the
    # silence at either end keeping its length.
    assert lengths[0] > 1.3 * lengths[1]


def test_an_engine_with_no_voice_to_hold_out_speaks_no_unseen_test():
    from speech.engines import Engine

    class OneVoice(Engine):
        name = "piper"

        def voices(self):
            return ["only"]

        def unseen(self, voice):
            return False

        def prosody(self, rng):
            return 100, 100

    sentences = [f"words {a} {b}" for a in "abcdefghij" for b in "klmnopqrst"]
    variants = ["m1", "m2", *UNSEEN_VARIANTS[:2]]
    counts = {"train": 200, "valid": 20, "test-seen": 40, "test-unseen": 40}
    mixed = plan(sentences, variants, counts, others=[OneVoice()])
    assert {j.engine for j in mixed if j.split == "test-seen"} == {"espeak", "piper"}
    assert {j.engine for j in mixed if j.split == "test-unseen"} == {"espeak"}
    alone = plan(sentences, variants, counts, others=[OneVoice()], espeak=False)
    assert {j.engine for j in alone} == {"piper"}
    assert {j.split for j in alone} == {"train", "valid", "test-seen"}
    assert len([j for j in alone if j.split == "train"]) == 200


def test_other_engines_take_their_share_and_hold_out_their_voices():
    from speech.engines import Engine

    class Fake(Engine):
        name = "flite"  # any registered name: the plan looks its voices up by it

        def voices(self):
            return ["a", "b", "held"]

        def unseen(self, voice):
            return voice == "held"

        def prosody(self, rng):
            return 100, 100

    sentences = [f"words {a} {b}" for a in "abcdefghij" for b in "klmnopqrst"]
    variants = ["m1", "m2", *UNSEEN_VARIANTS[:2]]
    counts = {"train": 300, "test-seen": 40, "test-unseen": 40}
    alone = plan(sentences, variants, counts)
    mixed = plan(sentences, variants, counts, others=[Fake()])
    assert [j.text for j in alone] == [j.text for j in mixed]  # the same sentences
    other = [j for j in mixed if j.engine == "flite"]
    assert 0.35 < len(other) / len(mixed) < 0.65
    assert all((j.voice == "held") == (j.split == "test-unseen") for j in other)
    espeak = [j for j in mixed if j.engine == "espeak"]
    assert espeak == [a for a, m in zip(alone, mixed, strict=True) if m.engine == "espeak"]
    only = plan(sentences, variants, counts, others=[Fake()], espeak=False)
    assert {j.engine for j in only} == {"flite"}


def test_short_phrases_are_a_few_words_in_a_row_of_their_sentence():
    import random

    rng = random.Random(0)
    sentence = "the quick brown fox jumps over the lazy dog"
    phrases = [short_phrase(sentence, rng) for _ in range(200)]
    assert {len(p.split()) for p in phrases} == {1, 2, 3, 4}
    assert all(f" {p} " in f" {sentence} " for p in phrases)
    assert short_phrase("yes", rng) == "yes"
    counts = {"train": 400, "valid": 40, "test-seen": 40, "test-unseen": 40}
    whole = plan(SENTENCES, ["m1", "m2", *UNSEEN_VARIANTS[:2]], counts)
    some = plan(SENTENCES, ["m1", "m2", *UNSEEN_VARIANTS[:2]], counts, phrase_share=0.25)
    cut = [(w, s) for w, s in zip(whole, some, strict=True) if w.text != s.text]
    assert 0.15 < len(cut) / len(whole) < 0.35
    assert all(f" {s.text} " in f" {w.text} " and len(s.text.split()) <= 4 for w, s in cut)
    # The same voices, speeds and splits: only the words spoken change.
    assert [(w.split, w.voice, w.speed) for w in whole] == [
        (s.split, s.voice, s.speed) for s in some
    ]
