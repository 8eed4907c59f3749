from collections import Counter

import pytest

from shared.vocab import SPECIALS, Vocabulary


def test_specials_come_first_with_fixed_ids():
    vocab = Vocabulary(["a", "b"])
    assert vocab.tokens[:4] == list(SPECIALS)
    assert (vocab.pad_id, vocab.bos_id, vocab.eos_id, vocab.unk_id) == (0, 1, 2, 3)
    assert len(vocab) == 6 and "a" in vocab and "z" not in vocab


def test_build_with_min_freq_and_max_size():
    counts = Counter({"the": 5, "cat": 2, "sat": 2, "rare": 1})
    assert Vocabulary.from_counts(counts, min_freq=2).tokens[4:] == ["the", "cat", "sat"]
    assert Vocabulary.from_counts(counts, max_size=2).tokens[4:] == ["the", "cat"]
    built = Vocabulary.build([["b", "a"], ["a"]])
    assert built.tokens[4:] == ["a", "b"]


def test_encode_decode_round_trip_and_unknowns():
    vocab = Vocabulary(["a", "b"])
    ids = vocab.encode(["a", "z", "b"], add_bos=True, add_eos=True)
    assert ids == [1, 4, 3, 5, 2]
    assert vocab.decode(ids) == ["a", "<unk>", "b"]
    assert vocab.decode([4, 2, 5]) == ["a"]  # stops at <eos>
    assert vocab.decode(ids, strip_special=False)[0] == "<bos>"


def test_json_round_trip(tmp_path):
    vocab = Vocabulary(["été", "猫", "a b"])
    vocab.save(tmp_path / "vocab.json")
    assert Vocabulary.load(tmp_path / "vocab.json") == vocab


def test_bad_vocabularies_are_value_errors():
    with pytest.raises(ValueError, match="duplicate"):
        Vocabulary(["a", "a"])
    with pytest.raises(ValueError, match="specials"):
        Vocabulary.from_json('{"specials": ["<pad>"], "tokens": []}')
