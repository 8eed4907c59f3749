import math

import pytest
import torch

from speech.decoding import BeamDecoder, greedy_decode
from speech.lm import EOS, BigramLM
from speech.text import CharVocabulary
from tests.speech.test_decoding import _peaked

SENTENCES = ["hello world", "hello there", "the world is round", "say hello"]


def test_probabilities_after_any_word_sum_to_one():
    lm = BigramLM(SENTENCES)
    for previous in ("hello", "the", "<s>", "round"):
        total = sum(math.exp(lm.log_prob(w, previous)) for w in [*lm.words[:-1], EOS])
        assert total == pytest.approx(1.0)


def test_seen_word_order_is_likelier_and_unknown_words_are_rare():
    lm = BigramLM(SENTENCES)
    assert lm.sentence_log_prob("hello world") > lm.sentence_log_prob("world hello")
    assert lm.log_prob("<unk>", "hello") < min(lm.log_prob(w, "hello") for w in lm.words[:-1])
    assert lm.words[-1] == "<unk>" and "hello" in lm.words


def test_a_capped_vocabulary_keeps_the_commonest_words_and_still_sums_to_one():
    lm = BigramLM(SENTENCES, max_words=2)
    assert lm.words == ["hello", "world", "<unk>"]  # 4 and 2 times; each other word once
    for previous in ("hello", "<s>", "<unk>"):
        total = sum(math.exp(lm.log_prob(w, previous)) for w in [*lm.words, EOS])
        assert total == pytest.approx(1.0)
    # "say hello": the dropped word still gives "hello" its context.
    assert lm.log_prob("hello", "<unk>") > lm.log_prob("hello", "world")


def test_language_model_decoding_fixes_a_misspelling():
    vocab = CharVocabulary()
    lp = _peaked("h-e-l-o--  w-o-r-l-d", confidence=3.0)  # "helo world", not too sure of it
    assert greedy_decode(lp, vocab).text == "helo world"
    decoder = BeamDecoder(vocab, beam_size=32, lm=BigramLM(SENTENCES), lm_weight=1.0)
    assert decoder(lp[None], torch.tensor([len(lp)]))[0].text == "hello world"


def test_decoders_leave_no_files_behind(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    vocab = CharVocabulary()
    BeamDecoder(vocab, beam_size=4, lm=BigramLM(SENTENCES))
    BeamDecoder(vocab, beam_size=4, words=["hello", "world"])
    assert list(tmp_path.iterdir()) == []


def test_transcriber_builds_its_language_model_once_and_keeps_few_decoders(
    tiny_speech_dir, monkeypatch
):
    import speech.lm
    from speech.inference import MAX_DECODERS, Transcriber

    built = []
    original = speech.lm.BigramLM

    class CountingLM(original):
        def __init__(self, sentences):
            built.append(1)
            super().__init__(sentences)

    monkeypatch.setattr(speech.lm, "BigramLM", CountingLM)
    transcriber = Transcriber.from_pretrained(tiny_speech_dir)
    transcriber.lm_sentences = SENTENCES
    audio = torch.zeros(8000).numpy()
    for beam in range(1, MAX_DECODERS + 4):
        transcriber.transcribe(audio, 16000, beam_size=beam + 1, language_model=True)
    assert len(built) == 1
    assert len(transcriber._beam) == MAX_DECODERS
    newest = next(reversed(transcriber._beam))
    assert newest == (MAX_DECODERS + 4, True)
