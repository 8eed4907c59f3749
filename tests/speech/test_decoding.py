"""CTC decoding against hand-made log-probabilities."""

import pytest
import torch

from speech.decoding import BeamDecoder, greedy_decode
from speech.text import CharVocabulary

VOCAB = CharVocabulary()


def _peaked(path: str, confidence: float = 8.0) -> torch.Tensor:
    """(T, V) log-probs whose best label per frame spells ``path`` ('-' is the blank)."""
    ids = [VOCAB.blank_id if c == "-" else VOCAB.encode(c)[0] for c in path]
    logits = torch.zeros(len(ids), len(VOCAB))
    logits[torch.arange(len(ids)), torch.tensor(ids)] = confidence
    return logits.log_softmax(-1)


def test_greedy_merges_repeats_and_drops_blanks():
    out = greedy_decode(_peaked("--hh-e-ll-llo--  w-oo-r-ld--"), VOCAB)
    assert out.text == "hello world"
    # A blank between two l's keeps both; repeated frames of one letter merge.
    assert out.frames == [2, 5, 7, 10, 12, 15, 17, 19, 22, 24, 25]
    assert out.words == [("hello", 2, 12), ("world", 17, 25)]


def test_greedy_drops_leading_trailing_and_doubled_spaces():
    out = greedy_decode(_peaked(" -a- - -b- "), VOCAB)
    assert out.text == "a b"
    assert [w for w, _, _ in out.words] == ["a", "b"]


def test_greedy_score_is_the_best_path_log_probability():
    lp = _peaked("ab")
    assert greedy_decode(lp, VOCAB).score == pytest.approx(float(lp.max(-1).values.sum()))


def test_all_blank_is_empty():
    out = greedy_decode(_peaked("-----"), VOCAB)
    assert out.text == "" and out.words == []


def test_beam_search_sums_paths_that_greedy_cannot():
    # Frame by frame the blank wins (0.4 > 0.35, 0.25), so greedy says nothing; summed over
    # paths, "a" (any of a-, -a, aa: 0.35*0.4*2 + 0.35**2 = 0.4025) beats "" (0.16).
    probs = torch.tensor([[0.4, 0.0, 0.0, 0.35, 0.25]] * 2)
    lp = torch.full((2, len(VOCAB)), -30.0)
    lp[:, [0, 1, 2, 3, 4]] = probs.clamp_min(1e-13).log()
    lp = lp.log_softmax(-1)
    assert greedy_decode(lp, VOCAB).text == ""
    beam = BeamDecoder(VOCAB, beam_size=8)(lp[None], torch.tensor([2]))[0]
    assert beam.text == "a"


def test_beam_frames_agree_with_greedy_on_a_clear_path():
    lp = _peaked("h-e-ll-llo--  w-o-r-ld")
    greedy = greedy_decode(lp, VOCAB)
    beam = BeamDecoder(VOCAB, beam_size=8)(lp[None], torch.tensor([len(lp)]))[0]
    assert beam.text == greedy.text and beam.frames == greedy.frames


def test_word_list_restricts_the_output():
    lp = _peaked("h-e-l-o--  w-o-r-l-d")  # "helo world": one l too few
    free = BeamDecoder(VOCAB, beam_size=16)(lp[None], torch.tensor([len(lp)]))[0]
    assert free.text == "helo world"
    words = BeamDecoder(VOCAB, beam_size=16, words=["hello", "world", "help"])
    assert words(lp[None], torch.tensor([len(lp)]))[0].text in ("hello world", "help world")
